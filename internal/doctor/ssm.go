package doctor

import (
	"fmt"
	"sort"

	"github.com/vpce/vpce/internal/reach"
)

// checkSSM: Session Manager without internet, for every instance in a
// private subnet — ssm and ssmmessages (and ec2messages for agents older
// than 3.3.40.0) privately on 443, and S3 by its gateway endpoint for agent
// updates, patching and logs, with an endpoint policy that lets the agent
// read AWS's SSM buckets (AWS's "Create VPC endpoints" page for Systems
// Manager).
func checkSSM(c *Context) []Finding {
	var out []Finding
	region := c.Snap.Scope.Region
	for _, vpc := range c.VPCs {
		var private []*instanceRef
		for rep, members := range representatives(c.Snap, instancesIn(c.Snap, vpc)) {
			if !c.Snap.PublicSubnet(rep.SubnetID) {
				private = append(private, &instanceRef{rep.InstanceID, rep.SubnetID, members})
			}
		}
		sort.Slice(private, func(i, j int) bool { return private[i].id < private[j].id })
		for _, in := range private {
			for _, svc := range []struct {
				short    string
				required bool
			}{{"ssm", true}, {"ssmmessages", true}, {"ec2messages", false}} {
				name := svc.short + "." + region + ".amazonaws.com"
				r, err := c.A.Analyze(reach.Query{From: in.id, To: name})
				if err != nil {
					continue
				}
				out = append(out, ssmFinding(in, region, name, svc.short, svc.required, r)...)
			}
			out = append(out, ssmS3(c, in)...)
		}
	}
	return out
}

type instanceRef struct {
	id, subnet string
	members    []string
}

func (in *instanceRef) resources(extra ...string) []string {
	return append(limit(append([]string{}, in.members...), 20), extra...)
}

func ssmFinding(in *instanceRef, region, name, short string, required bool, r *reach.Result) []Finding {
	var out []Finding
	switch {
	case !r.Reachable:
		code, comp, msg := firstCode(r)
		f := Finding{Code: "SSM_UNREACHABLE", Severity: High, Title: fmt.Sprintf("Session Manager cannot reach %s from %s", short, in.subnet),
			Resources: in.resources(comp), Evidence: fmt.Sprintf("%s: %s at %s: %s", name, code, comp, msg), Fix: firstFix(r)}
		if !required {
			f.Code, f.Severity = "SSM_EC2MESSAGES_UNREACHABLE", Low
			f.Title = fmt.Sprintf("ec2messages is unreachable from %s: agents older than 3.3.40.0 need it", in.subnet)
		}
		out = append(out, f)
	case r.Verdict == reach.PublicNAT || r.Verdict == reach.PublicIGW:
		out = append(out, Finding{Code: "SSM_OVER_INTERNET", Severity: Medium,
			Title:     fmt.Sprintf("%s is reached over the internet from %s (%s), not through an interface endpoint", short, in.subnet, r.Verdict),
			Resources: in.resources(r.NatGateway), Evidence: fmt.Sprintf("%s: %s", name, r.Verdict),
			Fix: fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id %s --service-name com.amazonaws.%s.%s --subnet-ids %s --security-group-ids <group allowing tcp/443 from the VPC> --private-dns-enabled", r.Source.VpcID, region, short, in.subnet)})
	}
	for _, d := range r.Details {
		if d.Code == "AVAILABILITY_ZONE_CROSSED" {
			out = append(out, Finding{Code: "SSM_ENDPOINT_OTHER_ZONE", Severity: Low, Title: fmt.Sprintf("%s from %s crosses zones", short, in.subnet),
				Resources: in.resources(d.Component), Evidence: d.Message,
				Fix: fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --add-subnet-ids %s", d.Component, in.subnet)})
		}
		if d.Code == "PRIVATE_DNS_DISABLED" {
			out = append(out, Finding{Code: "SSM_PRIVATE_DNS_OFF", Severity: High, Title: fmt.Sprintf("the %s endpoint has private DNS off: the agent resolves the public name", short),
				Resources: []string{d.Component}, Evidence: d.Message, Fix: fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --private-dns-enabled", d.Component)})
		}
	}
	return out
}

// ssmS3 checks S3 for the agent: by the gateway endpoint, whose policy
// lets it read aws-ssm-REGION.
func ssmS3(c *Context, in *instanceRef) []Finding {
	region := c.Snap.Scope.Region
	r, err := c.A.Analyze(reach.Query{From: in.id, To: "com.amazonaws." + region + ".s3"})
	if err != nil {
		return nil
	}
	switch {
	case !r.Reachable:
		code, comp, msg := firstCode(r)
		return []Finding{{Code: "SSM_S3_UNREACHABLE", Severity: Medium, Title: fmt.Sprintf("S3 is unreachable from %s: agent updates, patching and S3 session logs fail", in.subnet),
			Resources: in.resources(comp), Evidence: fmt.Sprintf("S3: %s at %s: %s", code, comp, msg), Fix: firstFix(r)}}
	case r.Verdict != reach.PrivateGatewayEndpoint && r.Verdict != reach.PrivateInterfaceEndpoint:
		return []Finding{{Code: "SSM_S3_OVER_INTERNET", Severity: Low, Title: fmt.Sprintf("S3 is reached over the internet from %s (%s)", in.subnet, r.Verdict),
			Resources: in.resources(), Evidence: "S3: " + r.Verdict,
			Fix: fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --service-name com.amazonaws.%s.s3 --route-table-ids %s", r.Source.VpcID, region, routeTableOf(c, in.subnet))}}
	}
	bucket := "arn:aws:s3:::aws-ssm-" + region + "/*"
	d := c.A.Decide(r, reach.Request{Action: "s3:GetObject", Resource: bucket, ResourceAccount: "aws"})
	if !d.Allowed {
		return []Finding{{Code: "SSM_S3_POLICY_BLOCKS_AGENT", Severity: Medium, Title: "the S3 endpoint policy does not let the SSM agent read AWS's SSM buckets",
			Resources: []string{r.Endpoint}, Evidence: d.Message,
			Fix: fmt.Sprintf("add to %s's policy a statement allowing s3:GetObject on arn:aws:s3:::aws-ssm-%s/*, arn:aws:s3:::patch-baseline-snapshot-%s/* and the buckets of ssm-agent-minimum-s3-permissions", r.Endpoint, region, region)}}
	}
	return nil
}

func routeTableOf(c *Context, subnet string) string {
	if rt := c.Snap.RouteTableOf(subnet); rt != nil {
		return rt.RouteTableID
	}
	return "<route table>"
}
