package registry

import (
	"fmt"
	"os"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// sharedHost is one Docker Distribution for the tests that need no auth,
// started once by TestMain ("" when the binary is missing).
var sharedHost string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mlpack-registry-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if host, stop, err := registrytest.StartDistribution(dir, registrytest.DistributionOptions{}); err == nil {
		sharedHost = host
		defer stop()
	}
	return m.Run()
}

// distribution returns the shared Docker Distribution, or starts one for t
// (which skips, or fails under MLPACK_REQUIRE_PEERS, without the binary).
func distribution(t *testing.T) string {
	t.Helper()
	if sharedHost != "" {
		return sharedHost
	}
	return registrytest.Distribution(t, registrytest.DistributionOptions{})
}
