package schemas_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/schemas"
)

func doc(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

const validMLmodel = `{
  "flavors": {
    "python_function": {"env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}, "loader_module": "mlflow.transformers", "python_version": "3.10.12", "config": {"temperature": 0.5}},
    "transformers": {"code": null, "components": ["tokenizer"], "task": "text-generation", "model_binary": "model", "some_future_key": 1},
    "mlpack": {"architecture": "LlamaForCausalLM", "dtype": "F32", "mlpack_version": "dev", "parameter_count": 10}
  },
  "mlflow_version": "2.16.2",
  "model_uuid": "0cf510c002824837a1a4320dc9ed82e6",
  "utc_time_created": "2024-09-20 10:11:12.123456",
  "model_size_bytes": 12,
  "signature": {"inputs": "[]", "outputs": "[]", "params": null},
  "databricks_runtime": "x"
}`

func TestValidateMLmodel(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(m map[string]any)
		wantErr string
	}{
		{"valid with extra keys MLflow may add", func(map[string]any) {}, ""},
		{"env as a legacy string", func(m map[string]any) {
			m["flavors"].(map[string]any)["python_function"].(map[string]any)["env"] = "conda.yaml"
		}, ""},
		{"missing model_uuid", func(m map[string]any) { delete(m, "model_uuid") }, "/model_uuid: required property is missing"},
		{"size not an integer", func(m map[string]any) { m["model_size_bytes"] = 1.5 }, "/model_size_bytes: expected integer, got number"},
		{"size as a string", func(m map[string]any) { m["model_size_bytes"] = "12" }, "/model_size_bytes: expected integer, got string"},
		{"code must be string or null", func(m map[string]any) {
			m["flavors"].(map[string]any)["transformers"].(map[string]any)["code"] = 3.0
		}, "/flavors/transformers/code: expected string, got integer"},
		{"params must be string or null", func(m map[string]any) {
			m["signature"].(map[string]any)["params"] = []any{}
		}, "/signature/params: expected string, got array"},
		{"unknown key in a closed struct", func(m map[string]any) {
			m["flavors"].(map[string]any)["mlpack"].(map[string]any)["colour"] = "red"
		}, "/flavors/mlpack/colour: property is not allowed here"},
		{"components items are strings", func(m map[string]any) {
			m["flavors"].(map[string]any)["transformers"].(map[string]any)["components"] = []any{"tokenizer", true}
		}, "/flavors/transformers/components/1: expected string, got boolean"},
		{"env neither string nor object", func(m map[string]any) {
			m["flavors"].(map[string]any)["python_function"].(map[string]any)["env"] = []any{}
		}, "/flavors/python_function/env: expected string, got array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := doc(t, validMLmodel).(map[string]any)
			tc.edit(m)
			err := schemas.Validate("mlmodel.json", m)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.HasSuffix(err.Error(), tc.wantErr) || !errors.Is(err, schemas.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid ending in %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateUnknownSchema(t *testing.T) {
	if err := schemas.Validate("nope.json", nil); err == nil {
		t.Fatal("no error for a missing schema file")
	}
}
