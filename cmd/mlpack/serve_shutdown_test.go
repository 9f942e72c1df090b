package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/registry"
)

// startServe runs runServe in the background until the returned cancel
// (what SIGTERM does); done receives its result.
func startServe(t *testing.T, o serveOptions, stderr io.Writer) (addr string, cancel context.CancelFunc, done chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ready := make(chan string, 1)
	done = make(chan error, 1)
	o.Host, o.ready = "127.0.0.1", func(a string) { ready <- a }
	if o.Parallel == 0 {
		o.Parallel, o.MaxN, o.MaxBodyBytes, o.KeepAlive = 2, 2, 1<<20, time.Second
	}
	go func() { done <- runServe(ctx, newEnv(nil, io.Discard, stderr), o) }()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("runServe: %v\n%s", err, stderr)
	case <-time.After(60 * time.Second):
		t.Fatal("server not ready after 60s")
	}
	return addr, cancel, done
}

func savedBundle(t *testing.T) string {
	t.Helper()
	bundle := filepath.Join(t.TempDir(), "bundle")
	if _, err := flavor.Save(context.Background(), tinySource(t), bundle, flavor.SaveOptions{Task: "llm/v1/chat", Name: "tiny"}); err != nil {
		t.Fatal(err)
	}
	return bundle
}

// TestServeShutdownDeadline: SIGTERM with a stream and an /invocations
// call still running. During the drain the port still answers (/health
// 503, new work 503 with Retry-After); at the deadline the stream ends
// with an error event coded shutting_down, the non-streamed call gets a
// 503 body, and runServe returns nil about --shutdown-timeout after the
// signal.
func TestServeShutdownDeadline(t *testing.T) {
	const timeout = 300 * time.Millisecond
	var stderr syncBuffer
	addr, cancel, done := startServe(t, serveOptions{Model: savedBundle(t), ShutdownTimeout: timeout}, &stderr)
	base := "http://" + addr
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"messages":[{"role":"user","content":"Go on"}],"stream":true,"temperature":0,"max_tokens":100000,"logit_bias":{"2":-100}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil { // the stream has begun
		t.Fatal(err)
	}
	type reply struct {
		status int
		header http.Header
		body   []byte
	}
	inv := make(chan reply, 1)
	go func() {
		r, err := http.Post(base+"/invocations", "application/json",
			strings.NewReader(`{"messages":[{"role":"user","content":"Go on"}],"max_tokens":100000}`))
		if err != nil {
			inv <- reply{body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		inv <- reply{r.StatusCode, r.Header, b}
	}()
	time.Sleep(20 * time.Millisecond) // let the invocation start (a 503 for a late one is checked the same way)
	signalled := time.Now()
	cancel() // SIGTERM
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r, err := http.Get(base + "/health")
		if err != nil {
			t.Fatalf("/health during the drain: %v", err)
		}
		r.Body.Close()
		if r.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/health still %d during the drain", r.StatusCode)
		}
	}
	r, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(`{"messages":[{"role":"user","content":"x"}]}`))
	if err != nil {
		t.Fatalf("new request during the drain: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("new request during the drain: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}

	rest, _ := io.ReadAll(br)
	lines := strings.Split(strings.TrimSpace(string(rest)), "\n")
	last := lines[len(lines)-1]
	var ev struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(last, "data: ")), &ev); err != nil || ev.Error["code"] != "shutting_down" ||
		ev.Error["type"] != "server_error" || !strings.HasSuffix(string(rest), "\n\n") || strings.Contains(string(rest), "[DONE]") {
		t.Errorf("stream cut by the shutdown ends with %q", last)
	}
	got := <-inv
	var env map[string]any
	if got.status != http.StatusServiceUnavailable || json.Unmarshal(got.body, &env) != nil || env["error_code"] != "TEMPORARILY_UNAVAILABLE" ||
		!strings.Contains(env["message"].(string), "shutting down") {
		t.Errorf("/invocations cut by the shutdown: %d %q", got.status, got.body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runServe after the drain: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("runServe did not return after the drain")
	}
	// Bounded exit: the deadline plus the grace for the error replies
	// (generous slack for a loaded CI machine).
	if took := time.Since(signalled); took > timeout+shutdownGrace*2+time.Second {
		t.Errorf("runServe returned %s after the signal; --shutdown-timeout is %s", took, timeout)
	}
}

func TestServeHelpDrainAndFlags(t *testing.T) {
	var out, errb bytes.Buffer
	run([]string{"mlpack", "serve", "--help"}, nil, &out, &errb)
	help := out.String()
	for _, want := range []string{"--workers N, -w N ", "/health and /ping turn", "exits 0", "--strict-model", "REQUEST_LIMIT_EXCEEDED"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "--workers mlflow") {
		t.Errorf("--workers placeholder taken from its usage text:\n%s", help)
	}
}

// countingRegistry is an in-memory registry (as registrytest.Memory) that
// counts requests and can be stopped.
func countingRegistry(t *testing.T) (host string, hits *atomic.Int64, stop func()) {
	t.Helper()
	hits = new(atomic.Int64)
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), hits, srv.Close
}

// TestServeFromCache: a reference served once is in the cache; a digest
// reference is then served without contacting the registry, and a tag is
// served from the cache (with a warning) when the registry is down.
func TestServeFromCache(t *testing.T) {
	host, hits, stopRegistry := countingRegistry(t)
	tagRef := host + "/team/tiny:v1"
	pushed, err := registry.Push(context.Background(), savedBundle(t), tagRef, registry.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	digestRef := host + "/team/tiny@" + pushed.Digest
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	serveOnce := func(ref string) string {
		var stderr syncBuffer
		_, cancel, done := startServe(t, serveOptions{Model: ref, Parallel: 1, MaxN: 1, MaxBodyBytes: 1 << 20,
			ShutdownTimeout: time.Second, KeepAlive: time.Second}, &stderr)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serving %s: %v\n%s", ref, err, stderr.String())
		}
		return stderr.String()
	}
	serveOnce(tagRef)
	serveOnce(digestRef)

	hits.Store(0)
	serveOnce(digestRef)
	if n := hits.Load(); n != 0 {
		t.Errorf("serving a cached digest reference made %d registry requests", n)
	}

	stopRegistry()
	start := time.Now()
	log := serveOnce(tagRef)
	if !strings.Contains(log, "could not reach the registry to check for updates") {
		t.Errorf("no warning that the cached copy is served:\n%s", log)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("start with the registry down took %s", took)
	}
}
