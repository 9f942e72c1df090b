package flavor_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// FuzzParseMLmodel checks that any MLmodel that parses can be written back
// and parses again to a manifest that writes the same bytes.
func FuzzParseMLmodel(f *testing.F) {
	for _, p := range []string{"mlflow-2.16-chat/MLmodel", "mlflow-2.3-legacy/MLmodel", "golden/llm_v1_chat.MLmodel"} {
		b, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := flavor.ParseMLmodel(data)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			return // e.g. values yaml cannot re-encode; not a crash
		}
		m2, err := flavor.ParseMLmodel(out)
		if err != nil {
			t.Fatalf("written MLmodel does not parse: %v\n%s", err, out)
		}
		out2, err := m2.Marshal()
		if err != nil || string(out2) != string(out) {
			t.Fatalf("MLmodel encoding not stable:\n%s\n---\n%s", out, out2)
		}
	})
}
