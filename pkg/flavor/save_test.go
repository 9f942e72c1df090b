package flavor_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

var fixedNow = func() time.Time { return time.Date(2024, 9, 20, 10, 11, 12, 123456000, time.UTC) }

var uuidRE = regexp.MustCompile(`(?m)^model_uuid: [0-9a-f]{32}$`)

func normalise(b []byte) string {
	s := uuidRE.ReplaceAllString(string(b), "model_uuid: 00000000000000000000000000000000")
	return regexp.MustCompile(`(?m)^utc_time_created: .*$`).ReplaceAllString(s, `utc_time_created: "2000-01-01 00:00:00.000000"`)
}

func save(t *testing.T, src string, opts flavor.SaveOptions) (string, *flavor.Bundle) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bundle")
	if opts.Name == "" {
		opts.Name = "tiny-llama"
	}
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	b, err := flavor.Save(context.Background(), src, out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out, b
}

func taskFile(task string) string { return strings.NewReplacer("/", "_").Replace(task) }

func TestSaveGoldenMLmodel(t *testing.T) {
	src := tinyModel(t)
	for _, task := range []string{"text-generation", "llm/v1/chat", "llm/v1/completions"} {
		t.Run(task, func(t *testing.T) {
			out, b := save(t, src, flavor.SaveOptions{Task: task})
			got, err := os.ReadFile(filepath.Join(out, "MLmodel"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", taskFile(task)+".MLmodel")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(normalise(got)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), normalise(got)); diff != "" {
				t.Errorf("MLmodel (-golden +got):\n%s", diff)
			}
			if !regexp.MustCompile(`(?m)^model_uuid: [0-9a-f]{32}$`).Match(got) {
				t.Errorf("model_uuid is not 32 hex digits:\n%s", got)
			}
			if !strings.Contains(string(got), "utc_time_created: \"2024-09-20 10:11:12.123456\"\n") {
				t.Errorf("utc_time_created not in Python's str(datetime) form:\n%s", got)
			}
			if b.Task() != task {
				t.Errorf("Task() = %q, want %q", b.Task(), task)
			}
		})
	}
}

// TestSaveWritesMLflowSignatures compares the stored signature strings with
// MLflow's own, kept in ../signature/testdata.
func TestSaveWritesMLflowSignatures(t *testing.T) {
	src := tinyModel(t)
	for _, tc := range []struct{ task, file string }{
		{"text-generation", "text_generation"}, {"llm/v1/chat", "chat"}, {"llm/v1/completions", "completions"},
	} {
		t.Run(tc.task, func(t *testing.T) {
			out, _ := save(t, src, flavor.SaveOptions{Task: tc.task})
			var m struct {
				Signature map[string]*string `yaml:"signature"`
			}
			raw, _ := os.ReadFile(filepath.Join(out, "MLmodel"))
			if err := yaml.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			for _, part := range []string{"inputs", "outputs"} {
				want, err := os.ReadFile(filepath.Join("..", "signature", "testdata", tc.file+"_"+part+".json"))
				if err != nil {
					t.Fatal(err)
				}
				if m.Signature[part] == nil || *m.Signature[part] != string(want) {
					t.Errorf("signature.%s differs from MLflow's:\n got %v\nwant %s", part, m.Signature[part], want)
				}
			}
			if p, ok := m.Signature["params"]; !ok || p != nil {
				t.Errorf("signature.params = %v (present %v), want null", p, ok)
			}
		})
	}
}

// keyPaths lists the dotted key paths of a YAML mapping, down to leaves.
func keyPaths(prefix string, v any, out *[]string) {
	m, ok := v.(map[string]any)
	if !ok {
		*out = append(*out, prefix)
		return
	}
	for k, sub := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		keyPaths(p, sub, out)
	}
}

func TestSaveHasExactlyMLflowFields(t *testing.T) {
	common := []string{
		"flavors.python_function.env.conda", "flavors.python_function.env.virtualenv",
		"flavors.python_function.loader_module", "flavors.python_function.python_version",
		"flavors.transformers.code", "flavors.transformers.components", "flavors.transformers.framework",
		"flavors.transformers.instance_type", "flavors.transformers.model_binary",
		"flavors.transformers.pipeline_model_type", "flavors.transformers.source_model_name",
		"flavors.transformers.task", "flavors.transformers.tokenizer_type", "flavors.transformers.torch_dtype",
		"flavors.transformers.transformers_version", "mlflow_version", "model_size_bytes", "model_uuid",
		"signature.inputs", "signature.outputs", "signature.params", "utc_time_created",
	}
	llm := []string{
		"flavors.transformers.inference_task", "metadata.task",
		"saved_input_example_info.artifact_path", "saved_input_example_info.serving_input_path", "saved_input_example_info.type",
	}
	src := tinyModel(t)
	for _, tc := range []struct {
		task  string
		extra []string
	}{{"text-generation", nil}, {"llm/v1/chat", llm}, {"llm/v1/completions", llm}} {
		t.Run(tc.task, func(t *testing.T) {
			out, _ := save(t, src, flavor.SaveOptions{Task: tc.task})
			raw, _ := os.ReadFile(filepath.Join(out, "MLmodel"))
			var m map[string]any
			if err := yaml.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			delete(m["flavors"].(map[string]any), "mlpack") // mlpack's own, ignored by MLflow
			var got []string
			keyPaths("", m, &got)
			want := append(slices.Clone(common), tc.extra...)
			sort.Strings(got)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("MLmodel fields (-MLflow +mlpack):\n%s", diff)
			}
		})
	}
}

func TestSaveLayout(t *testing.T) {
	src := tinyModel(t)
	_, b := save(t, src, flavor.SaveOptions{Task: "llm/v1/chat"})
	files, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	want := []string{
		"MLmodel", "components/tokenizer/special_tokens_map.json", "components/tokenizer/tokenizer.json",
		"components/tokenizer/tokenizer_config.json", "conda.yaml", "input_example.json",
		"model/config.json", "model/generation_config.json", "model/model.safetensors",
		"python_env.yaml", "requirements.txt", "serving_input_example.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	var size int64
	for _, f := range files {
		if f.Path != "MLmodel" {
			size += f.Size
		}
	}
	if got := *b.Model.ModelSizeBytes; got != size {
		t.Errorf("model_size_bytes = %d, want %d (all files but MLmodel)", got, size)
	}
	mp := b.Model.Flavors.Mlpack
	if mp.ParameterCount != tinyParamCount || mp.DType != "F32" || mp.ContextLength != 128 ||
		mp.Architecture != "LlamaForCausalLM" || mp.ChatTemplateSource != "tokenizer_config.json" {
		t.Errorf("flavors.mlpack = %+v", mp)
	}
	for name, want := range map[string]string{
		"input_example.json":         flavor.DefaultChatExample,
		"serving_input_example.json": "{\n  \"messages\": [\n    {\n      \"role\": \"system\",\n      \"content\": \"You are a bot.\"\n    },\n    {\n      \"role\": \"user\",\n      \"content\": \"Hello, how are you?\"\n    }\n  ]\n}",
		"requirements.txt":           "mlflow==2.16.2\naccelerate==0.34.2\nsafetensors==0.4.5\ntokenizers==0.19.1\ntorch==2.4.1\ntorchvision==0.19.1\ntransformers==4.44.2",
	} {
		got, err := os.ReadFile(filepath.Join(b.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	src := tinyModel(t)
	for _, task := range []string{"text-generation", "llm/v1/chat", "llm/v1/completions"} {
		t.Run(task, func(t *testing.T) {
			opts := flavor.SaveOptions{Task: task, ModelConfig: map[string]any{"temperature": 0.5, "stop": []any{"foo"}, "max_new_tokens": int64(64)}}
			out1, b1 := save(t, src, opts)
			disk, _ := os.ReadFile(filepath.Join(out1, "MLmodel"))
			again, err := b1.Model.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(disk), string(again)); diff != "" {
				t.Errorf("load→marshal differs from the file (-file +marshal):\n%s", diff)
			}
			out2, _ := save(t, src, opts)
			disk2, _ := os.ReadFile(filepath.Join(out2, "MLmodel"))
			if diff := cmp.Diff(normalise(disk), normalise(disk2)); diff != "" {
				t.Errorf("second save differs (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]any{"temperature": 0.5, "stop": []any{"foo"}, "max_new_tokens": int64(64)}, b1.ModelConfig()); diff != "" {
				t.Errorf("ModelConfig (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSaveFromBundle re-saves a bundle: the MLmodel is identical apart from
// model_uuid and utc_time_created (save → load → save).
func TestSaveFromBundle(t *testing.T) {
	src := tinyModel(t)
	for _, task := range []string{"text-generation", "llm/v1/chat", "llm/v1/completions"} {
		t.Run(task, func(t *testing.T) {
			out1, _ := save(t, src, flavor.SaveOptions{Task: task, Name: "org/tiny", ModelConfig: map[string]any{"temperature": 1.0}})
			out2 := filepath.Join(t.TempDir(), "again")
			b2, err := flavor.Save(context.Background(), out1, out2, flavor.SaveOptions{Task: task})
			if err != nil {
				t.Fatal(err)
			}
			m1, _ := os.ReadFile(filepath.Join(out1, "MLmodel"))
			m2, _ := os.ReadFile(filepath.Join(out2, "MLmodel"))
			if diff := cmp.Diff(normalise(m1), normalise(m2)); diff != "" {
				t.Errorf("re-saved MLmodel differs (-first +second):\n%s", diff)
			}
			if b2.SourceModelName() != "org/tiny" {
				t.Errorf("name not kept: %q", b2.SourceModelName())
			}
		})
	}
}
