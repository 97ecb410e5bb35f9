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
// makes it required. Lists are flattened (Name.1, Name.2 …), nested
// structs use dots (Filter.1.Value.2). Untagged embedded structs share the
// parent's names. Parameters that no field names are ignored.
func Decode(form url.Values, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("ec2query.Decode: dst must point to a struct")
	}
	return decodeStruct(form, "", v.Elem())
}

func decodeStruct(form url.Values, prefix string, v reflect.Value) error {
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
		if !set && opts == "required" {
			return apierr.Missing(name)
		}
	}
	return nil
}

// decodeValue decodes one field and reports whether the request set it.
func decodeValue(form url.Values, key string, v reflect.Value) (bool, error) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			if !hasPrefix(form, key+".") {
				return false, nil
			}
		} else if _, ok := form[key]; !ok {
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
		idx := indexes(form, key)
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
	raw, ok := form[key]
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

func hasPrefix(form url.Values, p string) bool {
	for k := range form {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// indexes returns the list positions N present as key.N or key.N.…, in
// numeric order. AWS numbers from 1; gaps are allowed.
func indexes(form url.Values, key string) []int {
	seen := map[int]bool{}
	p := key + "."
	for k := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || strconv.Itoa(n) != num {
			continue
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}
