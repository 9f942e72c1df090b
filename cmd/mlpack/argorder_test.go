package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func TestFlagsFirst(t *testing.T) {
	cmds := commands(newEnv(nil, nil, nil))
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags already first", []string{"pull", "-o", "d", "r"}, []string{"pull", "-o", "d", "r"}},
		{"value flag after positional", []string{"pull", "r", "-o", "d"}, []string{"pull", "-o", "d", "r"}},
		{"bool flag between positionals", []string{"push", "b", "--json", "r"}, []string{"push", "--json", "b", "r"}},
		{"slice flag after both", []string{"push", "b", "r", "--tag", "x", "-t", "y"}, []string{"push", "--tag", "x", "-t", "y", "b", "r"}},
		{"flag=value", []string{"pull", "r", "--output=d"}, []string{"pull", "--output=d", "r"}},
		{"login form", []string{"login", "h", "-u", "alice", "--password-stdin"}, []string{"login", "-u", "alice", "--password-stdin", "h"}},
		{"double dash ends flags", []string{"tokenize", "-m", "b", "--", "-5", "--json"}, []string{"tokenize", "-m", "b", "--", "-5", "--json"}},
		{"double dash after a positional", []string{"tokenize", "x", "-m", "b", "--", "-y"}, []string{"tokenize", "-m", "b", "--", "x", "-y"}},
		{"lone dash is positional", []string{"tokenize", "-", "-m", "b"}, []string{"tokenize", "-m", "b", "-"}},
		{"unknown command untouched", []string{"bogus", "a", "-x"}, []string{"bogus", "a", "-x"}},
		{"help stays a flag", []string{"pull", "r", "--help"}, []string{"pull", "--help", "r"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, flagsFirst(cmds, tt.in)); diff != "" {
				t.Errorf("flagsFirst(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestFlagsAfterArgs runs the documented command forms with their flags
// after the positional arguments, end to end.
func TestFlagsAfterArgs(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	host := registrytest.Memory(t)
	bundle := registrytest.WriteBundle(t, filepath.Join(t.TempDir(), "bundle"), 512, 7)
	ref := host + "/team/tiny:v1"
	out := filepath.Join(t.TempDir(), "p1")
	tiny := testenv.Testdata(t, "tiny-chat")

	steps := []struct {
		name       string
		stdin      string
		args       []string
		wantStdout string // substring
	}{
		{"login", "s3cret\n", []string{"login", host, "-u", "alice", "--password-stdin"}, "logged in to " + host},
		{"push with --tag and -q after", "", []string{"push", bundle, ref, "--tag", "x", "-q"}, ref + "@sha256:"},
		{"pull with -o after", "", []string{"pull", ref, "-o", out, "-q"}, out},
		{"pull --include example with -o after", "", []string{"pull", "--include", "tokenizer*", ref, "-o", filepath.Join(t.TempDir(), "tok"), "-q"}, "tok"},
		{"pull of the extra tag", "", []string{"pull", host + "/team/tiny:x", "--output", filepath.Join(t.TempDir(), "p2"), "--quiet"}, "p2"},
		{"inspect with --json after", "", []string{"inspect", out, "--json"}, `"files"`},
		{"tokenize with --no-special after", "", []string{"tokenize", "-m", tiny, "Hello", "--no-special"}, ""},
		{"tokenize text beginning with '-' after --", "", []string{"tokenize", "-m", tiny, "--json", "--", "-5 apples"}, `"ids"`},
		{"logout with --json after", "", []string{"logout", host, "--json"}, `"registry"`},
	}
	for _, s := range steps {
		code, stdout, stderr := runCLI(t, s.stdin, s.args...)
		if code != 0 {
			t.Fatalf("%s: mlpack %s: exit %d; stderr:\n%s", s.name, strings.Join(s.args, " "), code, stderr)
		}
		if !strings.Contains(stdout, s.wantStdout) {
			t.Errorf("%s: stdout %q does not contain %q", s.name, stdout, s.wantStdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "MLmodel")); err != nil {
		t.Errorf("pull -o after REF did not write the bundle: %v", err)
	}

	// --no-special after TEXT takes effect (no BOS id first).
	_, with, _ := runCLI(t, "", "tokenize", "-m", tiny, "Hello")
	_, without, _ := runCLI(t, "", "tokenize", "-m", tiny, "Hello", "--no-special")
	if with == without || !strings.HasSuffix(with, without) {
		t.Errorf("tokenize Hello = %q, with --no-special after it %q: want the same ids minus the BOS", with, without)
	}
}
