package schemas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestKeywords checks every keyword the validator implements, passing and
// failing, on small inline schemas.
func TestKeywords(t *testing.T) {
	defs := `"$defs": {"Pos": {"type": "integer", "minimum": 1}, "Never": false}`
	for _, tc := range []struct {
		name, schema, doc string
		wantErr           string // suffix of the error; "" for valid
	}{
		{"true schema", `true`, `{"a": 1}`, ""},
		{"false schema", `false`, `1`, "/: no value is allowed here"},
		{"type ok", `{"type": "string"}`, `"x"`, ""},
		{"type mismatch", `{"type": "string"}`, `1`, "/: expected string, got integer"},
		{"integer is a number", `{"type": "number"}`, `3`, ""},
		{"number is not an integer", `{"type": "integer"}`, `3.5`, "/: expected integer, got number"},
		{"type list", `{"type": ["string", "null"]}`, `null`, ""},
		{"type list mismatch", `{"type": ["string", "null"]}`, `true`, "/: expected string or null, got boolean"},
		{"properties", `{"properties": {"a": {"type": "string"}}}`, `{"a": "x"}`, ""},
		{"properties mismatch", `{"properties": {"a": {"type": "string"}}}`, `{"a": 1}`, "/a: expected string, got integer"},
		{"required", `{"required": ["a"]}`, `{"a": null}`, ""},
		{"required missing", `{"required": ["a"]}`, `{"b": 1}`, "/a: required property is missing"},
		{"additionalProperties false", `{"properties": {"a": true}, "additionalProperties": false}`, `{"a": 1, "b": 2}`, "/b: property is not allowed here"},
		{"additionalProperties schema", `{"additionalProperties": {"type": "number"}}`, `{"a": 1, "b": 2.5}`, ""},
		{"additionalProperties schema mismatch", `{"additionalProperties": {"type": "number"}}`, `{"a": 1, "b": "2"}`, "/b: expected number, got string"},
		{"items", `{"items": {"type": "integer"}}`, `[1, 2]`, ""},
		{"items mismatch", `{"items": {"type": "integer"}}`, `[1, "2"]`, "/1: expected integer, got string"},
		{"items false allows only empty", `{"items": false}`, `[]`, ""},
		{"items false", `{"items": false}`, `[0]`, "/0: no value is allowed here"},
		{"enum", `{"enum": ["a", 1, false]}`, `false`, ""},
		{"enum mismatch", `{"enum": ["a", 1]}`, `"b"`, "/: must be one of [a 1]"},
		{"const", `{"const": {"k": [1]}}`, `{"k": [1]}`, ""},
		{"const mismatch", `{"const": "x"}`, `"y"`, "/: must be x"},
		{"oneOf", `{"oneOf": [{"type": "string"}, {"type": "null"}]}`, `null`, ""},
		{"oneOf none", `{"oneOf": [{"type": "string"}, {"type": "null"}]}`, `1`, "/: expected string, got integer"},
		{"oneOf two", `{"oneOf": [{"type": "number"}, {"type": "integer"}]}`, `1`, "/: matches 2 alternatives of oneOf, want exactly one"},
		{"oneOf reports the deepest failure", `{"oneOf": [{"properties": {"k": {"const": "a"}}}, {"properties": {"k": {"const": "b"}, "v": {"items": {"type": "string"}}}}]}`,
			`{"k": "b", "v": ["x", 1]}`, "/v/1: expected string, got integer"},
		{"oneOf empty", `{"oneOf": []}`, `1`, "/: oneOf lists no alternatives"},
		{"anyOf two", `{"anyOf": [{"type": "number"}, {"type": "integer"}]}`, `1`, ""},
		{"anyOf none", `{"anyOf": [{"type": "string"}, {"type": "boolean"}]}`, `1`, "/: expected string, got integer"},
		{"$ref", `{"$ref": "#/$defs/Pos", ` + defs + `}`, `2`, ""},
		{"$ref mismatch", `{"$ref": "#/$defs/Pos", ` + defs + `}`, `0`, "/: must be at least 1, got 0"},
		{"$ref to false", `{"properties": {"x": {"$ref": "#/$defs/Never"}}, ` + defs + `}`, `{"x": 1}`, "/x: no value is allowed here"},
		{"minimum", `{"minimum": -2}`, `-2`, ""},
		{"minimum fails", `{"minimum": -2}`, `-2.5`, "/: must be at least -2, got -2.5"},
		{"exclusiveMinimum", `{"exclusiveMinimum": 0}`, `0.001`, ""},
		{"exclusiveMinimum fails", `{"exclusiveMinimum": 0}`, `0`, "/: must be greater than 0, got 0"},
		{"maximum", `{"maximum": 2}`, `2`, ""},
		{"maximum fails", `{"maximum": 2}`, `2.01`, "/: must be at most 2, got 2.01"},
		{"bounds ignore other types", `{"minimum": 1, "maxItems": 0}`, `"x"`, ""},
		{"minItems", `{"minItems": 1}`, `[0]`, ""},
		{"minItems fails", `{"minItems": 1}`, `[]`, "/: must hold at least 1 items, got 0"},
		{"maxItems", `{"maxItems": 2}`, `[0, 1]`, ""},
		{"maxItems fails", `{"maxItems": 2}`, `[0, 1, 2]`, "/: must hold at most 2 items, got 3"},
		{"annotations are ignored", `{"title": "t", "description": "d", "default": 1, "examples": [2], "$comment": "c", "type": "integer"}`, `5`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s, doc any
			if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			if err := checkKeywords(s, ""); err != nil {
				t.Fatal(err)
			}
			root, _ := s.(map[string]any)
			v := validator{name: "t.json", root: root}
			err := v.check(s, doc, "")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.HasSuffix(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want ErrInvalid ending in %q", err, tc.wantErr)
			}
		})
	}
}

func TestUnsupportedKeywordsAreRefused(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`{"pattern": "^a"}`, `keyword "pattern" at  is not supported`},
		{`{"properties": {"a": {"minLength": 1}}}`, `keyword "minLength" at /properties/a is not supported`},
		{`{"items": {"uniqueItems": true}}`, `keyword "uniqueItems" at /items is not supported`},
		{`{"oneOf": [true, {"not": true}]}`, `keyword "not" at /oneOf/1 is not supported`},
		{`{"$defs": {"X": {"exclusiveMaximum": 1}}}`, `keyword "exclusiveMaximum" at /$defs/X is not supported`},
		{`{"additionalProperties": {"format": "date-time"}}`, `keyword "format" at /additionalProperties is not supported`},
	} {
		var s any
		if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
			t.Fatal(err)
		}
		err := checkKeywords(s, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.schema, err, tc.want)
		}
	}
}

func TestBrokenRef(t *testing.T) {
	for _, ref := range []string{"#/$defs/Missing", "other.json#/x"} {
		s := map[string]any{"$ref": ref, "$defs": map[string]any{}}
		v := validator{name: "t.json", root: s}
		err := v.check(s, 1, "")
		if err == nil || errors.Is(err, ErrInvalid) {
			t.Errorf("$ref %q: err = %v, want a schema error that is not ErrInvalid", ref, err)
		}
	}
}
