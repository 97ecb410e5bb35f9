package ec2query

import "github.com/vpce/vpce/internal/cloud"

// actions is the dispatch table: each EC2 action and the cloud method that
// serves it.
func actions(c *cloud.Cloud) map[string]action {
	return map[string]action{
		"DescribeRegions":           act(c.DescribeRegions),
		"DescribeAvailabilityZones": act(c.DescribeAvailabilityZones),

		"CreateVpc":                act(c.CreateVpc),
		"DescribeVpcs":             act(c.DescribeVpcs),
		"DeleteVpc":                act(c.DeleteVpc),
		"ModifyVpcAttribute":       act(c.ModifyVpcAttribute),
		"DescribeVpcAttribute":     act(c.DescribeVpcAttribute),
		"ModifyVpcTenancy":         act(c.ModifyVpcTenancy),
		"CreateDefaultVpc":         act(c.CreateDefaultVpc),
		"CreateDefaultSubnet":      act(c.CreateDefaultSubnet),
		"AssociateVpcCidrBlock":    act(c.AssociateVpcCidrBlock),
		"DisassociateVpcCidrBlock": act(c.DisassociateVpcCidrBlock),

		"CreateDhcpOptions":    act(c.CreateDhcpOptions),
		"DescribeDhcpOptions":  act(c.DescribeDhcpOptions),
		"DeleteDhcpOptions":    act(c.DeleteDhcpOptions),
		"AssociateDhcpOptions": act(c.AssociateDhcpOptions),

		"CreateSubnet":          act(c.CreateSubnet),
		"DescribeSubnets":       act(c.DescribeSubnets),
		"DeleteSubnet":          act(c.DeleteSubnet),
		"ModifySubnetAttribute": act(c.ModifySubnetAttribute),

		"CreateVpcPeeringConnection":        act(c.CreateVpcPeeringConnection),
		"AcceptVpcPeeringConnection":        act(c.AcceptVpcPeeringConnection),
		"RejectVpcPeeringConnection":        act(c.RejectVpcPeeringConnection),
		"DeleteVpcPeeringConnection":        act(c.DeleteVpcPeeringConnection),
		"DescribeVpcPeeringConnections":     act(c.DescribeVpcPeeringConnections),
		"ModifyVpcPeeringConnectionOptions": act(c.ModifyVpcPeeringConnectionOptions),

		"CreateRouteTable":             act(c.CreateRouteTable),
		"DescribeRouteTables":          act(c.DescribeRouteTables),
		"DeleteRouteTable":             act(c.DeleteRouteTable),
		"AssociateRouteTable":          act(c.AssociateRouteTable),
		"DisassociateRouteTable":       act(c.DisassociateRouteTable),
		"ReplaceRouteTableAssociation": act(c.ReplaceRouteTableAssociation),
		"CreateRoute":                  act(c.CreateRoute),
		"ReplaceRoute":                 act(c.ReplaceRoute),
		"DeleteRoute":                  act(c.DeleteRoute),

		"CreateSecurityGroup":                        act(c.CreateSecurityGroup),
		"DescribeSecurityGroups":                     act(c.DescribeSecurityGroups),
		"DeleteSecurityGroup":                        act(c.DeleteSecurityGroup),
		"AuthorizeSecurityGroupIngress":              act(c.AuthorizeSecurityGroupIngress),
		"AuthorizeSecurityGroupEgress":               act(c.AuthorizeSecurityGroupEgress),
		"RevokeSecurityGroupIngress":                 act(c.RevokeSecurityGroupIngress),
		"RevokeSecurityGroupEgress":                  act(c.RevokeSecurityGroupEgress),
		"DescribeSecurityGroupRules":                 act(c.DescribeSecurityGroupRules),
		"ModifySecurityGroupRules":                   act(c.ModifySecurityGroupRules),
		"AllocateAddress":                            act(c.AllocateAddress),
		"DescribeAddresses":                          act(c.DescribeAddresses),
		"ReleaseAddress":                             act(c.ReleaseAddress),
		"AssociateAddress":                           act(c.AssociateAddress),
		"DisassociateAddress":                        act(c.DisassociateAddress),
		"UpdateSecurityGroupRuleDescriptionsIngress": act(c.UpdateSecurityGroupRuleDescriptionsIngress),
		"UpdateSecurityGroupRuleDescriptionsEgress":  act(c.UpdateSecurityGroupRuleDescriptionsEgress),

		"CreateNetworkAcl":             act(c.CreateNetworkAcl),
		"DescribeNetworkAcls":          act(c.DescribeNetworkAcls),
		"DeleteNetworkAcl":             act(c.DeleteNetworkAcl),
		"CreateNetworkAclEntry":        act(c.CreateNetworkAclEntry),
		"ReplaceNetworkAclEntry":       act(c.ReplaceNetworkAclEntry),
		"DeleteNetworkAclEntry":        act(c.DeleteNetworkAclEntry),
		"ReplaceNetworkAclAssociation": act(c.ReplaceNetworkAclAssociation),

		"CreateInternetGateway":    act(c.CreateInternetGateway),
		"AttachInternetGateway":    act(c.AttachInternetGateway),
		"DetachInternetGateway":    act(c.DetachInternetGateway),
		"DeleteInternetGateway":    act(c.DeleteInternetGateway),
		"DescribeInternetGateways": act(c.DescribeInternetGateways),

		"CreateNatGateway":    act(c.CreateNatGateway),
		"DescribeNatGateways": act(c.DescribeNatGateways),
		"DeleteNatGateway":    act(c.DeleteNatGateway),

		"CreateNetworkInterface":             act(c.CreateNetworkInterface),
		"AttachNetworkInterface":             act(c.AttachNetworkInterface),
		"DetachNetworkInterface":             act(c.DetachNetworkInterface),
		"AssignPrivateIpAddresses":           act(c.AssignPrivateIpAddresses),
		"AssignIpv6Addresses":                act(c.AssignIpv6Addresses),
		"UnassignIpv6Addresses":              act(c.UnassignIpv6Addresses),
		"AssociateSubnetCidrBlock":           act(c.AssociateSubnetCidrBlock),
		"DisassociateSubnetCidrBlock":        act(c.DisassociateSubnetCidrBlock),
		"CreateEgressOnlyInternetGateway":    act(c.CreateEgressOnlyInternetGateway),
		"DescribeEgressOnlyInternetGateways": act(c.DescribeEgressOnlyInternetGateways),
		"DeleteEgressOnlyInternetGateway":    act(c.DeleteEgressOnlyInternetGateway),
		"UnassignPrivateIpAddresses":         act(c.UnassignPrivateIpAddresses),
		"DescribeNetworkInterfaces":          act(c.DescribeNetworkInterfaces),
		"DeleteNetworkInterface":             act(c.DeleteNetworkInterface),
		"ModifyNetworkInterfaceAttribute":    act(c.ModifyNetworkInterfaceAttribute),

		"RunInstances":       act(c.RunInstances),
		"DescribeInstances":  act(c.DescribeInstances),
		"TerminateInstances": act(c.TerminateInstances),

		"CreateVpcEndpoint":           act(c.CreateVpcEndpoint),
		"ModifyVpcEndpoint":           act(c.ModifyVpcEndpoint),
		"DescribeVpcEndpoints":        act(c.DescribeVpcEndpoints),
		"DeleteVpcEndpoints":          act(c.DeleteVpcEndpoints),
		"DescribeVpcEndpointServices": act(c.DescribeVpcEndpointServices),

		"CreateNetworkInsightsPath":       act(c.CreateNetworkInsightsPath),
		"DescribeNetworkInsightsPaths":    act(c.DescribeNetworkInsightsPaths),
		"DeleteNetworkInsightsPath":       act(c.DeleteNetworkInsightsPath),
		"StartNetworkInsightsAnalysis":    act(c.StartNetworkInsightsAnalysis),
		"DescribeNetworkInsightsAnalyses": act(c.DescribeNetworkInsightsAnalyses),
		"DeleteNetworkInsightsAnalysis":   act(c.DeleteNetworkInsightsAnalysis),

		"DescribePrefixLists":         act(c.DescribePrefixLists),
		"DescribeManagedPrefixLists":  act(c.DescribeManagedPrefixLists),
		"GetManagedPrefixListEntries": act(c.GetManagedPrefixListEntries),
		"CreateManagedPrefixList":     act(c.CreateManagedPrefixList),
		"ModifyManagedPrefixList":     act(c.ModifyManagedPrefixList),
		"DeleteManagedPrefixList":     act(c.DeleteManagedPrefixList),

		"CreateTags":   act(c.CreateTags),
		"DeleteTags":   act(c.DeleteTags),
		"DescribeTags": act(c.DescribeTags),
	}
}
