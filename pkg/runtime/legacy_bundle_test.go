package runtime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

// legacyMLmodel is the MLmodel shape MLflow 2.3 writes for a transformers
// text-generation pipeline (see pkg/flavor/testdata/mlflow-2.3-legacy):
// env as a plain string, weights under model_binary's default "pipeline",
// no signature params, the model config in components/inference_config.txt.
const legacyMLmodel = `flavors:
  python_function:
    env: conda.yaml
    loader_module: mlflow.transformers
    python_version: 3.8.16
  transformers:
    code: null
    components:
    - tokenizer
    framework: pt
    instance_type: TextGenerationPipeline
    pipeline_model_type: LlamaForCausalLM
    source_model_name: tiny/chat
    task: text-generation
    tokenizer_type: LlamaTokenizerFast
    transformers_version: 4.28.1
mlflow_version: 2.3.2
model_uuid: 5a2c7e9b0f1d4e6a8b3c2d1e0f9a8b7c
signature:
  inputs: '[{"type": "string"}]'
  outputs: '[{"type": "string"}]'
utc_time_created: '2023-05-10 08:00:00.000001'
`

// legacyBundle lays out testdata/tiny-chat in a temp dir the way MLflow 2.3
// saves it, with inference_config.txt holding {"max_new_tokens": 4}.
func legacyBundle(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"config.json":             "pipeline",
		"generation_config.json":  "pipeline",
		"model.safetensors":       "pipeline",
		"tokenizer.json":          "components/tokenizer",
		"tokenizer_config.json":   "components/tokenizer",
		"special_tokens_map.json": "components/tokenizer",
	}
	for name, sub := range files {
		data, err := os.ReadFile(testenv.Testdata(t, "tiny-chat", name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, sub, name), string(data))
	}
	write(t, filepath.Join(dir, "components", "inference_config.txt"), `{"max_new_tokens": 4}`)
	write(t, filepath.Join(dir, "MLmodel"), legacyMLmodel)
	write(t, filepath.Join(dir, "conda.yaml"), "name: mlflow-env\nchannels:\n- conda-forge\ndependencies:\n- python=3.8.16\n- pip\n")
	write(t, filepath.Join(dir, "requirements.txt"), "mlflow==2.3.2\ntransformers==4.28.1\ntorch\n")
	return dir
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLegacyMLflowBundlePredict predicts on a bundle as MLflow 2.3 writes it:
// the weights are found under pipeline/, and inference_config.txt's
// max_new_tokens is what bounds the completion.
func TestLegacyMLflowBundlePredict(t *testing.T) {
	eng, err := Load(context.Background(), legacyBundle(t), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Task() != "text-generation" || eng.ModelName() != "tiny/chat" {
		t.Fatalf("task %q, model %q", eng.Task(), eng.ModelName())
	}
	for _, body := range []string{`{"inputs":"The end"}`, `{"dataframe_split":{"data":[["The end"]]}}`} {
		in, err := task.ParseInput([]byte(body), task.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pred, err := eng.Predict(context.Background(), in, nil)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := pred.Results[0].CompletionTokens; got != 4 {
			t.Errorf("%s: %d completion tokens, want 4 (components/inference_config.txt)", body, got)
		}
		out, ok := pred.Output.([]string)
		if !ok || len(out) != 1 || !strings.HasPrefix(out[0], "The end") || len(out[0]) <= len("The end") {
			t.Errorf("%s: output %#v (results %+v), want the prompt and a continuation", body, pred.Output, pred.Results)
		}
	}
}
