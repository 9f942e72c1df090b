package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestArtifactGolden pins the exact manifest and config mlpack pushes for
// the seeded test bundle: any change to digests, order or annotations shows
// up here (go test ./pkg/registry -run Golden -update to accept it).
func TestArtifactGolden(t *testing.T) {
	art, err := Build(context.Background(), testBundle(t, 4096), BuildOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	for _, part := range [][]byte{art.Manifest, art.Config} {
		if err := json.Indent(&got, part, "", "  "); err != nil {
			t.Fatal(err)
		}
		got.WriteString("\n")
	}
	got.WriteString("manifest digest " + art.Digest + "\n")
	path := filepath.Join("testdata", "artifact.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("artifact differs from %s (-want +got):\n%s", path, diff)
	}
}
