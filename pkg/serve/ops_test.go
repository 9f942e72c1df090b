package serve_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlpack-go/mlpack/pkg/serve"
)

func TestHealthWhileLoading(t *testing.T) {
	srv := serve.New(serve.Config{Version: "1.2.3"})
	ts := newRawServer(t, srv)
	for _, p := range []string{"/ping", "/health"} {
		if r := do(t, "GET", ts+p, "", ""); r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s while loading: %d %v", p, r.Status, r.Header)
		}
	}
	if r := post(t, ts+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`); r.Status != 503 {
		t.Errorf("chat while loading: %d", r.Status)
	}
	srv.SetBackend(serve.FromRuntime(tinyEngine(t, "llm/v1/chat")))
	for _, p := range []string{"/ping", "/health"} {
		if r := do(t, "GET", ts+p, "", ""); r.Status != 200 || string(r.Body) != "\n" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s when ready: %d %q", p, r.Status, r.Body)
		}
	}
	if r := do(t, "GET", ts+"/version", "", ""); string(r.Body) != "1.2.3" {
		t.Errorf("version %q", r.Body)
	}
	srv.Drain()
	if r := do(t, "GET", ts+"/health", "", ""); r.Status != 503 {
		t.Errorf("health while draining: %d", r.Status)
	}
}

func newRawServer(t *testing.T, srv *serve.Server) string {
	t.Helper()
	hs := &http.Server{Handler: srv.Handler()}
	ts := startHTTP(t, hs)
	t.Cleanup(srv.Close)
	return ts
}

func TestAuth(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{APIKeys: []string{"sekret"}})
	chat := `{"messages":[{"role":"user","content":"x"}],"max_tokens":2}`
	for _, tc := range []struct {
		name    string
		path    string
		headers []string
		status  int
	}{
		{"health is public", "/health", nil, 200},
		{"ping is public", "/ping", nil, 200},
		{"no key", "/v1/chat/completions", nil, 401},
		{"wrong bearer", "/v1/chat/completions", []string{"Authorization", "Bearer nope"}, 401},
		{"bearer", "/v1/chat/completions", []string{"Authorization", "Bearer sekret"}, 200},
		{"x-api-key", "/v1/chat/completions", []string{"X-Api-Key", "sekret"}, 200},
		{"models need the key", "/v1/models", nil, 401},
		{"invocations need the key", "/invocations", nil, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method, body := "POST", chat
			if !strings.Contains(tc.path, "completions") && tc.path != "/invocations" {
				method, body = "GET", ""
			}
			r := do(t, method, ts.URL+tc.path, "application/json", body, tc.headers...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.status == 401 {
				m := r.json(t)
				if tc.path == "/invocations" {
					if m["error_code"] != "UNAUTHENTICATED" {
						t.Errorf("MLflow 401 body: %s", r.Body)
					}
				} else if m["error"].(map[string]any)["type"] != "authentication_error" {
					t.Errorf("401 body: %s", r.Body)
				}
			}
		})
	}
}

func TestCORSPreflight(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{CORSOrigins: []string{"http://app.example"}, APIKeys: []string{"k"}})
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/v1/chat/completions", nil)
	req.Header.Set("Origin", "http://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-stainless-os,x-stainless-retry-count")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "http://app.example" ||
		h.Get("Access-Control-Allow-Headers") != "authorization,content-type,x-stainless-os,x-stainless-retry-count" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
	req.Header.Set("Origin", "http://evil.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", resp.Header)
	}
}

func TestQueueFull(t *testing.T) {
	srv, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 1, MaxQueue: -1, RetryAfter: 3 * time.Second})
	release := srv.TakeSlots()
	defer release()
	r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`)
	if r.Status != 429 || r.Header.Get("Retry-After") != "3" || r.json(t)["error"].(map[string]any)["type"] != "rate_limit_error" {
		t.Errorf("full: %d %v %s", r.Status, r.Header, r.Body)
	}
	r = post(t, ts.URL+"/invocations", `{"messages":[{"role":"user","content":"x"}]}`)
	if r.Status != 429 || r.json(t)["error_code"] != "REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("MLflow full: %d %s", r.Status, r.Body)
	}
	if m := metric(t, ts.URL, "mlpack_requests_rejected_total"); m != 2 {
		t.Errorf("rejected metric = %v", m)
	}
}

func TestBodyLimit(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{MaxBodyBytes: 1024})
	r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"`+strings.Repeat("x", 2000)+`"}]}`)
	if r.Status != 413 {
		t.Errorf("status %d: %s", r.Status, r.Body)
	}
}

// metric reads one unlabelled series from /metrics.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	r := do(t, "GET", base+"/metrics", "", "")
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no %s in /metrics:\n%s", name, r.Body)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// longStream asks for a generation that cannot end early: EOS is banned
// and max_tokens fills the context.
func longStream(t *testing.T, eosBan string) string {
	return `{"messages":[{"role":"user","content":"Go on"}],"stream":true,"temperature":0,"max_tokens":100000,"logit_bias":{` + eosBan + `}}`
}

func eosBan(t *testing.T) string {
	eng := tinyEngine(t, "llm/v1/chat")
	var parts []string
	for _, id := range eng.DefaultParams().EOS {
		parts = append(parts, fmt.Sprintf("%q:-100", strconv.Itoa(id)))
	}
	return strings.Join(parts, ",")
}

// TestDisconnectStopsGeneration: closing the connection mid-stream cancels
// the generation and frees the slot within a second.
func TestDisconnectStopsGeneration(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 1})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/chat/completions", strings.NewReader(longStream(t, eosBan(t))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for n := 0; n < 3; { // role chunk and two content chunks
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "data: ") {
			n++
		}
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(time.Second)
	for metric(t, ts.URL, "mlpack_requests_running") != 0 || metric(t, ts.URL, "mlpack_requests_cancelled_total") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("slot still taken 1s after the client left; cancelled=%v", metric(t, ts.URL, "mlpack_requests_cancelled_total"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	gen := metric(t, ts.URL, "mlpack_completion_tokens_total")
	nCtx := tinyEngine(t, "llm/v1/chat").ContextSize()
	if gen >= float64(nCtx)-50 {
		t.Errorf("generation ran on: %v tokens of a %d context", gen, nCtx)
	}
}

// TestLoad: 64 concurrent streams on 2 slots with a queue of 32: every
// request either completes with [DONE] or gets the documented 429.
func TestLoad(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 2, MaxQueue: 32})
	const clients = 64
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"messages":[{"role":"user","content":"Request %d"}],"stream":true,"max_tokens":8,"seed":%d}`, i, i)
			resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			outcome := strconv.Itoa(resp.StatusCode)
			if resp.StatusCode == 200 && !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
				outcome = "200 without [DONE]: " + string(b)
			}
			if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
				outcome = "429 without Retry-After"
			}
			mu.Lock()
			counts[outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	for k := range counts {
		if k != "200" && k != "429" {
			t.Errorf("unexpected outcome %q", k)
		}
	}
	if counts["200"] < 34 {
		t.Errorf("only %d of %d streams completed (slots 2 + queue 32 admit at least 34): %v", counts["200"], clients, counts)
	}
	t.Logf("outcomes: %v", counts)
}

// TestDecodeStepsAreBatched: concurrent generations share decode steps.
func TestDecodeStepsAreBatched(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 4})
	body := `{"messages":[{"role":"user","content":"Go on"}],"temperature":0,"max_tokens":300,"logit_bias":{` + eosBan(t) + `}}`
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	wg.Wait()
	if m := metric(t, ts.URL, "mlpack_decode_batch_max"); m < 2 {
		t.Errorf("four concurrent 300-token generations never shared a decode step (largest batch %v)", m)
	}
	t.Logf("sequences per step: %.2f, wait timeouts %v, steps %v", metric(t, ts.URL, "mlpack_decode_sequences_total")/metric(t, ts.URL, "mlpack_decode_steps_total"), metric(t, ts.URL, "mlpack_scheduler_wait_timeouts_total"), metric(t, ts.URL, "mlpack_decode_steps_total"))
}

// TestCloseMidStream: when the drain deadline passes, a running stream
// ends with a data: {"error":...} event (no [DONE]) and nothing else.
func TestCloseMidStream(t *testing.T) {
	srv, ts := newServer(t, "llm/v1/chat", serve.Config{})
	resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(longStream(t, eosBan(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	rest, _ := io.ReadAll(br)
	events := sseEvents(t, rest)
	last := events[len(events)-1]
	if !strings.HasPrefix(last, `{"error":{"message":`) || strings.Contains(string(rest), "[DONE]") {
		t.Errorf("stream after Close ends with %q", last)
	}
}

func TestTimeout(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{Timeout: time.Nanosecond})
	r := post(t, ts.URL+"/invocations", `{"messages":[{"role":"user","content":"x"}]}`)
	if r.Status != 504 || string(r.Body) != "Request processing time exceeded limit" {
		t.Errorf("MLflow timeout: %d %q", r.Status, r.Body)
	}
	r = post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`)
	if r.Status != 504 || r.json(t)["error"].(map[string]any)["code"] != "timeout" {
		t.Errorf("OpenAI timeout: %d %s", r.Status, r.Body)
	}
	// Streams are not limited: they show progress.
	r = post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"stream":true,"max_tokens":4}`)
	if r.Status != 200 || !strings.HasSuffix(string(r.Body), "data: [DONE]\n\n") {
		t.Errorf("stream with a timeout: %d %s", r.Status, r.Body)
	}
}

// TestTimeoutWhileQueued: a request still waiting for a slot when
// --timeout passes gets the timeout reply, not a generic error.
func TestTimeoutWhileQueued(t *testing.T) {
	srv, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 1, Timeout: 50 * time.Millisecond})
	release := srv.TakeSlots()
	defer release()
	if r := post(t, ts.URL+"/invocations", `{"messages":[{"role":"user","content":"x"}]}`); r.Status != 504 || string(r.Body) != "Request processing time exceeded limit" {
		t.Errorf("MLflow: %d %q", r.Status, r.Body)
	}
	if r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`); r.Status != 504 {
		t.Errorf("OpenAI: %d %s", r.Status, r.Body)
	}
}
