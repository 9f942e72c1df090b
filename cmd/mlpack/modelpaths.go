package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// invalidError is a model or input the command cannot use; its message
// says what to fix. It maps to exit code 3.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() error { return e.err }
func (e *invalidError) ExitCode() int { return exitInvalid }

func invalidf(format string, a ...any) error {
	return &invalidError{err: fmt.Errorf(format, a...)}
}

// tokenizerDir returns the folder holding the tokenizer files of path: an
// MLflow bundle (an MLmodel file; tokenizer in components/tokenizer/) or a
// raw Hugging Face folder (tokenizer files at the top level).
func tokenizerDir(path string) (string, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", invalidf("model %s does not exist; give -m an MLflow bundle or a Hugging Face model folder", path)
	case err != nil:
		return "", invalidf("model %s: %w", path, err)
	case !st.IsDir():
		return "", invalidf("model %s is a file; give -m the folder (an MLflow bundle or a Hugging Face model folder)", path)
	}
	if isRegular(filepath.Join(path, "MLmodel")) {
		dir := filepath.Join(path, "components", "tokenizer")
		if !isRegular(filepath.Join(dir, "tokenizer.json")) {
			return "", invalidf("bundle %s has no components/tokenizer/tokenizer.json; save it again with `mlpack save`", path)
		}
		return dir, nil
	}
	if isRegular(filepath.Join(path, "tokenizer.json")) {
		return path, nil
	}
	return "", invalidf("%s has neither an MLmodel file (an MLflow bundle) nor a tokenizer.json (a Hugging Face folder)", path)
}

func isRegular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
