package main

import (
	"bytes"
	"strings"
	"testing"
)

// runCLI runs mlpack with args and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"mlpack"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestExitCodesForUsageMistakes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no arguments shows help", nil, exitOK},
		{"unknown command is a usage error", []string{"bogus"}, exitUsage},
		{"unknown flag is a usage error", []string{"version", "--bogus"}, exitUsage},
		{"unknown global flag is a usage error", []string{"--bogus", "version"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != tt.want {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func TestVersionPrintsOnlyTheVersionOnStdout(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "version")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n"); len(lines) != 1 || lines[0] == "" {
		t.Errorf("stdout = %q, want one line", stdout)
	}
}

func TestUsageErrorsGoToStderr(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "bogus")
	if code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(stdout, "bogus") {
		t.Errorf("usage error leaked to stdout: %q", stdout)
	}
	if !strings.Contains(stderr, `unknown command "bogus"`) {
		t.Errorf("stderr = %q, want it to name the unknown command", stderr)
	}
}
