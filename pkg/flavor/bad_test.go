package flavor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// BadCase is one broken source folder and what Save must say about it.
type badCase struct {
	name    string
	task    string
	breakIt func(t *testing.T, dir string)
	wantIs  error
	wantMsg string // substring that tells the user what to fix
}

func remove(names ...string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		for _, n := range names {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func shard(t *testing.T, dir string, withSecond bool) {
	t.Helper()
	ts := tinyTensors("BF16")
	if err := os.Remove(filepath.Join(dir, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	writeSafetensors(t, filepath.Join(dir, "model-00001-of-00002.safetensors"), ts[:6])
	if withSecond {
		writeSafetensors(t, filepath.Join(dir, "model-00002-of-00002.safetensors"), ts[6:])
	}
	wm := map[string]string{}
	for i, x := range ts {
		wm[x.name] = "model-00001-of-00002.safetensors"
		if i >= 6 {
			wm[x.name] = "model-00002-of-00002.safetensors"
		}
	}
	writeJSON(t, filepath.Join(dir, "model.safetensors.index.json"), map[string]any{"metadata": map[string]any{"total_size": 0}, "weight_map": wm})
}

func badCases() []badCase {
	return []badCase{
		{"missing config.json", "", remove("config.json"), flavor.ErrInvalidModel, "config.json is missing"},
		{"not a causal LM", "", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"architectures": []string{"BertForMaskedLM"}, "model_type": "bert"})
		}, flavor.ErrInvalidModel, "BertForMaskedLM is not a causal language model"},
		{"no architectures", "", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"model_type": "llama"})
		}, flavor.ErrInvalidModel, `add the model class, e.g. "architectures": ["LlamaForCausalLM"]`},
		{"no weights", "", remove("model.safetensors"), flavor.ErrInvalidModel, "there are no weights: want model.safetensors"},
		{"only pickle weights", "", func(t *testing.T, dir string) {
			remove("model.safetensors")(t, dir)
			if err := os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("PK"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, flavor.ErrInvalidModel, "save_pretrained(DIR, safe_serialization=True)"},
		{"index names an absent shard", "", func(t *testing.T, dir string) { shard(t, dir, false) },
			flavor.ErrInvalidModel, "names shards that are not in the folder: model-00002-of-00002.safetensors"},
		{"shards without index", "", func(t *testing.T, dir string) {
			shard(t, dir, true)
			remove("model.safetensors.index.json")(t, dir)
		}, flavor.ErrInvalidModel, "add the index that lists them"},
		{"malformed safetensors header", "", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json at all"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, flavor.ErrInvalidModel, "model.safetensors: malformed safetensors header"},
		{"truncated safetensors", "", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("\x01\x02"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, flavor.ErrInvalidModel, "re-download or re-save it"},
		{"no tokenizer", "", remove("tokenizer.json"), flavor.ErrInvalidModel, "tokenizer.json is missing"},
		{"chat without a chat template", "llm/v1/chat", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "tokenizer_config.json"), map[string]any{"tokenizer_class": "LlamaTokenizer"})
		}, flavor.ErrInvalidModel, "there is no chat template"},
		{"bad input example", "llm/v1/chat", nil, signature.ErrInvalidInput, "messages[0].role: required field is missing"},
		{"unknown task", "summarization", nil, signature.ErrUnknownTask, `unknown task "summarization"`},
	}
}

func TestSaveRefusesBadSources(t *testing.T) {
	for _, tc := range badCases() {
		t.Run(tc.name, func(t *testing.T) {
			src := tinyModel(t)
			if tc.breakIt != nil {
				tc.breakIt(t, src)
			}
			parent := t.TempDir()
			out := filepath.Join(parent, "bundle")
			opts := flavor.SaveOptions{Task: tc.task}
			if tc.name == "bad input example" {
				opts.InputExample = []byte(`{"messages": [{"content": "hi"}]}`)
			}
			_, err := flavor.Save(context.Background(), src, out, opts)
			if err == nil {
				t.Fatal("Save succeeded")
			}
			if !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("err = %v\nwant it to contain %q", err, tc.wantMsg)
			}
			assertEmpty(t, parent)
		})
	}
}

// assertEmpty fails when dir holds anything: no bundle, no temp leftovers.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestSaveOutputExists(t *testing.T) {
	src := tinyModel(t)
	out, _ := save(t, src, flavor.SaveOptions{})
	_, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: "llm/v1/chat"})
	if !errors.Is(err, flavor.ErrExists) || !strings.Contains(err.Error(), "use --force") {
		t.Fatalf("err = %v, want ErrExists mentioning --force", err)
	}
	b, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: "llm/v1/chat", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.Task() != "llm/v1/chat" {
		t.Errorf("forced save did not replace the bundle: task %q", b.Task())
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries after a forced save, want just the bundle", len(entries))
	}
}

func TestSaveCancelledLeavesNothing(t *testing.T) {
	src := tinyModel(t)
	parent := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := flavor.Save(ctx, src, filepath.Join(parent, "bundle"), flavor.SaveOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertEmpty(t, parent)
}

func TestSaveRefusesOutputInsideSource(t *testing.T) {
	src := tinyModel(t)
	_, err := flavor.Save(context.Background(), src, filepath.Join(src, "out"), flavor.SaveOptions{})
	if !errors.Is(err, flavor.ErrInvalidModel) || !strings.Contains(err.Error(), "is inside the source folder") {
		t.Fatalf("err = %v", err)
	}
}
