package signature_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// FuzzParseSchema checks that parsing never panics and that whatever parses
// encodes to a string that parses back to the same encoding, and that
// validating any JSON value against it never panics.
func FuzzParseSchema(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(string(b), `{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}`)
	}
	f.Add(`[{"type": "map", "values": {"type": "any"}, "name": "m"}]`, `{"m": {"a": [1, null]}}`)
	f.Add(`[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]`, `[1.5]`)
	f.Fuzz(func(t *testing.T, schema, input string) {
		s, err := signature.ParseSchema(schema)
		if err != nil {
			return
		}
		enc := s.JSON()
		s2, err := signature.ParseSchema(enc)
		if err != nil {
			t.Fatalf("encoding %q does not parse: %v", enc, err)
		}
		if enc2 := s2.JSON(); enc2 != enc {
			t.Fatalf("encoding not stable:\n%s\n%s", enc, enc2)
		}
		var v any
		if json.Unmarshal([]byte(input), &v) == nil {
			_ = s.Validate(v)
		}
	})
}
