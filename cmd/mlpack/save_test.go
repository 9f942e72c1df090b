package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

func TestSaveEachTask(t *testing.T) {
	src := tinySource(t)
	for _, task := range []string{"text-generation", "llm/v1/chat", "llm/v1/completions"} {
		t.Run(task, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bundle")
			code, stdout, stderr := runCLI(t, "", "save", "-m", src, "--task", task, "-o", out, "--name", "tiny/chat")
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if stdout != out+"\n" {
				t.Errorf("stdout = %q, want just the bundle path", stdout)
			}
			b, err := flavor.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if b.Task() != task || b.SourceModelName() != "tiny/chat" {
				t.Errorf("task %q, name %q", b.Task(), b.SourceModelName())
			}
		})
	}
}

func TestSaveJSONAndOptions(t *testing.T) {
	src := tinySource(t)
	dir := t.TempDir()
	example := filepath.Join(dir, "example.json")
	writeFile(t, example, `"Once upon a time"`)
	sig := filepath.Join(dir, "sig.json")
	writeFile(t, sig, `{"inputs": [{"type": "string", "required": true}], "outputs": [{"type": "string", "required": true}], "params": [{"name": "max_new_tokens", "type": "long", "default": 8, "shape": null}]}`)
	out := filepath.Join(dir, "bundle")
	code, stdout, stderr := runCLI(t, "", "save", "-m", src, "-o", out, "--json",
		"--model-config", "temperature=0.7", "--model-config", `stop=["a", "b"]`, "--model-config", "do_sample=true",
		"--input-example", example, "--signature", sig, "--link")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var res saveResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if res.Path != out || res.Task != "text-generation" || len(res.ModelUUID) != 32 || res.ParameterCount == 0 {
		t.Errorf("result = %+v", res)
	}
	b, err := flavor.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.ModelConfig()
	if cfg["temperature"] != 0.7 || cfg["do_sample"] != true || len(cfg["stop"].([]any)) != 2 {
		t.Errorf("model config = %v", cfg)
	}
	if b.Signature.Params == nil || b.Signature.Params.Params[0].Name != "max_new_tokens" {
		t.Errorf("signature params not saved: %+v", b.Signature)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "serving_input_example.json")); string(got) != "{\n  \"inputs\": \"Once upon a time\"\n}" {
		t.Errorf("serving_input_example.json = %q", got)
	}
}

func TestSaveBadInputs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		breakIt  func(t *testing.T, src string)
		args     []string // extra args
		wantCode int
		wantMsg  string
	}{
		{"missing config.json", func(t *testing.T, src string) { os.Remove(filepath.Join(src, "config.json")) }, nil, exitInvalid, "config.json is missing"},
		{"not a causal LM", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(src, "config.json"), `{"architectures": ["T5ForConditionalGeneration"]}`)
		}, nil, exitInvalid, "is not a causal language model"},
		{"no weights", func(t *testing.T, src string) { os.Remove(filepath.Join(src, "model.safetensors")) }, nil, exitInvalid, "there are no weights"},
		{"only pickle weights", func(t *testing.T, src string) {
			os.Remove(filepath.Join(src, "model.safetensors"))
			writeFile(t, filepath.Join(src, "pytorch_model.bin"), "pickle")
		}, nil, exitInvalid, "safe_serialization=True"},
		{"index names absent shards", func(t *testing.T, src string) {
			os.Remove(filepath.Join(src, "model.safetensors"))
			writeFile(t, filepath.Join(src, "model.safetensors.index.json"), `{"weight_map": {"lm_head.weight": "model-00001-of-00002.safetensors"}}`)
		}, nil, exitInvalid, "names shards that are not in the folder: model-00001-of-00002.safetensors"},
		{"malformed safetensors header", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(src, "model.safetensors"), "\x08\x00\x00\x00\x00\x00\x00\x00notjson!")
		}, nil, exitInvalid, "malformed safetensors header"},
		{"no tokenizer", func(t *testing.T, src string) { os.Remove(filepath.Join(src, "tokenizer.json")) }, nil, exitInvalid, "tokenizer.json is missing"},
		{"chat without template", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(src, "tokenizer_config.json"), `{"tokenizer_class": "LlamaTokenizer"}`)
			os.Remove(filepath.Join(src, "chat_template.jinja"))
		}, []string{"--task", "llm/v1/chat"}, exitInvalid, "there is no chat template"},
		{"signature for a chat task", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(filepath.Dir(src), "sig.json"), `{"inputs": [{"type": "string"}]}`)
		}, []string{"--task", "llm/v1/chat", "--signature", "SIG"}, exitInvalid, "fixed by MLflow"},
		{"bad signature file", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(filepath.Dir(src), "sig.json"), `{"inputs": [{"type": "text"}]}`)
		}, []string{"--signature", "SIG"}, exitInvalid, `unknown type "text"`},
		{"input example not matching", func(t *testing.T, src string) {
			writeFile(t, filepath.Join(filepath.Dir(src), "ex.json"), `{"messages": "hi"}`)
		}, []string{"--task", "llm/v1/chat", "--input-example", "EX"}, exitInvalid, "messages: expected array"},
		{"unknown task", nil, []string{"--task", "summarization"}, exitUsage, `--task "summarization" is not supported`},
		{"input example file missing", nil, []string{"--input-example", "/nonexistent/ex.json"}, exitUsage, "--input-example /nonexistent/ex.json does not exist"},
		{"model config without =", nil, []string{"--model-config", "temperature"}, exitUsage, "want key=value"},
		{"model config temperature not a number", nil, []string{"--model-config", "temperature=abc"}, exitUsage, `model config temperature must be a number >= 0, got the string "abc"`},
		{"model config negative max_new_tokens", nil, []string{"--model-config", "max_new_tokens=-3"}, exitUsage, "model config max_new_tokens must be a positive integer, got -3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tinySource(t)
			if tc.breakIt != nil {
				tc.breakIt(t, src)
			}
			parent := t.TempDir()
			out := filepath.Join(parent, "bundle")
			args := []string{"save", "-m", src, "-o", out}
			for _, a := range tc.args {
				a = strings.ReplaceAll(a, "SIG", filepath.Join(filepath.Dir(src), "sig.json"))
				a = strings.ReplaceAll(a, "EX", filepath.Join(filepath.Dir(src), "ex.json"))
				args = append(args, a)
			}
			code, stdout, stderr := runCLI(t, "", args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stderr, tc.wantMsg) {
				t.Errorf("stderr = %q\nwant it to contain %q", stderr, tc.wantMsg)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on failure", stdout)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("output left behind: %v", entries)
			}
		})
	}
}

func TestSaveOutputExists(t *testing.T) {
	src := tinySource(t)
	out := filepath.Join(t.TempDir(), "bundle")
	if code, _, stderr := runCLI(t, "", "save", "-m", src, "-o", out); code != 0 {
		t.Fatalf("first save: exit %d\n%s", code, stderr)
	}
	code, _, stderr := runCLI(t, "", "save", "-m", src, "-o", out, "--task", "llm/v1/completions")
	if code != exitExists || !strings.Contains(stderr, "use --force") {
		t.Errorf("exit %d, stderr %q; want %d and a --force hint", code, stderr, exitExists)
	}
	code, _, stderr = runCLI(t, "", "save", "-m", src, "-o", out, "--task", "llm/v1/completions", "--force")
	if code != 0 {
		t.Fatalf("forced save: exit %d\n%s", code, stderr)
	}
	if b, err := flavor.Load(out); err != nil || b.Task() != "llm/v1/completions" {
		t.Errorf("forced save did not replace the bundle: %v", err)
	}
}

func TestSaveJSONErrorOnStderr(t *testing.T) {
	src := tinySource(t)
	os.Remove(filepath.Join(src, "config.json"))
	code, stdout, stderr := runCLI(t, "", "save", "-m", src, "-o", filepath.Join(t.TempDir(), "b"), "--json")
	var msg struct {
		Type    string `json:"type"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(stderr), &msg); err != nil || code != exitInvalid || msg.Code != exitInvalid || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
