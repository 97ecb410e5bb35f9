package policy

import (
	"strings"
)

// item is one piece of a compiled pattern: literal text, a wildcard, or a
// policy variable resolved at evaluation time.
type item struct {
	kind byte // 'l' literal, '*' star, '?' one char, 'v' variable
	text string
	// For variables: the context key (lowercase) and an optional default.
	key        string
	def        string
	hasDefault bool
}

// pattern is a compiled policy value: a glob with optional variables.
type pattern struct {
	raw   string
	items []item
	vars  bool
	// shape lets the common patterns skip the general matcher: 'a' any
	// ("*"), 'e' exact literal, 'p' literal prefix then "*", 'g' general.
	shape byte
	lit   string
}

// compilePattern parses wildcards (when glob) and, in 2012-10-17 policies,
// variables ${key}, ${key, 'default'} and the escapes ${*} ${?} ${$}.
func compilePattern(s string, glob, vars bool) pattern {
	p := pattern{raw: s}
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			p.items = append(p.items, item{kind: 'l', text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case glob && (c == '*' || c == '?'):
			flush()
			p.items = append(p.items, item{kind: c})
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				lit.WriteByte(c)
				continue
			}
			body := s[i+2 : i+end]
			i += end
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			case "":
				lit.WriteString("${}")
				continue
			}
			flush()
			it := item{kind: 'v'}
			if k, d, ok := strings.Cut(body, ","); ok {
				d = strings.TrimSpace(d)
				if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
					it.def, it.hasDefault = d[1:len(d)-1], true
				}
				body = k
			}
			it.key = strings.ToLower(strings.TrimSpace(body))
			p.items = append(p.items, it)
			p.vars = true
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	p.shape = 'g'
	switch {
	case len(p.items) == 0:
		p.shape, p.lit = 'e', ""
	case len(p.items) == 1 && p.items[0].kind == '*':
		p.shape = 'a'
	case len(p.items) == 1 && p.items[0].kind == 'l':
		p.shape, p.lit = 'e', p.items[0].text
	case len(p.items) == 2 && p.items[0].kind == 'l' && p.items[1].kind == '*':
		p.shape, p.lit = 'p', p.items[0].text
	}
	return p
}

// match reports whether s matches the pattern, resolving variables from
// ctx. An unresolvable variable makes the pattern match nothing. fold
// makes literal text compare case-insensitively (ASCII).
func (p *pattern) match(s string, ctx *Context, fold bool) bool {
	switch p.shape {
	case 'a':
		return true
	case 'e':
		if fold {
			return len(s) == len(p.lit) && hasPrefixFold(s, p.lit, true)
		}
		return s == p.lit
	case 'p':
		return hasPrefixFold(s, p.lit, fold)
	}
	items := p.items
	ii, si := 0, 0
	starI, starS := -1, 0
	for {
		if ii < len(items) {
			it := &items[ii]
			switch it.kind {
			case '*':
				starI, starS = ii, si
				ii++
				continue
			case '?':
				if si < len(s) {
					ii++
					si++
					continue
				}
			default:
				text := it.text
				if it.kind == 'v' {
					v, ok := ctx.single(it.key)
					if !ok {
						if !it.hasDefault {
							return false
						}
						v = it.def
					}
					text = v
				}
				if hasPrefixFold(s[si:], text, fold) {
					ii++
					si += len(text)
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starI < 0 {
			return false
		}
		starS++
		if starS > len(s) {
			return false
		}
		ii, si = starI+1, starS
	}
}

func hasPrefixFold(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if s[:len(prefix)] == prefix {
		return true // the common case, compared by memeq
	}
	if !fold {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		a, b := s[i], prefix[i]
		if a != b && lower(a) != lower(b) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// arnPattern matches ARNs segment by segment: partition, service, region
// and account case-insensitively, the resource part case-sensitively, each
// segment a glob (so * never crosses a colon of the first five, but does
// cross / in the resource part).
type arnPattern struct {
	// head, when set, is the whole "arn:aws:s3:::" part up to the fifth
	// colon when its five segments are plain literals: one comparison
	// instead of five.
	head  string
	all   bool // "*"
	segs  [6]pattern
	flat  bool // not an ARN: match the whole string as a glob
	whole pattern
}

func compileARN(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{all: true}
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return arnPattern{flat: true, whole: compilePattern(s, true, vars)}
	}
	var a arnPattern
	literal := true
	for i, part := range parts {
		a.segs[i] = compilePattern(part, true, vars && i == 5)
		if i < 5 && a.segs[i].shape != 'e' {
			literal = false
		}
	}
	if literal {
		a.head = strings.Join(parts[:5], ":") + ":"
	}
	return a
}

// couldName reports whether the pattern could name a resource of service
// svc (an IAM prefix): "*", an ARN whose service segment matches svc, or
// a pattern that is not an ARN (taken as able to name anything).
func (a *arnPattern) couldName(svc string) bool {
	if a.all || a.flat {
		return true
	}
	return a.segs[2].match(svc, nil, true) // (no variables outside the resource segment)
}

func (a *arnPattern) match(s string, ctx *Context) bool {
	segs, ok := splitARN(s)
	return a.matchSplit(s, &segs, ok, ctx)
}

// splitARN splits an ARN at its first five colons.
func splitARN(s string) (segs [6]string, ok bool) {
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return segs, false
		}
		segs[i], rest = rest[:j], rest[j+1:]
	}
	segs[5] = rest
	return segs, true
}

// matchSplit matches an ARN already split by splitARN.
func (a *arnPattern) matchSplit(s string, segs *[6]string, isARN bool, ctx *Context) bool {
	if a.all {
		return true
	}
	if a.flat {
		return a.whole.match(s, ctx, false)
	}
	if !isARN {
		return false
	}
	if a.head != "" {
		// The request's head is what its resource part leaves.
		if len(s)-len(segs[5]) != len(a.head) || !hasPrefixFold(s, a.head, true) {
			return false
		}
		return a.segs[5].match(segs[5], ctx, false)
	}
	for i := 0; i < 5; i++ {
		if !a.segs[i].match(segs[i], ctx, true) {
			return false
		}
	}
	return a.segs[5].match(segs[5], ctx, false)
}
