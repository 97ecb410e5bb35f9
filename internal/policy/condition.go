package policy

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Operator families.
const (
	famString = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// Comparisons for Numeric and Date.
const (
	cmpEq = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type opInfo struct {
	family  int
	cmp     int
	negated bool
}

var operators = map[string]opInfo{
	"StringEquals": {famString, cmpEq, false}, "StringNotEquals": {famString, cmpEq, true},
	"StringEqualsIgnoreCase": {famStringIgnoreCase, cmpEq, false}, "StringNotEqualsIgnoreCase": {famStringIgnoreCase, cmpEq, true},
	"StringLike": {famStringLike, cmpEq, false}, "StringNotLike": {famStringLike, cmpEq, true},
	"NumericEquals": {famNumeric, cmpEq, false}, "NumericNotEquals": {famNumeric, cmpEq, true},
	"NumericLessThan": {famNumeric, cmpLt, false}, "NumericLessThanEquals": {famNumeric, cmpLe, false},
	"NumericGreaterThan": {famNumeric, cmpGt, false}, "NumericGreaterThanEquals": {famNumeric, cmpGe, false},
	"DateEquals": {famDate, cmpEq, false}, "DateNotEquals": {famDate, cmpEq, true},
	"DateLessThan": {famDate, cmpLt, false}, "DateLessThanEquals": {famDate, cmpLe, false},
	"DateGreaterThan": {famDate, cmpGt, false}, "DateGreaterThanEquals": {famDate, cmpGe, false},
	"Bool": {famBool, cmpEq, false}, "BinaryEquals": {famBinary, cmpEq, false},
	"IpAddress": {famIP, cmpEq, false}, "NotIpAddress": {famIP, cmpEq, true},
	"ArnEquals": {famArn, cmpEq, false}, "ArnLike": {famArn, cmpEq, false},
	"ArnNotEquals": {famArn, cmpEq, true}, "ArnNotLike": {famArn, cmpEq, true},
	"Null": {famNull, cmpEq, false},
}

// Set modifiers.
const (
	setNone = iota
	setAny
	setAll
)

// Condition is one key tested by one operator, compiled.
type Condition struct {
	Operator string // as written
	Key      string // as written
	Values   []string
	Pos      Position

	key      string // lowercase
	op       opInfo
	ifExists bool
	set      int
	pats     []pattern
	arns     []arnPattern
	nums     []float64
	dates    []time.Time
	prefixes []netip.Prefix
	bools    []bool
	dateOK   []bool
	binaries [][]byte
}

// parseOperator splits ForAnyValue:/ForAllValues: and IfExists off an
// operator name.
func parseOperator(name string) (op opInfo, set int, ifExists bool, ok bool) {
	base := name
	if rest, found := strings.CutPrefix(base, "ForAnyValue:"); found {
		base, set = rest, setAny
	} else if rest, found := strings.CutPrefix(base, "ForAllValues:"); found {
		base, set = rest, setAll
	}
	if rest, found := strings.CutSuffix(base, "IfExists"); found && rest != "Null" {
		base, ifExists = rest, true
	}
	op, ok = operators[base]
	return op, set, ifExists, ok
}

// parseDate reads W3C ISO 8601 dates and epoch seconds.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(int64(n), 0), true
	}
	return time.Time{}, false
}

func parseIPOrPrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// compile prepares the condition's values for its operator. It returns,
// for each value, why the operator cannot use it ("" when it can); such a
// value never matches.
func (c *Condition) compile(vars bool) []string {
	msgs := make([]string, len(c.Values))
	for i, v := range c.Values {
		switch c.op.family {
		case famString, famStringIgnoreCase:
			c.pats = append(c.pats, compilePattern(v, false, vars))
		case famStringLike:
			c.pats = append(c.pats, compilePattern(v, true, vars))
		case famArn:
			a := compileARN(v, vars)
			if a.flat && !(a.whole.vars && len(a.whole.items) == 1) {
				msgs[i] = "The value " + v + " is not an ARN for " + c.Operator
			}
			c.arns = append(c.arns, a)
		case famNumeric:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				msgs[i] = "The value " + v + " is not a number for " + c.Operator
				n = math.NaN() // compares false with everything
			}
			c.nums = append(c.nums, n)
		case famDate:
			t, ok := parseDate(v)
			if !validDate(v) {
				msgs[i] = "The value " + v + " is not a date for " + c.Operator
				ok = false
			}
			c.dates = append(c.dates, t)
			c.dateOK = append(c.dateOK, ok)
		case famBool:
			// Bool compares true/false case-insensitively; policy
			// variables are allowed (the variables page).
			p := compilePattern(v, false, vars)
			if !p.vars && !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				msgs[i] = "The value " + v + " is not true or false for " + c.Operator
			}
			c.pats = append(c.pats, p)
		case famNull:
			switch {
			case strings.EqualFold(v, "true"):
				c.bools = append(c.bools, true)
			case strings.EqualFold(v, "false"):
				c.bools = append(c.bools, false)
			default:
				msgs[i] = "The value " + v + " is not true or false for " + c.Operator
			}
		case famIP:
			p, ok := parseIPOrPrefix(v)
			if !ok {
				msgs[i] = "The value " + v + " is not an IP address or CIDR for " + c.Operator
				continue
			}
			c.prefixes = append(c.prefixes, p)
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				msgs[i] = "The value " + v + " is not base64 for " + c.Operator
				continue
			}
			c.binaries = append(c.binaries, b)
		}
	}
	return msgs
}

// matchOne reports whether one request value matches any policy value
// under the positive form of the operator.
func (c *Condition) matchOne(v string, ctx *Context) bool {
	switch c.op.family {
	case famString:
		for i := range c.pats {
			if c.pats[i].match(v, ctx, false) {
				return true
			}
		}
	case famStringIgnoreCase:
		for i := range c.pats {
			if c.pats[i].match(v, ctx, true) {
				return true
			}
		}
	case famStringLike:
		for i := range c.pats {
			if c.pats[i].match(v, ctx, false) {
				return true
			}
		}
	case famArn:
		for i := range c.arns {
			if !c.arns[i].flat && c.arns[i].match(v, ctx) {
				return true
			}
		}
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, p := range c.nums {
			if compare(cmpFloat(n, p), c.op.cmp) {
				return true
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for i, p := range c.dates {
			if c.dateOK[i] && compare(t.Compare(p), c.op.cmp) {
				return true
			}
		}
	case famBool:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return false // a request value that is not a boolean matches nothing
		}
		for i := range c.pats {
			if c.pats[i].match(v, ctx, true) {
				return true
			}
		}
	case famBinary:
		got, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for _, want := range c.binaries {
			if bytes.Equal(got, want) {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// comparable reports whether a request value can be compared at all by
// the operator: ARN operators compare ARNs field by field, and a value
// that is not an ARN matches neither ArnLike nor ArnNotLike.
func (c *Condition) comparable(v string) bool {
	if c.op.family != famArn {
		return true
	}
	_, ok := splitARN(v)
	return ok
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c, cmp int) bool {
	switch cmp {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}

// eval decides the condition against a request's context. missing is set
// when the key was absent, so the caller can report it. A key present
// with no values counts as absent (the multivalued keys page: Null with
// false "checks that the key exists and its value is not null").
func (c *Condition) eval(ctx *Context) (ok, missing bool) {
	vals, present := ctx.get(c.key)
	present = present && len(vals) > 0
	if c.op.family == famNull {
		// "true": the key must be absent; "false": present. Set
		// operators do not change Null.
		for _, b := range c.bools {
			if b == !present {
				return true, false
			}
		}
		return false, false
	}
	if !present {
		switch {
		case c.ifExists:
			return true, true
		case c.set == setAll:
			return true, true
		case c.set == setAny:
			return false, true
		}
		return c.op.negated, true
	}
	switch c.set {
	case setAll:
		// Every request value matches (or, negated, matches none).
		for _, v := range vals {
			if !c.comparable(v) || c.matchOne(v, ctx) == c.op.negated {
				return false, false
			}
		}
		return true, false
	case setAny:
		for _, v := range vals {
			if c.comparable(v) && c.matchOne(v, ctx) != c.op.negated {
				return true, false
			}
		}
		return false, false
	}
	// Plain operator: positive if any value matches; negated if none does.
	any := false
	for _, v := range vals {
		if !c.comparable(v) {
			return false, false
		}
		if c.matchOne(v, ctx) {
			any = true
			break
		}
	}
	return any != c.op.negated, false
}
