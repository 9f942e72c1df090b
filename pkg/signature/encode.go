package signature

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mlpack-go/mlpack/internal/pyjson"
)

// pyWriter builds JSON text the way Python's json.dumps does by default:
// ", " and ": " separators, ensure_ascii escaping, no HTML escaping.
type pyWriter struct {
	strings.Builder
}

// str writes a JSON string with Python's ensure_ascii escaping.
func (w *pyWriter) str(s string) { pyjson.WriteString(&w.Builder, s, true) }

func (w *pyWriter) key(k string) {
	w.str(k)
	w.WriteString(": ")
}

func (w *pyWriter) sep() { w.WriteString(", ") }

func (w *pyWriter) boolean(b bool) {
	if b {
		w.WriteString("true")
	} else {
		w.WriteString("false")
	}
}

// value writes a decoded JSON value. Maps are written with sorted keys (a Go
// map has no order to preserve). Integral numbers stay integers unless asFloat.
func (w *pyWriter) value(v any, asFloat bool) {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.boolean(x)
	case string:
		w.str(x)
	case json.Number:
		if f, err := x.Float64(); err == nil && asFloat {
			w.WriteString(pyjson.Float(f))
		} else {
			w.WriteString(x.String())
		}
	case float64:
		if !asFloat && x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			w.WriteString(strconv.FormatInt(int64(x), 10))
		} else {
			w.WriteString(pyjson.Float(x))
		}
	case float32:
		w.value(float64(x), asFloat)
	case int:
		w.intOrFloat(int64(x), asFloat)
	case int64:
		w.intOrFloat(x, asFloat)
	case int32:
		w.intOrFloat(int64(x), asFloat)
	case []any:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.sep()
			}
			w.value(e, asFloat)
		}
		w.WriteByte(']')
	case []string:
		w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.sep()
			}
			w.str(e)
		}
		w.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				w.sep()
			}
			w.key(k)
			w.value(x[k], asFloat)
		}
		w.WriteByte('}')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			w.WriteString("null")
			return
		}
		var d any
		if json.Unmarshal(b, &d) == nil {
			w.value(d, asFloat)
		} else {
			w.WriteString("null")
		}
	}
}

func (w *pyWriter) intOrFloat(i int64, asFloat bool) {
	if asFloat {
		w.WriteString(pyjson.Float(float64(i)))
		return
	}
	w.WriteString(strconv.FormatInt(i, 10))
}

// writeType implementations: each writes an open dict without the closing
// brace, so a caller can append "name"/"required" keys as MLflow does.

func (d DataType) writeType(w *pyWriter) {
	w.WriteByte('{')
	w.key("type")
	w.str(string(d))
}

func (a *Array) writeType(w *pyWriter) {
	w.WriteByte('{')
	w.key("type")
	w.str("array")
	w.sep()
	w.key("items")
	writeClosed(w, a.Items)
}

func (o *Object) writeType(w *pyWriter) {
	w.WriteByte('{')
	w.key("type")
	w.str("object")
	w.sep()
	w.key("properties")
	w.WriteByte('{')
	for i, p := range o.Properties {
		if i > 0 {
			w.sep()
		}
		w.key(p.Name)
		p.Type.writeType(w)
		w.sep()
		w.key("required")
		w.boolean(p.Required)
		w.WriteByte('}')
	}
	w.WriteByte('}')
}

func (m *Map) writeType(w *pyWriter) {
	w.WriteByte('{')
	w.key("type")
	w.str("map")
	w.sep()
	w.key("values")
	writeClosed(w, m.Values)
}

func (AnyType) writeType(w *pyWriter) {
	w.WriteByte('{')
	w.key("type")
	w.str("any")
}

func writeClosed(w *pyWriter, t Type) {
	t.writeType(w)
	w.WriteByte('}')
}

// JSON returns the schema as MLflow stores it in MLmodel: json.dumps of the
// list of column (or tensor) dicts.
func (s *Schema) JSON() string {
	var w pyWriter
	w.WriteByte('[')
	if s.IsTensorBased() {
		for i, t := range s.Tensors {
			if i > 0 {
				w.sep()
			}
			w.WriteByte('{')
			if t.Name != "" {
				w.key("name")
				w.str(t.Name)
				w.sep()
			}
			w.key("type")
			w.str("tensor")
			w.sep()
			w.key("tensor-spec")
			w.WriteByte('{')
			w.key("dtype")
			w.str(t.DType)
			w.sep()
			w.key("shape")
			w.WriteByte('[')
			for j, d := range t.Shape {
				if j > 0 {
					w.sep()
				}
				w.WriteString(strconv.FormatInt(d, 10))
			}
			w.WriteString("]}}")
		}
	} else {
		for i, c := range s.Columns {
			if i > 0 {
				w.sep()
			}
			c.Type.writeType(&w)
			if c.Name != "" {
				w.sep()
				w.key("name")
				w.str(c.Name)
			}
			w.sep()
			w.key("required")
			w.boolean(c.Required)
			w.WriteByte('}')
		}
	}
	w.WriteByte(']')
	return w.String()
}

// String returns s.JSON().
func (s *Schema) String() string { return s.JSON() }

// MarshalJSON encodes the schema as its JSON list (encoding/json compacts it).
func (s *Schema) MarshalJSON() ([]byte, error) { return []byte(s.JSON()), nil }

// UnmarshalJSON parses a schema list, or a JSON string holding one (the form
// found inside MLmodel).
func (s *Schema) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		b = []byte(str)
	}
	p, err := ParseSchema(string(b))
	if err != nil {
		return err
	}
	*s = *p
	return nil
}
