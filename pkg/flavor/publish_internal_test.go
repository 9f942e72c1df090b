package flavor

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestPublishNoClobber covers the moment after checkPaths passed and before
// the rename: an output that appeared meanwhile is never replaced without
// force, and with force a non-bundle is never replaced.
func TestPublishNoClobber(t *testing.T) {
	for _, tc := range []struct {
		name     string
		force    bool
		isBundle bool
	}{
		{"bundle appeared, no force", false, true},
		{"folder appeared, no force", false, false},
		{"folder appeared, force", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			tmp, out := filepath.Join(parent, ".out.partial"), filepath.Join(parent, "out")
			write(t, filepath.Join(tmp, MLmodelFile), "new")
			marker := "important.txt"
			if tc.isBundle {
				marker = MLmodelFile
			}
			write(t, filepath.Join(out, marker), "theirs")
			err := publish(tmp, out, tc.force)
			if !errors.Is(err, ErrExists) {
				t.Fatalf("err = %v, want ErrExists", err)
			}
			if got, _ := os.ReadFile(filepath.Join(out, marker)); string(got) != "theirs" {
				t.Errorf("out/%s = %q: the existing output was replaced", marker, got)
			}
			if got, _ := os.ReadFile(filepath.Join(tmp, MLmodelFile)); string(got) != "new" {
				t.Errorf("tmp/MLmodel = %q: the new bundle was lost", got)
			}
		})
	}
}

func TestPublishForceExchanges(t *testing.T) {
	parent := t.TempDir()
	tmp, out := filepath.Join(parent, ".out.partial"), filepath.Join(parent, "out")
	write(t, filepath.Join(tmp, MLmodelFile), "new")
	write(t, filepath.Join(out, MLmodelFile), "old")
	if err := publish(tmp, out, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(out, MLmodelFile)); string(got) != "new" {
		t.Errorf("out/MLmodel = %q, want new", got)
	}
	if _, err := os.Lstat(tmp); !os.IsNotExist(err) {
		t.Errorf("old bundle not removed: %v", err)
	}
}

func TestExchangeFallback(t *testing.T) {
	parent := t.TempDir()
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	write(t, filepath.Join(a, "f"), "a")
	write(t, filepath.Join(b, "f"), "b")
	if err := exchangeFallback(a, b); err != nil {
		t.Fatal(err)
	}
	ga, _ := os.ReadFile(filepath.Join(a, "f"))
	gb, _ := os.ReadFile(filepath.Join(b, "f"))
	if string(ga) != "b" || string(gb) != "a" {
		t.Errorf("after exchange a=%q b=%q, want b, a", ga, gb)
	}
	if err := renameNoReplaceFallback(a, b); !errors.Is(err, os.ErrExist) {
		t.Errorf("renameNoReplaceFallback onto an existing dir: %v, want ErrExist", err)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
