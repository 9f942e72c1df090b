package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func TestPushPullCLIRoundTrip(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	host := registrytest.Memory(t)
	bundle := registrytest.WriteBundle(t, filepath.Join(t.TempDir(), "bundle"), 8192, 3)
	ref := host + "/team/tiny:v1"

	code, stdout, stderr := runCLI(t, "", "push", "--tag", "latest", bundle, ref)
	if code != 0 {
		t.Fatalf("push exit %d: %s", code, stderr)
	}
	pinned := strings.TrimSpace(stdout)
	if !strings.HasPrefix(pinned, ref+"@sha256:") || strings.Count(stdout, "\n") != 1 {
		t.Errorf("push stdout = %q, want one line %s@sha256:...", stdout, ref)
	}
	if !strings.Contains(stderr, "push: model/model.safetensors") {
		t.Errorf("push stderr has no plain progress lines:\n%s", stderr)
	}

	// A re-push uploads nothing and reports it in JSON.
	code, stdout, stderr = runCLI(t, "", "push", "--json", "-q", bundle, ref)
	if code != 0 {
		t.Fatalf("re-push exit %d: %s", code, stderr)
	}
	var rep struct {
		Ref           string `json:"ref"`
		UploadedBytes int64  `json:"uploaded_bytes"`
		SkippedBytes  int64  `json:"skipped_bytes"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("push --json: %v\n%s", err, stdout)
	}
	if rep.UploadedBytes != 0 || rep.SkippedBytes == 0 || rep.Ref != pinned {
		t.Errorf("re-push report %+v, want nothing uploaded and ref %s", rep, pinned)
	}

	// Another repository of the same registry uploads nothing (this
	// in-memory registry shares blobs across repositories; mounting on
	// Docker Distribution is TestDistributionMountsAcrossRepositories).
	code, _, stderr = runCLI(t, "", "push", "-q", bundle, host+"/team/other:v1")
	if code != 0 || !strings.Contains(stderr, "uploaded 0 B, ") {
		t.Errorf("push to a second repository: exit %d, stderr %q; want nothing uploaded", code, stderr)
	}

	for _, r := range []string{pinned, host + "/team/tiny:latest"} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr = runCLI(t, "", "pull", "-o", out, r)
		if code != 0 {
			t.Fatalf("pull %s exit %d: %s", r, code, stderr)
		}
		if strings.TrimSpace(stdout) != out {
			t.Errorf("pull stdout = %q, want %q", stdout, out)
		}
		if strings.Contains(stderr, "note:") {
			t.Errorf("a complete bundle pull printed a note:\n%s", stderr)
		}
		for _, f := range []string{"MLmodel", "model/model.safetensors", "components/tokenizer/tokenizer.json"} {
			want, _ := os.ReadFile(filepath.Join(bundle, f))
			got, err := os.ReadFile(filepath.Join(out, f))
			if err != nil || !bytes.Equal(want, got) {
				t.Errorf("%s differs after push/pull (%v)", f, err)
			}
		}
	}

	// pull --json uses snake_case keys like every other command.
	code, stdout, stderr = runCLI(t, "", "pull", "--json", "-q", "-o", filepath.Join(t.TempDir(), "j"), ref)
	var prep map[string]any
	if err := json.Unmarshal([]byte(stdout), &prep); code != 0 || err != nil {
		t.Fatalf("pull --json exit %d, %v: %s%s", code, err, stdout, stderr)
	}
	for _, k := range []string{"ref", "digest", "dir", "files", "downloaded_bytes", "resumed_bytes", "has_mlmodel"} {
		if _, ok := prep[k]; !ok {
			t.Errorf("pull --json has no %q key: %s", k, stdout)
		}
	}

	// A partial pull says the result is not a bundle.
	out := filepath.Join(t.TempDir(), "tok")
	code, _, stderr = runCLI(t, "", "pull", "--include", "tokenizer*", "-o", out, ref)
	if code != 0 || !strings.Contains(stderr, "has no MLmodel") {
		t.Errorf("partial pull exit %d, stderr:\n%s", code, stderr)
	}
}

func TestPushPullCLIExitCodes(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	host := registrytest.Memory(t)
	notBundle := t.TempDir()
	os.WriteFile(filepath.Join(notBundle, "x.txt"), []byte("x"), 0o644)
	bundle := registrytest.WriteBundle(t, filepath.Join(t.TempDir(), "bundle"), 64, 3)
	if code, _, stderr := runCLI(t, "", "push", "-q", bundle, host+"/m:v1"); code != 0 {
		t.Fatalf("push: %d %s", code, stderr)
	}
	existing := t.TempDir()
	os.WriteFile(filepath.Join(existing, "MLmodel"), []byte("other"), 0o644)
	aFile := filepath.Join(t.TempDir(), "p1")
	os.WriteFile(aFile, []byte("x"), 0o644)

	tests := []struct {
		name    string
		args    []string
		want    int
		wantMsg string
	}{
		{"pull onto a regular file", []string{"pull", host + "/m:v1", "-o", aFile}, exitExists, aFile + " is a file"},
		{"pull under a regular file", []string{"pull", host + "/m:v1", "-o", filepath.Join(aFile, "sub")}, exitExists, aFile + " is a file"},
		{"include matching nothing", []string{"pull", host + "/m:v1", "-o", t.TempDir() + "/y", "--include", "*.gguf"}, exitInvalid, "matches --include *.gguf; its 8 files include "},
		{"push of a folder that is not a bundle", []string{"push", notBundle, host + "/m:v1"}, exitInvalid, ""},
		{"pull of a missing tag", []string{"pull", "-o", t.TempDir() + "/x", host + "/m:nope"}, exitRegistry, ""},
		{"pull over different files", []string{"pull", "-o", existing, host + "/m:v1"}, exitExists, ""},
		{"bad reference", []string{"pull", "Not A Ref!!"}, exitUsage, ""},
		{"push without ref", []string{"push", bundle}, exitUsage, ""},
		{"jobs zero", []string{"push", "--jobs", "0", bundle, host + "/m:v1"}, exitUsage, ""},
		{"negative chunk size", []string{"push", "--chunk-mib", "-1", bundle, host + "/m:v1"}, exitUsage, ""},
		{"login without password-stdin", []string{"login", "-u", "x", host}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.wantMsg) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantMsg, stderr)
			}
		})
	}
}
