package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func TestLoginPushPullLogoutCLI(t *testing.T) {
	cfgDir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", cfgDir)
	host := registrytest.Distribution(t, registrytest.DistributionOptions{Htpasswd: registrytest.Htpasswd(t, "bob", "hunter2")})
	bundle := registrytest.WriteBundle(t, filepath.Join(t.TempDir(), "bundle"), 1024, 5)
	ref := host + "/secure/tiny:v1"

	steps := []struct {
		name  string
		stdin string
		args  []string
		want  int
	}{
		{"push before login is refused", "", []string{"push", "-q", bundle, ref}, exitRegistry},
		{"login with a wrong password", "nope\n", []string{"login", "-u", "bob", "--password-stdin", host}, exitRegistry},
		{"login", "hunter2\n", []string{"login", "-u", "bob", "--password-stdin", "http://" + host}, exitOK},
		{"push", "", []string{"push", "-q", bundle, ref}, exitOK},
		{"pull", "", []string{"pull", "-q", "-o", filepath.Join(t.TempDir(), "out"), ref}, exitOK},
		{"logout", "", []string{"logout", host}, exitOK},
		{"pull after logout is refused", "", []string{"pull", "-q", "-o", filepath.Join(t.TempDir(), "out"), ref}, exitRegistry},
		{"second logout is a no-op", "", []string{"logout", host}, exitOK},
	}
	for _, s := range steps {
		code, _, stderr := runCLI(t, s.stdin, s.args...)
		if code != s.want {
			t.Fatalf("%s: exit %d, want %d; stderr:\n%s", s.name, code, s.want, stderr)
		}
		if s.name == "second logout is a no-op" && !strings.Contains(stderr, "not logged in to "+host) {
			t.Errorf("second logout stderr = %q, want a note that there was nothing to remove", stderr)
		}
		if s.name == "login" {
			b, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
			if err != nil || !strings.Contains(string(b), host) {
				t.Fatalf("config.json after login: %q %v", b, err)
			}
		}
	}
}
