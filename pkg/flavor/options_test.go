package flavor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

func TestParseModelConfig(t *testing.T) {
	got, err := flavor.ParseModelConfig([]string{
		"temperature=0.7", "max_new_tokens=64", "do_sample=true", `stop=["foo", "\n"]`,
		"name=plain text", `quoted="42"`, "empty=", "x=1", "x=2", "nothing=null",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"temperature": 0.7, "max_new_tokens": int64(64), "do_sample": true, "stop": []any{"foo", "\n"},
		"name": "plain text", "quoted": "42", "empty": "", "x": int64(2), "nothing": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := flavor.ParseModelConfig([]string{"temperature"}); err == nil || !strings.Contains(err.Error(), "want key=value") {
		t.Errorf("err = %v, want a key=value hint", err)
	}
}

func TestSaveLinkSharesWeights(t *testing.T) {
	src := tinyModel(t)
	out := filepath.Join(filepath.Dir(src), "bundle") // same filesystem
	if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Link: true}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(src, "model.safetensors"))
	b, _ := os.Stat(filepath.Join(out, "model", "model.safetensors"))
	if !os.SameFile(a, b) {
		t.Error("--link did not hard-link model.safetensors")
	}
	c, _ := os.Stat(filepath.Join(out, "model", "config.json"))
	d, _ := os.Stat(filepath.Join(src, "config.json"))
	if os.SameFile(c, d) {
		t.Error("config.json was linked; only weights should be")
	}
}

func TestSaveInputExamples(t *testing.T) {
	src := tinyModel(t)
	for _, tc := range []struct {
		name, task, example string
		wantEx, wantServing string
	}{
		{"text string", "text-generation", `"Hello"`, `"Hello"`, "{\n  \"inputs\": \"Hello\"\n}"},
		{"text list keeps order and escapes like Python", "text-generation", `["héllo", "b"]`, `["h\u00e9llo", "b"]`, "{\n  \"inputs\": [\n    \"h\\u00e9llo\",\n    \"b\"\n  ]\n}"},
		{"completions dict served unwrapped", "llm/v1/completions", `{"prompt":"Hi","max_tokens":5}`, `{"prompt": "Hi", "max_tokens": 5}`, "{\n  \"prompt\": \"Hi\",\n  \"max_tokens\": 5\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, b := save(t, src, flavor.SaveOptions{Task: tc.task, InputExample: []byte(tc.example)})
			for file, want := range map[string]string{"input_example.json": tc.wantEx, "serving_input_example.json": tc.wantServing} {
				got, err := os.ReadFile(filepath.Join(out, file))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, string(got)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", file, diff)
				}
			}
			if info := b.Model.SavedInputExampleInfo; info == nil || info.Type != "json_object" {
				t.Errorf("saved_input_example_info = %+v", info)
			}
		})
	}
}

func TestSaveSignatureOption(t *testing.T) {
	src := tinyModel(t)
	sig, _ := signature.ForTask("text-generation")
	sig.Params = signature.TextGenerationParams()
	_, b := save(t, src, flavor.SaveOptions{Signature: sig})
	if !b.Signature.Equal(sig) {
		t.Errorf("saved signature differs from the one given")
	}
	_, err := flavor.Save(context.Background(), src, filepath.Join(t.TempDir(), "b"), flavor.SaveOptions{Task: "llm/v1/chat", Signature: sig})
	if !errors.Is(err, signature.ErrInvalidSignature) || !strings.Contains(err.Error(), "fixed by MLflow") {
		t.Errorf("err = %v, want the llm/v1 signature refusal", err)
	}
}

func TestReadSourceChatTemplateForms(t *testing.T) {
	for _, tc := range []struct {
		name       string
		setup      func(t *testing.T, dir string)
		wantSource string
		wantTmpl   string
	}{
		{"string in tokenizer_config", func(*testing.T, string) {}, "tokenizer_config.json", tinyLlamaTemplate},
		{"named list in tokenizer_config", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "tokenizer_config.json"), map[string]any{"chat_template": []map[string]string{
				{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"},
			}})
		}, "tokenizer_config.json", "D"},
		{"chat_template.jinja wins", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "chat_template.jinja"), []byte("J"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "chat_template.jinja", "J"},
		{"chat_template.json beats tokenizer_config", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "chat_template.json"), map[string]any{"chat_template": "C"})
		}, "chat_template.json", "C"},
		{"none", func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "tokenizer_config.json"), map[string]any{"chat_template": nil})
		}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tinyModel(t)
			tc.setup(t, dir)
			s, err := flavor.ReadSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			if s.ChatTemplateSource != tc.wantSource || s.ChatTemplate != tc.wantTmpl {
				t.Errorf("got (%q, %q), want (%q, %q)", s.ChatTemplateSource, s.ChatTemplate, tc.wantSource, tc.wantTmpl)
			}
		})
	}
}

func TestSaveShardedBF16(t *testing.T) {
	src := tinyModel(t)
	shard(t, src, true)
	_, b := save(t, src, flavor.SaveOptions{Task: "llm/v1/completions"})
	mp := b.Model.Flavors.Mlpack
	if mp.DType != "BF16" || mp.ParameterCount != tinyParamCount {
		t.Errorf("mlpack flavor = %+v", mp)
	}
	if got := b.Model.Flavors.Transformers.TorchDType; got != "torch.bfloat16" {
		t.Errorf("torch_dtype = %q", got)
	}
	for _, f := range []string{"model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"} {
		if _, err := os.Stat(filepath.Join(b.ModelDir(), f)); err != nil {
			t.Error(err)
		}
	}
}

func TestSaveStories260K(t *testing.T) {
	shared := testenv.Shared(t, "stories260k")
	src := filepath.Join(t.TempDir(), "stories260k")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} {
		if err := os.Symlink(filepath.Join(shared, f), filepath.Join(src, f)); err != nil {
			t.Fatal(err)
		}
	}
	_, b := save(t, src, flavor.SaveOptions{})
	mp := b.Model.Flavors.Mlpack
	// transformers' num_parameters: lm_head.weight, stored beside the tied
	// embeddings (tie_word_embeddings true), counts once.
	if mp.ParameterCount != 260_032 || mp.DType != "F32" || mp.ContextLength != 512 {
		t.Errorf("mlpack flavor = %+v", mp)
	}
	if _, err := flavor.Save(context.Background(), src, filepath.Join(t.TempDir(), "x"), flavor.SaveOptions{Task: "llm/v1/chat"}); !errors.Is(err, flavor.ErrInvalidModel) {
		t.Errorf("chat save of a model without template: err = %v", err)
	}
}

func TestSaveDefaultName(t *testing.T) {
	for _, tc := range []struct{ nameOrPath, want string }{
		{"", "tiny-llama"},
		{"TinyLlama/TinyLlama-1.1B-Chat-v1.0", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"},
		{"/home/me/models/x", "tiny-llama"},
		{"./x/y", "tiny-llama"},
	} {
		t.Run(tc.nameOrPath, func(t *testing.T) {
			src := tinyModel(t)
			cfg := readJSON(t, filepath.Join(src, "config.json"))
			if tc.nameOrPath != "" {
				cfg["_name_or_path"] = tc.nameOrPath
			}
			writeJSON(t, filepath.Join(src, "config.json"), cfg)
			b, err := flavor.Save(context.Background(), src, filepath.Join(t.TempDir(), "b"), flavor.SaveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := b.SourceModelName(); got != tc.want {
				t.Errorf("source_model_name = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSaveWritesGenerationConfigWhenAbsent(t *testing.T) {
	src := tinyModel(t)
	if err := os.Remove(filepath.Join(src, "generation_config.json")); err != nil {
		t.Fatal(err)
	}
	_, b := save(t, src, flavor.SaveOptions{})
	got := readJSON(t, filepath.Join(b.ModelDir(), "generation_config.json"))
	want := map[string]any{"_from_model_config": true, "bos_token_id": 1.0, "eos_token_id": 2.0, "transformers_version": flavor.TransformersVersion}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generation_config.json (-want +got):\n%s", diff)
	}
}

// TestSaveLinkFallsBackToCopy saves from /dev/shm (tmpfs) into the test's
// temp dir: a hard link across filesystems fails and the weights are copied.
func TestSaveLinkFallsBackToCopy(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "mlpack-test-")
	if err != nil {
		t.Skipf("no /dev/shm to put the source on another filesystem: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	src := filepath.Join(shm, "model")
	copyTree(t, tinyModel(t), src)
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Link: true}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(src, "model.safetensors"))
	b, _ := os.Stat(filepath.Join(out, "model", "model.safetensors"))
	if os.SameFile(a, b) {
		t.Skip("source and output share a filesystem here; the fallback was not exercised")
	}
	if diff := cmp.Diff(mustRead(t, filepath.Join(src, "model.safetensors")), mustRead(t, filepath.Join(out, "model", "model.safetensors"))); diff != "" {
		t.Error("copied weights differ from the source")
	}
}
