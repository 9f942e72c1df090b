package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

const renderChat = `{"messages": [
  {"role": "system", "content": "You are a friendly bot."},
  {"role": "user", "content": "Hello, how are you?"},
  {"role": "assistant", "content": " I'm fine. "},
  {"role": "user", "content": "Tell me a joke."}
], "max_tokens": 16, "temperature": 0}`

func TestRenderGolden(t *testing.T) {
	tiny := testenv.Testdata(t, "tiny-chat")
	bareList := `[{"role": "user", "content": "Hi"}]`
	tests := []struct {
		name   string
		shared bool
		stdin  string
		args   []string
	}{
		{name: "tiny_chat", stdin: renderChat},
		{name: "tiny_bare_list", stdin: bareList},
		{name: "tiny_no_generation_prompt", stdin: renderChat, args: []string{"--no-generation-prompt"}},
		{name: "tiny_tokens", stdin: bareList, args: []string{"--tokens"}},
		{name: "tiny_json", stdin: bareList, args: []string{"--json"}},
		{name: "tiny_json_tokens", stdin: bareList, args: []string{"--json", "--tokens"}},
		{name: "llama2_chat", shared: true, stdin: renderChat},
		{name: "llama2_tokens", shared: true, stdin: renderChat, args: []string{"--tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := tiny
			if tt.shared {
				model = testenv.Shared(t, "llama2-tokenizer")
			}
			code, stdout, stderr := runCLI(t, tt.stdin, append([]string{"render", "-m", model}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			checkGolden(t, "render", tt.name, stdout)
		})
	}
}

// TestRenderTinyLlamaExact checks the printed prompt byte for byte against
// runtime.md's TinyLlama render (trailing "\n" included, nothing added).
func TestRenderTinyLlamaExact(t *testing.T) {
	want := "<|system|>\nYou are a friendly bot.</s>\n<|user|>\nHello, how are you?</s>\n<|assistant|>\n I'm fine. </s>\n<|user|>\nTell me a joke.</s>\n<|assistant|>\n"
	input := filepath.Join(t.TempDir(), "chat.json")
	writeFile(t, input, renderChat)
	code, stdout, stderr := runCLI(t, "", "render", "-m", testenv.Testdata(t, "tiny-chat"), "--input", input)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Error(diff)
	}
}

// TestRenderTokensMatchReference renders single-user TinyLlama prompts and
// checks their ids against the reference ids of the same text in
// ../shared/testdata/llama2-tokenizer/cases_special_tokens.jsonl (one BOS:
// the template does not emit one, so the tokenizer adds it).
func TestRenderTokensMatchReference(t *testing.T) {
	dir := testenv.Shared(t, "llama2-tokenizer")
	f, err := os.Open(filepath.Join(dir, "cases_special_tokens.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	checked := 0
	for sc.Scan() {
		var c struct {
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		content, ok := strings.CutPrefix(c.Text, "<|user|>\n")
		if !ok {
			continue
		}
		content, ok = strings.CutSuffix(content, "</s>\n<|assistant|>\n")
		if !ok || strings.Contains(content, "</s>") {
			continue
		}
		in, _ := json.Marshal([]map[string]string{{"role": "user", "content": content}})
		code, stdout, stderr := runCLI(t, string(in), "render", "-m", dir, "--tokens")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if diff := cmp.Diff(idLine(c.IDs), stdout); diff != "" {
			t.Errorf("%q (-reference +got):\n%s", c.Text, diff)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no single-user TinyLlama prompt found in cases_special_tokens.jsonl")
	}
}

// TestRenderBOSRule checks that a template which emits the BOS text gets no
// second BOS from the tokenizer.
func TestRenderBOSRule(t *testing.T) {
	dir := modelWithTemplate(t, `{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}`)
	in := `[{"role": "user", "content": "Hi"}]`
	code, stdout, stderr := runCLI(t, in, "render", "-m", dir, "--tokens", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Prompt string `json:"prompt"`
		IDs    []int  `json:"ids"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Prompt, "<s>[INST]") {
		t.Fatalf("prompt %q does not start with the BOS text", res.Prompt)
	}
	if len(res.IDs) < 2 || res.IDs[0] != 1 || res.IDs[1] == 1 {
		t.Errorf("ids %v: want exactly one leading BOS (1)", res.IDs)
	}
}

// TestRenderBundle checks that a bundle renders as the folder it was saved
// from.
func TestRenderBundle(t *testing.T) {
	bundle := tinyBundle(t, "llm/v1/chat")
	_, want, _ := runCLI(t, renderChat, "render", "-m", testenv.Testdata(t, "tiny-chat"), "--tokens")
	code, got, stderr := runCLI(t, renderChat, "render", "-m", bundle, "--tokens")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// modelWithTemplate makes a Hugging Face folder with tiny-chat's tokenizer
// and the given chat template.
func modelWithTemplate(t *testing.T, tmpl string) string {
	t.Helper()
	dir := t.TempDir()
	tok, err := os.ReadFile(testenv.Testdata(t, "tiny-chat", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "tokenizer.json"), string(tok))
	cfg, _ := json.Marshal(map[string]any{"bos_token": "<s>", "eos_token": map[string]any{"content": "</s>"}, "chat_template": tmpl})
	writeFile(t, filepath.Join(dir, "tokenizer_config.json"), string(cfg))
	return dir
}

func TestRenderErrors(t *testing.T) {
	tiny := testenv.Testdata(t, "tiny-chat")
	raising := modelWithTemplate(t, `{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}x`)
	broken := modelWithTemplate(t, `{% for m in messages %}`)
	noTemplate := t.TempDir()
	tok, _ := os.ReadFile(testenv.Testdata(t, "tiny-chat", "tokenizer.json"))
	writeFile(t, filepath.Join(noTemplate, "tokenizer.json"), string(tok))
	user := `[{"role": "user", "content": "Hi"}]`
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  int
		msg   string
	}{
		{"missing model", user, []string{"-m", filepath.Join(noTemplate, "nope")}, exitInvalid, "does not exist"},
		{"template raises", `[{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}]`, []string{"-m", raising}, exitInvalid, "System role not supported"},
		{"template does not compile", user, []string{"-m", broken}, exitInvalid, "does not compile"},
		{"no template", user, []string{"-m", noTemplate}, exitInvalid, "has no chat template"},
		{"not JSON", `{"messages": [`, []string{"-m", tiny}, exitInvalid, "not valid JSON"},
		{"empty input", " \n", []string{"-m", tiny}, exitInvalid, "input is empty"},
		{"no messages field", `{"prompt": "Hi"}`, []string{"-m", tiny}, exitInvalid, `no "messages" field`},
		{"messages not a list", `{"messages": "Hi"}`, []string{"-m", tiny}, exitInvalid, "must be a list"},
		{"empty messages", `[]`, []string{"-m", tiny}, exitInvalid, "messages is empty"},
		{"message without role", `[{"content": "Hi"}]`, []string{"-m", tiny}, exitInvalid, `messages[0] needs a string "role"`},
		{"message not an object", `["Hi"]`, []string{"-m", tiny}, exitInvalid, "messages[0] must be an object"},
		{"argument given", user, []string{"-m", tiny, "chat.json"}, exitUsage, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.stdin, append([]string{"render"}, tt.args...)...)
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.want, tt.msg)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
	// With --json the error is one JSON object on stderr.
	code, _, stderr := runCLI(t, `[{"role": "system", "content": "S"}]`, "render", "-m", raising, "--json")
	var obj struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(stderr), &obj); err != nil || code != exitInvalid || obj.Code != exitInvalid || !strings.Contains(obj.Message, "System role not supported") {
		t.Errorf("--json error: exit %d, stderr %q", code, stderr)
	}
}
