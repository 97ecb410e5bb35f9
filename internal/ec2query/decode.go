package ec2query

import (
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
)

// Decode fills the struct that dst points to from EC2 Query parameters.
// Each field's `ec2:"Name"` tag names its parameter; `ec2:"Name,required"`
// makes it required, `,nonempty` counts it missing when sent empty (as AWS
// does for GroupDescription), and `missing=other` names it otherwise in
// the MissingParameter message. Lists are flattened (Name.1, Name.2 …), nested
// structs use dots (Filter.1.Value.2). Untagged embedded structs share the
// parent's names. Parameters that no field names are ignored.
//
// A list position that is not a positive decimal number without leading
// zeros (Filter.0.Name, Filter.-1, Filter.01, Filter.99999999999999999999)
// is refused with UnknownParameter rather than ignored: a filter that is
// silently dropped widens a Describe.
func Decode(values url.Values, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("ec2query.Decode: dst must point to a struct")
	}
	return decodeStruct(indexForm(values), "", v.Elem())
}

// form is a request's parameters with, computed in one pass over them,
// every dotted prefix they have and, for each prefix, the segments that
// follow it — so that decoding is linear in the parameters, not quadratic.
type form struct {
	values   url.Values
	prefixes map[string]struct{}
	next     map[string][]string // prefix → distinct following segments
}

func indexForm(values url.Values) *form {
	f := &form{values: values, prefixes: map[string]struct{}{}, next: map[string][]string{}}
	seen := map[string]struct{}{}
	for k := range values {
		for i := 0; i < len(k); i++ {
			if k[i] != '.' {
				continue
			}
			p := k[:i]
			f.prefixes[p] = struct{}{}
			seg := k[i+1:]
			if j := strings.IndexByte(seg, '.'); j >= 0 {
				seg = seg[:j]
			}
			if _, dup := seen[p+"."+seg]; !dup {
				seen[p+"."+seg] = struct{}{}
				f.next[p] = append(f.next[p], seg)
			}
		}
	}
	return f
}

func decodeStruct(form *form, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("ec2")
		if !hasTag {
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				if err := decodeStruct(form, prefix, v.Field(i)); err != nil {
					return err
				}
			}
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		key := prefix + name
		set, err := decodeValue(form, key, v.Field(i))
		if err != nil {
			return err
		}
		required, nonempty, missing := false, false, name
		for o := range strings.SplitSeq(opts, ",") {
			switch {
			case o == "required":
				required = true
			case o == "nonempty":
				nonempty = true
			case strings.HasPrefix(o, "missing="):
				missing = o[len("missing="):] // the name AWS's message gives (resourceIdSet)
			}
		}
		empty := v.Field(i).Kind() == reflect.String && v.Field(i).String() == ""
		if required && (!set || nonempty && empty) {
			return apierr.Missing(missing)
		}
	}
	return nil
}

// decodeValue decodes one field and reports whether the request set it.
func decodeValue(form *form, key string, v reflect.Value) (bool, error) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			if !hasPrefix(form, key+".") {
				return false, nil
			}
		} else if _, ok := form.values[key]; !ok {
			return false, nil
		}
		p := reflect.New(v.Type().Elem())
		set, err := decodeValue(form, key, p.Elem())
		if set {
			v.Set(p)
		}
		return set, err
	case reflect.Struct:
		if !hasPrefix(form, key+".") {
			return false, nil
		}
		return true, decodeStruct(form, key+".", v)
	case reflect.Slice:
		idx, err := indexes(form, key)
		if err != nil {
			return false, err
		}
		if len(idx) == 0 {
			return false, nil
		}
		s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
		for i, n := range idx {
			if _, err := decodeValue(form, key+"."+strconv.Itoa(n), s.Index(i)); err != nil {
				return false, err
			}
		}
		v.Set(s)
		return true, nil
	}
	raw, ok := form.values[key]
	if !ok {
		return false, nil
	}
	s := ""
	if len(raw) > 0 {
		s = raw[0]
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return false, apierr.InvalidValue("Value (%s) for parameter %s is invalid. Expected: 'true' or 'false'.", s, key)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return false, apierr.InvalidValue("Value (%s) for parameter %s is invalid. Expected an integer.", s, key)
		}
		v.SetInt(n)
	default:
		panic("ec2query: unsupported field kind " + v.Kind().String())
	}
	return true, nil
}

// hasPrefix reports whether some parameter starts with p, which ends in
// a dot.
func hasPrefix(form *form, p string) bool {
	_, ok := form.prefixes[strings.TrimSuffix(p, ".")]
	return ok
}

// maxListIndex bounds list positions; AWS's lists are far shorter.
const maxListIndex = 100000

// indexes returns the list positions N present as key.N or key.N.…, in
// numeric order. AWS numbers from 1; gaps are allowed. A position that is
// not a number from 1, written without leading zeros, is UnknownParameter.
func indexes(form *form, key string) ([]int, error) {
	segs := form.next[key]
	out := make([]int, 0, len(segs))
	for _, num := range segs {
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > maxListIndex || strconv.Itoa(n) != num {
			return nil, apierr.New("UnknownParameter", "The parameter %s.%s is not recognized", key, num)
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}
