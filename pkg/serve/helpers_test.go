package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/serve"
)

// The committed tiny chat model, saved as a bundle once per task and
// loaded once: every test serves the real runtime.
var (
	enginesMu sync.Mutex
	engines   = map[string]*runtime.Engine{}
	bundleDir string
)

func tinyEngine(t *testing.T, task string) *runtime.Engine {
	t.Helper()
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines[task]; ok {
		return e
	}
	src := testenv.Testdata(t, "tiny-chat")
	if _, err := os.Stat(filepath.Join(src, "config.json")); err != nil {
		t.Skipf("skipping: the tiny chat model %s is not committed yet", src)
	}
	if bundleDir == "" {
		d, err := os.MkdirTemp("", "mlpack-serve-test-")
		if err != nil {
			t.Fatal(err)
		}
		bundleDir = d
	}
	out := filepath.Join(bundleDir, strings.ReplaceAll(task, "/", "_"))
	if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: task, Name: "tiny-chat",
		// Keeps MLflow-path generations short; OpenAI requests set their own.
		ModelConfig: map[string]any{"max_new_tokens": 16}}); err != nil {
		t.Fatalf("saving the tiny model as a %s bundle: %v", task, err)
	}
	eng, err := runtime.Load(context.Background(), out, runtime.Options{Threads: 2, ContextSize: 512})
	if err != nil {
		t.Fatalf("loading the bundle: %v", err)
	}
	engines[task] = eng
	return eng
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, e := range engines {
		e.Close()
	}
	if bundleDir != "" {
		os.RemoveAll(bundleDir)
	}
	os.Exit(code)
}

// newServer serves the tiny model for task with cfg on a loopback port.
func newServer(t *testing.T, task string, cfg serve.Config) (*serve.Server, *httptest.Server) {
	t.Helper()
	eng := tinyEngine(t, task)
	srv := serve.New(cfg)
	srv.SetBackend(serve.FromRuntime(eng))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return srv, ts
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("reply is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

func do(t *testing.T, method, url, contentType, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func post(t *testing.T, url, body string, headers ...string) reply {
	t.Helper()
	return do(t, http.MethodPost, url, "application/json", body, headers...)
}

// sseEvents splits a stream body into its data payloads, failing on any
// line that is not data:, a comment, or blank.
func sseEvents(t *testing.T, body []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "", strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "data: "):
			out = append(out, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("unexpected SSE line %q", line)
		}
	}
	if !bytes.HasSuffix(body, []byte("\n\n")) {
		t.Errorf("stream does not end with a blank line: %q", body[max(0, len(body)-40):])
	}
	return out
}
