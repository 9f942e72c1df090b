package registrytest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// Memory starts go-containerregistry's in-memory registry on 127.0.0.1 and
// returns its host:port.
func Memory(tb testing.TB) string {
	tb.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	tb.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// DistributionOptions configure Distribution.
type DistributionOptions struct {
	// Htpasswd enables basic auth with this htpasswd file content (bcrypt).
	Htpasswd string
}

// Distribution starts Debian's docker-registry (Docker Distribution 2.8) on
// a free 127.0.0.1 port with storage in a temporary folder, waits until it
// answers, stops it at cleanup, and returns its host:port. Without the
// binary the test is skipped (or fails when CI requires peers).
func Distribution(tb testing.TB, o DistributionOptions) string {
	tb.Helper()
	if _, err := exec.LookPath("docker-registry"); err != nil {
		testenv.MissingPeer(tb, "the docker-registry binary (Debian package docker-registry, Docker Distribution 2.8) is not installed; run .ci/install-registry-deps.sh")
	}
	host, stop, err := StartDistribution(tb.TempDir(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return host
}

// StartDistribution is Distribution for a TestMain: it keeps its files in
// dir and returns a function that stops the registry.
func StartDistribution(dir string, o DistributionOptions) (host string, stop func(), err error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return "", nil, fmt.Errorf("docker-registry is not installed: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)
	if o.Htpasswd != "" {
		hp := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(hp, []byte(o.Htpasswd), 0o600); err != nil {
			return "", nil, err
		}
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: mlpack-test\n    path: %s\n", hp)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return "", nil, err
	}
	logPath := filepath.Join(dir, "registry.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return "", nil, fmt.Errorf("starting docker-registry: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return addr, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			b, _ := os.ReadFile(logPath)
			return "", nil, fmt.Errorf("docker-registry on %s did not become ready: %v\n%s", addr, err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Htpasswd returns an htpasswd line for user with a bcrypt hash of
// password, made with the htpasswd tool (apache2-utils).
func Htpasswd(tb testing.TB, user, password string) string {
	tb.Helper()
	bin, err := exec.LookPath("htpasswd")
	if err != nil {
		testenv.MissingPeer(tb, "htpasswd (Debian package apache2-utils) is not installed; run .ci/install-registry-deps.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-Bbn", "-C", "4", user, password).Output()
	if err != nil {
		tb.Fatalf("htpasswd: %v", err)
	}
	return strings.TrimSpace(string(out)) + "\n"
}
