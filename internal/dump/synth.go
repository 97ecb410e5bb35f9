package dump

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vpce/vpce/internal/catalog"
)

// SynthOptions sizes a synthetic organisation.
type SynthOptions struct {
	Account, Region string
	VPCs            int
	// SubnetsPerVPC is at most 1,000: subnets are /24s of a /16, or /26s
	// past 250 subnets.
	SubnetsPerVPC int
	// ENIsPerSubnet is at most 240 in /24s, 50 in /26s.
	ENIsPerSubnet int
	// InstanceEvery makes every Nth interface an instance's (0: none).
	InstanceEvery int
}

// SynthSummary names a few of what was made, for queries.
type SynthSummary struct {
	Dir        string
	Records    int
	ENIs       int
	Subnets    int
	FirstVPC   string
	FirstInst  string
	LastInst   string
	FirstENI   string
	LastSubnet string
}

func hexID(prefix string, kind, n int) string {
	return fmt.Sprintf("%s-%02x%015x", prefix, kind, n)
}

// Synthesize writes a synthetic organisation as describe-* outputs into
// dir/ACCOUNT/REGION/: VPCs of private subnets (one route table through a
// NAT gateway, an S3 gateway endpoint on it) and a public subnet (internet
// gateway), interface endpoints for ssm, ssmmessages and ec2messages in the
// first two subnets with a group that lets 443 in from the VPC, an
// application group per VPC, interfaces filling the subnets, and
// instances on some of them. It is the input of the import and reach
// benchmarks at 100,000 interfaces.
func Synthesize(dir string, o SynthOptions) (SynthSummary, error) {
	if o.Account == "" {
		o.Account = "210987654321"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	reg, ok := catalog.LookupRegion(o.Region)
	block := 256
	if o.SubnetsPerVPC > 250 {
		block = 64
	}
	if !ok || o.SubnetsPerVPC < 2 || o.SubnetsPerVPC > 1000 || o.ENIsPerSubnet > block-16 || o.VPCs < 1 || o.VPCs > 250 {
		return SynthSummary{}, fmt.Errorf("synthesize: bad options %+v", o)
	}
	s3pl, _ := catalog.ServicePrefixList(o.Region, "com.amazonaws."+o.Region+".s3")
	out := filepath.Join(dir, o.Account, o.Region)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return SynthSummary{}, err
	}
	sum := SynthSummary{Dir: dir}
	var (
		vpcs  []vpc
		subs  []subnet
		rts   []routeTable
		sgs   []securityGroup
		acls  []networkACL
		enis  []networkInterface
		res   []reservation
		eps   []vpcEndpoint
		nats  []natGateway
		igws  []internetGateway
		eniN  int
		instN int
	)
	p443 := int32(443)
	// addr is the i-th address of subnet s in VPC octet.
	addr := func(octet, s, i int) string {
		n := s*block + i
		return fmt.Sprintf("10.%d.%d.%d", octet, n/256, n%256)
	}
	bits := map[int]int{256: 24, 64: 26}[block]
	for v := 0; v < o.VPCs; v++ {
		vid := hexID("vpc", 1, v)
		octet := v % 250
		vpcs = append(vpcs, vpc{VpcID: vid, OwnerID: o.Account, State: "available", CidrBlock: fmt.Sprintf("10.%d.0.0/16", octet),
			InstanceTenancy: "default", EnableDNSSupport: &attrBool{true}, EnableDNSHostnames: &attrBool{true}})
		appSG, epSG := hexID("sg", 1, v), hexID("sg", 2, v)
		sgs = append(sgs,
			securityGroup{GroupID: appSG, GroupName: "app", Description: "app", VpcID: vid, OwnerID: o.Account, IPPermissions: []ipPermission{},
				IPPermissionsEgress: []ipPermission{{IPProtocol: "-1", IPRanges: []ipRange{{CidrIP: "0.0.0.0/0"}}}}},
			securityGroup{GroupID: epSG, GroupName: "endpoints", Description: "endpoints", VpcID: vid, OwnerID: o.Account,
				IPPermissions:       []ipPermission{{IPProtocol: "tcp", FromPort: &p443, ToPort: &p443, IPRanges: []ipRange{{CidrIP: fmt.Sprintf("10.%d.0.0/16", octet)}}}},
				IPPermissionsEgress: []ipPermission{{IPProtocol: "-1", IPRanges: []ipRange{{CidrIP: "0.0.0.0/0"}}}}})
		acl := networkACL{NetworkACLID: hexID("acl", 1, v), VpcID: vid, IsDefault: true, OwnerID: o.Account, Entries: []aclEntry{
			{RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: true, CidrBlock: "0.0.0.0/0"},
			{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CidrBlock: "0.0.0.0/0"},
			{RuleNumber: 100, Protocol: "-1", RuleAction: "allow", CidrBlock: "0.0.0.0/0"},
			{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", CidrBlock: "0.0.0.0/0"}}}
		igw := hexID("igw", 1, v)
		igws = append(igws, internetGateway{InternetGatewayID: igw, OwnerID: o.Account, Attachments: []igwAttachment{{VpcID: vid, State: "available"}}})
		mainRT, privRT, pubRT := hexID("rtb", 1, v), hexID("rtb", 2, v), hexID("rtb", 3, v)
		nat := hexID("nat", 1, v)
		s3ep := hexID("vpce", 1, v)
		local := route{DestinationCidrBlock: fmt.Sprintf("10.%d.0.0/16", octet), GatewayID: "local", Origin: "CreateRouteTable", State: "active"}
		priv := routeTable{RouteTableID: privRT, VpcID: vid, OwnerID: o.Account, Routes: []route{local,
			{DestinationCidrBlock: "0.0.0.0/0", NatGatewayID: nat, Origin: "CreateRoute", State: "active"},
			{DestinationPrefixListID: s3pl.ID, GatewayID: s3ep, Origin: "CreateRoute", State: "active"}}}
		pub := routeTable{RouteTableID: pubRT, VpcID: vid, OwnerID: o.Account, Routes: []route{local,
			{DestinationCidrBlock: "0.0.0.0/0", GatewayID: igw, Origin: "CreateRoute", State: "active"}}}
		rts = append(rts, routeTable{RouteTableID: mainRT, VpcID: vid, OwnerID: o.Account, Routes: []route{local},
			Associations: []rtAssoc{{Main: true, RouteTableAssociationID: hexID("rtbassoc", 1, v), RouteTableID: mainRT}}})
		var epSubnets, epENIs [3][]string
		for s := 0; s < o.SubnetsPerVPC; s++ {
			sid := hexID("subnet", 1, v*1000+s)
			zone := reg.Zones[s%len(reg.Zones)].Name
			subs = append(subs, subnet{SubnetID: sid, OwnerID: o.Account, State: "available", VpcID: vid, CidrBlock: addr(octet, s, 0) + fmt.Sprintf("/%d", bits),
				AvailabilityZone: zone, MapPublicIPOnLaunch: s == o.SubnetsPerVPC-1})
			sum.Subnets++
			sum.LastSubnet = sid
			acl.Associations = append(acl.Associations, aclAssoc{hexID("aclassoc", 1, v*1000+s), acl.NetworkACLID, sid})
			a := rtAssoc{RouteTableAssociationID: hexID("rtbassoc", 2, v*1000+s), SubnetID: sid}
			if s == o.SubnetsPerVPC-1 {
				a.RouteTableID = pubRT
				pub.Associations = append(pub.Associations, a)
				natENI := hexID("eni", 2, v)
				nats = append(nats, natGateway{NatGatewayID: nat, SubnetID: sid, VpcID: vid, State: "available", ConnectivityType: "public",
					NatGatewayAddresses: []natAddress{{AllocationID: hexID("eipalloc", 1, v), NetworkInterfaceID: natENI, PrivateIP: addr(octet, s, block-6), PublicIP: fmt.Sprintf("198.51.%d.%d", v/250, v%250+1)}}})
				enis = append(enis, networkInterface{NetworkInterfaceID: natENI, SubnetID: sid, VpcID: vid, AvailabilityZone: zone, Description: "Interface for NAT Gateway " + nat,
					OwnerID: o.Account, RequesterManaged: true, Status: "in-use", PrivateIPAddress: addr(octet, s, block-6), InterfaceType: "nat_gateway", Groups: []groupIdent{}})
			} else {
				a.RouteTableID = privRT
				priv.Associations = append(priv.Associations, a)
			}
			for e := 0; e < o.ENIsPerSubnet; e++ {
				id := hexID("eni", 1, eniN)
				ip := addr(octet, s, e+4)
				n := networkInterface{NetworkInterfaceID: id, SubnetID: sid, VpcID: vid, AvailabilityZone: zone, OwnerID: o.Account, Status: "in-use",
					PrivateIPAddress: ip, PrivateDNSName: "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal", SourceDestCheck: true, InterfaceType: "interface",
					Groups: []groupIdent{{GroupID: appSG, GroupName: "app"}}}
				if sum.FirstENI == "" {
					sum.FirstENI = id
				}
				if o.InstanceEvery > 0 && eniN%o.InstanceEvery == 0 {
					iid := hexID("i", 1, instN)
					instN++
					n.Attachment = &eniAttachment{AttachmentID: hexID("eni-attach", 1, eniN), InstanceID: iid, InstanceOwnerID: o.Account, Status: "attached", DeleteOnTermination: true}
					res = append(res, reservation{ReservationID: hexID("r", 1, instN), OwnerID: o.Account, Instances: []instance{{InstanceID: iid, ImageID: "ami-12345678",
						InstanceType: "t3.micro", State: instanceState{16, "running"}, Placement: placement{AvailabilityZone: zone}, SubnetID: sid, VpcID: vid,
						PrivateIPAddress: ip, SourceDestCheck: true, SecurityGroups: n.Groups, NetworkInterfaces: []instanceENI{{NetworkInterfaceID: id, SubnetID: sid,
							VpcID: vid, PrivateIPAddress: ip, Groups: n.Groups, Attachment: eniAttachment{AttachmentID: n.Attachment.AttachmentID, Status: "attached"}}}}}})
					if sum.FirstInst == "" {
						sum.FirstInst = iid
					}
					sum.LastInst = iid
				}
				enis = append(enis, n)
				eniN++
			}
			if s < 2 {
				for k := range 3 {
					id := hexID("eni", 3+k, v*2+s)
					enis = append(enis, networkInterface{NetworkInterfaceID: id, SubnetID: sid, VpcID: vid, AvailabilityZone: zone, OwnerID: o.Account,
						RequesterManaged: true, Status: "in-use", PrivateIPAddress: addr(octet, s, block-5+k), InterfaceType: "vpc_endpoint",
						Groups: []groupIdent{{GroupID: epSG, GroupName: "endpoints"}}})
					epSubnets[k] = append(epSubnets[k], sid)
					epENIs[k] = append(epENIs[k], id)
				}
			}
		}
		if sum.FirstVPC == "" {
			sum.FirstVPC = vid
		}
		for k, svc := range []string{"ssm", "ssmmessages", "ec2messages"} {
			id := hexID("vpce", 2+k, v)
			eps = append(eps, vpcEndpoint{VpcEndpointID: id, VpcEndpointType: "Interface", VpcID: vid, ServiceName: "com.amazonaws." + o.Region + "." + svc,
				State: "available", RouteTableIDs: []string{}, SubnetIDs: epSubnets[k], Groups: []groupIdent{{GroupID: epSG, GroupName: "endpoints"}},
				PrivateDNSEnabled: true, NetworkInterfaceIDs: epENIs[k], OwnerID: o.Account,
				DNSEntries: []dnsEntry{{DNSName: id + "-synth000." + svc + "." + o.Region + ".vpce.amazonaws.com"}}})
		}
		eps = append(eps, vpcEndpoint{VpcEndpointID: s3ep, VpcEndpointType: "Gateway", VpcID: vid, ServiceName: "com.amazonaws." + o.Region + ".s3",
			State: "available", RouteTableIDs: []string{privRT}, SubnetIDs: []string{}, Groups: []groupIdent{}, NetworkInterfaceIDs: []string{}, DNSEntries: []dnsEntry{}, OwnerID: o.Account})
		rts = append(rts, priv, pub)
		acls = append(acls, acl)
	}
	sum.ENIs = len(enis)
	sum.Records = len(vpcs) + len(subs) + len(rts) + len(sgs) + len(acls) + len(enis) + len(res) + len(eps) + len(nats) + len(igws)
	files := map[string]any{
		"Vpcs.json": map[string]any{"Vpcs": vpcs}, "Subnets.json": map[string]any{"Subnets": subs}, "RouteTables.json": map[string]any{"RouteTables": rts},
		"SecurityGroups.json": map[string]any{"SecurityGroups": sgs}, "NetworkAcls.json": map[string]any{"NetworkAcls": acls},
		"NetworkInterfaces.json": map[string]any{"NetworkInterfaces": enis}, "Reservations.json": map[string]any{"Reservations": res},
		"VpcEndpoints.json": map[string]any{"VpcEndpoints": eps}, "NatGateways.json": map[string]any{"NatGateways": nats},
		"InternetGateways.json": map[string]any{"InternetGateways": igws},
	}
	for name, v := range files {
		b, err := json.Marshal(v)
		if err != nil {
			return sum, err
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return sum, err
		}
	}
	return sum, nil
}
