package registry

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// fastRetry keeps retrying tests quick.
var fastRetry = Retry{Attempts: 4, Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}

func testBundle(t *testing.T, weightBytes int) string {
	t.Helper()
	return registrytest.WriteBundle(t, filepath.Join(t.TempDir(), "bundle"), weightBytes, 1)
}

// treeFiles maps every regular file under dir (slash paths) to its bytes,
// skipping nothing: staging leftovers show up as differences.
func treeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// treeNames lists every entry (files, folders, symlinks) under dir.
func treeNames(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func assertSameTree(t *testing.T, want, got string) {
	t.Helper()
	w, g := treeFiles(t, want), treeFiles(t, got)
	if len(w) != len(g) {
		t.Errorf("file sets differ:\n%s", cmp.Diff(keys(w), keys(g)))
	}
	for p, b := range w {
		if !bytes.Equal(b, g[p]) {
			t.Errorf("%s differs after the round trip (%d vs %d bytes)", p, len(b), len(g[p]))
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func push(t *testing.T, dir, ref string, o PushOptions) *PushResult {
	t.Helper()
	if o.Retry.Attempts == 0 {
		o.Retry = fastRetry
	}
	res, err := Push(context.Background(), dir, ref, o)
	if err != nil {
		t.Fatalf("Push(%s): %v", ref, err)
	}
	return res
}

func pull(t *testing.T, ref string, o PullOptions) *PullResult {
	t.Helper()
	if o.Retry.Attempts == 0 {
		o.Retry = fastRetry
	}
	res, err := Pull(context.Background(), ref, o)
	if err != nil {
		t.Fatalf("Pull(%s): %v", ref, err)
	}
	return res
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one matching %v", err, target)
	}
}
