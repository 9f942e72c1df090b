package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/registry"
	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func TestServeUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no model", []string{"serve"}},
		{"bad port", []string{"serve", "-m", "x", "--port", "70000"}},
		{"argument", []string{"serve", "-m", "x", "extra"}},
		{"parallel", []string{"serve", "-m", "x", "--parallel", "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append([]string{"mlpack"}, tc.args...), nil, &out, &errb); code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %s", code, exitUsage, errb.String())
			}
		})
	}
}

func TestServeInvalidBundle(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	if code := run([]string{"mlpack", "serve", "-m", dir, "--port", "0"}, nil, &out, &errb); code != exitInvalid {
		t.Errorf("exit %d, want %d; stderr %s", code, exitInvalid, errb.String())
	}
}

func TestServeHelpMentionsWorkers(t *testing.T) {
	var out, errb bytes.Buffer
	run([]string{"mlpack", "serve", "--help"}, nil, &out, &errb)
	if !strings.Contains(out.String(), "one process with one model copy serves all requests") {
		t.Errorf("--help does not explain --workers:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDrainsOnSignal serves a real bundle, starts a stream, cancels
// the command's context (what SIGTERM does) and checks the stream still
// completes and runServe returns cleanly.
func TestServeDrainsOnSignal(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "bundle")
	if _, err := flavor.Save(context.Background(), tinySource(t), bundle, flavor.SaveOptions{Task: "llm/v1/chat", Name: "tiny"}); err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	e := newEnv(nil, io.Discard, &stderr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, e, serveOptions{Model: bundle, Host: "127.0.0.1", Port: 0, Parallel: 2, MaxQueue: 4, MaxN: 2,
			MaxBodyBytes: 1 << 20, ShutdownTimeout: 30 * time.Second, KeepAlive: time.Second, ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("runServe: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("server not ready after 60s")
	}
	base := "http://" + addr
	resp, err := http.Get(base + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":32}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, buf); err != nil { // the stream has begun
		t.Fatal(err)
	}
	cancel() // SIGTERM
	rest, err := io.ReadAll(resp.Body)
	if err != nil || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Errorf("the running stream was cut by the shutdown: %v %q", err, rest)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runServe after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("runServe did not return after the drain")
	}
	if !strings.Contains(stderr.String(), `"path":"/v1/chat/completions"`) {
		t.Errorf("no structured request log on stderr:\n%s", stderr.String())
	}
}

// TestServePullsAReference: -m REGISTRY/REPO:TAG is pulled into the user
// cache and served.
func TestServePullsAReference(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "bundle")
	if _, err := flavor.Save(context.Background(), tinySource(t), bundle, flavor.SaveOptions{Task: "llm/v1/chat", Name: "tiny"}); err != nil {
		t.Fatal(err)
	}
	ref := registrytest.Memory(t) + "/team/tiny:v1"
	if _, err := registry.Push(context.Background(), bundle, ref, registry.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, newEnv(nil, io.Discard, &stderr), serveOptions{Model: ref, Host: "127.0.0.1", Parallel: 1, MaxN: 1,
			MaxBodyBytes: 1 << 20, ShutdownTimeout: time.Second, KeepAlive: time.Second, ready: func(a string) { ready <- a }})
	}()
	select {
	case addr := <-ready:
		resp, err := http.Get("http://" + addr + "/v1/models")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `"id":"tiny"`) {
			t.Errorf("models: %s", b)
		}
	case err := <-done:
		t.Fatalf("runServe: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("not ready after 60s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}
