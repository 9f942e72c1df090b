package signature

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// ErrInvalidInput is matched (errors.Is) by every error Validate and Apply return.
var ErrInvalidInput = errors.New("signature: invalid input")

// ValidationError says which field of an input failed validation and why.
// Field is a path such as "messages[0].role"; it is empty when the input
// as a whole has the wrong shape.
type ValidationError struct {
	Field string
	Msg   string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return "signature: invalid input: " + e.Msg
	}
	return "signature: invalid input: " + e.Field + ": " + e.Msg
}

// Unwrap returns ErrInvalidInput.
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

// Validate checks a decoded JSON input against the schema.
//
// For a schema of named columns, v must be a map[string]any (one row, the
// unified LLM form {"messages": [...], "max_tokens": 64}) or a []any of such
// maps (records). Required columns must be present and not null; present
// columns must match their type; columns the schema does not name are
// ignored, as MLflow does. For a schema of one unnamed column, v is a value of
// that column's type or a []any of them. Tensor-based schemas are not checked.
//
// Numbers may be float64, json.Number or Go integers; long/integer columns
// need integral values. Object properties not in the schema are errors, as in
// MLflow's classic schema enforcement.
func (s *Schema) Validate(v any) error {
	if s == nil || s.IsTensorBased() {
		return nil
	}
	if !s.HasNames() {
		if len(s.Columns) == 0 {
			return nil
		}
		c := s.Columns[0]
		if list, ok := v.([]any); ok && !isArray(c.Type) {
			if len(list) == 0 {
				return &ValidationError{Msg: "expected at least one " + describe(c.Type)}
			}
			for i, e := range list {
				if err := checkValue(c.Type, e, fmt.Sprintf("[%d]", i)); err != nil {
					return err
				}
			}
			return nil
		}
		if m, ok := v.(map[string]any); ok && len(m) == 1 && !isObjectLike(c.Type) {
			// {"prompt": "..."}: MLflow takes the first value of a dict for an unnamed column.
			for k, e := range m {
				return checkValue(c.Type, e, k)
			}
		}
		return checkValue(c.Type, v, "")
	}
	switch x := v.(type) {
	case map[string]any:
		return s.validateRow(x, "")
	case []any:
		if len(x) == 0 {
			return &ValidationError{Msg: "expected at least one row"}
		}
		for i, e := range x {
			row, ok := e.(map[string]any)
			if !ok {
				return &ValidationError{Field: fmt.Sprintf("[%d]", i), Msg: "expected an object, got " + kindOf(e)}
			}
			if err := s.validateRow(row, fmt.Sprintf("[%d].", i)); err != nil {
				return err
			}
		}
		return nil
	}
	return &ValidationError{Msg: "expected an object with fields " + strings.Join(s.requiredNames(), ", ") + ", got " + kindOf(v)}
}

func (s *Schema) requiredNames() []string {
	var names []string
	for _, c := range s.Columns {
		if c.Required {
			names = append(names, c.Name)
		}
	}
	return names
}

func (s *Schema) validateRow(row map[string]any, prefix string) error {
	var missing []string
	for _, c := range s.Columns {
		if val, ok := row[c.Name]; !ok || val == nil {
			if c.Required {
				missing = append(missing, c.Name)
			}
		}
	}
	if len(missing) > 0 {
		f := prefix + missing[0]
		if len(missing) > 1 {
			return &ValidationError{Field: prefix + strings.Join(missing, ", "), Msg: "required fields are missing"}
		}
		return &ValidationError{Field: f, Msg: "required field is missing"}
	}
	for _, c := range s.Columns {
		val, ok := row[c.Name]
		if !ok || val == nil {
			continue
		}
		if err := checkValue(c.Type, val, prefix+c.Name); err != nil {
			return err
		}
	}
	return nil
}

func isArray(t Type) bool { _, ok := t.(*Array); return ok }

func isObjectLike(t Type) bool {
	switch t.(type) {
	case *Object, *Map, AnyType:
		return true
	}
	return false
}

func join(field, sub string) string {
	if field == "" {
		return sub
	}
	return field + "." + sub
}

// checkValue checks v against t; field names v in error messages.
func checkValue(t Type, v any, field string) error {
	switch tt := t.(type) {
	case DataType:
		return checkScalar(tt, v, field)
	case AnyType:
		return nil
	case *Array:
		list, ok := v.([]any)
		if !ok {
			if ss, ok2 := v.([]string); ok2 {
				list = make([]any, len(ss))
				for i, s := range ss {
					list[i] = s
				}
			} else {
				return &ValidationError{Field: field, Msg: "expected array of " + describe(tt.Items) + ", got " + kindOf(v)}
			}
		}
		for i, e := range list {
			if err := checkValue(tt.Items, e, fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
		return nil
	case *Map:
		m, ok := v.(map[string]any)
		if !ok {
			return &ValidationError{Field: field, Msg: "expected object (map), got " + kindOf(v)}
		}
		keys := sortedKeys(m)
		for _, k := range keys {
			if err := checkValue(tt.Values, m[k], join(field, k)); err != nil {
				return err
			}
		}
		return nil
	case *Object:
		m, ok := v.(map[string]any)
		if !ok {
			return &ValidationError{Field: field, Msg: "expected object, got " + kindOf(v)}
		}
		for _, k := range sortedKeys(m) {
			known := false
			for _, p := range tt.Properties {
				if p.Name == k {
					known = true
					break
				}
			}
			if !known {
				names := make([]string, len(tt.Properties))
				for i, p := range tt.Properties {
					names[i] = p.Name
				}
				return &ValidationError{Field: join(field, k), Msg: "unknown field (allowed: " + strings.Join(names, ", ") + ")"}
			}
		}
		for _, p := range tt.Properties {
			val, ok := m[p.Name]
			if !ok || (val == nil && !p.Required) {
				if p.Required {
					return &ValidationError{Field: join(field, p.Name), Msg: "required field is missing"}
				}
				continue
			}
			if err := checkValue(p.Type, val, join(field, p.Name)); err != nil {
				return err
			}
		}
		return nil
	}
	return &ValidationError{Field: field, Msg: "unsupported schema type " + t.TypeName()}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkScalar checks v against a scalar data type.
func checkScalar(t DataType, v any, field string) error {
	bad := func() error {
		return &ValidationError{Field: field, Msg: "expected " + describe(t) + ", got " + kindOf(v)}
	}
	switch t {
	case String, Binary, Datetime:
		if _, ok := v.(string); !ok {
			return bad()
		}
	case Boolean:
		if _, ok := v.(bool); !ok {
			return bad()
		}
	case Double, Float:
		if _, ok := number(v); !ok {
			return bad()
		}
	case Long, Integer:
		f, ok := number(v)
		if !ok {
			return bad()
		}
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return &ValidationError{Field: field, Msg: "expected " + describe(t) + ", got a number with a fractional part"}
		}
		if t == Integer && (f > math.MaxInt32 || f < math.MinInt32) {
			return &ValidationError{Field: field, Msg: "expected " + describe(t) + ", got a number out of 32-bit range"}
		}
	default:
		return &ValidationError{Field: field, Msg: "unsupported data type " + string(t)}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// describe names a type for an error message, briefly.
func describe(t Type) string {
	switch tt := t.(type) {
	case DataType:
		switch tt {
		case Long, Integer:
			return "integer (" + string(tt) + ")"
		case Double, Float:
			return "number (" + string(tt) + ")"
		}
		return string(tt)
	case *Array:
		return "array"
	case *Object:
		return "object"
	case *Map:
		return "object (map)"
	}
	return t.TypeName()
}

// kindOf names the JSON kind of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, float32, int, int32, int64, json.Number:
		return "number"
	case []any, []string:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
