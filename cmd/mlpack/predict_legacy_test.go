package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// mlflow23MLmodel is the MLmodel MLflow 2.3 writes for a transformers
// text-generation pipeline (the shape of
// pkg/flavor/testdata/mlflow-2.3-legacy): env as a plain string, weights in
// the default model_binary "pipeline", no signature params.
const mlflow23MLmodel = `flavors:
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

// TestPredictMLflow23Bundle runs `mlpack predict` on testdata/tiny-chat laid
// out as MLflow 2.3 saves it, with components/inference_config.txt setting
// max_new_tokens 4: the run succeeds, honours that config and answers.
func TestPredictMLflow23Bundle(t *testing.T) {
	dir := t.TempDir()
	put := func(rel, data string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, sub := range map[string]string{
		"config.json": "pipeline", "generation_config.json": "pipeline", "model.safetensors": "pipeline",
		"tokenizer.json": "components/tokenizer", "tokenizer_config.json": "components/tokenizer", "special_tokens_map.json": "components/tokenizer",
	} {
		data, err := os.ReadFile(testenv.Testdata(t, "tiny-chat", name))
		if err != nil {
			t.Fatal(err)
		}
		put(filepath.Join(sub, name), string(data))
	}
	put("components/inference_config.txt", `{"max_new_tokens": 4}`)
	put("MLmodel", mlflow23MLmodel)
	put("conda.yaml", "name: mlflow-env\nchannels:\n- conda-forge\ndependencies:\n- python=3.8.16\n- pip\n")
	put("requirements.txt", "mlflow==2.3.2\ntransformers==4.28.1\ntorch\n")

	code, stdout, stderr := runCLI(t, `{"inputs":"The end"}`, "predict", "-m", dir, "--json", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out []string
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not a JSON list of strings: %v\n%s", err, stdout)
	}
	if len(out) != 1 || !strings.HasPrefix(out[0], "The end") || len(out[0]) <= len("The end") {
		t.Errorf("output %q, want the prompt and a continuation", out)
	}
	var sum predictSummary
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.Contains(line, `"type":"summary"`) {
			if err := json.Unmarshal([]byte(line), &sum); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sum.Type != "summary" || sum.Task != "text-generation" || sum.CompletionTokens != 4 {
		t.Errorf("summary %+v, want text-generation with 4 completion tokens (components/inference_config.txt)\nstderr: %s", sum, stderr)
	}
}
