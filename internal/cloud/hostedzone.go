package cloud

import (
	"context"
	"crypto/rand"
	"errors"
	"net/netip"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// Route 53 private hosted zones, as far as the VPC resolver needs them:
// zones with their records (A, AAAA, CNAME, TXT, alias), associated with
// VPCs of the zone's account or — after CreateVPCAssociationAuthorization
// — of another's. Zones are global (their IDs too), owned by an account,
// stored in the global scope so a VPC of another account can be
// associated with them. Public zones are not modelled.

// kindHostedZone holds private hosted zones in the global scope.
const kindHostedZone = "hosted-zone"

// HostedZone is a private hosted zone.
type HostedZone struct {
	ID              string      `json:"id"` // Z…, without /hostedzone/
	Name            string      `json:"name"`
	Owner           string      `json:"owner"`
	CallerReference string      `json:"ref"`
	Comment         string      `json:"comment,omitempty"`
	VPCs            []ZoneVPC   `json:"vpcs"`
	Records         []RecordSet `json:"records"`
	Authorized      []ZoneVPC   `json:"authorized,omitempty"`
	Created         Timestamp   `json:"created"`
	Tags            []Tag       `json:"tags,omitempty"`
}

// ZoneVPC is a VPC associated with (or authorized for) a zone.
type ZoneVPC struct {
	VPCRegion string `json:"region"`
	VPCID     string `json:"vpc"`
	Account   string `json:"account,omitempty"`
}

// RecordSet is one resource record set of a zone.
type RecordSet struct {
	Name   string       `json:"name"` // lower case, with the final dot
	Type   string       `json:"type"`
	TTL    int64        `json:"ttl,omitempty"`
	Values []string     `json:"values,omitempty"`
	Alias  *AliasTarget `json:"alias,omitempty"`
}

// AliasTarget is where an alias record points: a name (a vpce DNS name,
// another record) answered with that name's addresses.
type AliasTarget struct {
	HostedZoneID         string `json:"zone"`
	DNSName              string `json:"name"`
	EvaluateTargetHealth bool   `json:"health"`
}

func zoneKey(id string) store.Key { return store.Key{Scope: globalScope, Kind: kindHostedZone, ID: id} }

// canonicalName is a DNS name as zones hold it: lower case, final dot.
func canonicalName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// newZoneID makes a Route 53 style ID: the prefix (Z for zones, C for
// changes) and upper-case letters and digits.
func newZoneID(prefix string) string {
	var b [20]byte
	rand.Read(b[:])
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := []byte(prefix)
	for _, x := range b {
		out = append(out, alpha[int(x)%len(alpha)])
	}
	return string(out)
}

// route53Error is a Route 53 error: code, HTTP status and message.
func route53Error(code string, status int, format string, args ...any) error {
	e := apierr.New(code, format, args...)
	e.Status = status
	return e
}

func (tx *txn) hostedZone(id string) (*HostedZone, error) {
	id = strings.TrimPrefix(id, "/hostedzone/")
	b, err := tx.Get(zoneKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, route53Error("NoSuchHostedZone", 404, "No hosted zone found with ID: %s", id)
	}
	if err != nil {
		return nil, err
	}
	z := &HostedZone{}
	return z, json.Unmarshal(b, z)
}

func (tx *txn) putZone(z *HostedZone) error {
	b, err := json.Marshal(z)
	if err != nil {
		return err
	}
	return tx.Put(zoneKey(z.ID), b)
}

// allZones lists every private hosted zone of the store.
func (tx *txn) allZones() ([]*HostedZone, error) {
	rs, err := tx.List(globalScope, kindHostedZone)
	if err != nil {
		return nil, err
	}
	out := make([]*HostedZone, 0, len(rs))
	for _, r := range rs {
		z := &HostedZone{}
		if err := json.Unmarshal(r.Data, z); err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, nil
}

// ZoneChange is a Route 53 change: every change is INSYNC at once in vpce.
type ZoneChange struct {
	ID          string
	SubmittedAt Timestamp
}

func (tx *txn) change() ZoneChange {
	return ZoneChange{ID: newZoneID("C"), SubmittedAt: Timestamp(tx.now)}
}

// Zone-level errors as Route 53 words them.
func invalidInput(format string, args ...any) error {
	return route53Error("InvalidInput", 400, format, args...)
}

// zoneVPC checks a VPC named in a zone request: it exists in the
// caller's account and the region named.
func (c *Cloud) zoneVPC(tx *txn, account string, v ZoneVPC) (ZoneVPC, error) {
	if v.VPCID == "" || v.VPCRegion == "" {
		return v, invalidInput("VPCId and VPCRegion are required for a private hosted zone.")
	}
	vtx := &txn{Txn: tx.Txn, c: tx.c, sc: Scope{Account: account, Region: v.VPCRegion}, now: tx.now}
	if _, ok := lookupRegionName(v.VPCRegion); !ok {
		return v, route53Error("InvalidVPCId", 400, "The VPC region %s is not valid.", v.VPCRegion)
	}
	if _, err := vtx.vpc(v.VPCID); err != nil {
		return v, route53Error("InvalidVPCId", 400, "The VPC ID '%s' is not valid or is not in region %s of account %s.", v.VPCID, v.VPCRegion, account)
	}
	v.Account = account
	return v, nil
}

// conflictingZone refuses a second zone of one name associated with one VPC.
func conflictingZone(zones []*HostedZone, name string, v ZoneVPC, except string) error {
	for _, z := range zones {
		if z.ID != except && z.Name == name && slices.ContainsFunc(z.VPCs, func(o ZoneVPC) bool { return o.VPCID == v.VPCID && o.VPCRegion == v.VPCRegion }) {
			return route53Error("ConflictingDomainExists", 400, "The VPC %s in %s region has already been associated with the hosted zone %s with the same domain name.", v.VPCID, v.VPCRegion, z.ID)
		}
	}
	return nil
}

// CreateHostedZone creates a private hosted zone associated with one VPC
// of the caller's account, with its SOA and NS records.
func (c *Cloud) CreateHostedZone(ctx context.Context, account, name, callerRef, comment string, private bool, v ZoneVPC) (*HostedZone, ZoneChange, error) {
	var z *HostedZone
	var ch ZoneChange
	// A zone created with a VPC is private (HostedZoneConfig.PrivateZone
	// may be left out, as Terraform does).
	if v.VPCID == "" {
		return nil, ch, invalidInput("vpce serves private hosted zones only: give a VPC.")
	}
	if callerRef == "" {
		return nil, ch, invalidInput("CallerReference is required.")
	}
	name = canonicalName(name)
	if len(name) < 2 || strings.Contains(name, "..") || strings.ContainsAny(name, " /\\") {
		return nil, ch, invalidInput("The domain name %s is not valid.", name)
	}
	err := c.update(ctx, Scope{Account: account, Region: v.VPCRegion}, func(tx *txn) error {
		var err error
		if v, err = c.zoneVPC(tx, account, v); err != nil {
			return err
		}
		zones, err := tx.allZones()
		if err != nil {
			return err
		}
		for _, o := range zones {
			if o.Owner == account && o.CallerReference == callerRef {
				return route53Error("HostedZoneAlreadyExists", 409, "A hosted zone has already been created with the specified caller reference.")
			}
		}
		if err := conflictingZone(zones, name, v, ""); err != nil {
			return err
		}
		z = &HostedZone{ID: newZoneID("Z"), Name: name, Owner: account, CallerReference: callerRef, Comment: comment, VPCs: []ZoneVPC{v}, Created: Timestamp(tx.now),
			Records: []RecordSet{
				{Name: name, Type: "NS", TTL: 172800, Values: []string{"ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.", "ns-1536.awsdns-00.co.uk."}},
				{Name: name, Type: "SOA", TTL: 900, Values: []string{"ns-0.awsdns-00.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}},
			}}
		ch = tx.change()
		return tx.putZone(z)
	})
	return z, ch, err
}

// lookupRegionName reports whether vpce serves a region.
func lookupRegionName(name string) (string, bool) {
	_, ok := catalog.LookupRegion(name)
	return name, ok
}

// zoneOf reads a zone the caller owns.
func (tx *txn) zoneOf(account, id string) (*HostedZone, error) {
	z, err := tx.hostedZone(id)
	if err != nil {
		return nil, err
	}
	if z.Owner != account {
		return nil, route53Error("NoSuchHostedZone", 404, "No hosted zone found with ID: %s", strings.TrimPrefix(id, "/hostedzone/"))
	}
	return z, nil
}

// globalView runs fn over the store for zone calls (zones are global).
func (c *Cloud) zoneView(ctx context.Context, account string, fn func(tx *txn) error) error {
	return c.view(ctx, Scope{Account: account, Region: "us-east-1"}, fn)
}

func (c *Cloud) zoneUpdate(ctx context.Context, account string, fn func(tx *txn) error) error {
	return c.update(ctx, Scope{Account: account, Region: "us-east-1"}, fn)
}

// GetHostedZone returns a zone of the caller's.
func (c *Cloud) GetHostedZone(ctx context.Context, account, id string) (*HostedZone, error) {
	var z *HostedZone
	return z, c.zoneView(ctx, account, func(tx *txn) error {
		var err error
		z, err = tx.zoneOf(account, id)
		return err
	})
}

// ListHostedZones lists the caller's zones by name.
func (c *Cloud) ListHostedZones(ctx context.Context, account string) ([]*HostedZone, error) {
	var out []*HostedZone
	return out, c.zoneView(ctx, account, func(tx *txn) error {
		zones, err := tx.allZones()
		for _, z := range zones {
			if z.Owner == account {
				out = append(out, z)
			}
		}
		slices.SortFunc(out, func(a, b *HostedZone) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
		return err
	})
}

// ListHostedZonesByVPC lists the zones associated with a VPC of the caller's.
func (c *Cloud) ListHostedZonesByVPC(ctx context.Context, account string, v ZoneVPC) ([]*HostedZone, error) {
	var out []*HostedZone
	return out, c.zoneView(ctx, account, func(tx *txn) error {
		if _, err := c.zoneVPC(tx, account, v); err != nil {
			return err
		}
		zones, err := tx.allZones()
		for _, z := range zones {
			if slices.ContainsFunc(z.VPCs, func(o ZoneVPC) bool { return o.VPCID == v.VPCID && o.VPCRegion == v.VPCRegion }) {
				out = append(out, z)
			}
		}
		return err
	})
}

// DeleteHostedZone deletes a zone that holds only its SOA and NS records.
func (c *Cloud) DeleteHostedZone(ctx context.Context, account, id string) (ZoneChange, error) {
	var ch ZoneChange
	return ch, c.zoneUpdate(ctx, account, func(tx *txn) error {
		z, err := tx.zoneOf(account, id)
		if err != nil {
			return err
		}
		for _, r := range z.Records {
			if !(r.Name == z.Name && (r.Type == "SOA" || r.Type == "NS")) {
				return route53Error("HostedZoneNotEmpty", 400, "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
			}
		}
		ch = tx.change()
		return tx.Delete(zoneKey(z.ID))
	})
}

// Change is one change of a ChangeResourceRecordSets batch.
type Change struct {
	Action string
	Set    RecordSet
}

// ChangeResourceRecordSets applies a batch of changes atomically, with
// Route 53's rules: CREATE of an existing set, DELETE of a missing or
// different one fail the batch; a CNAME stands alone at its name; names
// are inside the zone.
func (c *Cloud) ChangeResourceRecordSets(ctx context.Context, account, id string, changes []Change) (ZoneChange, error) {
	var ch ZoneChange
	if len(changes) == 0 {
		return ch, invalidInput("Invalid request: Expected at least one change.")
	}
	return ch, c.zoneUpdate(ctx, account, func(tx *txn) error {
		z, err := tx.zoneOf(account, id)
		if err != nil {
			return err
		}
		var problems []string
		for _, x := range changes {
			r := x.Set
			r.Name = canonicalName(r.Name)
			r.Type = strings.ToUpper(r.Type)
			if r.Alias != nil {
				r.Alias.DNSName = canonicalName(r.Alias.DNSName)
			}
			if r.Name != z.Name && !strings.HasSuffix(r.Name, "."+z.Name) {
				problems = append(problems, "RRSet with DNS name "+r.Name+" is not permitted in zone "+z.Name)
				continue
			}
			if err := validRecord(r); err != nil {
				problems = append(problems, err.Error())
				continue
			}
			i := slices.IndexFunc(z.Records, func(o RecordSet) bool { return o.Name == r.Name && o.Type == r.Type })
			switch strings.ToUpper(x.Action) {
			case "CREATE":
				if i >= 0 {
					problems = append(problems, "Tried to create resource record set [name='"+r.Name+"', type='"+r.Type+"'] but it already exists")
					continue
				}
				if conflict := cnameConflict(z.Records, r); conflict != "" {
					problems = append(problems, conflict)
					continue
				}
				z.Records = append(z.Records, r)
			case "UPSERT":
				if i >= 0 {
					z.Records[i] = r
					continue
				}
				if conflict := cnameConflict(z.Records, r); conflict != "" {
					problems = append(problems, conflict)
					continue
				}
				z.Records = append(z.Records, r)
			case "DELETE":
				if i < 0 {
					problems = append(problems, "Tried to delete resource record set [name='"+r.Name+"', type='"+r.Type+"'] but it was not found")
					continue
				}
				if r.Name == z.Name && (r.Type == "SOA" || r.Type == "NS") {
					problems = append(problems, "A HostedZone must contain at least one NS record and one SOA record for the zone itself.")
					continue
				}
				z.Records = slices.Delete(z.Records, i, i+1)
			default:
				return invalidInput("Invalid request: Action %s is not one of CREATE, DELETE, UPSERT.", x.Action)
			}
		}
		if len(problems) > 0 {
			return route53Error("InvalidChangeBatch", 400, "[%s]", strings.Join(problems, ", "))
		}
		ch = tx.change()
		return tx.putZone(z)
	})
}

// validRecord checks a record set's values as Route 53 does for the
// types vpce answers.
func validRecord(r RecordSet) error {
	if r.Alias != nil {
		if len(r.Values) > 0 {
			return errors.New("Invalid Resource Record: an alias record set cannot have resource records")
		}
		return nil
	}
	if len(r.Values) == 0 {
		return errors.New("Invalid Resource Record: a record set needs at least one value or an alias target")
	}
	for _, v := range r.Values {
		switch r.Type {
		case "A", "AAAA":
			a, err := netip.ParseAddr(v)
			if err != nil || a.Is4() != (r.Type == "A") {
				return errors.New("Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '" + v + "'")
			}
		case "CNAME":
			if len(r.Values) != 1 {
				return errors.New("Invalid Resource Record: a CNAME record set has exactly one value")
			}
		case "TXT", "MX", "SRV", "PTR", "CAA", "NS", "SOA":
		default:
			return errors.New("Invalid Resource Record: type " + r.Type + " is not supported by vpce")
		}
	}
	return nil
}

func cnameConflict(records []RecordSet, r RecordSet) string {
	for _, o := range records {
		if o.Name == r.Name && (o.Type == "CNAME" || r.Type == "CNAME") && o.Type != r.Type {
			return "RRSet of type " + r.Type + " with DNS name " + r.Name + " is not permitted because a conflicting RRSet of type " + o.Type + " with the same DNS name already exists"
		}
	}
	return ""
}

// AssociateVPCWithHostedZone associates a VPC of the caller's account with
// a zone: the zone's own account's VPCs, or another account's after the
// zone's owner authorized that VPC.
func (c *Cloud) AssociateVPCWithHostedZone(ctx context.Context, account, id string, v ZoneVPC) (ZoneChange, error) {
	var ch ZoneChange
	return ch, c.update(ctx, Scope{Account: account, Region: v.VPCRegion}, func(tx *txn) error {
		var err error
		if v, err = c.zoneVPC(tx, account, v); err != nil {
			return err
		}
		z, err := tx.hostedZone(id)
		if err != nil {
			return err
		}
		if z.Owner != account && !slices.ContainsFunc(z.Authorized, func(o ZoneVPC) bool { return o.VPCID == v.VPCID && o.VPCRegion == v.VPCRegion }) {
			return route53Error("NotAuthorizedException", 401, "User is not authorized to associate VPC %s with hosted zone %s: the zone's owner must first run CreateVPCAssociationAuthorization.", v.VPCID, z.ID)
		}
		zones, err := tx.allZones()
		if err != nil {
			return err
		}
		if err := conflictingZone(zones, z.Name, v, ""); err != nil {
			return err
		}
		z.VPCs = append(z.VPCs, v)
		ch = tx.change()
		return tx.putZone(z)
	})
}

// DisassociateVPCFromHostedZone ends an association (by the zone's owner
// or the VPC's); the zone's last VPC stays.
func (c *Cloud) DisassociateVPCFromHostedZone(ctx context.Context, account, id string, v ZoneVPC) (ZoneChange, error) {
	var ch ZoneChange
	return ch, c.zoneUpdate(ctx, account, func(tx *txn) error {
		z, err := tx.hostedZone(id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(z.VPCs, func(o ZoneVPC) bool { return o.VPCID == v.VPCID && o.VPCRegion == v.VPCRegion })
		switch {
		case i < 0 || (z.Owner != account && z.VPCs[i].Account != account):
			return route53Error("VPCAssociationNotFound", 404, "The specified VPC %s is not associated with the hosted zone %s.", v.VPCID, z.ID)
		case len(z.VPCs) == 1:
			return route53Error("LastVPCAssociation", 400, "The VPC %s is the last VPC associated with the private hosted zone %s; it cannot be disassociated.", v.VPCID, z.ID)
		}
		z.VPCs = slices.Delete(z.VPCs, i, i+1)
		ch = tx.change()
		return tx.putZone(z)
	})
}

// CreateVPCAssociationAuthorization lets another account's VPC be
// associated with a zone of the caller's.
func (c *Cloud) CreateVPCAssociationAuthorization(ctx context.Context, account, id string, v ZoneVPC) (*HostedZone, error) {
	var z *HostedZone
	if v.VPCID == "" || v.VPCRegion == "" {
		return nil, invalidInput("VPCId and VPCRegion are required.")
	}
	return z, c.zoneUpdate(ctx, account, func(tx *txn) error {
		var err error
		if z, err = tx.zoneOf(account, id); err != nil {
			return err
		}
		if !slices.ContainsFunc(z.Authorized, func(o ZoneVPC) bool { return o.VPCID == v.VPCID && o.VPCRegion == v.VPCRegion }) {
			z.Authorized = append(z.Authorized, v)
		}
		return tx.putZone(z)
	})
}

// DNSZone is a private hosted zone as a VPC's resolver answers from it.
type DNSZone struct {
	ID      string
	Name    string // lower case, final dot
	Records []RecordSet
}

// zonesOfVPC returns the private zones associated with a VPC.
func zonesOfVPC(zones []*HostedZone, vpcID, region string) []DNSZone {
	var out []DNSZone
	for _, z := range zones {
		if slices.ContainsFunc(z.VPCs, func(v ZoneVPC) bool { return v.VPCID == vpcID && v.VPCRegion == region }) {
			out = append(out, DNSZone{ID: z.ID, Name: z.Name, Records: z.Records})
		}
	}
	return out
}

// ChangeZoneTags adds and removes tags of a zone of the caller's.
func (c *Cloud) ChangeZoneTags(ctx context.Context, account, id string, add []Tag, remove []string) error {
	return c.zoneUpdate(ctx, account, func(tx *txn) error {
		z, err := tx.zoneOf(account, id)
		if err != nil {
			return err
		}
		z.Tags = slices.DeleteFunc(mergeTags(z.Tags, add), func(t Tag) bool { return slices.Contains(remove, t.Key) })
		if len(z.Tags) > 10 {
			return route53Error("ThrottlingException", 400, "A hosted zone takes at most 10 tags.")
		}
		return tx.putZone(z)
	})
}
