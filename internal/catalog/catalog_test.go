package catalog

import (
	"strings"
	"testing"
)

func TestRegions(t *testing.T) {
	rs := Regions()
	if len(rs) < 8 {
		t.Fatalf("Regions() has %d regions, want at least 8", len(rs))
	}
	seenID := map[string]bool{}
	for _, r := range rs {
		if len(r.Zones) < 2 {
			t.Errorf("region %s has %d zones, want at least 2", r.Name, len(r.Zones))
		}
		for _, z := range r.Zones {
			if !strings.HasPrefix(z.Name, r.Name) {
				t.Errorf("zone %s not in region %s", z.Name, r.Name)
			}
			if seenID[z.ID] {
				t.Errorf("zone ID %s repeated", z.ID)
			}
			seenID[z.ID] = true
		}
	}
	r, ok := LookupRegion("us-east-1")
	if !ok {
		t.Fatal("us-east-1 missing")
	}
	if z, ok := r.Zone("us-east-1a"); !ok || z.ID != "use1-az1" {
		t.Errorf("Zone(us-east-1a) = %v, %v", z, ok)
	}
	if _, ok := LookupRegion("mars-north-1"); ok {
		t.Error("LookupRegion(mars-north-1) found")
	}
}
