package schemas

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FS holds the schema files.
//
//go:embed *.json
var FS embed.FS

// ErrInvalid is matched by every error Validate returns for a document that
// does not match its schema.
var ErrInvalid = errors.New("schemas: document does not match schema")

// Keywords are the JSON Schema keywords the validator checks or knows to be
// annotations only.
var Keywords = []string{
	// checked
	"type", "properties", "required", "additionalProperties", "items", "enum", "const",
	"oneOf", "anyOf", "$ref", "$defs",
	"minimum", "maximum", "exclusiveMinimum", "minItems", "maxItems",
	// annotations
	"$schema", "$id", "title", "description", "default", "examples", "$comment",
}

// ValidationError says where a document differs from its schema.
type ValidationError struct {
	Schema string // schema file name
	Path   string // JSON pointer into the document, "" for the root
	Msg    string
}

func (e *ValidationError) Error() string {
	p := e.Path
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("schemas: %s: %s: %s", e.Schema, p, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Load parses the named schema file from FS, refusing keywords the
// validator does not implement.
func Load(name string) (map[string]any, error) {
	raw, err := fs.ReadFile(FS, name)
	if err != nil {
		return nil, fmt.Errorf("schemas: reading %s: %w", name, err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("schemas: parsing %s: %w", name, err)
	}
	if err := checkKeywords(s, ""); err != nil {
		return nil, fmt.Errorf("schemas: %s: %w", name, err)
	}
	return s, nil
}

func checkKeywords(s any, at string) error {
	m, ok := s.(map[string]any)
	if !ok {
		return nil // true/false schema
	}
	for k, v := range m {
		known := false
		for _, kw := range Keywords {
			if k == kw {
				known = true
				break
			}
		}
		if !known {
			return fmt.Errorf("keyword %q at %s is not supported by the validator", k, at)
		}
		switch k {
		case "properties", "$defs":
			sub, _ := v.(map[string]any)
			for name, ss := range sub {
				if err := checkKeywords(ss, at+"/"+k+"/"+name); err != nil {
					return err
				}
			}
		case "items", "additionalProperties":
			if err := checkKeywords(v, at+"/"+k); err != nil {
				return err
			}
		case "oneOf", "anyOf":
			list, _ := v.([]any)
			for i, ss := range list {
				if err := checkKeywords(ss, at+"/"+k+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Validate checks doc, a decoded JSON value (maps, slices, strings, float64
// or json.Number, Go integers, bools, nil), against the schema file name.
func Validate(name string, doc any) error {
	s, err := Load(name)
	if err != nil {
		return err
	}
	v := validator{name: name, root: s}
	return v.check(s, doc, "")
}

type validator struct {
	name string
	root map[string]any
}

func (v *validator) fail(path, format string, a ...any) error {
	return &ValidationError{Schema: v.name, Path: path, Msg: fmt.Sprintf(format, a...)}
}

func (v *validator) resolve(ref string) (any, error) {
	const prefix = "#/$defs/"
	if !strings.HasPrefix(ref, prefix) {
		return nil, fmt.Errorf("schemas: %s: unsupported $ref %q", v.name, ref)
	}
	defs, _ := v.root["$defs"].(map[string]any)
	s, ok := defs[strings.TrimPrefix(ref, prefix)]
	if !ok {
		return nil, fmt.Errorf("schemas: %s: $ref %q not found", v.name, ref)
	}
	return s, nil
}

func (v *validator) check(schema any, doc any, path string) error {
	switch s := schema.(type) {
	case bool:
		if !s {
			return v.fail(path, "no value is allowed here")
		}
		return nil
	case map[string]any:
		return v.checkObject(s, doc, path)
	}
	return fmt.Errorf("schemas: %s: schema at %s is neither an object nor a boolean", v.name, path)
}

func (v *validator) checkObject(s map[string]any, doc any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			return err
		}
		if err := v.check(target, doc, path); err != nil {
			return err
		}
	}
	if t, ok := s["type"]; ok {
		if err := v.checkType(t, doc, path); err != nil {
			return err
		}
	}
	if c, ok := s["const"]; ok && !equalJSON(c, doc) {
		return v.fail(path, "must be %v", c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			if equalJSON(x, doc) {
				found = true
			}
		}
		if !found {
			return v.fail(path, "must be one of %v", e)
		}
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		list, ok := s[kw].([]any)
		if !ok {
			continue
		}
		matched := 0
		var best *ValidationError // the failure that got deepest into the document
		for _, sub := range list {
			err := v.check(sub, doc, path)
			if err == nil {
				matched++
				continue
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return err // a broken schema, not a mismatch
			}
			if best == nil || strings.Count(ve.Path, "/") > strings.Count(best.Path, "/") {
				best = ve
			}
		}
		if matched == 0 {
			if best == nil {
				return v.fail(path, "%s lists no alternatives", kw)
			}
			return best
		}
		if kw == "oneOf" && matched > 1 {
			return v.fail(path, "matches %d alternatives of oneOf, want exactly one", matched)
		}
	}
	if err := v.checkBounds(s, doc, path); err != nil {
		return err
	}
	if obj, ok := doc.(map[string]any); ok {
		if err := v.checkProperties(s, obj, path); err != nil {
			return err
		}
	}
	if list, ok := doc.([]any); ok {
		if items, ok := s["items"]; ok {
			for i, e := range list {
				if err := v.check(items, e, path+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (v *validator) checkProperties(s map[string]any, obj map[string]any, path string) error {
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := obj[name]; !ok {
				return v.fail(path+"/"+name, "required property is missing")
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ps, ok := props[k]; ok {
			if err := v.check(ps, obj[k], path+"/"+k); err != nil {
				return err
			}
			continue
		}
		if ap, ok := s["additionalProperties"]; ok {
			if b, isBool := ap.(bool); isBool && !b {
				return v.fail(path+"/"+k, "property is not allowed here")
			}
			if err := v.check(ap, obj[k], path+"/"+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func (v *validator) checkType(t any, doc any, path string) error {
	var types []string
	switch x := t.(type) {
	case string:
		types = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				types = append(types, s)
			}
		}
	}
	got := kind(doc)
	for _, want := range types {
		if want == got || (want == "number" && got == "integer") {
			return nil
		}
	}
	return v.fail(path, "expected %s, got %s", strings.Join(types, " or "), got)
}

// kind returns the JSON Schema type of a decoded value; integral numbers are
// "integer".
func kind(doc any) string {
	switch x := doc.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) {
			return "integer"
		}
		return "number"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case float32:
		return kind(float64(x))
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "integer"
	}
	return fmt.Sprintf("unsupported Go type %T", doc)
}

func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
