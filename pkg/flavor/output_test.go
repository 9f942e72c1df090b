package flavor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// TestSaveForceReplacesOnlyBundles: --force must never delete a folder of
// the user's that is not a bundle.
func TestSaveForceReplacesOnlyBundles(t *testing.T) {
	src := tinyModel(t)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, out string)
		wantErr string // "" means the forced save succeeds
		keep    string // a file that must survive a refusal
	}{
		{"folder with other files", func(t *testing.T, out string) {
			mkdir(t, out)
			writeFile(t, filepath.Join(out, "important.txt"), "precious")
		}, "is a folder that is not a bundle (no MLmodel file) and not empty", "important.txt"},
		{"regular file", func(t *testing.T, out string) { writeFile(t, out, "precious") }, "is a file, not a bundle folder", ""},
		{"symlink to a bundle", func(t *testing.T, out string) {
			b, _ := save(t, src, flavor.SaveOptions{})
			if err := os.Symlink(b, out); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link", ""},
		{"empty folder", func(t *testing.T, out string) { mkdir(t, out) }, "", ""},
		{"existing bundle", func(t *testing.T, out string) {
			if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: "llm/v1/completions"}); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(out, "stale.txt"), "old bundle file")
		}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "victim")
			tc.prepare(t, out)
			before := snapshot(t, parent)
			b, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: "llm/v1/chat", Force: true})
			if tc.wantErr != "" {
				if !errors.Is(err, flavor.ErrExists) || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "remove it yourself or choose another output") {
					t.Fatalf("err = %v, want ErrExists containing %q and what to do", err, tc.wantErr)
				}
				if got := snapshot(t, parent); got != before {
					t.Errorf("output changed by a refused save:\nbefore %s\nafter  %s", before, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Task() != "llm/v1/chat" {
				t.Errorf("task %q, want llm/v1/chat", b.Task())
			}
			if _, err := os.Stat(filepath.Join(out, "stale.txt")); !os.IsNotExist(err) {
				t.Errorf("the old bundle's files survived the replacement: %v", err)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 1 {
				t.Errorf("parent holds %d entries after a forced save, want just the bundle", len(entries))
			}
		})
	}
}

func TestSaveRefusesOverlappingPaths(t *testing.T) {
	src := tinyModel(t)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(src, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, src, out, want string
	}{
		{"output is the source", src, src, "is the source folder"},
		{"output is the source through a symlink", src, link, "is the source folder"},
		{"output inside the source", src, filepath.Join(src, "out"), "is inside the source folder"},
		{"source inside the output", src, filepath.Dir(src), "the source folder " + src + " is inside the output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, filepath.Dir(src))
			for _, force := range []bool{false, true} {
				_, err := flavor.Save(context.Background(), tc.src, tc.out, flavor.SaveOptions{Force: force})
				if !errors.Is(err, flavor.ErrInvalidModel) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("force=%v: err = %v, want ErrInvalidModel containing %q", force, err, tc.want)
				}
			}
			if got := snapshot(t, filepath.Dir(src)); got != before {
				t.Errorf("source changed:\nbefore %s\nafter  %s", before, got)
			}
		})
	}
}

// TestSaveConcurrentWithoutForce: of several saves racing to one output
// without --force exactly one succeeds; the others get ErrExists and leave
// no temporary folder behind.
func TestSaveConcurrentWithoutForce(t *testing.T) {
	src := tinyModel(t)
	parent := t.TempDir()
	out := filepath.Join(parent, "race")
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = flavor.Save(context.Background(), src, out, flavor.SaveOptions{})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, flavor.ErrExists):
			t.Errorf("loser err = %v, want ErrExists", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d saves succeeded, want exactly 1", wins)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("parent holds %v, want just the bundle", names)
	}
	if _, err := flavor.Load(out); err != nil {
		t.Error(err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every path under dir with its size and, for small files,
// content, to tell whether anything changed.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b.WriteString(p + " " + info.Mode().String())
		if info.Mode().IsRegular() && info.Size() < 64 {
			data, _ := os.ReadFile(p)
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSaveForceIntoCurrentFolder: "-o . --force" in an empty folder writes
// the bundle there, with no temporary folder left inside it.
func TestSaveForceIntoCurrentFolder(t *testing.T) {
	src := tinyModel(t)
	dir := filepath.Join(t.TempDir(), "here")
	mkdir(t, dir)
	t.Chdir(dir)
	if _, err := flavor.Save(context.Background(), src, ".", flavor.SaveOptions{}); !errors.Is(err, flavor.ErrExists) {
		t.Fatalf("without force: err = %v, want ErrExists", err)
	}
	if _, err := flavor.Save(context.Background(), src, ".", flavor.SaveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := flavor.Load(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries, want just the bundle", len(entries))
	}
}
