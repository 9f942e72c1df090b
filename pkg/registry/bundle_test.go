package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// TestPushRefusesInvalidBundles: push validates the bundle before any
// upload, and never reads a file outside it.
func TestPushRefusesInvalidBundles(t *testing.T) {
	host := distribution(t)
	outside := filepath.Join(t.TempDir(), "host-secret.txt")
	if err := os.WriteFile(outside, []byte("not for the registry\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		break_  func(t *testing.T, dir string)
		wantMsg string
	}{
		{"weights removed", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "model", "model.safetensors")))
		}, "no weights"},
		{"shard named by the index missing", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, "model", "model.safetensors"), filepath.Join(dir, "model", "model-00001-of-00002.safetensors")))
			idx := `{"weight_map":{"model.embed_tokens.weight":"model-00001-of-00002.safetensors","lm_head.weight":"model-00002-of-00002.safetensors"}}`
			must(t, os.WriteFile(filepath.Join(dir, "model", "model.safetensors.index.json"), []byte(idx), 0o644))
		}, "model-00002-of-00002.safetensors"},
		{"truncated weights", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, "model", "model.safetensors"), 20))
		}, "safetensors"},
		{"tokenizer.json removed", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "components", "tokenizer", "tokenizer.json")))
		}, "tokenizer.json"},
		{"symlink to a host file", func(t *testing.T, dir string) {
			must(t, os.Symlink(outside, filepath.Join(dir, "components", "tokenizer", "leak.txt")))
		}, "leak.txt is a symlink"},
		{"symlink inside the bundle", func(t *testing.T, dir string) {
			must(t, os.Symlink("README.md", filepath.Join(dir, "README-link.md")))
		}, "README-link.md is a symlink"},
		{"symlinked folder", func(t *testing.T, dir string) {
			must(t, os.Symlink(filepath.Dir(outside), filepath.Join(dir, "extra")))
		}, "extra is a symlink"},
		{"unfinished pull", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, stagingDir, "blobs"), 0o755))
		}, "unfinished pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testBundle(t, 1024)
			tt.break_(t, dir)
			ref := host + "/invalid/" + strings.ReplaceAll(tt.name, " ", "-") + ":v1"
			_, err := Push(context.Background(), dir, ref, PushOptions{Options: Options{Retry: fastRetry}})
			wantErr(t, err, ErrInvalidBundle)
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if _, err := Pull(context.Background(), ref, PullOptions{Dir: t.TempDir(), Options: Options{Retry: fastRetry}}); err == nil {
				t.Errorf("the refused push created %s", ref)
			}
		})
	}
}

// TestBuildFileSetIsInspects: push ships exactly the files flavor lists
// for `mlpack inspect`, extra files included.
func TestBuildFileSetIsInspects(t *testing.T) {
	dir := testBundle(t, 1024)
	must(t, os.MkdirAll(filepath.Join(dir, "notes"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "notes", "eval.txt"), []byte("ok\n"), 0o644))
	// The bundle folder itself may be a symlink.
	link := filepath.Join(t.TempDir(), "link")
	must(t, os.Symlink(dir, link))
	a, err := Build(context.Background(), link, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := flavor.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ff, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, f := range ff {
		want[f.Path] = f.Size
	}
	got := map[string]int64{}
	for _, f := range a.Files {
		got[f.Path] = f.Size
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pushed files differ from the bundle's file list (-inspect +push):\n%s", diff)
	}
}

// TestParamSizeTiedEmbeddings: with tie_word_embeddings a stored
// lm_head.weight is not counted twice (stories260k: 260K, not 292.8K).
func TestParamSizeTiedEmbeddings(t *testing.T) {
	weights := testenv.Shared(t, "stories260k", "model.safetensors")
	srcCfg := testenv.Shared(t, "stories260k", "config.json")
	raw, err := os.ReadFile(srcCfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(weights)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tied bool
		want string
	}{
		{true, "260K"}, // 260,032 parameters: embeddings counted once
		{false, "292.8K"},
	}
	for _, tt := range tests {
		t.Run(map[bool]string{true: "tied", false: "untied"}[tt.tied], func(t *testing.T) {
			var cfg map[string]any
			must(t, json.Unmarshal(raw, &cfg))
			cfg["tie_word_embeddings"] = tt.tied
			cb, _ := json.Marshal(cfg)
			dir := testBundle(t, 64)
			must(t, os.WriteFile(filepath.Join(dir, "model", "config.json"), cb, 0o644))
			must(t, os.WriteFile(filepath.Join(dir, "model", "model.safetensors"), w, 0o644))
			a, err := Build(context.Background(), dir, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var mc ModelConfig
			must(t, json.Unmarshal(a.Config, &mc))
			if mc.Config.ParamSize != tt.want {
				t.Errorf("paramSize = %q, want %q", mc.Config.ParamSize, tt.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
