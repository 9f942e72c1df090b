package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveForceKeepsNonBundleFolder: --force onto a folder that is not a
// bundle refuses (exit 5) and leaves the folder as it was.
func TestSaveForceKeepsNonBundleFolder(t *testing.T) {
	src := tinySource(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.Mkdir(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(victim, "important.txt"), "precious")
	code, stdout, stderr := runCLI(t, "", "save", "-m", src, "-o", victim, "--force")
	if code != exitExists || stdout != "" || !strings.Contains(stderr, "not a bundle (no MLmodel file)") || !strings.Contains(stderr, "remove it yourself or choose another output") {
		t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, exitExists, stdout, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(victim, "important.txt")); err != nil || string(b) != "precious" {
		t.Fatalf("important.txt after a refused --force save: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(victim)); len(entries) != 1 {
		t.Errorf("parent holds %d entries, want just the untouched folder", len(entries))
	}
}

// TestSaveWarnsUnknownModelConfig: keys mlpack does not use are saved (MLflow
// passes them on) with a warning on stderr.
func TestSaveWarnsUnknownModelConfig(t *testing.T) {
	src := tinySource(t)
	out := filepath.Join(t.TempDir(), "bundle")
	code, stdout, stderr := runCLI(t, "", "save", "-m", src, "-o", out, "--model-config", "my_option=1")
	if code != 0 || stdout != out+"\n" || !strings.Contains(stderr, "keys=[my_option]") {
		t.Errorf("exit %d, stdout %q, stderr %q; want success and a warning naming my_option", code, stdout, stderr)
	}
}

// TestPathAndComponentMessages: missing paths, files given for folders,
// unloadable components and bad JSON are reported plainly with exit 3.
func TestPathAndComponentMessages(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	writeFile(t, file, "x")
	missing := filepath.Join(dir, "nope")
	badJSON := filepath.Join(dir, "ex.json")
	writeFile(t, badJSON, `{"prompt": hi}`)
	mismatch := filepath.Join(dir, "mismatch.json")
	writeFile(t, mismatch, `{"messages": [{"content": "hi"}]}`)
	out := func() string { return filepath.Join(t.TempDir(), "out") }
	unigram := tinySource(t)
	writeFile(t, filepath.Join(unigram, "tokenizer.json"), `{"version": "1.0", "model": {"type": "Unigram", "vocab": []}}`)
	badTemplate := tinySource(t)
	writeFile(t, filepath.Join(badTemplate, "chat_template.jinja"), "{% for m in messages %}{{ m['content'] }")
	writeFile(t, filepath.Join(badTemplate, "tokenizer_config.json"), `{"tokenizer_class": "LlamaTokenizer"}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"inspect missing", []string{"inspect", missing}, "mlpack: flavor: bundle " + missing + " does not exist"},
		{"inspect file", []string{"inspect", file}, "mlpack: flavor: bundle " + file + " is a file, not a folder"},
		{"save missing", []string{"save", "-m", missing, "-o", out()}, "mlpack: flavor: model folder " + missing + " does not exist"},
		{"save file", []string{"save", "-m", file, "-o", out()}, "mlpack: flavor: model folder " + file + " is a file, not a folder"},
		{"save unigram tokenizer", []string{"save", "-m", unigram, "-o", out()}, "mlpack: flavor: invalid model " + unigram + `: tokenizer.json cannot be loaded: `},
		{"save chat template that does not compile", []string{"save", "-m", badTemplate, "-o", out(), "--task", "llm/v1/chat"},
			"mlpack: flavor: invalid model " + badTemplate + ": the chat template in chat_template.jinja does not compile"},
		{"save bad input example JSON", []string{"save", "-m", tinySource(t), "-o", out(), "--input-example", badJSON},
			"mlpack: flavor: the input example is not valid JSON (invalid character 'h' looking for beginning of value at line 1, column 12)"},
		{"save input example not matching", []string{"save", "-m", tinySource(t), "-o", out(), "--task", "llm/v1/chat", "--input-example", mismatch},
			"mlpack: flavor: the input example does not match the llm/v1/chat signature (messages[0].role: required field is missing): fix it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			if code != exitInvalid || stdout != "" || !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "flavor:") != 1 {
				t.Errorf("exit %d (want %d), stdout %q\nstderr %q\nwant it to start %q with one flavor: prefix", code, exitInvalid, stdout, stderr, tc.want)
			}
		})
	}
}
