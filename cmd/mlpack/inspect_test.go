package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectJSON(t *testing.T) {
	src := tinySource(t)
	out := filepath.Join(t.TempDir(), "bundle")
	if code, _, stderr := runCLI(t, "", "save", "-m", src, "-o", out, "--task", "llm/v1/chat", "--model-config", "temperature=0.5"); code != 0 {
		t.Fatalf("save: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{{"inspect", "--json", out}, {"inspect", out, "--json"}} {
		code, stdout, stderr := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		var r inspectReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
		}
		if r.Task != "llm/v1/chat" || r.Architecture != "LlamaForCausalLM" || r.ParameterCount == 0 || r.DType == "" ||
			r.ContextLength == 0 || !r.ChatTemplate || r.ModelConfig["temperature"] != 0.5 || !strings.HasPrefix(r.SavedBy, "mlpack ") {
			t.Errorf("report = %+v", r)
		}
		var inputs []map[string]any
		if r.Signature == nil || json.Unmarshal(r.Signature.Inputs, &inputs) != nil || inputs[0]["name"] != "messages" {
			t.Errorf("signature = %+v", r.Signature)
		}
		if len(r.Files) < 10 {
			t.Fatalf("files = %v", r.Files)
		}
		for _, f := range r.Files {
			b, err := os.ReadFile(filepath.Join(out, f.Path))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(b)) {
				t.Errorf("%s: size %d sha %s, want %d %x", f.Path, f.Size, f.SHA256, len(b), sum)
			}
		}
	}
}

func TestInspectText(t *testing.T) {
	fixture := filepath.Join("..", "..", "pkg", "flavor", "testdata", "mlflow-2.3-legacy")
	code, stdout, stderr := runCLI(t, "", "inspect", fixture)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"task:            text-generation", "saved by:        mlflow (mlflow_version 2.3.2)",
		"parameters:      264 (264)", "dtype:           BF16", "context length:  2048",
		"chat template:   yes (tokenizer_config.json)", `model config:    do_sample=false max_new_tokens=20`,
		`inputs:  [{"type": "string", "required": true}]`, "  params:  null", "pipeline/model.safetensors",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestInspectBadBundle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"not a bundle", []string{"inspect", t.TempDir()}, exitInvalid, "has no MLmodel file"},
		{"no argument", []string{"inspect"}, exitUsage, "exactly one BUNDLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantMsg) || stdout != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tc.wantCode, stdout, stderr)
			}
		})
	}
}
