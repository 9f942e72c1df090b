package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

// checkGolden compares got with testdata/<dir>/<name>.golden, rewriting it
// with -update.
func checkGolden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", dir, name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/mlpack -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestTokenizeGolden(t *testing.T) {
	tiny := testenv.Testdata(t, "tiny-chat")
	tests := []struct {
		name   string
		shared bool // model is ../shared/testdata/llama2-tokenizer
		stdin  string
		args   []string
	}{
		{name: "tiny_hello", args: []string{"Hello world"}},
		{name: "tiny_hello_json", args: []string{"--json", "Hello world"}},
		{name: "tiny_no_special", args: []string{"--no-special", "Hello world"}},
		{name: "tiny_stdin_newlines", stdin: "<|user|>\nHi</s>\n", args: []string{"--file", "-", "--json"}},
		{name: "llama2_special_tokens", shared: true, args: []string{"--json", "<s>[INST] Hi\n café 😀 [/INST]</s>"}},
		{name: "llama2_empty_no_special", shared: true, args: []string{"--no-special", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model := tiny
			if tt.shared {
				model = testenv.Shared(t, "llama2-tokenizer")
			}
			code, stdout, stderr := runCLI(t, tt.stdin, append([]string{"tokenize", "-m", model}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			checkGolden(t, "tokenize", tt.name, stdout)
		})
	}
}

// TestTokenizeMatchesReference checks the command against ids produced by
// the reference SentencePiece library (../shared/testdata/llama2-tokenizer).
func TestTokenizeMatchesReference(t *testing.T) {
	dir := testenv.Shared(t, "llama2-tokenizer")
	for _, file := range []string{"cases.jsonl", "cases_special_tokens.jsonl"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<22)
		for n := 0; n < 8 && sc.Scan(); n++ {
			var c struct {
				Text string `json:"text"`
				IDs  []int  `json:"ids"`
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, "", "tokenize", "-m", dir, c.Text)
			if code != 0 {
				t.Fatalf("%q: exit %d: %s", c.Text, code, stderr)
			}
			if diff := cmp.Diff(idLine(c.IDs), stdout); diff != "" {
				t.Errorf("%s %q (-reference +got):\n%s", file, c.Text, diff)
			}
		}
		f.Close()
	}
}

func idLine(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, " ") + "\n"
}

func TestTokenizeErrors(t *testing.T) {
	tiny := testenv.Testdata(t, "tiny-chat")
	noTok := t.TempDir()
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"missing model", []string{"-m", filepath.Join(t.TempDir(), "nope"), "x"}, exitInvalid, "does not exist"},
		{"folder without tokenizer", []string{"-m", noTok, "x"}, exitInvalid, "nor a tokenizer.json"},
		{"model is a file", []string{"-m", filepath.Join(tiny, "config.json"), "x"}, exitInvalid, "is a file"},
		{"no text", []string{"-m", tiny}, exitUsage, "needs a TEXT argument or --file"},
		{"text and file", []string{"-m", tiny, "--file", "-", "x"}, exitUsage, "not both"},
		{"two texts", []string{"-m", tiny, "a", "b"}, exitUsage, "one TEXT argument"},
		{"missing file", []string{"-m", tiny, "--file", filepath.Join(noTok, "none.txt")}, exitUsage, "reading --input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append([]string{"tokenize"}, tt.args...)...)
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.want, tt.msg)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}
