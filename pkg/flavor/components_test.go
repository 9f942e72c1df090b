package flavor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/flavor/componentcheck"
)

// TestSaveChecksComponents: with the runtime's loaders, a tokenizer or (for
// llm/v1/chat) a chat template that predict and serve could not use is
// refused at save time, naming the file and the component's own message.
func TestSaveChecksComponents(t *testing.T) {
	unigram := func(t *testing.T, dir string) {
		writeJSON(t, filepath.Join(dir, "tokenizer.json"), map[string]any{"version": "1.0", "model": map[string]any{"type": "Unigram", "vocab": []any{}}})
	}
	badTemplate := func(t *testing.T, dir string) {
		writeFile(t, filepath.Join(dir, "chat_template.jinja"), "{% for m in messages %}{{ m['content'] }")
	}
	for _, tc := range []struct {
		name    string
		task    string
		breakIt func(*testing.T, string)
		wantMsg []string // "" task ok
	}{
		{"unigram tokenizer", "", unigram, []string{"tokenizer.json cannot be loaded: ", `unsupported type "Unigram"`, "mlpack runs BPE tokenizers"}},
		{"chat template does not compile", "llm/v1/chat", badTemplate, []string{"the chat template in chat_template.jinja does not compile: ", "fix the template"}},
		{"broken template, completions task", "llm/v1/completions", badTemplate, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tinyModel(t)
			tc.breakIt(t, src)
			parent := t.TempDir()
			var logs bytes.Buffer
			_, err := flavor.Save(context.Background(), src, filepath.Join(parent, "b"), flavor.SaveOptions{
				Task: tc.task, Components: componentcheck.Runtime{}, Log: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if tc.wantMsg == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(logs.String(), "the chat template does not compile") {
					t.Errorf("no warning about the template:\n%s", logs.String())
				}
				return
			}
			if !errors.Is(err, flavor.ErrInvalidModel) {
				t.Fatalf("err = %v, want ErrInvalidModel", err)
			}
			msg := err.Error()
			for _, w := range append(tc.wantMsg, "flavor: invalid model "+src+": ") {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q\nwant it to contain %q", msg, w)
				}
			}
			if strings.Count(msg, "flavor:") != 1 {
				t.Errorf("err = %q: want one flavor: prefix", msg)
			}
			assertEmpty(t, parent)
		})
	}
	// Without a loader, Save checks only what flavor itself reads.
	src := tinyModel(t)
	unigram(t, src)
	if _, err := flavor.Save(context.Background(), src, filepath.Join(t.TempDir(), "b"), flavor.SaveOptions{}); err != nil {
		t.Errorf("without Components: %v", err)
	}
}

// TestMessagesReadOnce: errors carry one flavor: prefix, the path, what is
// wrong and what to do; missing paths and files say so plainly.
func TestMessagesReadOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	writeFile(t, file, "x")
	missing := filepath.Join(dir, "nope")
	brokenBundle := filepath.Join(dir, "broken")
	write := func(p, s string) { mkdir(t, filepath.Dir(p)); writeFile(t, p, s) }
	write(filepath.Join(brokenBundle, "MLmodel"), "flavors: [unclosed")
	noConfig := tinyModel(t)
	if err := os.Remove(filepath.Join(noConfig, "config.json")); err != nil {
		t.Fatal(err)
	}
	bundleNoTok, _ := save(t, tinyModel(t), flavor.SaveOptions{})
	if err := os.Remove(filepath.Join(bundleNoTok, "components", "tokenizer", "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	readModel := func(dir string) error {
		b, err := flavor.Load(dir)
		if err != nil {
			return err
		}
		_, err = b.ReadModel()
		return err
	}
	save := func(src string) error {
		_, err := flavor.Save(context.Background(), src, filepath.Join(t.TempDir(), "out"), flavor.SaveOptions{})
		return err
	}
	for _, tc := range []struct {
		name string
		err  error
		is   error
		want string
	}{
		{"ReadSource missing", func() error { _, err := flavor.ReadSource(missing); return err }(), flavor.ErrInvalidModel,
			"flavor: model folder " + missing + " does not exist: give the Hugging Face model folder"},
		{"ReadSource file", func() error { _, err := flavor.ReadSource(file); return err }(), flavor.ErrInvalidModel,
			"flavor: model folder " + file + " is a file, not a folder: give the Hugging Face model folder"},
		{"Save missing", save(missing), flavor.ErrInvalidModel, "flavor: model folder " + missing + " does not exist"},
		{"Save no config", save(noConfig), flavor.ErrInvalidModel,
			"flavor: invalid model " + noConfig + ": config.json is missing: give a Hugging Face model folder"},
		{"Load missing", func() error { _, err := flavor.Load(missing); return err }(), flavor.ErrInvalidBundle,
			"flavor: bundle " + missing + " does not exist: give the bundle folder"},
		{"Load file", func() error { _, err := flavor.Load(file); return err }(), flavor.ErrInvalidBundle,
			"flavor: bundle " + file + " is a file, not a folder"},
		{"Load bad YAML", func() error { _, err := flavor.Load(brokenBundle); return err }(), flavor.ErrInvalidBundle,
			"flavor: invalid bundle " + brokenBundle + ": MLmodel is not valid YAML"},
		{"ReadModel no tokenizer", readModel(bundleNoTok), flavor.ErrInvalidBundle,
			"flavor: invalid bundle " + bundleNoTok + ": components/tokenizer/tokenizer.json is missing"},
		{"bad input example", func() error {
			_, err := flavor.Save(context.Background(), tinyModel(t), filepath.Join(t.TempDir(), "o"), flavor.SaveOptions{InputExample: []byte("{\n  \"prompt\": hi}")})
			return err
		}(), flavor.ErrInvalidModel, "flavor: the input example is not valid JSON (invalid character 'h' looking for beginning of value at line 2, column 13): fix it"},
		{"empty input example", func() error {
			_, err := flavor.Save(context.Background(), tinyModel(t), filepath.Join(t.TempDir(), "o"), flavor.SaveOptions{InputExample: []byte("  ")})
			return err
		}(), flavor.ErrInvalidModel, "flavor: the input example is not valid JSON (it is empty)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.is) {
				t.Fatalf("err = %v, want errors.Is %v", tc.err, tc.is)
			}
			msg := tc.err.Error()
			if !strings.HasPrefix(msg, tc.want) {
				t.Errorf("err = %q\nwant it to start %q", msg, tc.want)
			}
			if strings.Count(msg, "flavor:") != 1 {
				t.Errorf("err = %q: want one flavor: prefix", msg)
			}
		})
	}
}
