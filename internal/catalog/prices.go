package catalog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
)

//go:embed prices.json
var pricesJSON []byte

// Price is one figure and where it comes from.
type Price struct {
	Value  float64 `json:"value"`
	Source string  `json:"source"`
}

// Tier is a price per GB up to a cumulative volume (0: no limit).
type Tier struct {
	UpToGB float64 `json:"upToGB,omitempty"`
	Value  float64 `json:"value"`
}

// TieredPrice is a per-GB price in tiers.
type TieredPrice struct {
	Tiers  []Tier `json:"tiers"`
	Source string `json:"source"`
}

// RegionPrices are the prices of one region.
type RegionPrices struct {
	InterfaceEndpointHour Price       `json:"interfaceEndpointHour"`
	InterfaceEndpointGB   TieredPrice `json:"interfaceEndpointGB"`
	GatewayEndpoint       Price       `json:"gatewayEndpoint"`
	NatGatewayHour        Price       `json:"natGatewayHour"`
	NatGatewayGB          Price       `json:"natGatewayGB"`
	CrossAZGB             Price       `json:"crossAZGB"`
}

// PriceTable is the dated price table.
type PriceTable struct {
	Currency      string                  `json:"currency"`
	Date          string                  `json:"date"`
	Note          string                  `json:"note"`
	HoursPerMonth float64                 `json:"hoursPerMonth"`
	Regions       map[string]RegionPrices `json:"regions"`
}

// Prices returns the embedded price table.
func Prices() *PriceTable {
	var t PriceTable
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		panic(fmt.Sprintf("catalog: embedded prices.json: %v", err))
	}
	return &t
}

// LoadPrices reads a price table in the embedded one's format (--prices).
func LoadPrices(file string) (*PriceTable, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var t PriceTable
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if t.Date == "" || t.Currency == "" || len(t.Regions) == 0 {
		return nil, fmt.Errorf("%s: a price table needs currency, date and regions", file)
	}
	if t.HoursPerMonth == 0 {
		t.HoursPerMonth = 730
	}
	return &t, nil
}

// For returns a region's prices and the region they are for: the
// region's own, else us-east-1's (the table records few regions).
func (t *PriceTable) For(region string) (RegionPrices, string) {
	if p, ok := t.Regions[region]; ok {
		return p, region
	}
	return t.Regions["us-east-1"], "us-east-1"
}

// Cost prices gb with tiers, starting after `before` GB already priced in
// the same tiers (tiers count the region's total).
func (p TieredPrice) Cost(before, gb float64) float64 {
	total, lo := 0.0, 0.0
	for _, t := range p.Tiers {
		hi := t.UpToGB
		if hi == 0 {
			hi = before + gb + 1
		}
		a, b := max(lo, before), min(hi, before+gb)
		if b > a {
			total += (b - a) * t.Value
		}
		lo = hi
	}
	return total
}
