package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// tinySource returns a fresh Hugging Face folder holding a tiny chat model:
// the committed testdata/tiny-chat when present, else one assembled from the
// MLflow-layout fixture of pkg/flavor (model/ plus components/tokenizer/).
func tinySource(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "tiny-chat")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	var from []string
	if st, err := os.Stat(testenv.Testdata(t, "tiny-chat", "config.json")); err == nil && st.Mode().IsRegular() {
		from = []string{testenv.Testdata(t, "tiny-chat")}
	} else {
		fx := filepath.Join(testenv.RepoRoot(t), "pkg", "flavor", "testdata", "mlflow-2.16-chat")
		from = []string{filepath.Join(fx, "model"), filepath.Join(fx, "components", "tokenizer")}
	}
	for _, dir := range from {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
