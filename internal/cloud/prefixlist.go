package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// ManagedPrefixList is a prefix list as DescribeManagedPrefixLists shows
// it: AWS-managed ones come from the catalog, customer-managed ones from
// the store.
type ManagedPrefixList struct {
	PrefixListID   string `xml:"prefixListId" json:"id"`
	AddressFamily  string `xml:"addressFamily" json:"family"`
	State          string `xml:"state" json:"state"`
	PrefixListArn  string `xml:"prefixListArn" json:"arn"`
	PrefixListName string `xml:"prefixListName" json:"name"`
	MaxEntries     *int32 `xml:"maxEntries,omitempty" json:"maxEntries,omitempty"`
	Version        *int64 `xml:"version,omitempty" json:"version,omitempty"`
	Tags           TagSet `xml:"tagSet,omitempty" json:"tags,omitempty"`
	OwnerID        string `xml:"ownerId" json:"owner"`

	// Versions holds every version's entries, oldest first, so that
	// GetManagedPrefixListEntries can answer for a TargetVersion.
	Versions [][]PrefixListEntry `xml:"-" json:"versions,omitempty"`
	// ChangedAt is when the last create, modify or delete was asked: AWS
	// applies them asynchronously, showing *-in-progress (and, while a
	// modification is in progress, the version before it) for a moment.
	ChangedAt   *time.Time `xml:"-" json:"changed,omitempty"`
	PrevVersion *int64     `xml:"-" json:"prevVersion,omitempty"`
}

// inProgress names the transitional state of a final one.
var inProgress = map[string]string{"create-complete": "create-in-progress", "modify-complete": "modify-in-progress",
	"delete-complete": "delete-in-progress", "delete-failed": "delete-in-progress"}

// shown is the list as it is seen at now: within the provisioning delay
// of its last change, the change is in progress.
func (p *ManagedPrefixList) shown(now time.Time, delay time.Duration) *ManagedPrefixList {
	if p.ChangedAt == nil || !now.Before(p.ChangedAt.Add(delay)) {
		return p
	}
	v := *p
	if st, ok := inProgress[p.State]; ok {
		v.State = st
	}
	if p.State == "modify-complete" && p.PrevVersion != nil {
		v.Version = p.PrevVersion
	}
	return &v
}

// changed records a change asked now, to end in state.
func (p *ManagedPrefixList) changed(now time.Time, state string) {
	t := now
	p.ChangedAt, p.State, p.PrevVersion = &t, state, nil
}

// PrefixListEntry is one CIDR of a prefix list.
type PrefixListEntry struct {
	Cidr        string `ec2:"Cidr" xml:"cidr" json:"cidr"`
	Description string `ec2:"Description" xml:"description,omitempty" json:"desc,omitempty"`
}

func (p *ManagedPrefixList) deleted() bool { return p.State == "delete-complete" }

func prefixListID(p *ManagedPrefixList) string  { return p.PrefixListID }
func prefixListTags(p *ManagedPrefixList) []Tag { return p.Tags }

func awsPrefixList(pl catalog.PrefixList) *ManagedPrefixList {
	entries := make([]PrefixListEntry, len(pl.CIDRs))
	for i, c := range pl.CIDRs {
		entries[i] = PrefixListEntry{Cidr: c.String()}
	}
	return &ManagedPrefixList{PrefixListID: pl.ID, AddressFamily: "IPv4", State: "create-complete",
		PrefixListArn: fmt.Sprintf("arn:aws:ec2:%s:aws:prefix-list/%s", pl.Region, pl.ID), PrefixListName: pl.Name,
		OwnerID: "AWS", Versions: [][]PrefixListEntry{entries}}
}

// allPrefixLists returns the AWS-managed lists of the region and the
// scope's live customer-managed ones.
func (tx *txn) allPrefixLists() ([]*ManagedPrefixList, error) {
	own, err := listObj[ManagedPrefixList](tx, kindPrefixList)
	if err != nil {
		return nil, err
	}
	// A stored list with an AWS-managed list's ID (imported from a real
	// account, with its entries as they were) stands in for the catalog's.
	stored := map[string]bool{}
	for _, p := range own {
		stored[p.PrefixListID] = true
	}
	var out []*ManagedPrefixList
	for _, pl := range catalog.PrefixLists(tx.sc.Region) {
		if !stored[pl.ID] {
			out = append(out, awsPrefixList(pl))
		}
	}
	for _, p := range own {
		if !p.deleted() {
			out = append(out, p)
		}
	}
	return out, nil
}

// prefixList finds a prefix list by ID, AWS-managed or the scope's own.
func (tx *txn) prefixList(id string) (*ManagedPrefixList, error) {
	if err := checkID(id, "pl", "InvalidPrefixListId.Malformed"); err != nil {
		return nil, err
	}
	nf := apierr.New("InvalidPrefixListID.NotFound", "The prefix list ID '%s' does not exist", id)
	p, err := getObj[ManagedPrefixList](tx, kindPrefixList, id)
	if pl, ok := catalog.LookupPrefixList(tx.sc.Region, id); ok && errors.Is(err, store.ErrNotFound) {
		return awsPrefixList(pl), nil
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.deleted()) {
		return nil, nf
	}
	return p, err
}

func (tx *txn) checkPrefixList(id string) error {
	_, err := tx.prefixList(id)
	return err
}

// PrefixListSummary is an item of DescribePrefixLists.
type PrefixListSummary struct {
	PrefixListID   string   `xml:"prefixListId"`
	PrefixListName string   `xml:"prefixListName"`
	Cidrs          []string `xml:"cidrSet>item"`
}

// DescribePrefixListsInput is the input of DescribePrefixLists.
type DescribePrefixListsInput struct {
	PrefixListIDs []string `ec2:"PrefixListId"`
	Filters       []Filter `ec2:"Filter"`
	Page
}

// DescribePrefixListsOutput is the output of DescribePrefixLists.
type DescribePrefixListsOutput struct {
	PrefixLists []*PrefixListSummary `xml:"prefixListSet>item"`
	NextToken   string               `xml:"nextToken,omitempty"`
}

var prefixListSummaryFields = fields[PrefixListSummary]{
	"prefix-list-id":   func(p *PrefixListSummary) []string { return one(p.PrefixListID) },
	"prefix-list-name": func(p *PrefixListSummary) []string { return one(p.PrefixListName) },
}

// DescribePrefixLists lists the AWS service prefix lists (S3, DynamoDB).
func (c *Cloud) DescribePrefixLists(ctx context.Context, sc Scope, in *DescribePrefixListsInput) (*DescribePrefixListsOutput, error) {
	if err := checkScope(sc); err != nil {
		return nil, err
	}
	var all []*PrefixListSummary
	for _, pl := range catalog.PrefixLists(sc.Region) {
		s := &PrefixListSummary{PrefixListID: pl.ID, PrefixListName: pl.Name}
		for _, c := range pl.CIDRs {
			s.Cidrs = append(s.Cidrs, c.String())
		}
		all = append(all, s)
	}
	id := func(p *PrefixListSummary) string { return p.PrefixListID }
	all, err := selectIDs(all, id, in.PrefixListIDs, func(x string) error {
		return apierr.New("InvalidPrefixListID.NotFound", "The prefix list ID '%s' does not exist", x)
	})
	if err != nil {
		return nil, err
	}
	if all, err = filter(ctx, all, in.Filters, prefixListSummaryFields, nil); err != nil {
		return nil, err
	}
	out := &DescribePrefixListsOutput{}
	out.PrefixLists, out.NextToken, err = paginate(all, id, in.Page, 5, 1000)
	return out, err
}

// DescribeManagedPrefixListsInput is the input of DescribeManagedPrefixLists.
type DescribeManagedPrefixListsInput struct {
	PrefixListIDs []string `ec2:"PrefixListId"`
	Filters       []Filter `ec2:"Filter"`
	Page
}

// DescribeManagedPrefixListsOutput is the output of DescribeManagedPrefixLists.
type DescribeManagedPrefixListsOutput struct {
	PrefixLists []*ManagedPrefixList `xml:"prefixListSet>item"`
	NextToken   string               `xml:"nextToken,omitempty"`
}

var managedPrefixListFields = fields[ManagedPrefixList]{
	"owner-id":         func(p *ManagedPrefixList) []string { return one(p.OwnerID) },
	"prefix-list-id":   func(p *ManagedPrefixList) []string { return one(p.PrefixListID) },
	"prefix-list-name": func(p *ManagedPrefixList) []string { return one(p.PrefixListName) },
}

// DescribeManagedPrefixLists lists AWS-managed and customer-managed lists.
func (c *Cloud) DescribeManagedPrefixLists(ctx context.Context, sc Scope, in *DescribeManagedPrefixListsInput) (*DescribeManagedPrefixListsOutput, error) {
	out := &DescribeManagedPrefixListsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		all, err := tx.allPrefixLists()
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, prefixListID, in.PrefixListIDs, func(x string) error {
			return apierr.New("InvalidPrefixListID.NotFound", "The prefix list ID '%s' does not exist", x)
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, managedPrefixListFields, prefixListTags); err != nil {
			return err
		}
		for i, p := range all {
			all[i] = p.shown(tx.now, tx.c.delay)
		}
		out.PrefixLists, out.NextToken, err = paginate(all, prefixListID, in.Page, 1, 100)
		return err
	})
	return out, err
}

// GetManagedPrefixListEntriesInput is the input of GetManagedPrefixListEntries.
type GetManagedPrefixListEntriesInput struct {
	PrefixListID  string `ec2:"PrefixListId,required"`
	TargetVersion *int64 `ec2:"TargetVersion"`
	Page
}

// GetManagedPrefixListEntriesOutput is the output of GetManagedPrefixListEntries.
type GetManagedPrefixListEntriesOutput struct {
	Entries   []*PrefixListEntry `xml:"entrySet>item"`
	NextToken string             `xml:"nextToken,omitempty"`
}

// GetManagedPrefixListEntries lists a prefix list's CIDRs, current or at a version.
func (c *Cloud) GetManagedPrefixListEntries(ctx context.Context, sc Scope, in *GetManagedPrefixListEntriesInput) (*GetManagedPrefixListEntriesOutput, error) {
	out := &GetManagedPrefixListEntriesOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		p, err := tx.prefixList(in.PrefixListID)
		if err != nil {
			return err
		}
		v := len(p.Versions)
		if in.TargetVersion != nil {
			v = int(*in.TargetVersion)
			if p.Version == nil || v < 1 || v > len(p.Versions) {
				return apierr.New("InvalidParameterValue", "The version %d of prefix list %s does not exist.", v, p.PrefixListID)
			}
		}
		var all []*PrefixListEntry
		for _, e := range p.Versions[v-1] {
			all = append(all, &e)
		}
		out.Entries, out.NextToken, err = paginate(all, func(e *PrefixListEntry) string { return e.Cidr }, in.Page, 1, 100)
		return err
	})
	return out, err
}

// CreateManagedPrefixListInput is the input of CreateManagedPrefixList.
type CreateManagedPrefixListInput struct {
	PrefixListName    string             `ec2:"PrefixListName,required"`
	Entries           []PrefixListEntry  `ec2:"Entry"`
	MaxEntries        *int32             `ec2:"MaxEntries,required"`
	AddressFamily     string             `ec2:"AddressFamily,required"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// PrefixListOutput is the output of the prefix-list create, modify and delete actions.
type PrefixListOutput struct {
	PrefixList *ManagedPrefixList `xml:"prefixList"`
}

func validEntries(family string, entries []PrefixListEntry, max int32) ([]PrefixListEntry, error) {
	seen := map[string]bool{}
	var out []PrefixListEntry
	for _, e := range entries {
		p, err := netip.ParsePrefix(e.Cidr)
		if err != nil || (family == "IPv4") != p.Addr().Is4() {
			return nil, invalidValue("The CIDR %s is not a valid %s CIDR block.", e.Cidr, family)
		}
		c := p.Masked().String()
		if seen[c] {
			return nil, invalidValue("The CIDR %s is duplicated in the request.", c)
		}
		seen[c] = true
		out = append(out, PrefixListEntry{Cidr: c, Description: e.Description})
	}
	if int32(len(out)) > max {
		return nil, apierr.New("PrefixListMaxEntriesExceeded", "The prefix list would have %d entries, more than its maximum of %d.", len(out), max)
	}
	slices.SortFunc(out, func(a, b PrefixListEntry) int {
		return netip.MustParsePrefix(a.Cidr).Addr().Compare(netip.MustParsePrefix(b.Cidr).Addr())
	})
	return out, nil
}

// CreateManagedPrefixList creates a customer-managed prefix list.
func (c *Cloud) CreateManagedPrefixList(ctx context.Context, sc Scope, in *CreateManagedPrefixListInput) (*PrefixListOutput, error) {
	if in.AddressFamily != "IPv4" && in.AddressFamily != "IPv6" {
		return nil, invalidValue("Value (%s) for parameter addressFamily is invalid. Valid values: IPv4, IPv6", in.AddressFamily)
	}
	if *in.MaxEntries < 1 || *in.MaxEntries > 1000 {
		return nil, invalidValue("Value (%d) for parameter maxEntries is invalid. Must be between 1 and 1000.", *in.MaxEntries)
	}
	if in.PrefixListName == "" || len(in.PrefixListName) > 255 || (len(in.PrefixListName) >= 14 && in.PrefixListName[:14] == "com.amazonaws.") {
		return nil, invalidValue("Value (%s) for parameter prefixListName is invalid.", in.PrefixListName)
	}
	entries, err := validEntries(in.AddressFamily, in.Entries, *in.MaxEntries)
	if err != nil {
		return nil, err
	}
	tags, err := tagsFor(in.TagSpecifications, "prefix-list")
	if err != nil {
		return nil, err
	}
	out := &PrefixListOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		return tx.idempotent("CreateManagedPrefixList", in.ClientToken, in, &out.PrefixList, func() (any, error) {
			id := newID("pl")
			v := int64(1)
			p := &ManagedPrefixList{PrefixListID: id, AddressFamily: in.AddressFamily, State: "create-complete",
				PrefixListArn:  fmt.Sprintf("arn:aws:ec2:%s:%s:prefix-list/%s", tx.sc.Region, tx.sc.Account, id),
				PrefixListName: in.PrefixListName, MaxEntries: in.MaxEntries, Version: &v, Tags: tags["prefix-list"],
				OwnerID: tx.sc.Account, Versions: [][]PrefixListEntry{entries}}
			p.changed(tx.now, "create-complete")
			if err := putObj(tx, kindPrefixList, id, p); err != nil {
				return nil, err
			}
			return p.shown(tx.now, tx.c.delay), nil
		})
	})
}

// ModifyManagedPrefixListInput is the input of ModifyManagedPrefixList.
type ModifyManagedPrefixListInput struct {
	PrefixListID   string            `ec2:"PrefixListId,required"`
	CurrentVersion *int64            `ec2:"CurrentVersion"`
	PrefixListName string            `ec2:"PrefixListName"`
	AddEntries     []PrefixListEntry `ec2:"AddEntry"`
	RemoveEntries  []PrefixListEntry `ec2:"RemoveEntry"`
	MaxEntries     *int32            `ec2:"MaxEntries"`
}

func (tx *txn) ownPrefixList(id string) (*ManagedPrefixList, error) {
	p, err := tx.prefixList(id)
	if err != nil {
		return nil, err
	}
	if p.OwnerID != tx.sc.Account {
		return nil, apierr.New("InvalidPrefixListModification", "The prefix list %s is managed by AWS and cannot be changed.", id)
	}
	return p, nil
}

// ModifyManagedPrefixList adds and removes entries, making a new version.
func (c *Cloud) ModifyManagedPrefixList(ctx context.Context, sc Scope, in *ModifyManagedPrefixListInput) (*PrefixListOutput, error) {
	out := &PrefixListOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.ownPrefixList(in.PrefixListID)
		if err != nil {
			return err
		}
		if in.CurrentVersion != nil && *in.CurrentVersion != *p.Version {
			return apierr.New("PrefixListVersionMismatch", "The prefix list %s has version %d, not %d.", p.PrefixListID, *p.Version, *in.CurrentVersion)
		}
		if (len(in.AddEntries) > 0 || len(in.RemoveEntries) > 0) && in.CurrentVersion == nil {
			return apierr.Missing("CurrentVersion")
		}
		if in.PrefixListName != "" {
			p.PrefixListName = in.PrefixListName
		}
		if in.MaxEntries != nil {
			p.MaxEntries = in.MaxEntries
		}
		cur := slices.Clone(p.Versions[len(p.Versions)-1])
		for _, r := range in.RemoveEntries {
			i := slices.IndexFunc(cur, func(e PrefixListEntry) bool { return e.Cidr == r.Cidr })
			if i < 0 {
				return invalidValue("The CIDR %s is not an entry of prefix list %s.", r.Cidr, p.PrefixListID)
			}
			cur = slices.Delete(cur, i, i+1)
		}
		for _, a := range in.AddEntries {
			cur = slices.DeleteFunc(cur, func(e PrefixListEntry) bool { return e.Cidr == a.Cidr })
			cur = append(cur, a)
		}
		entries, err := validEntries(p.AddressFamily, cur, *p.MaxEntries)
		if err != nil {
			return err
		}
		prev := *p.Version
		p.changed(tx.now, "modify-complete")
		if len(in.AddEntries) > 0 || len(in.RemoveEntries) > 0 {
			p.Versions = append(p.Versions, entries)
			v := int64(len(p.Versions))
			p.Version, p.PrevVersion = &v, &prev
		}
		// AWS answers with the modification in progress and the version
		// before it.
		shown := *p
		shown.State, shown.Version = "modify-in-progress", &prev
		out.PrefixList = &shown
		return putObj(tx, kindPrefixList, p.PrefixListID, p)
	})
}

// DeletePrefixListInput is the input of DeleteManagedPrefixList.
type DeletePrefixListInput struct {
	PrefixListID string `ec2:"PrefixListId,required"`
}

// DeleteManagedPrefixList deletes a customer-managed list no rule or route uses.
func (c *Cloud) DeleteManagedPrefixList(ctx context.Context, sc Scope, in *DeletePrefixListInput) (*PrefixListOutput, error) {
	out := &PrefixListOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.ownPrefixList(in.PrefixListID)
		if err != nil {
			return err
		}
		// AWS accepts the deletion of a list a rule or route references and
		// fails it afterwards: the list ends delete-failed, still in use.
		final := "delete-complete"
		sgs, err := listObj[SecurityGroup](tx, kindSG)
		if err != nil {
			return err
		}
		for _, g := range sgs {
			if slices.ContainsFunc(g.Rules, func(r SecurityGroupRule) bool { return r.PrefixListID == p.PrefixListID }) {
				final = "delete-failed"
			}
		}
		rts, err := listObj[RouteTable](tx, kindRT)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if slices.ContainsFunc(rt.Routes, func(r Route) bool { return r.DestinationPrefixListID == p.PrefixListID }) {
				final = "delete-failed"
			}
		}
		p.changed(tx.now, final)
		shown := *p
		shown.State = "delete-in-progress"
		out.PrefixList = &shown
		return putObj(tx, kindPrefixList, p.PrefixListID, p)
	})
}
