package cloud

import (
	"context"

	"github.com/vpce/vpce/internal/catalog"
)

// RegionInfo is one item of DescribeRegions.
type RegionInfo struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

// DescribeRegionsInput is the input of DescribeRegions.
type DescribeRegionsInput struct {
	RegionNames []string `ec2:"RegionName"`
	AllRegions  *bool    `ec2:"AllRegions"`
	Filters     []Filter `ec2:"Filter"`
}

// DescribeRegionsOutput is the output of DescribeRegions.
type DescribeRegionsOutput struct {
	Regions []*RegionInfo `xml:"regionInfo>item"`
}

var regionFields = fields[RegionInfo]{
	"region-name":   func(r *RegionInfo) []string { return one(r.RegionName) },
	"endpoint":      func(r *RegionInfo) []string { return one(r.RegionEndpoint) },
	"opt-in-status": func(r *RegionInfo) []string { return one(r.OptInStatus) },
}

// DescribeRegions lists the regions of the embedded catalog.
func (c *Cloud) DescribeRegions(ctx context.Context, sc Scope, in *DescribeRegionsInput) (*DescribeRegionsOutput, error) {
	if err := checkScope(sc); err != nil {
		return nil, err
	}
	// AWS lists the regions enabled in the account (the 17 enabled by
	// default); with AllRegions also the opt-in ones, not opted in. vpce's
	// accounts opt in to none (it has no zones for them), and serves the
	// regions its catalog has zones for.
	var all []*RegionInfo
	for _, r := range catalog.PublicRegions() {
		status := "opt-in-not-required"
		if r.OptIn {
			if in.AllRegions == nil || !*in.AllRegions {
				continue
			}
			status = "not-opted-in"
		}
		all = append(all, &RegionInfo{RegionName: r.Name, RegionEndpoint: "ec2." + r.Name + ".amazonaws.com", OptInStatus: status})
	}
	all, err := selectIDs(all, func(r *RegionInfo) string { return r.RegionName }, in.RegionNames, func(n string) error {
		return invalidValue("Invalid region: %s", n)
	})
	if err != nil {
		return nil, err
	}
	all, err = filter(ctx, all, in.Filters, regionFields, nil)
	return &DescribeRegionsOutput{Regions: all}, err
}

// AvailabilityZone is one item of DescribeAvailabilityZones.
type AvailabilityZone struct {
	ZoneName           string `xml:"zoneName"`
	ZoneID             string `xml:"zoneId"`
	ZoneState          string `xml:"zoneState"`
	RegionName         string `xml:"regionName"`
	ZoneType           string `xml:"zoneType"`
	OptInStatus        string `xml:"optInStatus"`
	GroupName          string `xml:"groupName"`
	GroupLongName      string `xml:"groupLongName"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
	Messages           []struct {
		Message string `xml:"message"`
	} `xml:"messageSet>item"`
}

// DescribeAvailabilityZonesInput is the input of DescribeAvailabilityZones.
type DescribeAvailabilityZonesInput struct {
	ZoneNames []string `ec2:"ZoneName"`
	ZoneIDs   []string `ec2:"ZoneId"`
	AllZones  *bool    `ec2:"AllAvailabilityZones"`
	Filters   []Filter `ec2:"Filter"`
}

// DescribeAvailabilityZonesOutput is the output of DescribeAvailabilityZones.
type DescribeAvailabilityZonesOutput struct {
	Zones []*AvailabilityZone `xml:"availabilityZoneInfo>item"`
}

var zoneFields = fields[AvailabilityZone]{
	"zone-name":            func(z *AvailabilityZone) []string { return one(z.ZoneName) },
	"zone-id":              func(z *AvailabilityZone) []string { return one(z.ZoneID) },
	"state":                func(z *AvailabilityZone) []string { return one(z.ZoneState) },
	"region-name":          func(z *AvailabilityZone) []string { return one(z.RegionName) },
	"zone-type":            func(z *AvailabilityZone) []string { return one(z.ZoneType) },
	"opt-in-status":        func(z *AvailabilityZone) []string { return one(z.OptInStatus) },
	"group-name":           func(z *AvailabilityZone) []string { return one(z.GroupName) },
	"network-border-group": func(z *AvailabilityZone) []string { return one(z.NetworkBorderGroup) },
}

// DescribeAvailabilityZones lists the zones of the request's region.
func (c *Cloud) DescribeAvailabilityZones(ctx context.Context, sc Scope, in *DescribeAvailabilityZonesInput) (*DescribeAvailabilityZonesOutput, error) {
	if err := checkScope(sc); err != nil {
		return nil, err
	}
	r, _ := catalog.LookupRegion(sc.Region)
	var all []*AvailabilityZone
	for _, z := range r.Zones {
		all = append(all, &AvailabilityZone{ZoneName: z.Name, ZoneID: z.ID, ZoneState: "available", RegionName: r.Name,
			ZoneType: "availability-zone", OptInStatus: "opt-in-not-required", GroupName: r.Name + "-zg-1", GroupLongName: r.LongName + " 1", NetworkBorderGroup: r.Name})
	}
	var err error
	notFound := func(n string) error { return invalidValue("The zone '%s' does not exist.", n) }
	if all, err = selectIDs(all, func(z *AvailabilityZone) string { return z.ZoneName }, in.ZoneNames, notFound); err != nil {
		return nil, err
	}
	if all, err = selectIDs(all, func(z *AvailabilityZone) string { return z.ZoneID }, in.ZoneIDs, notFound); err != nil {
		return nil, err
	}
	all, err = filter(ctx, all, in.Filters, zoneFields, nil)
	return &DescribeAvailabilityZonesOutput{Zones: all}, err
}
