package template

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

// jsonOptions are the json.dumps arguments transformers' tojson filter
// accepts: tojson(x, ensure_ascii=False, indent=None, separators=None,
// sort_keys=False).
type jsonOptions struct {
	ensureASCII bool
	indent      *string // nil: compact
	itemSep     string
	keySep      string
	sortKeys    bool
}

// filterToJSON is transformers' tojson filter: json.dumps without ASCII or
// HTML escaping, keys in their original order, Python's separators.
func filterToJSON(args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("tojson: no value to encode")
	}
	o := jsonOptions{}
	pos := args[1:] // positional: ensure_ascii, indent, separators, sort_keys
	get := func(name string, i int) (jinja.Value, bool) {
		if v, ok := kwargs[name]; ok {
			return v, true
		}
		if i < len(pos) {
			return pos[i], true
		}
		return jinja.Value{}, false
	}
	if v, ok := get("ensure_ascii", 0); ok {
		o.ensureASCII = v.IsTruthy()
	}
	if v, ok := get("indent", 1); ok && !v.IsNone() && !v.IsUndefined() {
		var s string
		switch {
		case v.IsInt():
			s = strings.Repeat(" ", max(0, int(v.AsInt())))
		case v.IsString():
			s = v.AsString()
		default:
			return jinja.Value{}, fmt.Errorf("tojson: indent must be an integer or a string, got %s", v.String())
		}
		o.indent = &s
	}
	o.itemSep, o.keySep = ", ", ": "
	if o.indent != nil {
		o.itemSep = ","
	}
	if v, ok := get("separators", 2); ok && !v.IsNone() && !v.IsUndefined() {
		if !v.IsList() || v.AsList().Len() != 2 || !v.AsList().Items[0].IsString() || !v.AsList().Items[1].IsString() {
			return jinja.Value{}, fmt.Errorf("tojson: separators must be a pair of strings, got %s", v.String())
		}
		o.itemSep, o.keySep = v.AsList().Items[0].AsString(), v.AsList().Items[1].AsString()
	}
	if v, ok := get("sort_keys", 3); ok {
		o.sortKeys = v.IsTruthy()
	}
	var sb strings.Builder
	if err := o.encode(&sb, args[0], 0); err != nil {
		return jinja.Value{}, fmt.Errorf("tojson: %w", err)
	}
	return jinja.NewString(sb.String()), nil
}

func (o *jsonOptions) newline(sb *strings.Builder, depth int) {
	sb.WriteByte('\n')
	for range depth {
		sb.WriteString(*o.indent)
	}
}

func (o *jsonOptions) encode(sb *strings.Builder, v jinja.Value, depth int) error {
	switch {
	case v.IsNone():
		sb.WriteString("null")
	case v.IsBool():
		if v.AsBool() {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case v.IsInt():
		sb.WriteString(strconv.FormatInt(v.AsInt(), 10))
	case v.IsFloat():
		sb.WriteString(pyJSONFloat(v.AsFloat()))
	case v.IsString():
		writeJSONString(sb, v.AsString(), o.ensureASCII)
	case v.IsList():
		items := v.AsList().Items
		if len(items) == 0 {
			sb.WriteString("[]")
			return nil
		}
		sb.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				sb.WriteString(o.itemSep)
			}
			if o.indent != nil {
				o.newline(sb, depth+1)
			}
			if err := o.encode(sb, it, depth+1); err != nil {
				return err
			}
		}
		if o.indent != nil {
			o.newline(sb, depth)
		}
		sb.WriteByte(']')
	case v.IsDict():
		d := v.AsDict()
		if d.Len() == 0 {
			sb.WriteString("{}")
			return nil
		}
		keys := d.Keys
		if o.sortKeys {
			keys = append([]string(nil), keys...)
			sort.Strings(keys)
		}
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(o.itemSep)
			}
			if o.indent != nil {
				o.newline(sb, depth+1)
			}
			writeJSONString(sb, k, o.ensureASCII)
			sb.WriteString(o.keySep)
			if err := o.encode(sb, d.Data[k], depth+1); err != nil {
				return err
			}
		}
		if o.indent != nil {
			o.newline(sb, depth)
		}
		sb.WriteByte('}')
	case v.IsUndefined():
		return fmt.Errorf("Object of type Undefined is not JSON serializable")
	default:
		return fmt.Errorf("Object of type %s is not JSON serializable", v.String())
	}
	return nil
}

// writeJSONString escapes s as Python's json.dumps does: with
// ensure_ascii=False only '"', '\\' and control characters below U+0020 are
// escaped; with ensure_ascii=True every non-ASCII character is written as
// \uXXXX (surrogate pairs above U+FFFF).
func writeJSONString(sb *strings.Builder, s string, ensureASCII bool) {
	const hex = "0123456789abcdef"
	u4 := func(r rune) {
		sb.WriteString(`\u`)
		sb.WriteByte(hex[r>>12&0xf])
		sb.WriteByte(hex[r>>8&0xf])
		sb.WriteByte(hex[r>>4&0xf])
		sb.WriteByte(hex[r&0xf])
	}
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				sb.WriteString(`\"`)
			case '\\':
				sb.WriteString(`\\`)
			case '\n':
				sb.WriteString(`\n`)
			case '\r':
				sb.WriteString(`\r`)
			case '\t':
				sb.WriteString(`\t`)
			case '\b':
				sb.WriteString(`\b`)
			case '\f':
				sb.WriteString(`\f`)
			default:
				if c < 0x20 || (ensureASCII && c == 0x7f) {
					u4(rune(c))
				} else {
					sb.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if ensureASCII {
			if r >= 0x10000 {
				r -= 0x10000
				u4(0xd800 + (r>>10)&0x3ff)
				u4(0xdc00 + r&0x3ff)
			} else {
				u4(r)
			}
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	sb.WriteByte('"')
}

// pyJSONFloat formats f as Python's float.__repr__ (which json.dumps uses):
// the shortest round-tripping digits, scientific notation when the decimal
// exponent is below -4 or at least 16, and a ".0" on integral values.
func pyJSONFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return pyFloatRepr(f)
}

// pyFloatRepr is Python's repr(float) for finite values.
func pyFloatRepr(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d[.ddd]e±XX
	at := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[at+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}
