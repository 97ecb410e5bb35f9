// Package catalog holds the embedded, dated facts about AWS that vpce serves:
// regions and their availability zones, the endpoint services offered in
// each region, and AWS-managed prefix lists. Each data file names its
// source and date.
package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed regions.json
var regionsJSON []byte

// Zone is one availability zone: its name (us-east-1a) and zone ID (use1-az1).
type Zone struct {
	Name   string
	ID     string
	Region string
}

// Region is one AWS region and its zones in name order.
type Region struct {
	Name string
	// LongName is the region's name for people: US East (N. Virginia).
	LongName string
	Zones    []Zone
	// VpceHostedZone is the Route 53 hosted zone ID of the region's
	// *.vpce.amazonaws.com endpoint names.
	VpceHostedZone string
}

// Endpoint reports the region's EC2 endpoint host name.
func (r Region) Endpoint() string { return "ec2." + r.Name + ".amazonaws.com" }

// Zone returns the zone with the given name or zone ID.
func (r Region) Zone(nameOrID string) (Zone, bool) {
	for _, z := range r.Zones {
		if z.Name == nameOrID || z.ID == nameOrID {
			return z, true
		}
	}
	return Zone{}, false
}

var (
	loadOnce sync.Once
	regions  []Region
	byName   map[string]Region
)

func load() {
	var raw struct {
		Regions []struct {
			Name           string      `json:"name"`
			Zones          [][2]string `json:"zones"`
			VpceHostedZone string      `json:"vpceHostedZone"`
			LongName       string      `json:"longName"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(regionsJSON, &raw); err != nil {
		panic(fmt.Sprintf("catalog: embedded regions.json: %v", err))
	}
	byName = make(map[string]Region)
	for _, r := range raw.Regions {
		reg := Region{Name: r.Name, LongName: r.LongName, VpceHostedZone: r.VpceHostedZone}
		for _, z := range r.Zones {
			reg.Zones = append(reg.Zones, Zone{Name: z[0], ID: z[1], Region: r.Name})
		}
		regions = append(regions, reg)
		byName[r.Name] = reg
	}
}

// Regions returns every region in the catalog.
func Regions() []Region {
	loadOnce.Do(load)
	return regions
}

// LookupRegion returns the region with the given name.
func LookupRegion(name string) (Region, bool) {
	loadOnce.Do(load)
	r, ok := byName[name]
	return r, ok
}
