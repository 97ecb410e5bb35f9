package cloud

import (
	"encoding/base64"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
)

// Page is the MaxResults/NextToken pair of a paginated Describe request.
type Page struct {
	// MaxResults is 64-bit so that a value past 2^31 gets AWS's range
	// message rather than a parse error.
	MaxResults *int64 `ec2:"MaxResults"`
	NextToken  string `ec2:"NextToken"`
}

const tokenPrefix = "v1:"

// paginate returns one page of items in ID order. The token names the last
// ID returned, so paging is stable under concurrent writes: an item that
// exists throughout is returned exactly once. Without MaxResults or
// NextToken every item is returned.
func paginate[T any](items []*T, id func(*T) string, p Page, lo, hi int) ([]*T, string, error) {
	sort.Slice(items, func(i, j int) bool { return id(items[i]) < id(items[j]) })
	after, err := p.after()
	if err != nil {
		return nil, "", err
	}
	n := sort.Search(len(items), func(i int) bool { return id(items[i]) > after })
	items = items[n:]
	if p.MaxResults == nil {
		return items, "", nil
	}
	m, err := p.size(lo, hi)
	if err != nil {
		return nil, "", err
	}
	if len(items) <= m {
		return items, "", nil
	}
	items = items[:m]
	return items, encodeToken(id(items[m-1])), nil
}

// pageObj reads one page of a kind in ID order straight from the store —
// the objects after the token, as many as MaxResults, skipping those keep
// rejects — so that a page costs O(page + log n) and full paging O(n). ok
// is false when the request is not a plain page (no MaxResults, or IDs or
// filters given): the caller then lists and filters everything.
func pageObj[T any](tx *txn, kind string, p Page, lo, hi int, plain bool, keep func(*T) bool, id func(*T) string) (items []*T, next string, ok bool, err error) {
	if !plain || p.MaxResults == nil {
		return nil, "", false, nil
	}
	after, err := p.after()
	if err != nil {
		return nil, "", true, err
	}
	m, err := p.size(lo, hi)
	if err != nil {
		return nil, "", true, err
	}
	for len(items) <= m {
		rs, err := tx.ListAfter(tx.sc, kind, after, m+1)
		if err != nil {
			return nil, "", true, err
		}
		objs, err := decodeAll[T](kind, rs)
		if err != nil {
			return nil, "", true, err
		}
		for i, o := range objs {
			after = rs[i].ID
			if keep == nil || keep(o) {
				items = append(items, o)
			}
		}
		if len(rs) < m+1 {
			break // the kind is exhausted
		}
	}
	if len(items) > m {
		items = items[:m]
		return items, encodeToken(id(items[m-1])), true, nil
	}
	return items, "", true, nil
}

// after returns the ID the page starts after, from the token ("" for the
// first page).
func (p Page) after() (string, error) {
	if p.NextToken == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.NextToken)
	after, ok := strings.CutPrefix(string(raw), tokenPrefix)
	if err != nil || !ok {
		return "", apierr.New("InvalidNextToken", "The token '%s' is invalid.", apierr.Clip(p.NextToken))
	}
	return after, nil
}

// size returns MaxResults, checked against the action's bounds.
func (p Page) size(lo, hi int) (int, error) {
	m := *p.MaxResults
	if m < int64(lo) || m > int64(hi) {
		return 0, apierr.InvalidValue("Value ( %d ) for parameter maxResults is invalid. Parameter must be between %d and %d.", m, lo, hi)
	}
	return int(m), nil
}

func encodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + after))
}

// selectIDs keeps the items whose IDs are listed, failing with notFound for
// the first listed ID that does not exist. An empty list keeps all.
func selectIDs[T any](items []*T, id func(*T) string, ids []string, notFound func(string) error) ([]*T, error) {
	if len(ids) == 0 {
		return items, nil
	}
	by := make(map[string]*T, len(items))
	for _, it := range items {
		by[id(it)] = it
	}
	seen := map[string]bool{}
	var out []*T
	for _, want := range ids {
		it, ok := by[want]
		if !ok {
			return nil, notFound(want)
		}
		if !seen[want] {
			seen[want] = true
			out = append(out, it)
		}
	}
	return out, nil
}

func errNotFoundMany(code, noun string) func(string) error {
	return func(id string) error {
		return apierr.New(code, "The %s ID '%s' does not exist", noun, id)
	}
}
