package cloud

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/store"
)

// Index records: small objects the store holds beside the ones they index,
// so that the rules that used to scan a kind read by key. They are derived
// from the indexed object's stored JSON by indexRecords, and kept in step
// by putObj and delObj in the same transaction (syncIndexesTxn); schema
// migrations 4 and 6–9 backfill them for state written before.
const (
	// kindSGName: VPC/name → group, AWS's uniqueness rule for names.
	kindSGName = "security-group-name"
	// kindAddress: subnet/ip → interface, the addresses in use per subnet.
	kindAddress = "address"
	// kindRef: group/kind/source under the group — the interfaces that use
	// a group and the groups whose rules name it (never itself).
	kindRef = "ref"
	// kindGatewayIndex: one record per live gateway endpoint of a region,
	// the quota's count.
	kindGatewayIndex = "gateway-endpoint"
	// kindTag: kind/len:key=value/id under kind/len:key=value; the length
	// (in characters) makes key and value unambiguous.
	kindTag = "tag"
	// kindRuleGroup: security group rule ID → its group, for the calls
	// that name a rule alone (CreateTags on sgr-…).
	kindRuleGroup = "sgr-group"
	// kindEndpointScope (global scope): endpoint ID → its account and
	// region, for the public vpce names (BackfillIndexes writes it for
	// endpoints stored before it existed).
	kindEndpointScope = "endpoint-scope"
)

func endpointScopeKey(id string) store.Key {
	return store.Key{Scope: globalScope, Kind: kindEndpointScope, ID: id}
}

func endpointScopeRec(sc Scope) []byte {
	b, _ := json.Marshal(sc)
	return b
}

// taggedKinds are the kinds whose tags are indexed.
var taggedKinds = map[string]bool{kindEIP: true, kindVpc: true, kindSubnet: true, kindSG: true, kindENI: true, kindInstance: true,
	kindEndpoint: true, kindRT: true, kindACL: true, kindIGW: true, kindNAT: true, kindEIGW: true, kindTGW: true, kindTGWAttachment: true, kindTGWRouteTable: true,
	kindCGW: true, kindVGW: true, kindVPN: true}

// idRec is the data of an index record that names one object.
type idRec struct {
	ID string `json:"id"`
}

func tagParent(kind, key, value string) string {
	return kind + "/" + strconv.Itoa(utf8.RuneCountInString(key)) + ":" + key + "=" + value
}

func sgNameKey(vpcID, name string) string { return vpcID + "/" + name }

func addressKey(subnet string, a netip.Addr) string { return subnet + "/" + a.String() }

// indexed is the union of the stored fields the indexes read.
type indexed struct {
	ID     string            `json:"id"`
	Tags   []Tag             `json:"tags"`
	Subnet string            `json:"subnet"` // interfaces
	IPs    []PrivateIP       `json:"ips"`    // interfaces
	IP6    []ENIIpv6Address  `json:"ip6"`    // interfaces
	Groups []GroupIdentifier `json:"groups"` // interfaces
	VPC    string            `json:"vpc"`    // groups
	Name   string            `json:"name"`   // groups
	Rules  []struct {
		ID  string           `json:"id"`
		Ref *ReferencedGroup `json:"ref"`
	} `json:"rules"` // groups
	Attachment *struct {
		ID string `json:"id"`
	} `json:"attachment"` // interfaces
	Type      string     `json:"type"`      // endpoints
	DeletedAt *time.Time `json:"deletedAt"` // endpoints
}

// indexedOf returns the fields of the object v that its index records
// read, for the types written most, so that a write need not decode the
// JSON it just encoded; ok is false for the other types. The stored JSON
// stays the definition: tests compare both ways on every write
// (checkIndexedOf).
func indexedOf(v any) (o indexed, ok bool) {
	switch v := v.(type) {
	case *Vpc:
		return indexed{Tags: v.Tags}, true
	case *Subnet:
		return indexed{Tags: v.Tags}, true
	case *NetworkInterface:
		o = indexed{Tags: v.Tags, Subnet: v.SubnetID, IPs: v.PrivateIPs, IP6: v.Ipv6Addresses, Groups: v.Groups}
		if v.Attachment != nil {
			o.Attachment = &struct {
				ID string `json:"id"`
			}{v.Attachment.AttachmentID}
		}
		return o, true
	case *SecurityGroup:
		o = indexed{Tags: v.Tags, VPC: v.VpcID, Name: v.GroupName}
		for _, r := range v.Rules {
			o.Rules = append(o.Rules, struct {
				ID  string           `json:"id"`
				Ref *ReferencedGroup `json:"ref"`
			}{r.SecurityGroupRuleID, r.ReferencedGroupInfo})
		}
		return o, true
	case *VpcEndpoint:
		return indexed{Tags: v.Tags, Type: v.VpcEndpointType, DeletedAt: v.DeletedAt}, true
	}
	return indexed{}, false
}

// checkIndexedOf makes every write that takes indexedOf's fields also
// decode its JSON and fail on a difference in the records (set by tests).
var checkIndexedOf bool

// indexRecords returns the index records of one stored version of an
// object (b nil: none), sorted by key.
func indexRecords(tx *txn, kind, id string, b []byte) ([]indexRec, error) {
	if b == nil {
		return nil, nil
	}
	var o indexed
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	return recordsOf(tx, kind, id, &o, nil), nil
}

// recordsOf returns the index records of an object with the fields o,
// sorted by key. old, when not nil, holds the records of the version it
// replaces (sorted): a tag record that did not change is taken from it
// instead of being built again, so a write that changes one tag of many
// builds one key.
func recordsOf(tx *txn, kind, id string, o *indexed, old []indexRec) []indexRec {
	named, _ := json.Marshal(idRec{ID: id})
	out := make([]indexRec, 0, len(o.IPs)+len(o.Groups)+len(o.Rules)+2)
	add := func(kind, recID, parent string, data []byte) {
		out = append(out, indexRec{store.Key{Scope: tx.sc, Kind: kind, ID: recID, Parent: parent}, data})
	}
	switch kind {
	case kindENI:
		eni, _ := json.Marshal(struct {
			ENI string `json:"eni"`
		}{id})
		for _, ip := range o.IPs {
			add(kindAddress, addressKey(o.Subnet, ip.PrivateIPAddress), o.Subnet, eni)
		}
		for _, ip := range o.IP6 {
			add(kindAddress, addressKey(o.Subnet, ip.Ipv6Address), o.Subnet, eni)
		}
		for _, g := range o.Groups {
			add(kindRef, g.GroupID+"/"+kind+"/"+id, g.GroupID, []byte("{}"))
		}
		if o.Attachment != nil && o.Attachment.ID != "" {
			add(kindAttachment, o.Attachment.ID, "", named)
		}
	case kindSG:
		add(kindSGName, sgNameKey(o.VPC, o.Name), "", named)
		for _, r := range o.Rules {
			if r.ID != "" {
				add(kindRuleGroup, r.ID, "", named)
			}
			if r.Ref != nil && r.Ref.GroupID != id {
				add(kindRef, r.Ref.GroupID+"/"+kind+"/"+id, r.Ref.GroupID, []byte("{}"))
			}
		}
	case kindEndpoint:
		if o.Type == EndpointGateway && o.DeletedAt == nil {
			add(kindGatewayIndex, id, "", []byte("{}"))
		}
		// The endpoint's scope by ID, across accounts: its public vpce
		// names carry the ID, and DNS looks them up by it.
		out = append(out, indexRec{endpointScopeKey(id), endpointScopeRec(tx.sc)})
	}
	slices.SortFunc(out, func(a, b indexRec) int { return compareKeys(a.key, b.key) })
	if taggedKinds[kind] && len(o.Tags) > 0 {
		out = mergeRecords(out, tagRecords(tx.sc, kind, id, o.Tags, old, named))
	}
	// One record per key: a group's rules may name the same group twice.
	return slices.CompactFunc(out, func(a, b indexRec) bool { return a.key == b.key })
}

// tagRecords returns the tag records of an object, sorted by key. Every
// record's ID is written into one buffer and sorted there; an ID found
// among old's records takes that record, so only new tags allocate.
func tagRecords(sc Scope, kind, id string, tags []Tag, old []indexRec, named []byte) []indexRec {
	size := 0
	for _, t := range tags {
		size += len(kind) + len(t.Key) + len(t.Value) + len(id) + 8
	}
	buf := make([]byte, 0, size)
	ends := make([]int, len(tags))
	for i, t := range tags {
		buf = append(buf, kind...)
		buf = append(buf, '/')
		buf = strconv.AppendInt(buf, int64(utf8.RuneCountInString(t.Key)), 10)
		buf = append(buf, ':')
		buf = append(buf, t.Key...)
		buf = append(buf, '=')
		buf = append(buf, t.Value...)
		buf = append(buf, '/')
		buf = append(buf, id...)
		ends[i] = len(buf)
	}
	recID := func(i int) []byte {
		if i == 0 {
			return buf[:ends[0]]
		}
		return buf[ends[i-1]:ends[i]]
	}
	order := make([]int, len(tags))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(recID(a), recID(b)) })
	// old's tag records, sorted by ID as these are.
	lo, _ := slices.BinarySearchFunc(old, kindTag, func(r indexRec, k string) int { return strings.Compare(r.key.Kind, k) })
	hi := lo
	for hi < len(old) && old[hi].key.Kind == kindTag {
		hi++
	}
	was := old[lo:hi]
	out := make([]indexRec, 0, len(tags))
	for _, i := range order {
		b := recID(i)
		for len(was) > 0 && was[0].key.ID < string(b) {
			was = was[1:]
		}
		if len(was) > 0 && was[0].key.ID == string(b) && was[0].key.Scope == sc {
			out = append(out, was[0])
			continue
		}
		s := string(b)
		out = append(out, indexRec{store.Key{Scope: sc, Kind: kindTag, ID: s, Parent: s[:len(s)-len(id)-1]}, named})
	}
	return out
}

// mergeRecords merges two lists of records sorted by key.
func mergeRecords(a, b []indexRec) []indexRec {
	if len(a) == 0 {
		return b
	}
	out := make([]indexRec, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if compareKeys(b[0].key, a[0].key) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// indexRec is one index record: its key and data.
type indexRec struct {
	key  store.Key
	data []byte
}

// compareKeys orders keys by kind, ID, parent and scope.
func compareKeys(a, b store.Key) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Parent, b.Parent); c != 0 {
		return c
	}
	if c := strings.Compare(a.Account, b.Account); c != 0 {
		return c
	}
	return strings.Compare(a.Region, b.Region)
}

// syncIndexesTxn brings the index records of an object in step with its
// new stored JSON b (nil: the object is deleted), reading the previous
// version once.
func (tx *txn) syncIndexesTxn(kind, id string, b []byte) error {
	return tx.syncIndexes(kind, id, b, nil, false)
}

// syncIndexes is syncIndexesTxn; v, when not nil, is the object b encodes
// (see indexedOf); isNew says the caller knows the object was not stored
// before (an import that checked), so there is no previous version to
// read.
func (tx *txn) syncIndexes(kind, id string, b []byte, v any, isNew bool) error {
	if !taggedKinds[kind] && kind != kindENI && kind != kindSG && kind != kindEndpoint {
		return nil
	}
	var prev []byte
	if !isNew {
		var err error
		prev, err = tx.Get(store.Key{Scope: tx.sc, Kind: kind, ID: id})
		if errors.Is(err, store.ErrNotFound) {
			prev, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	key := store.Key{Scope: tx.sc, Kind: kind, ID: id}
	old, ok := tx.c.indexes.get(key, prev)
	if !ok {
		var err error
		if old, err = indexRecords(tx, kind, id, prev); err != nil {
			return err
		}
	}
	var cur []indexRec
	if o, ok := indexedOf(v); ok && b != nil {
		cur = recordsOf(tx, kind, id, &o, old)
		if checkIndexedOf {
			if want, err := indexRecords(tx, kind, id, b); err != nil || !slices.EqualFunc(cur, want, func(a, b indexRec) bool { return a.key == b.key && string(a.data) == string(b.data) }) {
				panic(fmt.Sprintf("indexedOf(%T) gives the records %v, its JSON %v (%v)", v, cur, want, err))
			}
		}
	} else {
		var err error
		if cur, err = indexRecords(tx, kind, id, b); err != nil {
			return err
		}
	}
	tx.c.indexes.put(key, b, cur)
	// Both are sorted: delete what only old has, put what only cur has.
	for len(old) > 0 || len(cur) > 0 {
		var c int
		switch {
		case len(old) == 0:
			c = 1
		case len(cur) == 0:
			c = -1
		default:
			c = compareKeys(old[0].key, cur[0].key)
		}
		switch {
		case c < 0:
			if err := tx.Delete(old[0].key); err != nil {
				return err
			}
			old = old[1:]
		case c > 0:
			if err := tx.Put(cur[0].key, cur[0].data); err != nil {
				return err
			}
			cur = cur[1:]
		default:
			old, cur = old[1:], cur[1:]
		}
	}
	return nil
}

// indexCache keeps the index records computed for the last stored version
// of each object, keyed by the identity of its stored bytes: the memory
// store hands back the very slice that was put, so the next write of the
// object need not decode the previous version to know what to replace.
// A version that was never committed (its transaction failed) is never
// handed back, so it cannot match.
type indexCache struct {
	mu sync.Mutex
	m  map[store.Key]cachedIndex
}

type cachedIndex struct {
	data *byte
	n    int
	recs []indexRec
}

func (c *indexCache) get(k store.Key, b []byte) ([]indexRec, bool) {
	if len(b) == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || e.data != unsafe.SliceData(b) || e.n != len(b) {
		return nil, false
	}
	return e.recs, true
}

func (c *indexCache) put(k store.Key, b []byte, recs []indexRec) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(b) == 0 {
		delete(c.m, k)
		return
	}
	if c.m == nil {
		c.m = map[store.Key]cachedIndex{}
	}
	c.m[k] = cachedIndex{data: unsafe.SliceData(b), n: len(b), recs: recs}
}

func (c *indexCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
