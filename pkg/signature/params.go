package signature

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// ParamSpec is one inference parameter of a [ParamSchema]: a name, a scalar
// type, a default and an optional shape (nil for a scalar, [-1] for a list).
type ParamSpec struct {
	Name    string
	Type    DataType
	Default any
	Shape   []int64
}

// ParamSchema lists the inference parameters a model accepts (MLflow's
// ParamSchema). A nil *ParamSchema means the signature has no params.
type ParamSchema struct {
	Params []ParamSpec
}

// JSON returns the schema as MLflow stores it in MLmodel: json.dumps of the
// list of {"name", "default", "shape", "type"} dicts (the key order of MLflow
// ≥ 2.10).
func (p *ParamSchema) JSON() string {
	var w pyWriter
	w.WriteByte('[')
	for i, s := range p.Params {
		if i > 0 {
			w.sep()
		}
		w.WriteByte('{')
		w.key("name")
		w.str(s.Name)
		w.sep()
		w.key("default")
		w.value(s.Default, s.Type == Double || s.Type == Float)
		w.sep()
		w.key("shape")
		if s.Shape == nil {
			w.WriteString("null")
		} else {
			w.WriteByte('[')
			for j, d := range s.Shape {
				if j > 0 {
					w.sep()
				}
				w.WriteString(strconv.FormatInt(d, 10))
			}
			w.WriteByte(']')
		}
		w.sep()
		w.key("type")
		w.str(string(s.Type))
		w.WriteByte('}')
	}
	w.WriteByte(']')
	return w.String()
}

// String returns p.JSON().
func (p *ParamSchema) String() string { return p.JSON() }

// MarshalJSON encodes the params list (encoding/json compacts it).
func (p *ParamSchema) MarshalJSON() ([]byte, error) { return []byte(p.JSON()), nil }

// UnmarshalJSON parses a params list, or a JSON string holding one.
func (p *ParamSchema) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		b = []byte(str)
	}
	q, err := ParseParamSchema(string(b))
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// Param returns the spec named name, or nil.
func (p *ParamSchema) Param(name string) *ParamSpec {
	for i := range p.Params {
		if p.Params[i].Name == name {
			return &p.Params[i]
		}
	}
	return nil
}

// Apply checks request parameters against the schema the way MLflow's
// _enforce_params_schema does: every known parameter must have the declared
// type (a *ValidationError matching ErrInvalidInput otherwise), parameters
// missing from given take their defaults, and unknown names are dropped and
// returned sorted in ignored so the caller can warn about them. A null
// value keeps the default. A nil
// receiver accepts nothing: every given name is ignored.
func (p *ParamSchema) Apply(given map[string]any) (merged map[string]any, ignored []string, err error) {
	merged = map[string]any{}
	if p != nil {
		for _, s := range p.Params {
			merged[s.Name] = s.Default
		}
	}
	for k, v := range given {
		var s *ParamSpec
		if p != nil {
			s = p.Param(k)
		}
		if s == nil {
			ignored = append(ignored, k)
			continue
		}
		if v == nil {
			continue // null keeps the default
		}
		if err := s.check(v); err != nil {
			return nil, nil, err
		}
		merged[k] = v
	}
	sort.Strings(ignored)
	return merged, ignored, nil
}

func (s *ParamSpec) check(v any) error {
	if v == nil {
		return nil
	}
	if s.Shape == nil {
		if err := checkScalar(s.Type, v, "params."+s.Name); err != nil {
			return err
		}
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return &ValidationError{Field: "params." + s.Name, Msg: fmt.Sprintf("expected a list of %s, got %s", s.Type, kindOf(v))}
	}
	for i, e := range list {
		if err := checkScalar(s.Type, e, fmt.Sprintf("params.%s[%d]", s.Name, i)); err != nil {
			return err
		}
	}
	return nil
}

// ParseParamSchema parses the JSON list form of a params schema. It accepts
// "type" or the older "dtype" key, and either key order.
func ParseParamSchema(s string) (*ParamSchema, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("%w: params must be a JSON list of objects: %v", ErrInvalidSignature, err)
	}
	p := &ParamSchema{}
	for i, r := range raw {
		var spec ParamSpec
		if err := unmarshalField(r, "name", &spec.Name); err != nil || spec.Name == "" {
			return nil, fmt.Errorf("%w: params[%d]: missing \"name\"", ErrInvalidSignature, i)
		}
		var t string
		key := "type"
		if _, ok := r["type"]; !ok {
			key = "dtype"
		}
		if err := unmarshalField(r, key, &t); err != nil || !DataType(t).Valid() {
			return nil, fmt.Errorf("%w: params[%d] (%s): \"type\" must be one of boolean, integer, long, float, double, string, binary, datetime", ErrInvalidSignature, i, spec.Name)
		}
		spec.Type = DataType(t)
		if d, ok := r["default"]; ok {
			dec := json.NewDecoder(bytesReader(d))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("%w: params[%d] (%s): bad default: %v", ErrInvalidSignature, i, spec.Name, err)
			}
			spec.Default = normNumber(v)
		}
		if sh, ok := r["shape"]; ok && string(sh) != "null" {
			if err := json.Unmarshal(sh, &spec.Shape); err != nil {
				return nil, fmt.Errorf("%w: params[%d] (%s): \"shape\" must be null or a list of integers", ErrInvalidSignature, i, spec.Name)
			}
			if spec.Shape == nil {
				spec.Shape = []int64{}
			}
		}
		if slices.ContainsFunc(p.Params, func(q ParamSpec) bool { return q.Name == spec.Name }) {
			return nil, fmt.Errorf("%w: params: duplicate name %q", ErrInvalidSignature, spec.Name)
		}
		p.Params = append(p.Params, spec)
	}
	return p, nil
}

// normNumber turns json.Number values into int64 when integral, else float64.
func normNumber(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normNumber(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normNumber(x[k])
		}
	}
	return v
}
