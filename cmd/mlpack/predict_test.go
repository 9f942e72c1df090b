package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// -update rewrites the predict goldens. Another test file of this package
// may define the same flag; then that definition is used.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var bundles struct {
	sync.Mutex
	dir  string
	path map[string]string
}

// tinyBundle saves the tiny chat model once per task with `mlpack save`.
func tinyBundle(t *testing.T, task string) string {
	t.Helper()
	bundles.Lock()
	defer bundles.Unlock()
	if p, ok := bundles.path[task]; ok {
		return p
	}
	if bundles.dir == "" {
		d, err := os.MkdirTemp("", "mlpack-predict-test-")
		if err != nil {
			t.Fatal(err)
		}
		bundles.dir = d
		bundles.path = map[string]string{}
	}
	src := tinySource(t)
	out := filepath.Join(bundles.dir, strings.ReplaceAll(task, "/", "_"))
	if code, _, stderr := runCLI(t, "", "save", "-m", src, "--task", task, "-o", out, "--name", "tiny/chat"); code != 0 {
		t.Fatalf("save --task %s: exit %d\n%s", task, code, stderr)
	}
	bundles.path[task] = out
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bundles.dir != "" {
		os.RemoveAll(bundles.dir)
	}
	os.Exit(code)
}

var (
	idRe      = regexp.MustCompile(`"id": "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"`)
	createdRe = regexp.MustCompile(`"created": [0-9]{10}`)
)

// normalisePredict blanks the fields that change on every run.
func normalisePredict(s string) string {
	s = idRe.ReplaceAllString(s, `"id": "ID"`)
	return createdRe.ReplaceAllString(s, `"created": 0`)
}

const msgs = `[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}]`

func TestPredictGoldens(t *testing.T) {
	tests := []struct {
		name, task, input string
		args              []string
	}{
		{"chat_unified", "llm/v1/chat", `{"messages":` + msgs + `,"max_tokens":8,"model":"ignored"}`, nil},
		{"chat_dataframe_split", "llm/v1/chat", `{"dataframe_split":{"columns":["messages","max_tokens"],"data":[[` + msgs + `,8]]}}`, nil},
		{"chat_dataframe_records", "llm/v1/chat", `{"dataframe_records":[{"messages":` + msgs + `,"max_tokens":8},{"messages":[{"role":"user","content":"Hi"}]}]}`, nil},
		{"chat_instances", "llm/v1/chat", `{"instances":[{"messages":` + msgs + `,"max_tokens":8}]}`, nil},
		{"chat_inputs", "llm/v1/chat", `{"inputs":{"messages":` + msgs + `,"max_tokens":8}}`, nil},
		{"chat_stop", "llm/v1/chat", `{"messages":` + msgs + `,"max_tokens":8,"stop":["pl"]}`, nil},
		{"completions_unified", "llm/v1/completions", `{"prompt":"Once upon a time","max_tokens":8}`, nil},
		{"completions_dataframe_split", "llm/v1/completions", `{"dataframe_split":{"columns":["prompt","max_tokens"],"data":[["Once upon a time",8],["The end",8]]}}`, nil},
		{"completions_dataframe_records", "llm/v1/completions", `{"dataframe_records":[{"prompt":"Once upon a time","max_tokens":8}]}`, nil},
		{"completions_instances", "llm/v1/completions", `{"instances":[{"prompt":"Once upon a time","max_tokens":8}]}`, nil},
		{"completions_inputs", "llm/v1/completions", `{"inputs":{"prompt":"Once upon a time","max_tokens":8}}`, nil},
		{"text_raw_string", "text-generation", `"Once upon a time"`, []string{"--params", `{"max_new_tokens":8}`}},
		{"text_inputs", "text-generation", `{"inputs":["Once upon a time","The end"]}`, []string{"--params", `{"max_new_tokens":8}`}},
		{"text_dataframe_split", "text-generation", `{"dataframe_split":{"data":[["Once upon a time"]]}}`, []string{"--params", `{"max_new_tokens":8}`}},
		{"text_dataframe_records", "text-generation", `{"dataframe_records":[{"0":"Once upon a time"}]}`, []string{"--params", `{"max_new_tokens":8}`}},
		{"text_instances", "text-generation", `{"instances":["Once upon a time"]}`, []string{"--params", `{"max_new_tokens":8}`}},
		{"text_unified_prompt", "text-generation", `{"prompt":"Once upon a time"}`, []string{"--params", `{"max_new_tokens":8}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bundle := tinyBundle(t, tc.task)
			args := append([]string{"predict", "-m", bundle, "--threads", "1"}, tc.args...)
			code, stdout, stderr := runCLI(t, tc.input, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, "tok/s") {
				t.Errorf("stderr has no tokens-per-second summary: %q", stderr)
			}
			got := normalisePredict(stdout)
			golden := filepath.Join("testdata", "predict", tc.name+".json")
			if updating() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestPredictGoldens -update)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("stdout (-want +got):\n%s", d)
			}
		})
	}
}

func TestPredictStreamMatchesJSON(t *testing.T) {
	bundle := tinyBundle(t, "llm/v1/completions")
	in := `{"prompt":"Once upon a time","max_tokens":12}`
	code, stdout, stderr := runCLI(t, in, "predict", "-m", bundle)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out []struct {
		Choices []struct{ Text string } `json:"choices"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out) != 1 {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	code, streamed, stderr := runCLI(t, in, "predict", "-m", bundle, "--stream")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Plain streaming drops leading whitespace, as MLflow's lstrip does.
	if got := strings.TrimSuffix(streamed, "\n"); got != out[0].Choices[0].Text {
		t.Errorf("streamed %q, JSON text %q", streamed, out[0].Choices[0].Text)
	}
	code, lines, stderr := runCLI(t, in, "predict", "-m", bundle, "--stream", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var text strings.Builder
	var sawResult bool
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		var ev struct {
			Type, Text string
			Output     json.RawMessage
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		text.WriteString(ev.Text)
		sawResult = sawResult || ev.Type == "result"
	}
	if !sawResult || strings.TrimSpace(text.String()) != strings.TrimSpace(out[0].Choices[0].Text) {
		t.Errorf("JSON lines %q", lines)
	}
	var summary map[string]any
	if err := json.Unmarshal([]byte(stderr), &summary); err != nil || summary["type"] != "summary" {
		t.Errorf("--json stderr is not one summary object: %q", stderr)
	}
}

func TestPredictRawFolderWithTask(t *testing.T) {
	src := tinySource(t)
	code, stdout, stderr := runCLI(t, `{"messages":[{"role":"user","content":"Hi"}],"max_tokens":4}`, "predict", "-m", src, "--task", "llm/v1/chat")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out) != 1 || out[0]["object"] != "chat.completion" {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if out[0]["model"] != "tiny-chat" {
		t.Errorf("model = %v, want the folder name", out[0]["model"])
	}
}

func TestPredictErrors(t *testing.T) {
	chat := tinyBundle(t, "llm/v1/chat")
	long := strings.Repeat("once upon a time ", 2000)
	tests := []struct {
		name, input string
		args        []string
		code        int
		errHas      string
	}{
		{"missing messages", `{"prompt":"x"}`, []string{"-m", chat}, exitInvalid, "messages: required field is missing"},
		{"bad message", `{"messages":[{"content":"x"}]}`, []string{"-m", chat}, exitInvalid, "messages[0].role: required field is missing"},
		{"not JSON", `{"messages":`, []string{"-m", chat}, exitInvalid, "not valid JSON"},
		{"two envelopes", `{"inputs":1,"instances":[]}`, []string{"-m", chat}, exitInvalid, "exactly one of the fields"},
		{"prompt too long", `{"messages":[{"role":"user","content":"` + long + `"}]}`, []string{"-m", chat}, exitInvalid, "context window"},
		{"bad params flag", `{}`, []string{"-m", chat, "--params", "[1]"}, exitUsage, "--params must be a JSON object"},
		{"bad params value", `{"messages":[{"role":"user","content":"x"}]}`, []string{"-m", chat, "--params", `{"max_new_tokens":"lots"}`}, exitInvalid, "max_new_tokens must be a number"},
		{"task mismatch", `{}`, []string{"-m", chat, "--task", "llm/v1/completions"}, exitInvalid, "was saved for task llm/v1/chat"},
		{"no model", `{}`, []string{"-m", filepath.Join(t.TempDir(), "nope")}, exitInvalid, "neither an MLmodel file"},
		{"missing input file", ``, []string{"-m", chat, "--input", filepath.Join(t.TempDir(), "in.json")}, exitUsage, "reading --input"},
		{"stray argument", ``, []string{"-m", chat, "extra"}, exitUsage, "takes no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.input, append([]string{"predict"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.errHas) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, stderr, tc.errHas)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on failure", stdout)
			}
		})
	}
}

func TestPredictSeedIsReproducible(t *testing.T) {
	bundle := tinyBundle(t, "llm/v1/completions")
	in := `{"prompt":"Once upon a time","max_tokens":16}`
	text := func(seed string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, in, "predict", "-m", bundle, "--params", `{"do_sample":true,"temperature":1.5,"seed":`+seed+`}`)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var out []struct {
			Choices []struct{ Text string } `json:"choices"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		return out[0].Choices[0].Text
	}
	a, b, c := text("7"), text("7"), text("8")
	if a != b {
		t.Errorf("seed 7 gave %q then %q", a, b)
	}
	if a == c {
		t.Errorf("seeds 7 and 8 both gave %q: the seed is not used", a)
	}
}
