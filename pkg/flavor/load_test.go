package flavor_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// The testdata/mlflow-* bundles are laid out as MLflow writes them (MLmodel
// dumped with PyYAML, tiny weights): 2.16 with an llm/v1/chat task, and a
// 2.3-era one with env as a string, weights in pipeline/, no params key and
// the model config in components/inference_config.txt.
func TestLoadMLflowBundles(t *testing.T) {
	for _, tc := range []struct {
		dir, task, modelDir string
		config              map[string]any
		inputs              string
		params              bool
	}{
		{"mlflow-2.16-chat", "llm/v1/chat", "model", map[string]any{"temperature": 0.5, "stop": []any{"foo"}}, "", false},
		{"mlflow-2.3-legacy", "text-generation", "pipeline", map[string]any{"max_new_tokens": int64(20), "do_sample": false}, `[{"type": "string", "required": true}]`, false},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.dir)
			b, err := flavor.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if b.Task() != tc.task {
				t.Errorf("Task() = %q, want %q", b.Task(), tc.task)
			}
			if b.ModelDir() != filepath.Join(dir, tc.modelDir) {
				t.Errorf("ModelDir() = %q", b.ModelDir())
			}
			if b.TokenizerDir() != filepath.Join(dir, "components", "tokenizer") {
				t.Errorf("TokenizerDir() = %q", b.TokenizerDir())
			}
			if diff := cmp.Diff(tc.config, b.ModelConfig()); diff != "" {
				t.Errorf("ModelConfig (-want +got):\n%s", diff)
			}
			if b.SourceModelName() != "TinyLlama/TinyLlama-1.1B-Chat-v1.0" {
				t.Errorf("SourceModelName() = %q", b.SourceModelName())
			}
			if b.Signature == nil || b.Signature.Inputs == nil || (b.Signature.Params != nil) != tc.params {
				t.Fatalf("signature = %+v", b.Signature)
			}
			if tc.inputs != "" && b.Signature.Inputs.JSON() != tc.inputs {
				t.Errorf("inputs = %s", b.Signature.Inputs.JSON())
			}
			files, err := b.Files()
			if err != nil || len(files) < 6 {
				t.Errorf("Files() = %v, %v", files, err)
			}
			// Writing the loaded manifest again keeps every field.
			out, err := b.Model.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := flavor.ParseMLmodel(out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(b.Model, back); diff != "" {
				t.Errorf("re-encoded MLmodel differs (-loaded +reparsed):\n%s", diff)
			}
		})
	}
}

func TestLoadLegacyEnvString(t *testing.T) {
	b, err := flavor.Load(filepath.Join("testdata", "mlflow-2.3-legacy"))
	if err != nil {
		t.Fatal(err)
	}
	env := b.Model.Flavors.PythonFunction.Env
	if env.CondaFile() != "conda.yaml" || env.Legacy != "conda.yaml" {
		t.Errorf("env = %+v", env)
	}
	out, _ := b.Model.Marshal()
	if !strings.Contains(string(out), "    env: conda.yaml\n") {
		t.Errorf("legacy env not written back as a string:\n%s", out)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadRejectsBrokenBundles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, dir string)
		wantMsg string
	}{
		{"no MLmodel", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "MLmodel")) }, "has no MLmodel file"},
		{"not YAML", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "MLmodel"), []byte("flavors: [unclosed"), 0o644)
		}, "MLmodel is not valid YAML"},
		{"no transformers flavor", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "MLmodel"), []byte("flavors:\n  sklearn: {}\nmodel_uuid: x\n"), 0o644)
		}, "no transformers flavor"},
		{"other pipeline task", func(t *testing.T, dir string) { editMLmodel(t, dir, "task: text-generation", "task: summarization") }, "text-generation pipelines only"},
		{"weights folder missing", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, "model")) }, "model/config.json is missing"},
		{"tokenizer missing", func(t *testing.T, dir string) { os.RemoveAll(filepath.Join(dir, "components")) }, "components/tokenizer is missing"},
		{"bad signature", func(t *testing.T, dir string) {
			editMLmodel(t, dir, `{"type": "double", "name": "temperature"`, `{"type": "decimal", "name": "temperature"`)
		}, `unknown type "decimal"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join("testdata", "mlflow-2.16-chat"), dir)
			// Unfold PyYAML's folded lines so edits can match.
			m, _ := flavor.ParseMLmodel(mustRead(t, filepath.Join(dir, "MLmodel")))
			out, _ := m.Marshal()
			os.WriteFile(filepath.Join(dir, "MLmodel"), out, 0o644)
			tc.breakIt(t, dir)
			_, err := flavor.Load(dir)
			if !errors.Is(err, flavor.ErrInvalidBundle) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want ErrInvalidBundle containing %q", err, tc.wantMsg)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func editMLmodel(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "MLmodel")
	s := string(mustRead(t, p))
	if !strings.Contains(s, old) {
		t.Fatalf("MLmodel has no %q", old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBundleReadModel(t *testing.T) {
	b, err := flavor.Load(filepath.Join("testdata", "mlflow-2.3-legacy"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.ReadModel()
	if err != nil {
		t.Fatal(err)
	}
	if s.ParameterCount != 16*8*2+8 || s.DType != "BF16" || s.ContextLength != 2048 || s.ChatTemplateSource != "tokenizer_config.json" {
		t.Errorf("ReadModel = %+v", s)
	}
	if diff := cmp.Diff([]string{"special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"}, s.TokenizerFiles); diff != "" {
		t.Errorf("tokenizer files (-want +got):\n%s", diff)
	}
}

func TestMarshalSortsUnknownKeys(t *testing.T) {
	m, err := flavor.ParseMLmodel([]byte("model_uuid: m-1\nzeta: 1\nflavors:\n  transformers:\n    task: text-generation\n    code: null\n    aaa_new: x\nalpha: 2\nutc_time_created: t\nmlflow_version: '3.0'\n"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "alpha: 2\nflavors:\n  transformers:\n    aaa_new: x\n    code: null\n    task: text-generation\nmlflow_version: \"3.0\"\nmodel_uuid: m-1\nutc_time_created: t\nzeta: 1\n"
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
