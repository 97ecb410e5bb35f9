package cloud

import (
	"context"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
)

// Filter is one Filter.N of a Describe request: a name and the values, any
// of which may match. Values may hold the wildcards * and ?.
type Filter struct {
	Name   string   `ec2:"Name"`
	Values []string `ec2:"Value"`
}

// fields maps an action's filter names to the values a resource has for
// them. Tag filters (tag:<key>, tag-key, tag-value) are added by [filter].
type fields[T any] map[string]func(*T) []string

// AWS's filter limits: filters per call, and values over all of them.
const (
	maxFilters      = 50
	maxFilterValues = 200
)

// filter keeps the items that match every filter. An unknown filter name is
// AWS's InvalidParameterValue; more than AWS's limits of filters or values
// is FilterLimitExceeded. It stops when ctx is done (the client left).
func filter[T any](ctx context.Context, items []*T, fs []Filter, known fields[T], tags func(*T) []Tag) ([]*T, error) {
	if len(fs) > maxFilters {
		return nil, apierr.New("FilterLimitExceeded", "The maximum number of filters specified on a single call is %d", maxFilters)
	}
	values := 0
	for _, f := range fs {
		values += len(f.Values)
	}
	if values > maxFilterValues {
		return nil, apierr.New("FilterLimitExceeded", "The maximum number of filter values specified on a single call is %d", maxFilterValues)
	}
	for _, f := range fs {
		if f.Name == "" {
			return nil, apierr.Missing("Filter.Name")
		}
		if _, ok := known[f.Name]; ok {
			continue
		}
		if tags != nil && (strings.HasPrefix(f.Name, "tag:") || f.Name == "tag-key" || f.Name == "tag-value") {
			continue
		}
		return nil, apierr.InvalidValue("The filter '%s' is invalid", f.Name)
	}
	if len(fs) == 0 {
		return items, nil
	}
	out := items[:0:0]
	for i, it := range items {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if matchAll(it, fs, known, tags) {
			out = append(out, it)
		}
	}
	return out, nil
}

func matchAll[T any](it *T, fs []Filter, known fields[T], tags func(*T) []Tag) bool {
	for _, f := range fs {
		if len(f.Values) == 0 {
			continue
		}
		var have []string
		if get, ok := known[f.Name]; ok {
			have = get(it)
		} else {
			ts := tags(it)
			switch {
			case f.Name == "tag-key":
				for _, t := range ts {
					have = append(have, t.Key)
				}
			case f.Name == "tag-value":
				for _, t := range ts {
					have = append(have, t.Value)
				}
			default:
				key := strings.TrimPrefix(f.Name, "tag:")
				for _, t := range ts {
					if t.Key == key {
						have = append(have, t.Value)
					}
				}
			}
		}
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if Glob(p, h) {
				return true
			}
		}
	}
	return false
}

// Glob reports whether s matches pattern, where * matches any run of
// characters (including none) and ? exactly one. Matching is case-sensitive,
// as EC2 filter values are.
func Glob(pattern, s string) bool {
	// Iterative matcher with single-star backtracking: linear in practice.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// one returns a filter value list of one string.
func one(s string) []string { return []string{s} }

func boolStr(b bool) []string {
	if b {
		return one("true")
	}
	return one("false")
}
