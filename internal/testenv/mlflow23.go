package testenv

import (
	"os"
	"path/filepath"
	"testing"
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

// MLflow23Bundle lays out the committed testdata/tiny-chat model in a temp
// folder the way MLflow 2.3 saves a text-generation pipeline (weights under
// pipeline/, tokenizer under components/tokenizer/, env as a plain string)
// with components/inference_config.txt holding inferenceConfig (JSON), and
// returns the folder. Its source_model_name is "tiny/chat".
func MLflow23Bundle(tb testing.TB, inferenceConfig string) string {
	tb.Helper()
	dir := tb.TempDir()
	put := func(rel, data string) {
		tb.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for name, sub := range map[string]string{
		"config.json": "pipeline", "generation_config.json": "pipeline", "model.safetensors": "pipeline",
		"tokenizer.json": "components/tokenizer", "tokenizer_config.json": "components/tokenizer",
		"special_tokens_map.json": "components/tokenizer",
	} {
		data, err := os.ReadFile(Testdata(tb, "tiny-chat", name))
		if err != nil {
			tb.Fatal(err)
		}
		put(filepath.Join(sub, name), string(data))
	}
	put("components/inference_config.txt", inferenceConfig)
	put("MLmodel", mlflow23MLmodel)
	put("conda.yaml", "name: mlflow-env\nchannels:\n- conda-forge\ndependencies:\n- python=3.8.16\n- pip\n")
	put("requirements.txt", "mlflow==2.3.2\ntransformers==4.28.1\ntorch\n")
	return dir
}
