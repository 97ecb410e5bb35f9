package cloud

import (
	"context"
	"strings"
	"testing"
)

// TestDeletePathWithAnalyses: AWS refuses to delete a path that has
// analyses: "AnalysisExistsForNetworkInsightsPath: At least one analysis
// [nia-…] exists for path nip-…. Delete all the analyses before deleting
// this network path." (recorded in hashicorp/terraform-provider-aws#28330).
func TestDeletePathWithAnalyses(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc
	sn := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc.VpcID, CidrBlock: "10.0.1.0/24"})).Subnet
	p := mustDo[*CreateNetworkInsightsPathOutput](t)(c.CreateNetworkInsightsPath(ctx, sc, &CreateNetworkInsightsPathInput{Source: sn.SubnetID,
		FilterAtSource: &PathFilter{DestinationAddress: "10.0.1.9"}, Protocol: "tcp"})).NetworkInsightsPath
	a := mustDo[*StartNetworkInsightsAnalysisOutput](t)(c.StartNetworkInsightsAnalysis(ctx, sc, &StartNetworkInsightsAnalysisInput{NetworkInsightsPathID: p.NetworkInsightsPathID})).NetworkInsightsAnalysis
	if a.Status != "running" {
		t.Errorf("a new analysis is %s, want running", a.Status)
	}
	_, err := c.DeleteNetworkInsightsPath(ctx, sc, &DeleteNetworkInsightsPathInput{NetworkInsightsPathID: p.NetworkInsightsPathID})
	wantCode(t, err, "AnalysisExistsForNetworkInsightsPath")
	if !strings.Contains(err.Error(), "At least one analysis ["+a.NetworkInsightsAnalysisID+"] exists for path "+p.NetworkInsightsPathID+". Delete all the analyses") {
		t.Errorf("message: %v", err)
	}
	mustDo[*DeleteNetworkInsightsAnalysisOutput](t)(c.DeleteNetworkInsightsAnalysis(ctx, sc, &DeleteNetworkInsightsAnalysisInput{NetworkInsightsAnalysisID: a.NetworkInsightsAnalysisID}))
	mustDo[*DeleteNetworkInsightsPathOutput](t)(c.DeleteNetworkInsightsPath(ctx, sc, &DeleteNetworkInsightsPathInput{NetworkInsightsPathID: p.NetworkInsightsPathID}))
	// Without a destination AWS says which parameters it wants; a
	// DestinationIp alone is not one of them.
	_, err = c.CreateNetworkInsightsPath(ctx, sc, &CreateNetworkInsightsPathInput{Source: sn.SubnetID, DestinationIP: "10.0.1.9", Protocol: "tcp"})
	wantCode(t, err, "MissingParameter")
	if !strings.Contains(err.Error(), "The request must include either the Destination parameter or the FilterAtSource.DestinationAddress parameter") {
		t.Errorf("message: %v", err)
	}
}
