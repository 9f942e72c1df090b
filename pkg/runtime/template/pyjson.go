package template

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ardanlabs/jinja"
	"github.com/mlpack-go/mlpack/internal/pyjson"
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
		sb.WriteString(pyjson.Float(v.AsFloat()))
	case v.IsString():
		pyjson.WriteString(sb, v.AsString(), o.ensureASCII)
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
			pyjson.WriteString(sb, k, o.ensureASCII)
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
