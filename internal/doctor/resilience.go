package doctor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
)

// checkResilience: interface endpoints present in fewer zones than the
// VPC's instances run in — a zone's outage takes the service away from
// the others, and every request from a zone without one crosses zones.
func checkResilience(c *Context) []Finding {
	var out []Finding
	for _, id := range c.VPCs {
		zones := map[string]bool{}
		for _, in := range instancesIn(c.Snap, id) {
			zones[in.Placement.AvailabilityZone] = true
		}
		if len(zones) < 2 {
			continue
		}
		for _, ep := range c.Snap.EndpointsOf(id) {
			if ep.VpcEndpointType != cloud.EndpointInterface {
				continue
			}
			have := map[string]bool{}
			for _, s := range ep.Subnets {
				have[s.Zone] = true
			}
			var missing []string
			for z := range zones {
				if !have[z] {
					missing = append(missing, z)
				}
			}
			if len(missing) == 0 {
				continue
			}
			sort.Strings(missing)
			sev := Low
			if len(have) == 1 {
				sev = Medium
			}
			out = append(out, Finding{Code: "ENDPOINT_FEWER_ZONES_THAN_INSTANCES", Severity: sev,
				Title:     fmt.Sprintf("%s (%s) is in %d zone(s); instances of %s also run in %s", ep.VpcEndpointID, ep.ServiceName, len(have), id, strings.Join(missing, ", ")),
				Resources: []string{ep.VpcEndpointID}, Evidence: fmt.Sprintf("endpoint zones: %d, instance zones: %d", len(have), len(zones)),
				Fix: fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --add-subnet-ids <a subnet in each of %s>", ep.VpcEndpointID, strings.Join(missing, ", "))})
		}
	}
	return out
}
