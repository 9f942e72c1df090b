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
