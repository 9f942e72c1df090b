// Package testenv locates the fixtures that tests share: the repository's own
// testdata folder and the optional ../shared/testdata folder beside the clone.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the working
// directory of the test.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testenv: getting working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("testenv: no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// Testdata returns the path of name inside the repository's testdata folder.
func Testdata(tb testing.TB, name ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{RepoRoot(tb), "testdata"}, name...)...)
}

// Shared returns the path of name inside ../shared/testdata (relative to the
// repository root). When that folder is absent, as in a fresh clone elsewhere,
// the test is skipped with a message saying so.
func Shared(tb testing.TB, name ...string) string {
	tb.Helper()
	base := filepath.Join(filepath.Dir(RepoRoot(tb)), "shared", "testdata")
	p := filepath.Join(append([]string{base}, name...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: shared fixture %s is not present (it exists only beside the project's own checkout, in ../shared/testdata)", p)
	}
	return p
}

// MissingPeer is called when a real protocol peer a test needs (the Debian
// docker-registry binary, oras, the openai npm client) is not installed.
// Locally the test is skipped with why; when MLPACK_REQUIRE_PEERS is set, as
// .ci/run does after installing them, the test fails instead, so CI cannot
// pass by skipping.
func MissingPeer(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("MLPACK_REQUIRE_PEERS") != "" {
		tb.Fatalf("required test peer missing (MLPACK_REQUIRE_PEERS is set): %s", why)
	}
	tb.Skipf("skipping: %s", why)
}
