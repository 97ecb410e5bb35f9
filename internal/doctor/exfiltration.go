package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/policy"
	"github.com/vpce/vpce/internal/reach"
)

// outsider is an account no organisation of the user's holds: a request to
// its bucket is what an exfiltration looks like.
const outsider = "999999999999"

var welcoming = policy.MustParse("outsider's resource policy", policy.KindResource,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)

// dataServices are the services whose endpoints can carry data out.
var dataServices = map[string]bool{"s3": true, "dynamodb": true, "sqs": true, "sns": true, "kinesis-streams": true, "secretsmanager": true, "logs": true}

// checkExfiltration: endpoint policies that let anything go anywhere (the
// default policy, or one without aws:ResourceOrgID / aws:ResourceAccount),
// proven by asking the policy engine whether an upload to a bucket of an
// unknown account would pass; interface endpoint groups open to the world.
func checkExfiltration(c *Context) []Finding {
	var out []Finding
	for _, vpc := range c.VPCs {
		for _, ep := range c.Snap.EndpointsOf(vpc) {
			svc, ok := ep.Service(c.Snap.Scope.Region)
			if !ok {
				continue
			}
			if dataServices[svc.Short] {
				out = append(out, exfiltrationPolicy(c, ep, svc.Short)...)
			}
			out = append(out, sourceIPConditions(c, ep)...)
			if ep.VpcEndpointType == cloud.EndpointInterface {
				out = append(out, openGroups(c, ep)...)
			}
		}
		out = append(out, ipv6Egress(c, vpc)...)
	}
	return out
}

// ipv6Egress: a subnet whose IPv4 traffic has no way to the internet (the
// private design endpoints serve) but whose IPv6 traffic does, through an
// egress-only or internet gateway: its instances reach any address on the
// internet around the endpoints and their policies. The path engine
// decides both paths, from a new interface in the subnet.
func ipv6Egress(c *Context, vpc string) []Finding {
	var out []Finding
	for _, sn := range c.Snap.SubnetsOf(vpc) {
		if !sn.HasIpv6() {
			continue
		}
		if sn.CidrBlock.IsValid() {
			r4, err := c.A.Analyze(reach.Query{From: sn.SubnetID, To: "198.51.100.10"})
			if err != nil || r4.Reachable || slices.ContainsFunc(r4.Explanations, func(e reach.Explanation) bool { return e.Code == "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS" }) {
				continue // IPv4 goes out too (a public subnet): not a private design
			}
		}
		r6, err := c.A.Analyze(reach.Query{From: sn.SubnetID, To: "2001:db8:100::10", IPv6: true})
		if err != nil || !r6.Reachable {
			continue
		}
		gw := r6.Hops[len(r6.Hops)-1].Component
		rt := ""
		for _, h := range r6.Hops {
			if h.Kind == "route-table" {
				rt = h.Component
			}
		}
		out = append(out, Finding{Code: "IPV6_EGRESS_AROUND_ENDPOINTS", Severity: Medium,
			Title:     fmt.Sprintf("%s has no IPv4 way out, but its IPv6 traffic reaches the internet through %s: data can leave around the endpoints' policies", sn.SubnetID, gw),
			Resources: []string{sn.SubnetID, rt, gw},
			Evidence:  fmt.Sprintf("IPv6 path from %s to any internet address: %s via %s", sn.SubnetID, r6.Verdict, gw),
			Fix:       fmt.Sprintf("aws ec2 delete-route --route-table-id %s --destination-ipv6-cidr-block ::/0   # or narrow the security groups' IPv6 egress", rt)})
	}
	return out
}

func exfiltrationPolicy(c *Context, ep *cloud.VpcEndpoint, short string) []Finding {
	action, resource := "s3:PutObject", "arn:aws:s3:::exfiltration-test-"+outsider+"/loot"
	if short != "s3" {
		action, resource = short+":*", fmt.Sprintf("arn:aws:%s:%s:%s:*", short, c.Snap.Scope.Region, outsider)
	}
	// A path that ends at this endpoint, as the data plane would have it.
	r := &reach.Result{Endpoint: ep.VpcEndpointID, Source: reach.Place{VpcID: ep.VpcID}}
	if v := c.Snap.Vpcs[ep.VpcID]; v != nil {
		r.Source.Address = v.CidrBlock.Addr().Next().Next().Next().Next()
	}
	// The outsider's resource welcomes anyone (the attacker owns it): only
	// the endpoint policy stands in the way.
	d := c.A.Decide(r, reach.Request{Action: action, Resource: resource, ResourceAccount: outsider,
		Principal: "arn:aws:iam::" + c.Snap.Scope.Account + ":role/any", ResourcePolicy: welcoming})
	if !d.Allowed {
		return nil
	}
	sev, what := High, "allows "+action+" to a resource of any account"
	if ep.PolicyDocument == "" || strings.Contains(strings.ReplaceAll(ep.PolicyDocument, " ", ""), `"Resource":"*"`) {
		what = "has the default full-access policy: it " + what
	}
	return []Finding{{Code: "ENDPOINT_ALLOWS_ANY_ACCOUNT", Severity: sev,
		Title:     fmt.Sprintf("endpoint %s (%s) %s", ep.VpcEndpointID, short, what),
		Resources: []string{ep.VpcEndpointID, ep.VpcID},
		Evidence:  fmt.Sprintf("the policy engine allows %s on %s (account %s) through it; statements: %s", action, resource, outsider, strings.Join(d.Statements, ", ")),
		Fix: fmt.Sprintf(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --policy-document '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceOrgID":"<your organization ID>"}}}]}'`,
			ep.VpcEndpointID)}}
}

func openGroups(c *Context, ep *cloud.VpcEndpoint) []Finding {
	var out []Finding
	for _, g := range ep.Groups {
		sg := c.Snap.SecurityGroups[g.GroupID]
		if sg == nil {
			continue
		}
		for _, r := range sg.Rules {
			if !r.IsEgress && (r.CidrIPv4 == "0.0.0.0/0" || r.CidrIPv6 == "::/0") {
				out = append(out, Finding{Code: "ENDPOINT_GROUP_OPEN_TO_WORLD", Severity: Medium,
					Title:     fmt.Sprintf("endpoint %s's group %s lets anyone in (%s)", ep.VpcEndpointID, sg.GroupID, r.CidrIPv4+r.CidrIPv6),
					Resources: []string{ep.VpcEndpointID, sg.GroupID},
					Evidence:  fmt.Sprintf("rule %s: %s %d-%d from %s", r.SecurityGroupRuleID, r.IPProtocol, r.FromPort, r.ToPort, r.CidrIPv4+r.CidrIPv6),
					Fix:       fmt.Sprintf("aws ec2 revoke-security-group-ingress --group-id %s --security-group-rule-ids %s  (then allow tcp/443 from the VPC's CIDR or the clients' groups)", sg.GroupID, r.SecurityGroupRuleID)})
				break
			}
		}
	}
	return out
}

// sourceIPConditions finds endpoint policies that test aws:SourceIp: the
// key is absent on requests through a VPC endpoint (aws:VpcSourceIp
// carries the private address), so an Allow on it never matches and a
// Deny on "not these addresses" denies everything (AWS's condition-key
// reference).
func sourceIPConditions(c *Context, ep *cloud.VpcEndpoint) []Finding {
	doc := strings.ToLower(ep.PolicyDocument)
	if !strings.Contains(doc, "aws:sourceip") {
		return nil
	}
	return []Finding{{Code: "SOURCEIP_CONDITION_THROUGH_ENDPOINT", Severity: Medium,
		Title:     fmt.Sprintf("endpoint %s's policy tests aws:SourceIp, which requests through an endpoint never carry", ep.VpcEndpointID),
		Resources: []string{ep.VpcEndpointID},
		Evidence:  "the policy names aws:SourceIp; through the endpoint only aws:VpcSourceIp, aws:SourceVpc and aws:SourceVpce are set",
		Fix:       fmt.Sprintf("replace aws:SourceIp with aws:VpcSourceIp (private addresses) or aws:SourceVpce in %s's policy", ep.VpcEndpointID)}}
}
