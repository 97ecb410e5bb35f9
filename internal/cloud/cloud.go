package cloud

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// Scope is the account and region a request acts in.
type Scope = store.Scope

// Config configures a [Cloud]. Only Store is required.
type Config struct {
	// Store holds all state.
	Store store.Store
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Logger receives debug logs; nil means slog.Default().
	Logger *slog.Logger
	// ProvisionDelay is how long resources that AWS provisions
	// asynchronously (NAT gateways, instances, interface endpoints) stay in
	// their transitional state. Zero means one second; negative means none.
	ProvisionDelay time.Duration
	// ResolverPrefix is the loopback range from which each VPC gets the
	// address of its DNS resolver. Zero means 127.100.0.0/16.
	ResolverPrefix netip.Prefix
	// DeletedRetention is how long deleted NAT gateways and terminated
	// instances stay visible. Zero means one hour, as in AWS.
	DeletedRetention time.Duration
	// Quotas override AWS's default quotas by name ("vpcs": VPCs per
	// account and region, 5). A missing name keeps AWS's default.
	Quotas map[string]int
	// Paths analyses Network Insights paths (the path engine); without
	// it analyses fail with a message saying so.
	Paths PathAnalyzer
}

// DefaultQuotas are AWS's default service quotas that vpce enforces, per
// account and region.
var DefaultQuotas = map[string]int{QuotaVPCs: 5}

// Quota names.
const (
	// QuotaVPCs is the number of VPCs per account and region, the default
	// VPC included.
	QuotaVPCs = "vpcs"
)

// Cloud is the control plane over one store.
type Cloud struct {
	st        store.Store
	clock     func() time.Time
	log       *slog.Logger
	delay     time.Duration
	retention time.Duration

	inited sync.Map // Scope → struct{}: scopes whose defaults exist

	resolverPrefix netip.Prefix
	quotas         map[string]int
	gen            atomic.Uint64 // bumped after every committed change
	changes        changes       // per kind and scope, the generation of its last change
	dnsGen         atomic.Uint64 // bumped after changes DNS reads
	snaps          snapshotCache
	linked         linkedCache
	buckets        sync.Map      // bucket name → cachedBucket
	enis           eniCache      // decoded interfaces of the last snapshots
	indexes        indexCache    // index records of the last stored versions
	bucketGen      atomic.Uint64 // bumped after every bucket change
	paths          PathAnalyzer
}

// Generation reports a number that changes after every committed change,
// so that derived views (the DNS resolver's) know when to rebuild.
func (c *Cloud) Generation() uint64 { return c.gen.Load() }

// DNSGeneration changes after every committed change to what DNS views
// are compiled from (VPCs, subnets, endpoints, resolver addresses); a
// change DNS does not read leaves it alone, so it costs DNS nothing.
func (c *Cloud) DNSGeneration() uint64 { return c.dnsGen.Load() }

// dnsKinds are the kinds DNS views are built from. Interfaces are not
// among them: host names are looked up when asked (HostLookup), and an
// endpoint's interfaces change only with the endpoint.
var dnsKinds = map[string]bool{kindVpc: true, kindSubnet: true, kindEndpoint: true, kindResolver: true, kindHostedZone: true,
	kindResolverEndpoint: true, kindResolverRule: true, kindResolverRuleAssoc: true, kindShare: true}

// recordingTxn notes whether a transaction wrote a kind DNS reads, and
// the kinds it wrote in which scopes.
type recordingTxn struct {
	store.Txn
	dns   bool
	parts []part
	enis  []store.Key // interfaces written
}

func (t *recordingTxn) wrote(k store.Key) {
	t.dns = t.dns || dnsKinds[k.Kind]
	if p := (part{k.Scope, k.Kind}); !slices.Contains(t.parts, p) {
		t.parts = append(t.parts, p)
	}
	if k.Kind == kindENI {
		t.enis = append(t.enis, k)
	}
}

func (t *recordingTxn) Put(k store.Key, data []byte) error {
	t.wrote(k)
	if k.Kind == kindEIP {
		t.shownOn(k, data)
	}
	return t.Txn.Put(k, data)
}

func (t *recordingTxn) Delete(k store.Key) error {
	t.wrote(k)
	if k.Kind == kindEIP {
		t.shownOn(k, nil)
	}
	return t.Txn.Delete(k)
}

// shownOn logs, as interfaces written, those an Elastic IP is shown on
// before and after a write of it (an association made, moved or gone),
// so that snapshots patch just those.
func (t *recordingTxn) shownOn(k store.Key, data []byte) {
	old, _ := t.Txn.Get(k)
	t.shownOnVersions(k, old, data)
}

// shownOnVersions is shownOn with both versions given (nil: none).
func (t *recordingTxn) shownOnVersions(k store.Key, before, after []byte) {
	for _, b := range [][]byte{before, after} {
		var a struct {
			ENI string `json:"eni"`
		}
		if b != nil && json.Unmarshal(b, &a) == nil && a.ENI != "" {
			t.enis = append(t.enis, store.Key{Scope: k.Scope, Kind: kindENI, ID: a.ENI})
		}
	}
}

// New returns a Cloud over cfg.Store.
func New(cfg Config) *Cloud {
	c := &Cloud{st: cfg.Store, clock: cfg.Clock, log: cfg.Logger, delay: cfg.ProvisionDelay, retention: cfg.DeletedRetention, paths: cfg.Paths}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	switch {
	case c.delay == 0:
		c.delay = time.Second
	case c.delay < 0:
		c.delay = 0
	}
	if c.retention == 0 {
		c.retention = time.Hour
	}
	c.quotas = map[string]int{}
	for k, v := range DefaultQuotas {
		c.quotas[k] = v
	}
	for k, v := range cfg.Quotas {
		c.quotas[k] = v
	}
	if r, ok := cfg.Store.(remoteChanges); ok {
		r.OnRemoteChange(c.remoteChanged)
	}
	c.resolverPrefix = cfg.ResolverPrefix
	if !c.resolverPrefix.IsValid() {
		c.resolverPrefix = netip.MustParsePrefix("127.100.0.0/16")
	}
	return c
}

// Reset deletes all state in every account and region.
func (c *Cloud) Reset(ctx context.Context) error {
	if err := c.st.Reset(ctx); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	c.everythingChanged()
	c.enis.mu.Lock()
	c.enis.m = nil
	c.enis.mu.Unlock()
	c.indexes.clear()
	return nil
}

// remoteChanges is a store shared with other processes (store.Memory over
// PostgreSQL) that reports what they committed.
type remoteChanges interface {
	OnRemoteChange(fn func(changes []store.RemoteChange))
}

// remoteChanged marks what another process wrote as a local commit marks
// its own (the parts, the interfaces), so that this process's derived
// views (DNS zones, snapshots, bucket answers) follow it as they follow
// local writes; changes nil means everything (a reset or a reload).
func (c *Cloud) remoteChanged(changes []store.RemoteChange) {
	if changes == nil {
		c.everythingChanged()
		return
	}
	rec := &recordingTxn{}
	bucket := false
	for _, ch := range changes {
		rec.wrote(ch.Key)
		bucket = bucket || ch.Key.Kind == kindBucket
		if ch.Key.Kind == kindEIP {
			rec.shownOnVersions(ch.Key, ch.Before, ch.After)
		}
	}
	c.marks(rec)
	if bucket {
		c.bucketGen.Add(1)
	}
}

// everythingChanged makes every derived view stale (a reset, here or in
// another process sharing the store): snapshots, DNS zones, bucket
// answers, and the accounts' defaults.
func (c *Cloud) everythingChanged() {
	c.inited.Clear()
	c.changes.mu.Lock()
	c.changes.all.Store(c.gen.Add(1))
	c.changes.mu.Unlock()
	c.dnsGen.Add(1)
	c.bucketGen.Add(1)
}

// marks moves the generation and marks what a committed change wrote (the
// parts, the interfaces, DNS) under one lock, so a build never sees the
// generation without its marks.
func (c *Cloud) marks(rec *recordingTxn) {
	c.changes.mu.Lock()
	g := c.gen.Add(1)
	for _, p := range rec.parts {
		c.changes.mark(p, g)
	}
	c.changes.logInterfaces(rec.enis, g)
	c.changes.mu.Unlock()
	if rec.dns {
		c.dnsGen.Add(1)
	}
}

// txn is a store transaction bound to one scope and one instant.
type txn struct {
	store.Txn
	c   *Cloud
	sc  Scope
	now time.Time
}

// update runs fn in a write transaction in sc, creating the scope's default
// resources first if this is its first use.
func (c *Cloud) update(ctx context.Context, sc Scope, fn func(*txn) error) error {
	return c.updateWith(ctx, sc, true, fn)
}

// updateWith is update; defaults says whether a scope's first use creates
// its default VPC (an import brings the account's own instead).
func (c *Cloud) updateWith(ctx context.Context, sc Scope, defaults bool, fn func(*txn) error) error {
	if err := checkScope(sc); err != nil {
		return err
	}
	var rec *recordingTxn
	err := c.st.Update(ctx, func(stx store.Txn) error {
		rec = &recordingTxn{Txn: stx}
		tx := &txn{Txn: rec, c: c, sc: sc, now: c.clock().UTC()}
		if defaults {
			if err := tx.ensureDefaultsTxn(); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	if err != nil {
		if _, isAPI := apierr.As(err); !isAPI {
			return internal(err)
		}
		return err
	}
	c.inited.Store(sc, struct{}{})
	c.marks(rec)
	return nil
}

// view runs fn in a read transaction in sc (a scope's first use creates
// its default resources first).
func (c *Cloud) view(ctx context.Context, sc Scope, fn func(*txn) error) error {
	return c.viewWith(ctx, sc, true, fn)
}

// viewWith is view; init says whether a scope not used yet gets its
// defaults first (a scope only read on another's behalf does not).
func (c *Cloud) viewWith(ctx context.Context, sc Scope, init bool, fn func(*txn) error) error {
	return c.viewStore(ctx, sc, init, nil, fn)
}

// viewStore is viewWith; wrap, when given, wraps the store's transaction.
func (c *Cloud) viewStore(ctx context.Context, sc Scope, init bool, wrap func(store.Txn) store.Txn, fn func(*txn) error) error {
	if err := checkScope(sc); err != nil {
		return err
	}
	if _, ok := c.inited.Load(sc); !ok && init {
		if err := c.update(ctx, sc, func(*txn) error { return nil }); err != nil {
			return err
		}
	}
	err := c.st.View(ctx, func(stx store.Txn) error {
		if wrap != nil {
			stx = wrap(stx)
		}
		return fn(&txn{Txn: stx, c: c, sc: sc, now: c.clock().UTC()})
	})
	if _, isAPI := apierr.As(err); err != nil && !isAPI {
		return internal(err)
	}
	return err
}

func checkScope(sc Scope) error {
	if _, ok := catalog.LookupRegion(sc.Region); !ok {
		return &apierr.Error{Code: "AuthFailure", Status: 401,
			Message: fmt.Sprintf("AWS was not able to validate the provided access credentials (unknown region %q)", sc.Region)}
	}
	return nil
}

func (tx *txn) region() catalog.Region {
	r, _ := catalog.LookupRegion(tx.sc.Region)
	return r
}

// Object kinds as stored.
const (
	kindScope      = "scope"
	kindVpc        = "vpc"
	kindSubnet     = "subnet"
	kindRT         = "route-table"
	kindSG         = "security-group"
	kindACL        = "network-acl"
	kindIGW        = "internet-gateway"
	kindNAT        = "natgateway"
	kindENI        = "network-interface"
	kindInstance   = "instance"
	kindToken      = "client-token"
	kindEndpoint   = "vpc-endpoint"
	kindPrefixList = "prefix-list"
)

func getObj[T any](tx *txn, kind, id string) (*T, error) {
	b, err := tx.Get(store.Key{Scope: tx.sc, Kind: kind, ID: id})
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", kind, id, err)
	}
	return v, nil
}

func listObj[T any](tx *txn, kind string) ([]*T, error) {
	rs, err := tx.List(tx.sc, kind)
	if err != nil {
		return nil, err
	}
	return decodeAll[T](kind, rs)
}

// decodeAll decodes stored records into objects.
func decodeAll[T any](kind string, rs []store.Record) ([]*T, error) {
	out := make([]*T, 0, len(rs))
	for _, r := range rs {
		v := new(T)
		if err := json.Unmarshal(r.Data, v); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", kind, r.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// childObject is implemented by objects stored with a parent index.
type childObject interface{ parentID() string }

func putObj(tx *txn, kind, id string, v any) error { return putObjWith(tx, kind, id, v, false) }

// putObjWith is putObj; isNew says the object is known not to be stored
// yet (see syncIndexes).
func putObjWith(tx *txn, kind, id string, v any, isNew bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, id, err)
	}
	k := store.Key{Scope: tx.sc, Kind: kind, ID: id}
	if c, ok := v.(childObject); ok {
		k.Parent = c.parentID()
	}
	if err := tx.syncIndexes(kind, id, b, v, isNew); err != nil {
		return err
	}
	return tx.Put(k, b)
}

// listChildren returns the objects of a kind stored under a parent.
func listChildren[T any](tx *txn, kind, parent string) ([]*T, error) {
	rs, err := tx.ListChildren(tx.sc, kind, parent)
	if err != nil {
		return nil, err
	}
	return decodeAll[T](kind, rs)
}

func delObj(tx *txn, kind, id string) error {
	if err := tx.syncIndexesTxn(kind, id, nil); err != nil {
		return err
	}
	return tx.Delete(store.Key{Scope: tx.sc, Kind: kind, ID: id})
}

// getOr returns the object or the given not-found error.
func getOr[T any](tx *txn, kind, id string, notFound func() error) (*T, error) {
	v, err := getObj[T](tx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound()
	}
	return v, err
}

// newID returns prefix-<17 lowercase hex>, AWS's long ID form.
func newID(prefix string) string {
	var b [9]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

// checkID validates an ID's shape: prefix-hex of 8 or 17 digits.
func checkID(id, prefix, code string) error {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if ok && (len(rest) == 8 || len(rest) == 17) && isLowerHex(rest) {
		return nil
	}
	return apierr.New(code, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
}

func isLowerHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return s != ""
}

// Timestamp is a time written as AWS writes it: 2006-01-02T15:04:05.000Z.
type Timestamp time.Time

// MarshalText implements encoding.TextMarshaler.
func (t Timestamp) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z")), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Timestamp) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339Nano, string(b))
	*t = Timestamp(v)
	return err
}

// Time returns t as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

func boolPtr(b bool) *bool { return &b }

// AttributeBoolean is the EC2 `X.Value=true` shape of boolean attributes.
type AttributeBoolean struct {
	Value *bool `ec2:"Value" xml:"value"`
}

// AttributeString is the EC2 `X.Value=s` shape of string attributes.
type AttributeString struct {
	Value *string `ec2:"Value" xml:"value"`
}

// Return is the output of actions that answer only <return>true</return>.
type Return struct {
	Return bool `xml:"return"`
}

var ok = &Return{Return: true}

// countTxn counts the objects of a kind in the transaction's scope.
func (tx *txn) countTxn(kind string) (int, error) {
	rs, err := tx.List(tx.sc, kind)
	return len(rs), err
}

// listIDs returns the objects of a kind with the given IDs — read by key,
// O(k log n) — or, when ids is empty, every object of the kind. Missing
// IDs are left out; the caller's selectIDs reports them in AWS's words.
func listIDs[T any](tx *txn, kind string, ids []string) ([]*T, error) {
	if len(ids) == 0 {
		return listObj[T](tx, kind)
	}
	out := make([]*T, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		v, err := getObj[T](tx, kind, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// listByParent narrows a listing through the parent index when a filter
// names the parent field with literal values (vpc-id=vpc-1 on security
// groups): the objects under each value are read instead of the whole
// kind. ok is false when no such filter is given. The caller still applies
// every filter, this one included.
func listByParent[T any](tx *txn, kind string, fs []Filter, parentFilter string) (items []*T, ok bool, err error) {
	for _, f := range fs {
		if f.Name != parentFilter || len(f.Values) == 0 {
			continue
		}
		for _, v := range f.Values {
			if strings.ContainsAny(v, "*?") {
				return nil, false, nil
			}
		}
		for _, v := range f.Values {
			objs, err := listChildren[T](tx, kind, v)
			if err != nil {
				return nil, true, err
			}
			items = append(items, objs...)
		}
		return items, true, nil
	}
	return nil, false, nil
}

// listByTag narrows a listing through the tag index when a tag:Key filter
// has literal values. ok is false when there is none; the caller still
// applies every filter.
func listByTag[T any](tx *txn, kind string, fs []Filter) (items []*T, ok bool, err error) {
	for _, f := range fs {
		key, isTag := strings.CutPrefix(f.Name, "tag:")
		if !isTag || len(f.Values) == 0 || strings.ContainsAny(key, "*?") {
			continue
		}
		literal := true
		for _, v := range f.Values {
			literal = literal && !strings.ContainsAny(v, "*?")
		}
		if !literal {
			continue
		}
		seen := map[string]bool{}
		for _, v := range f.Values {
			rs, err := tx.ListChildren(tx.sc, kindTag, tagParent(kind, key, v))
			if err != nil {
				return nil, true, err
			}
			for _, r := range rs {
				var rec idRec
				if err := json.Unmarshal(r.Data, &rec); err != nil {
					return nil, true, err
				}
				if seen[rec.ID] {
					continue
				}
				seen[rec.ID] = true
				o, err := getObj[T](tx, kind, rec.ID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, true, err
				}
				items = append(items, o)
			}
		}
		return items, true, nil
	}
	return nil, false, nil
}

// narrow lists the objects a Describe must look at: those with the given
// IDs; else those under the parent a literal parentFilter names (empty:
// none); else those a literal tag filter names; else the whole kind.
func narrow[T any](tx *txn, kind string, ids []string, fs []Filter, parentFilter string) ([]*T, error) {
	if len(ids) > 0 {
		return listIDs[T](tx, kind, ids)
	}
	if parentFilter != "" {
		if items, ok, err := listByParent[T](tx, kind, fs, parentFilter); ok {
			return items, err
		}
	}
	if items, ok, err := listByTag[T](tx, kind, fs); ok {
		return items, err
	}
	return listObj[T](tx, kind)
}
