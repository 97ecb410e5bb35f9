package reach

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
)

// Insights answers the EC2 Network Insights API with this engine: it is
// the cloud.PathAnalyzer the server plugs into the control plane.
type Insights struct{}

// AnalyzePath analyses a Network Insights path. The destination is the
// path's Destination, or its DestinationIp (or FilterAtSource's
// DestinationAddress) when that is given; without a DestinationPort, 443.
func (Insights) AnalyzePath(snap *cloud.Snapshot, p *cloud.NetworkInsightsPath) (*cloud.PathFindings, error) {
	q := Query{From: p.Source, To: p.Destination, Protocol: p.Protocol}
	if p.SourceIP != "" && (strings.HasPrefix(p.Source, "subnet-") || p.Source == "") {
		q.From = p.SourceIP
	}
	dstIP := p.DestinationIP
	if dstIP == "" && p.FilterAtSource != nil {
		dstIP = p.FilterAtSource.DestinationAddress
	}
	if dstIP != "" && (q.To == "" || strings.HasPrefix(q.To, "igw-") || strings.HasPrefix(q.To, "vpce-")) {
		q.To = dstIP
	}
	if p.DestinationPort != nil && *p.DestinationPort > 0 {
		q.Port = int(*p.DestinationPort)
	} else if p.FilterAtSource != nil && p.FilterAtSource.DestinationPortRange != nil && p.FilterAtSource.DestinationPortRange.FromPort != nil {
		q.Port = int(*p.FilterAtSource.DestinationPortRange.FromPort)
	}
	switch {
	case strings.HasPrefix(q.From, "igw-"), strings.HasPrefix(q.From, "vpce-"):
		return &cloud.PathFindings{Failed: fmt.Sprintf("vpce analyses paths that start at an instance, a network interface, a subnet or an address; %s as a source (traffic into the VPC) is not analysed yet", p.Source)}, nil
	}
	r, err := New(snap).Analyze(q)
	var ie *InputError
	if errors.As(err, &ie) {
		return &cloud.PathFindings{Failed: ie.Msg}, nil
	}
	if err != nil {
		return nil, err
	}
	return Findings(snap, r), nil
}

// Findings turns a result into Reachability Analyzer's shapes. DNS and
// policy hops, which RA does not evaluate, are left out of the path
// components; their explanations are kept.
func Findings(snap *cloud.Snapshot, r *Result) *cloud.PathFindings {
	f := &cloud.PathFindings{Found: r.Reachable}
	seq := int32(0)
	conv := func(hs []Hop) []cloud.PathComponent {
		var out []cloud.PathComponent
		for _, h := range hs {
			if h.Kind == "dns" || h.Kind == "policy" {
				continue
			}
			seq++
			pc := cloud.PathComponent{SequenceNumber: seq, Component: component(snap, h.Component)}
			if h.Subnet != "" {
				pc.Subnet = component(snap, h.Subnet)
			}
			if h.VpcID != "" {
				pc.Vpc = component(snap, h.VpcID)
			}
			if e := h.ACLRule; e != nil {
				pc.ACLRule = &cloud.AnalysisACLRule{Cidr: e.CidrBlock, Egress: e.Egress, PortRange: e.PortRange, Protocol: protoNumber(e.Protocol), RuleAction: e.RuleAction, RuleNumber: e.RuleNumber}
			}
			if rt := h.Route; rt != nil {
				pc.RouteTableRoute = &cloud.AnalysisRouteTableRoute{DestinationCidr: rt.DestinationCidrBlock, DestinationPrefixListID: rt.DestinationPrefixListID,
					GatewayID: cmp.Or(rt.GatewayID, rt.VpcEndpointID), InstanceID: rt.InstanceID, NatGatewayID: rt.NatGatewayID, NetworkInterfaceID: rt.NetworkInterfaceID,
					Origin: rt.Origin, State: rt.State}
			}
			if sr := h.SGRule; sr != nil {
				dir := "ingress"
				if sr.IsEgress {
					dir = "egress"
				}
				rule := &cloud.AnalysisSecurityGroupRule{Cidr: sr.CidrIPv4, Direction: dir, SecurityGroupID: sr.GroupID, PrefixListID: sr.PrefixListID, Protocol: protoNumber(sr.IPProtocol)}
				if rule.Protocol != "-1" {
					from, to := sr.FromPort, sr.ToPort
					rule.PortRange = &cloud.PortRange{From: &from, To: &to}
				}
				pc.SecurityGroupRule = rule
			}
			if h.Result == "deny" {
				for _, e := range r.Explanations {
					if e.Component == h.Component {
						pc.Explanations = append(pc.Explanations, explanation(snap, e, h.Direction))
					}
				}
			}
			for _, d := range r.Details {
				if d.Component == h.Component {
					pc.AdditionalDetails = append(pc.AdditionalDetails, cloud.AdditionalDetail{AdditionalDetailType: d.Code, Component: component(snap, d.Component)})
				}
			}
			out = append(out, pc)
		}
		return out
	}
	f.Forward = conv(r.Hops)
	seq = 0
	f.Return = conv(r.ReturnHops)
	for _, e := range r.Explanations {
		dir := ""
		for _, h := range append(append([]Hop{}, r.Hops...), r.ReturnHops...) {
			if h.Component == e.Component && h.Result == "deny" {
				dir = h.Direction
			}
		}
		f.Explanations = append(f.Explanations, explanation(snap, e, dir))
	}
	return f
}

// component names a component with its ARN where vpce knows its type.
func component(snap *cloud.Snapshot, id string) *cloud.AnalysisComponent {
	if id == "" {
		return nil
	}
	c := &cloud.AnalysisComponent{ID: id}
	types := map[string]string{"i": "instance", "eni": "network-interface", "sg": "security-group", "acl": "network-acl",
		"rtb": "route-table", "vpce": "vpc-endpoint", "igw": "internet-gateway", "nat": "natgateway", "subnet": "subnet", "vpc": "vpc"}
	if prefix, _, ok := strings.Cut(id, "-"); ok {
		if t, ok := types[prefix]; ok {
			c.Arn = fmt.Sprintf("arn:aws:ec2:%s:%s:%s/%s", snap.Scope.Region, snap.Scope.Account, t, id)
		}
	}
	return c
}

// explanation puts the component in the field of its kind, as RA does.
func explanation(snap *cloud.Snapshot, e Explanation, dir string) cloud.Explanation {
	out := cloud.Explanation{ExplanationCode: e.Code, Message: e.Message, Direction: dir}
	c := component(snap, e.Component)
	prefix, _, _ := strings.Cut(e.Component, "-")
	switch prefix {
	case "sg":
		out.SecurityGroup = c
	case "acl":
		out.ACL = c
	case "rtb":
		out.RouteTable = c
	case "vpce":
		out.VpcEndpoint = c
	case "igw":
		out.InternetGateway = c
	case "nat":
		out.NatGateway = c
	case "vpc":
		out.Vpc = c
	case "subnet":
		out.Subnet = c
	default:
		out.Component = c
	}
	return out
}
