package cloud

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// kindDHCP is the stored kind of DHCP option sets.
const kindDHCP = "dhcp-options"

// AmazonProvidedDNS is the domain-name-servers value that names the VPC
// resolver (the VPC's base address + 2).
const AmazonProvidedDNS = "AmazonProvidedDNS"

// DhcpOptions is a DHCP option set: what a VPC's instances are told at
// boot — their domain name and, above all, which name servers to ask.
type DhcpOptions struct {
	DhcpOptionsID  string              `xml:"dhcpOptionsId" json:"id"`
	OwnerID        string              `xml:"ownerId" json:"owner"`
	Configurations []DhcpConfiguration `xml:"dhcpConfigurationSet>item" json:"conf"`
	Tags           TagSet              `xml:"tagSet,omitempty" json:"tags,omitempty"`
	// Deleted marks the account's default set deleted (it exists
	// without being stored until then).
	Deleted bool `xml:"-" json:"deleted,omitempty"`
}

// DhcpConfiguration is one option of a set.
type DhcpConfiguration struct {
	Key    string           `xml:"key" json:"key"`
	Values []AttributeValue `xml:"valueSet>item" json:"values"`
}

// AttributeValue is one value of an option.
type AttributeValue struct {
	Value string `xml:"value" json:"value"`
}

// Values returns an option's values.
func (d *DhcpOptions) Values(key string) []string {
	for _, c := range d.Configurations {
		if c.Key == key {
			out := make([]string, len(c.Values))
			for i, v := range c.Values {
				out[i] = v.Value
			}
			return out
		}
	}
	return nil
}

// UsesAmazonDNS reports whether instances told by this set ask the VPC
// resolver: its domain-name-servers name AmazonProvidedDNS (or there are
// none — then the instances have no name server from DHCP at all, which
// vpce also treats as not the VPC resolver).
func (d *DhcpOptions) UsesAmazonDNS() bool {
	return slices.Contains(d.Values("domain-name-servers"), AmazonProvidedDNS)
}

func dhcpID(d *DhcpOptions) string  { return d.DhcpOptionsID }
func dhcpTags(d *DhcpOptions) []Tag { return d.Tags }

// defaultDhcp is the set every account and region starts with: the
// region's internal domain and the VPC resolver.
func (tx *txn) defaultDhcp() *DhcpOptions {
	domain := tx.sc.Region + ".compute.internal"
	if tx.sc.Region == "us-east-1" {
		domain = "ec2.internal"
	}
	return &DhcpOptions{DhcpOptionsID: tx.dhcpOptionsID(), OwnerID: tx.sc.Account, Configurations: []DhcpConfiguration{
		{Key: "domain-name", Values: []AttributeValue{{domain}}},
		{Key: "domain-name-servers", Values: []AttributeValue{{AmazonProvidedDNS}}},
	}}
}

// dhcpOptions reads a set; the default one exists until deleted without
// having been stored.
func (tx *txn) dhcpOptions(id, code string) (*DhcpOptions, error) {
	if err := checkID(id, "dopt", "InvalidDhcpOptionsId.Malformed"); err != nil {
		return nil, err
	}
	notFound := apierr.New(code, "The dhcpOption ID '%s' does not exist", id)
	d, err := getObj[DhcpOptions](tx, kindDHCP, id)
	switch {
	case errors.Is(err, store.ErrNotFound) && id == tx.dhcpOptionsID():
		return tx.defaultDhcp(), nil
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound
	case err != nil:
		return nil, err
	case d.Deleted:
		return nil, notFound
	}
	return d, nil
}

// allDhcpOptions lists the sets of the scope, the default one included
// unless deleted.
func (tx *txn) allDhcpOptions() ([]*DhcpOptions, error) {
	stored, err := listObj[DhcpOptions](tx, kindDHCP)
	if err != nil {
		return nil, err
	}
	def := tx.dhcpOptionsID()
	out := make([]*DhcpOptions, 0, len(stored)+1)
	seenDefault := false
	for _, d := range stored {
		if d.DhcpOptionsID == def {
			seenDefault = true
		}
		if !d.Deleted {
			out = append(out, d)
		}
	}
	if !seenDefault {
		out = append(out, tx.defaultDhcp())
	}
	return out, nil
}

// dhcpKeys are the options AWS takes, with the most values each takes.
var dhcpKeys = map[string]int{
	"domain-name": 1, "domain-name-servers": 4, "ntp-servers": 8, "netbios-name-servers": 4,
	"netbios-node-type": 1, "ipv6-address-preferred-lease-time": 1,
}

// CreateDhcpOptionsInput is the input of CreateDhcpOptions.
type CreateDhcpOptionsInput struct {
	Configurations []struct {
		Key    string   `ec2:"Key"`
		Values []string `ec2:"Value"`
	} `ec2:"DhcpConfiguration,required"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateDhcpOptionsOutput is the output of CreateDhcpOptions.
type CreateDhcpOptionsOutput struct {
	DhcpOptions *DhcpOptions `xml:"dhcpOptions"`
}

// CreateDhcpOptions creates a DHCP option set.
func (c *Cloud) CreateDhcpOptions(ctx context.Context, sc Scope, in *CreateDhcpOptionsInput) (*CreateDhcpOptionsOutput, error) {
	d := &DhcpOptions{DhcpOptionsID: newID("dopt"), OwnerID: sc.Account}
	seen := map[string]bool{}
	for _, conf := range in.Configurations {
		most, ok := dhcpKeys[conf.Key]
		if !ok {
			return nil, invalidValue("Value (%s) for parameter key is invalid. Unknown DHCP option", apierr.Clip(conf.Key))
		}
		if seen[conf.Key] {
			return nil, invalidValue("Duplicate DHCP option key %s", conf.Key)
		}
		seen[conf.Key] = true
		if conf.Key != "domain-name" {
			// "10.2.5.1,10.2.5.2" in one value is two servers, as AWS reads it.
			var split []string
			for _, v := range conf.Values {
				for part := range strings.SplitSeq(v, ",") {
					split = append(split, strings.TrimSpace(part))
				}
			}
			conf.Values = split
		}
		if len(conf.Values) == 0 {
			return nil, invalidValue("Value for parameter %s is missing", conf.Key)
		}
		if len(conf.Values) > most {
			return nil, invalidValue("Too many values for DHCP option %s: at most %d", conf.Key, most)
		}
		for _, v := range conf.Values {
			if err := checkDhcpValue(conf.Key, v); err != nil {
				return nil, err
			}
		}
		dc := DhcpConfiguration{Key: conf.Key}
		for _, v := range conf.Values {
			dc.Values = append(dc.Values, AttributeValue{v})
		}
		d.Configurations = append(d.Configurations, dc)
	}
	tags, err := tagsFor(in.TagSpecifications, "dhcp-options")
	if err != nil {
		return nil, err
	}
	d.Tags = tags["dhcp-options"]
	return &CreateDhcpOptionsOutput{d}, c.update(ctx, sc, func(tx *txn) error {
		return putObj(tx, kindDHCP, d.DhcpOptionsID, d)
	})
}

// checkDhcpValue validates one value of an option as AWS does.
func checkDhcpValue(key, v string) error {
	bad := func() error {
		return invalidValue("Value (%s) for parameter value is invalid. Invalid value for DHCP option %s", apierr.Clip(v), key)
	}
	switch key {
	case "domain-name-servers":
		if v == AmazonProvidedDNS {
			return nil
		}
		fallthrough
	case "ntp-servers", "netbios-name-servers":
		if a, err := netip.ParseAddr(v); err != nil || !a.Is4() && key != "ntp-servers" {
			return bad()
		}
	case "netbios-node-type":
		if !slices.Contains([]string{"1", "2", "4", "8"}, v) {
			return bad()
		}
	case "domain-name":
		if v == "" || len(v) > 255 || strings.ContainsAny(v, "\t\r\n") {
			return bad()
		}
	}
	return nil
}

// DescribeDhcpOptionsInput is the input of DescribeDhcpOptions.
type DescribeDhcpOptionsInput struct {
	DhcpOptionsIDs []string `ec2:"DhcpOptionsId"`
	Filters        []Filter `ec2:"Filter"`
	Page
}

// DescribeDhcpOptionsOutput is the output of DescribeDhcpOptions.
type DescribeDhcpOptionsOutput struct {
	DhcpOptions []*DhcpOptions `xml:"dhcpOptionsSet>item"`
	NextToken   string         `xml:"nextToken,omitempty"`
}

var dhcpFields = fields[DhcpOptions]{
	"dhcp-options-id": func(d *DhcpOptions) []string { return one(d.DhcpOptionsID) },
	"owner-id":        func(d *DhcpOptions) []string { return one(d.OwnerID) },
	"key": func(d *DhcpOptions) []string {
		return mapSlice(d.Configurations, func(c DhcpConfiguration) string { return c.Key })
	},
	"value": func(d *DhcpOptions) []string {
		var out []string
		for _, c := range d.Configurations {
			for _, v := range c.Values {
				out = append(out, v.Value)
			}
		}
		return out
	},
}

// DescribeDhcpOptions lists DHCP option sets.
func (c *Cloud) DescribeDhcpOptions(ctx context.Context, sc Scope, in *DescribeDhcpOptionsInput) (*DescribeDhcpOptionsOutput, error) {
	out := &DescribeDhcpOptionsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.DhcpOptionsIDs {
			if err := checkID(id, "dopt", "InvalidDhcpOptionsId.Malformed"); err != nil {
				return err
			}
		}
		all, err := tx.allDhcpOptions()
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, dhcpID, in.DhcpOptionsIDs, func(id string) error {
			return apierr.New("InvalidDhcpOptionID.NotFound", "The dhcpOption ID '%s' does not exist", id)
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, dhcpFields, dhcpTags); err != nil {
			return err
		}
		out.DhcpOptions, out.NextToken, err = paginate(all, dhcpID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteDhcpOptionsInput is the input of DeleteDhcpOptions.
type DeleteDhcpOptionsInput struct {
	DhcpOptionsID string `ec2:"DhcpOptionsId,required"`
}

// DeleteDhcpOptions deletes a set no VPC uses.
func (c *Cloud) DeleteDhcpOptions(ctx context.Context, sc Scope, in *DeleteDhcpOptionsInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		d, err := tx.dhcpOptions(in.DhcpOptionsID, "InvalidDhcpOptionsID.NotFound")
		if err != nil {
			return err
		}
		vpcs, err := listObj[Vpc](tx, kindVpc)
		if err != nil {
			return err
		}
		for _, v := range vpcs {
			if v.DhcpOptionsID == d.DhcpOptionsID {
				return apierr.New("DependencyViolation", "The dhcpOptions '%s' has dependencies and cannot be deleted.", d.DhcpOptionsID)
			}
		}
		if d.DhcpOptionsID == tx.dhcpOptionsID() {
			d.Deleted = true // the default set is remembered as deleted
			return putObj(tx, kindDHCP, d.DhcpOptionsID, d)
		}
		return delObj(tx, kindDHCP, d.DhcpOptionsID)
	})
}

// AssociateDhcpOptionsInput is the input of AssociateDhcpOptions.
type AssociateDhcpOptionsInput struct {
	DhcpOptionsID string `ec2:"DhcpOptionsId,required"`
	VpcID         string `ec2:"VpcId,required"`
}

// AssociateDhcpOptions gives a VPC a set, or none ("default"): the
// VPC's instances get it when they renew their lease.
func (c *Cloud) AssociateDhcpOptions(ctx context.Context, sc Scope, in *AssociateDhcpOptionsInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		if in.DhcpOptionsID != "default" {
			if _, err := tx.dhcpOptions(in.DhcpOptionsID, "InvalidDhcpOptionID.NotFound"); err != nil {
				return err
			}
		}
		vpc.DhcpOptionsID = in.DhcpOptionsID
		return putObj(tx, kindVpc, vpc.VpcID, vpc)
	})
}

// dhcpTaggable lets the tag actions reach DHCP option sets, the default
// one included (it is stored when first tagged).
func dhcpTaggable() taggable {
	return taggable{
		prefix: "dopt", kind: kindDHCP, resourceType: "dhcp-options", notFound: "InvalidDhcpOptionID.NotFound", noun: "dhcpOption",
		get: func(tx *txn, id string) (any, *TagSet, error) {
			d, err := tx.dhcpOptions(id, "InvalidDhcpOptionID.NotFound")
			if err != nil {
				return nil, nil, err
			}
			return d, &d.Tags, nil
		},
		all: func(tx *txn) ([]taggedObject, error) {
			all, err := tx.allDhcpOptions()
			if err != nil {
				return nil, err
			}
			out := make([]taggedObject, 0, len(all))
			for _, d := range all {
				out = append(out, taggedObject{d.DhcpOptionsID, d.Tags})
			}
			return out, nil
		},
	}
}
