package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// reachCmd runs `vpce reach` against a server as an account, returning its
// stdout and exit status.
func reachCmd(t *testing.T, url, account, secret string, args ...string) (string, int) {
	t.Helper()
	return runVpceSecret(t, url, account, secret, append([]string{"reach"}, args...)...)
}

// runVpce runs a vpce subcommand against a server as an account.
func runVpce(t *testing.T, url, account string, args ...string) (string, int) {
	t.Helper()
	return runVpceSecret(t, url, account, "secret", args...)
}

func runVpceSecret(t *testing.T, url, account, secret string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append(append([]string{}, args...), "--endpoint-url", url)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String() + errb.String(), ee.ExitCode()
	}
	t.Fatalf("vpce reach: %v", err)
	return "", -1
}

// TestReach builds the SSM-without-internet design with the aws CLI v2,
// asks `vpce reach` about it before and after each piece, and runs the
// same question through the EC2 Network Insights API with the SDK.
func TestReach(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	reachJSON := func(args ...string) (map[string]any, int) {
		t.Helper()
		out, code := reachCmd(t, shared.url, acct, "secret", append(args, "-o", "json")...)
		m := map[string]any{}
		if code < 2 {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("vpce reach %v: %v: %s", args, err, out)
			}
		}
		return m, code
	}
	vpc := str(run("create-vpc", "--cidr-block", "10.90.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	subnet := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.90.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	sg := str(run("create-security-group", "--group-name", "endpoints", "--description", "endpoints", "--vpc-id", vpc), "GroupId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", subnet), "Instances", 0, "InstanceId")
	rtb := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc), "RouteTables", 0, "RouteTableId")
	time.Sleep(400 * time.Millisecond) // the instance leaves pending

	// Nothing yet: no route to SSM's public address; the fix is an endpoint.
	m, code := reachJSON("--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
	if code != 1 || m["verdict"] != "BLOCKED" || str(m, "explanations", 0, "code") != "NO_ROUTE_TO_DESTINATION" || !strings.Contains(str(m, "fix", 0), "create-vpc-endpoint") {
		t.Fatalf("before endpoints: exit %d %v", code, m)
	}
	ep := str(run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ssm",
		"--subnet-ids", subnet, "--security-group-ids", sg, "--private-dns-enabled"), "VpcEndpoint", "VpcEndpointId")
	run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rtb)
	time.Sleep(400 * time.Millisecond) // the endpoint becomes available

	// The endpoint's group lets nothing in yet.
	m, code = reachJSON("--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
	if code != 1 || str(m, "explanations", 0, "code") != "ENI_SG_RULES_MISMATCH" || str(m, "explanations", 0, "component") != sg {
		t.Fatalf("closed group: exit %d %v", code, m)
	}
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.90.0.0/16")
	m, code = reachJSON("--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
	if code != 0 || m["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || m["reachable"] != true {
		t.Fatalf("open: exit %d %v", code, m)
	}
	// The DNS hop is the resolver's answer: the endpoint's address, as dig
	// gets it from the VPC's resolver.
	addr := str(m, "destination", "address")
	if got := str(m, "hops", 2, "kind"); got != "dns" || !strings.HasPrefix(addr, "10.90.1.") {
		t.Fatalf("dns hop %s, address %s", got, addr)
	}
	if got := strings.TrimSpace(dig(t, shared, resolverOf(t, shared, vpc), "ssm.us-east-1.amazonaws.com", "+short")); got != addr {
		t.Fatalf("dig says %q, reach says %q", got, addr)
	}
	// S3 by the gateway endpoint; a policy that names another bucket denies.
	m, code = reachJSON("--from", inst, "--to", "com.amazonaws.us-east-1.s3")
	if code != 0 || m["verdict"] != "PRIVATE_GATEWAY_ENDPOINT" {
		t.Fatalf("s3: exit %d %v", code, m)
	}
	s3ep := str(run("describe-vpc-endpoints", "--filters", "Name=service-name,Values=com.amazonaws.us-east-1.s3", "Name=vpc-id,Values="+vpc), "VpcEndpoints", 0, "VpcEndpointId")
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3ep, "--policy-document",
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::ours/*"}]}`)
	m, code = reachJSON("--from", inst, "--to", "com.amazonaws.us-east-1.s3", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::theirs/x")
	if code != 1 || str(m, "explanations", 0, "code") != "ENDPOINT_POLICY_DENY" {
		t.Fatalf("policy: exit %d %v", code, m)
	}
	// The table a person reads.
	out, code := reachCmd(t, shared.url, acct, "secret", "--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
	if code != 0 || !strings.Contains(out, "PRIVATE_INTERFACE_ENDPOINT") || !strings.Contains(out, "private DNS of "+ep) {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	// The matrix: the subnet reaches ssm and s3 privately, the rest not.
	out, code = reachCmd(t, shared.url, acct, "secret", "--matrix", "--vpc", vpc)
	if code != 0 || !strings.Contains(out, subnet) || !strings.Contains(out, "interface") || !strings.Contains(out, "gateway") || !strings.Contains(out, "BLOCKED:NO_ROUTE_TO_DESTINATION") {
		t.Fatalf("matrix: exit %d\n%s", code, out)
	}
	// Bad input exits 2 with a message; another account sees nothing here.
	if out, code = reachCmd(t, shared.url, acct, "secret", "--from", "i-0123456789abcdef0", "--to", "ssm.us-east-1.amazonaws.com"); code != 2 || !strings.Contains(out, "does not exist") {
		t.Fatalf("unknown source: exit %d %s", code, out)
	}
	if out, code = reachCmd(t, shared.url, newAccount(), "secret", "--from", inst, "--to", "ssm.us-east-1.amazonaws.com"); code != 2 {
		t.Fatalf("other account: exit %d %s", code, out)
	}

	// The Network Insights API, through the SDK, gives the same answer in
	// Reachability Analyzer's shapes.
	c := clientFor(shared.url, acct, "us-east-1")
	p := must[*ec2.CreateNetworkInsightsPathOutput](t)(c.CreateNetworkInsightsPath(ctx(t), &ec2.CreateNetworkInsightsPathInput{
		Source: aws.String(inst), Destination: aws.String(ep), Protocol: types.ProtocolTcp, DestinationPort: aws.Int32(443), ClientToken: aws.String("p1")})).NetworkInsightsPath
	if aws.ToString(p.SourceArn) != "arn:aws:ec2:us-east-1:"+acct+":instance/"+inst || !strings.HasPrefix(aws.ToString(p.NetworkInsightsPathId), "nip-") {
		t.Fatalf("path %+v", p)
	}
	a := must[*ec2.StartNetworkInsightsAnalysisOutput](t)(c.StartNetworkInsightsAnalysis(ctx(t), &ec2.StartNetworkInsightsAnalysisInput{
		NetworkInsightsPathId: p.NetworkInsightsPathId, ClientToken: aws.String("a1")})).NetworkInsightsAnalysis
	if a.Status != types.AnalysisStatusRunning {
		t.Fatalf("start: status %s", a.Status)
	}
	var got types.NetworkInsightsAnalysis
	for range 50 {
		got = must[*ec2.DescribeNetworkInsightsAnalysesOutput](t)(c.DescribeNetworkInsightsAnalyses(ctx(t), &ec2.DescribeNetworkInsightsAnalysesInput{
			NetworkInsightsAnalysisIds: []string{aws.ToString(a.NetworkInsightsAnalysisId)}})).NetworkInsightsAnalyses[0]
		if got.Status != types.AnalysisStatusRunning {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.Status != types.AnalysisStatusSucceeded || !aws.ToBool(got.NetworkPathFound) || len(got.ForwardPathComponents) < 5 {
		t.Fatalf("analysis %s found=%v components=%d", got.Status, aws.ToBool(got.NetworkPathFound), len(got.ForwardPathComponents))
	}
	last := got.ForwardPathComponents[len(got.ForwardPathComponents)-1]
	if aws.ToString(last.Component.Id) != ep {
		t.Errorf("last component %s, want %s", aws.ToString(last.Component.Id), ep)
	}
	// Revoking the rule and analysing again: blocked at the group, in RA's
	// explanation shape.
	run("revoke-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.90.0.0/16")
	a = must[*ec2.StartNetworkInsightsAnalysisOutput](t)(c.StartNetworkInsightsAnalysis(ctx(t), &ec2.StartNetworkInsightsAnalysisInput{
		NetworkInsightsPathId: p.NetworkInsightsPathId, ClientToken: aws.String("a2")})).NetworkInsightsAnalysis
	time.Sleep(400 * time.Millisecond)
	got = must[*ec2.DescribeNetworkInsightsAnalysesOutput](t)(c.DescribeNetworkInsightsAnalyses(ctx(t), &ec2.DescribeNetworkInsightsAnalysesInput{
		NetworkInsightsAnalysisIds: []string{aws.ToString(a.NetworkInsightsAnalysisId)}})).NetworkInsightsAnalyses[0]
	if got.Status != types.AnalysisStatusSucceeded || aws.ToBool(got.NetworkPathFound) || len(got.Explanations) != 1 ||
		aws.ToString(got.Explanations[0].ExplanationCode) != "ENI_SG_RULES_MISMATCH" || aws.ToString(got.Explanations[0].SecurityGroup.Id) != sg {
		t.Fatalf("blocked analysis: %s found=%v explanations=%+v", got.Status, aws.ToBool(got.NetworkPathFound), got.Explanations)
	}
	// Filters and errors.
	byPath := must[*ec2.DescribeNetworkInsightsAnalysesOutput](t)(c.DescribeNetworkInsightsAnalyses(ctx(t), &ec2.DescribeNetworkInsightsAnalysesInput{
		Filters: []types.Filter{{Name: aws.String("path-found"), Values: []string{"false"}}}})).NetworkInsightsAnalyses
	if len(byPath) != 1 || aws.ToString(byPath[0].NetworkInsightsAnalysisId) != aws.ToString(a.NetworkInsightsAnalysisId) {
		t.Errorf("path-found=false: %d analyses", len(byPath))
	}
	_, err := c.DeleteNetworkInsightsPath(ctx(t), &ec2.DeleteNetworkInsightsPathInput{NetworkInsightsPathId: p.NetworkInsightsPathId})
	// AWS refuses to delete a path with analyses, with its own code.
	wantCode(t, err, "AnalysisExistsForNetworkInsightsPath")
	_, err = c.CreateNetworkInsightsPath(ctx(t), &ec2.CreateNetworkInsightsPathInput{Source: aws.String("i-0123456789abcdef0"), Destination: aws.String(ep),
		Protocol: types.ProtocolTcp, ClientToken: aws.String("p2")})
	wantCode(t, err, "InvalidInstanceID.NotFound")
	_, err = c.CreateNetworkInsightsPath(ctx(t), &ec2.CreateNetworkInsightsPathInput{Source: aws.String(inst), Protocol: types.ProtocolTcp, ClientToken: aws.String("p3")})
	wantCode(t, err, "MissingParameter")
	for _, id := range []string{aws.ToString(a.NetworkInsightsAnalysisId), aws.ToString(got.NetworkInsightsAnalysisId)} {
		c.DeleteNetworkInsightsAnalysis(ctx(t), &ec2.DeleteNetworkInsightsAnalysisInput{NetworkInsightsAnalysisId: aws.String(id)})
	}
	// The aws CLI v2 reads the same analyses.
	out2, err := cli(t, acct, "describe-network-insights-analyses", "--network-insights-path-id", aws.ToString(p.NetworkInsightsPathId))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(path(out2, "NetworkInsightsAnalyses").([]any)); n != 1 {
		t.Errorf("analyses left: %d", n)
	}
}

// TestReachAuth: with --auth sigv4 the reach endpoints answer only signed
// requests, each in its signer's account.
func TestReachAuth(t *testing.T) {
	s := authServer(t)
	body := `{"from":"10.0.0.5","to":"ssm.us-east-1.amazonaws.com"}`
	status, code, _ := do(t, http.MethodPost, s.url+"/_vpce/reach", body, map[string]string{"Content-Type": "application/json"}, "", "", "vpce", time.Now())
	if status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Fatalf("unsigned: %d %s", status, code)
	}
	status, _, b := do(t, http.MethodPost, s.url+"/_vpce/reach", body, map[string]string{"Content-Type": "application/json"}, tenantKey, tenantSecret, "vpce", time.Now())
	if status != http.StatusOK || !bytes.Contains(b, []byte(`"verdict"`)) {
		t.Fatalf("signed: %d %s", status, b)
	}
	// A tenant's instance is unknown to another tenant.
	tc := tenantClient(s, tenantKey, tenantSecret)
	vpc := must[*ec2.CreateVpcOutput](t)(tc.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})).Vpc
	sn := must[*ec2.CreateSubnetOutput](t)(tc.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.1.1.0/24")})).Subnet
	q := `{"from":"` + aws.ToString(sn.SubnetId) + `","to":"com.amazonaws.us-east-1.s3"}`
	if status, _, b = do(t, http.MethodPost, s.url+"/_vpce/reach", q, nil, tenantKey, tenantSecret, "vpce", time.Now()); status != http.StatusOK {
		t.Fatalf("tenant: %d %s", status, b)
	}
	if status, _, b = do(t, http.MethodPost, s.url+"/_vpce/reach", q, nil, otherKey, otherSecret, "vpce", time.Now()); status != http.StatusBadRequest || !bytes.Contains(b, []byte("does not exist")) {
		t.Fatalf("other tenant: %d %s", status, b)
	}
	// Signed for EC2 is not signed for vpce.
	if status, code, _ = do(t, http.MethodPost, s.url+"/_vpce/reach", q, nil, tenantKey, tenantSecret, "ec2", time.Now()); status == http.StatusOK {
		t.Fatalf("ec2-scoped signature accepted: %s", code)
	}
	// The CLI signs with the environment's key.
	if out, code := reachCmd(t, s.url, tenantKey, tenantSecret, "--from", aws.ToString(sn.SubnetId), "--to", "com.amazonaws.us-east-1.s3"); code != 1 || !strings.Contains(out, "NO_ROUTE_TO_DESTINATION") {
		t.Fatalf("vpce reach with auth: exit %d %s", code, out)
	}
	if out, code := reachCmd(t, s.url, tenantKey, "wrong", "--from", aws.ToString(sn.SubnetId), "--to", "com.amazonaws.us-east-1.s3"); code != 1 || strings.Contains(out, "verdict") {
		t.Fatalf("wrong secret: exit %d %s", code, out)
	}
}
