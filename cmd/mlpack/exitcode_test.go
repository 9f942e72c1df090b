package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// A bundle whose weights are damaged or gone is an invalid bundle (exit 3),
// for predict as for every command that loads one.
func TestPredictOnDamagedBundleExitsInvalid(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "b")
	if code, _, stderr := runCLI(t, "", "save", "-m", testenv.Testdata(t, "tiny-chat"), "--task", "llm/v1/chat", "-o", bundle); code != 0 {
		t.Fatalf("save: exit %d: %s", code, stderr)
	}
	weights := filepath.Join(bundle, "model", "model.safetensors")
	input := `{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}`
	tests := []struct {
		name   string
		damage func() error
		want   string
	}{
		{"truncated weights", func() error { return os.Truncate(weights, 500000) }, "data section"},
		{"missing weights", func() error { return os.Remove(weights) }, "no safetensors weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.damage(); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, input, "predict", "-m", bundle, "--input", "-")
			if code != exitInvalid {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, exitInvalid, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tt.want)
			}
		})
	}
}

func TestPredictUnknownTaskIsUsageError(t *testing.T) {
	code, _, stderr := runCLI(t, `"hi"`, "predict", "-m", testenv.Testdata(t, "tiny-chat"), "--task", "llm/v1/foo", "--input", "-")
	if code != exitUsage {
		t.Errorf("exit code = %d, want %d; stderr: %s", code, exitUsage, stderr)
	}
	if !strings.Contains(stderr, "llm/v1/chat") {
		t.Errorf("stderr = %q, want it to list the valid tasks", stderr)
	}
}

func TestInterruptedIsReportedPlainly(t *testing.T) {
	var stderr strings.Builder
	e := newEnv(strings.NewReader(""), io.Discard, &stderr)
	e.reportError(fmt.Errorf("task: %w", fmt.Errorf("task: %w", context.Canceled)))
	if got, want := stderr.String(), "mlpack: interrupted\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}
