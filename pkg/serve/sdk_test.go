package serve_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/serve"
)

// TestOpenAISDK runs testdata/sdk/sdk.test.mjs, the official openai npm
// client in its 7.x and 6.x generations, against a real server on a
// loopback port. .ci/install-node-deps.sh
// installs the client; without it the test skips (fails in CI).
func TestOpenAISDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.MissingPeer(t, "node is not installed")
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "sdk"))
	for _, pkg := range []string{"openai", "openai6"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			testenv.MissingPeer(t, "the openai npm packages (7.x and 6.x) are not installed in "+dir+"; run .ci/install-node-deps.sh")
		}
	}
	eng := tinyEngine(t, "llm/v1/chat")
	srv := serve.New(serve.Config{APIKeys: []string{"test-key"}})
	srv.SetBackend(serve.FromRuntime(eng))
	base := startHTTP(t, &http.Server{Handler: srv.Handler()})
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "sdk.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MLPACK_BASE_URL="+base+"/v1", "MLPACK_API_KEY=test-key", "MLPACK_MODEL="+eng.ModelName(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	t.Logf("node --test output:\n%s", out)
	if err != nil {
		t.Fatalf("the openai SDK tests failed: %v", err)
	}
}
