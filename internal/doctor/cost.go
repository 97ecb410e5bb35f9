package doctor

import (
	"fmt"

	"github.com/vpce/vpce/internal/reach"
)

// checkCost: S3 and DynamoDB traffic that goes through a NAT gateway,
// which charges per GB, where a gateway endpoint would carry it for free.
func checkCost(c *Context) []Finding {
	var out []Finding
	region := c.Snap.Scope.Region
	for _, vpc := range c.VPCs {
		seen := map[string]bool{}
		for rep := range representatives(c.Snap, instancesIn(c.Snap, vpc)) {
			for _, svc := range []string{"s3", "dynamodb"} {
				r, err := c.A.Analyze(reach.Query{From: rep.InstanceID, To: "com.amazonaws." + region + "." + svc})
				if err != nil || r.Verdict != reach.PublicNAT || seen[svc+r.NatGateway] {
					continue
				}
				seen[svc+r.NatGateway] = true
				out = append(out, Finding{Code: "GATEWAY_SERVICE_OVER_NAT", Severity: Low,
					Title:     fmt.Sprintf("%s traffic from %s goes through NAT gateway %s ($0.045/GB processed in us-east-1); a gateway endpoint carries it free", svc, vpc, r.NatGateway),
					Resources: []string{vpc, r.NatGateway}, Evidence: fmt.Sprintf("%s → com.amazonaws.%s.%s: %s", rep.InstanceID, region, svc, r.Verdict),
					Fix: fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --service-name com.amazonaws.%s.%s --route-table-ids %s", vpc, region, svc, routeTableOf(c, rep.SubnetID))})
			}
		}
	}
	return out
}
