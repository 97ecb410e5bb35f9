package policy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Position is a 1-based line and column in a policy document, and the
// byte offset (0-based) it stands at.
type Position struct {
	Line   int `json:"Line"`
	Column int `json:"Column"`
	Offset int `json:"-"`
}

// String implements fmt.Stringer.
func (p Position) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column) }

// node is a JSON value with where it starts and ends. Objects keep their
// members in order, duplicates included, so that validation can see them.
type node struct {
	kind       byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str        string
	members    []member
	elems      []*node
	start, end Position
	// path leads from the document to this value, in Access Analyzer's
	// terms.
	path []PathElement
}

type member struct {
	key            string
	keyPos, keyEnd Position
	val            *node
}

// PathElement is one step of a JSON path, as Access Analyzer writes it:
// an array index, an object key (the key itself) or the value of a key.
type PathElement struct {
	Index *int   `json:"index,omitempty"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

func appendPath(p []PathElement, e PathElement) []PathElement {
	out := make([]PathElement, len(p), len(p)+1)
	copy(out, p)
	return append(out, e)
}

// syntaxError is a JSON error at a position.
type syntaxError struct {
	pos Position
	msg string
}

func (e *syntaxError) Error() string { return e.pos.String() + ": " + e.msg }

type jsonParser struct {
	s         string
	i         int
	line, col int
	depth     int
	path      []PathElement // of the value being parsed
}

// parseJSON parses a whole document into a node tree with positions.
func parseJSON(s string) (*node, error) {
	p := &jsonParser{s: s, line: 1, col: 1}
	p.ws()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errf("unexpected %q after the document", p.s[p.i])
	}
	return n, nil
}

func (p *jsonParser) pos() Position { return Position{p.line, p.col, p.i} }

func (p *jsonParser) errf(format string, args ...any) error {
	return &syntaxError{p.pos(), fmt.Sprintf(format, args...)}
}

func (p *jsonParser) adv() {
	if p.s[p.i] == '\n' {
		p.line++
		p.col = 1
	} else if p.s[p.i]&0xC0 != 0x80 {
		p.col++
	}
	p.i++
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.adv()
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*node, error) {
	if p.i >= len(p.s) {
		return nil, p.errf("unexpected end of document")
	}
	start := p.pos()
	var n *node
	var err error
	switch c := p.s[p.i]; {
	case c == '{':
		n, err = p.object()
	case c == '[':
		n, err = p.array()
	case c == '"':
		var s string
		s, err = p.string()
		n = &node{kind: 's', str: s}
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(p.s[p.i:], lit) {
				for range lit {
					p.adv()
				}
				n = &node{kind: 'b', str: lit}
				if lit == "null" {
					n.kind = 'z'
				}
				break
			}
		}
		if n == nil {
			return nil, p.errf("invalid literal")
		}
	case c == '-' || c >= '0' && c <= '9':
		j := p.i
		for j < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[j]) >= 0 {
			j++
		}
		if _, perr := strconv.ParseFloat(p.s[p.i:j], 64); perr != nil {
			return nil, p.errf("invalid number %q", p.s[p.i:j])
		}
		n = &node{kind: 'n', str: p.s[p.i:j]}
		for p.i < j {
			p.adv()
		}
	default:
		return nil, p.errf("unexpected %q", c)
	}
	if err != nil {
		return nil, err
	}
	n.start, n.end, n.path = start, p.pos(), p.path
	return n, nil
}

func (p *jsonParser) object() (*node, error) {
	if p.depth++; p.depth > 64 {
		return nil, p.errf("nested too deeply")
	}
	defer func() { p.depth-- }()
	n := &node{kind: 'o'}
	p.adv() // {
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.adv()
		return n, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errf("expected a member name")
		}
		kp := p.pos()
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		ke := p.pos()
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errf("expected ':'")
		}
		p.adv()
		p.ws()
		saved := p.path
		p.path = appendPath(saved, PathElement{Value: k})
		v, err := p.value()
		p.path = saved
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, member{k, kp, ke, v})
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errf("unexpected end of document in an object")
		}
		switch p.s[p.i] {
		case ',':
			p.adv()
		case '}':
			p.adv()
			return n, nil
		default:
			return nil, p.errf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array() (*node, error) {
	if p.depth++; p.depth > 64 {
		return nil, p.errf("nested too deeply")
	}
	defer func() { p.depth-- }()
	n := &node{kind: 'a'}
	p.adv() // [
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.adv()
		return n, nil
	}
	for {
		p.ws()
		saved, idx := p.path, len(n.elems)
		p.path = appendPath(saved, PathElement{Index: &idx})
		v, err := p.value()
		p.path = saved
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.errf("unexpected end of document in an array")
		}
		switch p.s[p.i] {
		case ',':
			p.adv()
		case ']':
			p.adv()
			return n, nil
		default:
			return nil, p.errf("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) string() (string, error) {
	p.adv() // "
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.adv()
			return b.String(), nil
		case c == '\\':
			p.adv()
			if p.i >= len(p.s) {
				return "", p.errf("unterminated escape")
			}
			e := p.s[p.i]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.i+5 > len(p.s) {
					return "", p.errf("short \\u escape")
				}
				v, err := strconv.ParseUint(p.s[p.i+1:p.i+5], 16, 16)
				if err != nil {
					return "", p.errf("bad \\u escape")
				}
				b.WriteRune(rune(v))
				for range 4 {
					p.adv()
				}
			default:
				return "", p.errf("bad escape \\%c", e)
			}
			p.adv()
		case c < 0x20:
			return "", p.errf("control character in string")
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errf("invalid UTF-8")
			}
			b.WriteString(p.s[p.i : p.i+size])
			for range size {
				p.adv()
			}
		}
	}
}
