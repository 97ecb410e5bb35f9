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

func TestServices(t *testing.T) {
	for _, r := range Regions() {
		svcs := Services(r.Name)
		n := 0
		for _, s := range svcs {
			if s.Type == TypeInterface {
				n++
			}
			if !strings.HasPrefix(s.ID, "vpce-svc-") || len(s.ID) != len("vpce-svc-")+17 {
				t.Errorf("%s: ID %s", s.Name, s.ID)
			}
		}
		if n < 100 {
			t.Errorf("%s: %d interface services, want at least 100", r.Name, n)
		}
		if got := ServiceTypes(r.Name, "com.amazonaws."+r.Name+".s3"); len(got) != 2 {
			t.Errorf("%s: s3 types = %v, want Gateway and Interface", r.Name, got)
		}
		for _, svc := range []string{"s3", "dynamodb"} {
			pl, ok := ServicePrefixList(r.Name, "com.amazonaws."+r.Name+"."+svc)
			if !ok || len(pl.CIDRs) == 0 {
				t.Errorf("%s: %s prefix list %+v", r.Name, svc, pl)
			}
		}
	}
	ssm, ok := LookupService("us-east-1", "com.amazonaws.us-east-1.ssm", TypeInterface)
	if !ok || ssm.BaseDNS != "ssm.us-east-1.vpce.amazonaws.com" || ssm.PrivateDNSName() != "ssm.us-east-1.amazonaws.com" || len(ssm.Zones) != 6 {
		t.Errorf("ssm = %+v", ssm)
	}
	ecr, _ := LookupService("eu-west-1", "com.amazonaws.eu-west-1.ecr.dkr", TypeInterface)
	if ecr.BaseDNS != "dkr.ecr.eu-west-1.vpce.amazonaws.com" || ecr.PrivateDNSName() != "*.dkr.ecr.eu-west-1.amazonaws.com" {
		t.Errorf("ecr.dkr = %+v", ecr)
	}
	if _, ok := LookupService("us-east-1", "com.amazonaws.us-east-1.ssm", TypeGateway); ok {
		t.Error("ssm offered as Gateway")
	}
	pl, _ := LookupPrefixList("us-east-1", "pl-63a5400a")
	if pl.Name != "com.amazonaws.us-east-1.s3" {
		t.Errorf("pl-63a5400a = %+v", pl)
	}
	if pl, _ := ServicePrefixList("us-east-1", "com.amazonaws.us-east-1.dynamodb"); pl.ID != "pl-02cd2c6b" {
		t.Errorf("us-east-1 dynamodb prefix list = %s", pl.ID)
	}
	smtp, _ := LookupService("us-east-1", "com.amazonaws.us-east-1.email-smtp", TypeInterface)
	if smtp.OffersZone("us-east-1e") || !smtp.OffersZone("us-east-1a") {
		t.Errorf("email-smtp zones = %v", smtp.ZoneNames())
	}
}

// TestRegionLongNames: every region has its name for people, which zone
// groups are answered with ("US East (N. Virginia) 1").
func TestRegionLongNames(t *testing.T) {
	for _, r := range Regions() {
		if r.LongName == "" || !strings.Contains(r.LongName, "(") {
			t.Errorf("%s: long name %q", r.Name, r.LongName)
		}
	}
	if r, _ := LookupRegion("us-east-1"); r.LongName != "US East (N. Virginia)" {
		t.Errorf("us-east-1 long name %q", r.LongName)
	}
}

// TestDefaultRegionsHaveZones: every region AWS enables by default (the 17
// DescribeRegions lists) is served: it has zones and services in the
// catalog, so an account works there as in us-east-1.
func TestDefaultRegionsHaveZones(t *testing.T) {
	n := 0
	for _, pr := range PublicRegions() {
		if pr.OptIn {
			continue
		}
		n++
		r, ok := LookupRegion(pr.Name)
		if !ok || len(r.Zones) < 2 {
			t.Errorf("%s: enabled by default but the catalog has no zones for it", pr.Name)
			continue
		}
		if len(Services(pr.Name)) < 100 {
			t.Errorf("%s: %d services", pr.Name, len(Services(pr.Name)))
		}
	}
	if n != 17 {
		t.Errorf("%d regions enabled by default, want 17", n)
	}
}
