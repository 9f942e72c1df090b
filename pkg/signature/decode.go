package signature

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func unmarshalField(r map[string]json.RawMessage, key string, dst any) error {
	v, ok := r[key]
	if !ok {
		return fmt.Errorf("missing %q", key)
	}
	return json.Unmarshal(v, dst)
}

// ParseSchema parses the JSON list form of an input or output schema, as
// found (JSON-encoded) in MLmodel's signature.inputs/outputs.
func ParseSchema(s string) (*Schema, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("%w: schema must be a JSON list of objects: %v", ErrInvalidSignature, err)
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: schema is an empty list", ErrInvalidSignature)
	}
	sch := &Schema{}
	for i, r := range raw {
		var typ string
		if err := unmarshalField(r, "type", &typ); err != nil {
			return nil, fmt.Errorf("%w: schema[%d]: missing \"type\"", ErrInvalidSignature, i)
		}
		var name string
		if _, ok := r["name"]; ok {
			if err := unmarshalField(r, "name", &name); err != nil {
				return nil, fmt.Errorf("%w: schema[%d]: \"name\" must be a string", ErrInvalidSignature, i)
			}
		}
		if typ == "tensor" {
			var ts struct {
				DType string  `json:"dtype"`
				Shape []int64 `json:"shape"`
			}
			if err := unmarshalField(r, "tensor-spec", &ts); err != nil || ts.DType == "" {
				return nil, fmt.Errorf("%w: schema[%d]: tensor needs \"tensor-spec\" with dtype and shape", ErrInvalidSignature, i)
			}
			sch.Tensors = append(sch.Tensors, TensorSpec{DType: ts.DType, Shape: ts.Shape, Name: name})
			continue
		}
		t, err := parseType(r, fmt.Sprintf("schema[%d]", i))
		if err != nil {
			return nil, err
		}
		c := ColSpec{Type: t, Name: name, Required: true}
		if _, ok := r["required"]; ok {
			if err := unmarshalField(r, "required", &c.Required); err != nil {
				return nil, fmt.Errorf("%w: schema[%d]: \"required\" must be a boolean", ErrInvalidSignature, i)
			}
		}
		sch.Columns = append(sch.Columns, c)
	}
	if len(sch.Tensors) > 0 && len(sch.Columns) > 0 {
		return nil, fmt.Errorf("%w: schema mixes tensors and columns", ErrInvalidSignature)
	}
	return sch, nil
}

// parseType reads the type dict r ({"type": ..., "items"|"properties"|"values": ...}).
func parseType(r map[string]json.RawMessage, at string) (Type, error) {
	var typ string
	if err := unmarshalField(r, "type", &typ); err != nil {
		return nil, fmt.Errorf("%w: %s: missing \"type\"", ErrInvalidSignature, at)
	}
	sub := func(key string) (map[string]json.RawMessage, error) {
		var m map[string]json.RawMessage
		if err := unmarshalField(r, key, &m); err != nil || m == nil {
			return nil, fmt.Errorf("%w: %s: type %s needs an object %q", ErrInvalidSignature, at, typ, key)
		}
		return m, nil
	}
	switch typ {
	case "array":
		m, err := sub("items")
		if err != nil {
			return nil, err
		}
		it, err := parseType(m, at+".items")
		if err != nil {
			return nil, err
		}
		return &Array{Items: it}, nil
	case "map":
		m, err := sub("values")
		if err != nil {
			return nil, err
		}
		vt, err := parseType(m, at+".values")
		if err != nil {
			return nil, err
		}
		return &Map{Values: vt}, nil
	case "object":
		m, err := sub("properties")
		if err != nil {
			return nil, err
		}
		props := make([]Property, 0, len(m))
		for name, raw := range m {
			var pr map[string]json.RawMessage
			if err := json.Unmarshal(raw, &pr); err != nil {
				return nil, fmt.Errorf("%w: %s.properties.%s: must be an object", ErrInvalidSignature, at, name)
			}
			pt, err := parseType(pr, at+".properties."+name)
			if err != nil {
				return nil, err
			}
			p := Property{Name: name, Type: pt, Required: true}
			if _, ok := pr["required"]; ok {
				if err := unmarshalField(pr, "required", &p.Required); err != nil {
					return nil, fmt.Errorf("%w: %s.properties.%s: \"required\" must be a boolean", ErrInvalidSignature, at, name)
				}
			}
			props = append(props, p)
		}
		return NewObject(props...), nil
	case "any":
		return AnyType{}, nil
	}
	if !DataType(typ).Valid() {
		return nil, fmt.Errorf("%w: %s: unknown type %q (want boolean, integer, long, float, double, string, binary, datetime, array, object, map or any)", ErrInvalidSignature, at, typ)
	}
	return DataType(typ), nil
}

// FromStrings builds a signature from the strings MLmodel stores. Empty
// inputs/outputs strings and a nil or "null" params leave those parts nil.
func FromStrings(inputs, outputs string, params *string) (*Signature, error) {
	sig := &Signature{}
	var err error
	if inputs != "" && inputs != "null" {
		if sig.Inputs, err = ParseSchema(inputs); err != nil {
			return nil, fmt.Errorf("signature: parsing inputs: %w", err)
		}
	}
	if outputs != "" && outputs != "null" {
		if sig.Outputs, err = ParseSchema(outputs); err != nil {
			return nil, fmt.Errorf("signature: parsing outputs: %w", err)
		}
	}
	if params != nil && *params != "" && *params != "null" {
		if sig.Params, err = ParseParamSchema(*params); err != nil {
			return nil, fmt.Errorf("signature: parsing params: %w", err)
		}
	}
	return sig, nil
}

// Strings returns the signature in MLmodel form: the inputs and outputs JSON
// strings ("" when absent) and the params JSON string (nil when absent, which
// MLmodel writes as null).
func (s *Signature) Strings() (inputs, outputs string, params *string) {
	if s.Inputs != nil {
		inputs = s.Inputs.JSON()
	}
	if s.Outputs != nil {
		outputs = s.Outputs.JSON()
	}
	if s.Params != nil {
		p := s.Params.JSON()
		params = &p
	}
	return inputs, outputs, params
}

// Parse reads a user-supplied signature document:
//
//	{"inputs": ..., "outputs": ..., "params": ...}
//
// where each part is either the schema list itself or a JSON string holding it
// (the MLmodel form), and outputs/params may be null or absent. Inputs are
// required.
func Parse(data []byte) (*Signature, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: want a JSON object {\"inputs\": [...], \"outputs\": [...], \"params\": [...]}: %v", ErrInvalidSignature, err)
	}
	for k := range doc {
		if k != "inputs" && k != "outputs" && k != "params" {
			return nil, fmt.Errorf("%w: unknown key %q (allowed: inputs, outputs, params)", ErrInvalidSignature, k)
		}
	}
	part := func(k string) (string, error) {
		raw, ok := doc[k]
		if !ok || string(bytes.TrimSpace(raw)) == "null" {
			return "", nil
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, nil
		}
		if len(bytes.TrimSpace(raw)) == 0 || bytes.TrimSpace(raw)[0] != '[' {
			return "", fmt.Errorf("%w: %q must be a list or a JSON string holding one", ErrInvalidSignature, k)
		}
		return string(raw), nil
	}
	in, err := part("inputs")
	if err != nil {
		return nil, err
	}
	if in == "" {
		return nil, fmt.Errorf("%w: \"inputs\" is required", ErrInvalidSignature)
	}
	out, err := part("outputs")
	if err != nil {
		return nil, err
	}
	ps, err := part("params")
	if err != nil {
		return nil, err
	}
	var pp *string
	if ps != "" {
		pp = &ps
	}
	return FromStrings(in, out, pp)
}

// ReadFile reads a signature document from path (see [Parse]).
func ReadFile(path string) (*Signature, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signature: reading %s: %w", path, err)
	}
	sig, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("signature: reading %s: %w", path, err)
	}
	return sig, nil
}

// Equal reports whether two signatures encode to the same MLmodel strings.
func (s *Signature) Equal(o *Signature) bool {
	if s == nil || o == nil {
		return s == o
	}
	a1, a2, a3 := s.Strings()
	b1, b2, b3 := o.Strings()
	return a1 == b1 && a2 == b2 && (a3 == nil) == (b3 == nil) && (a3 == nil || *a3 == *b3)
}
