package serve_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/serve"
)

// waitQueued polls /metrics until n requests wait for a slot.
func waitQueued(t *testing.T, url string, n int) {
	t.Helper()
	want := fmt.Sprintf("mlpack_requests_queued %d\n", n)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if r := do(t, http.MethodGet, url+"/metrics", "", ""); strings.Contains(string(r.Body), want) {
			return
		}
	}
	t.Fatalf("no %d queued requests after 10s", n)
}

func errorObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Error == nil {
		t.Fatalf("not an OpenAI error: %v %s", err, b)
	}
	return m.Error
}

// TestCloseSaysShuttingDown: when the drain deadline cancels the requests
// still running, a stream ends with an error event coded shutting_down,
// and a request that has not started streaming (or is not streamed) gets
// a 503 body that says so; /invocations too, in MLflow's envelope.
func TestCloseSaysShuttingDown(t *testing.T) {
	srv, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 1})
	resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(longStream(t, eosBan(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	type result struct {
		name string
		r    reply
	}
	queued := make(chan result, 2)
	go func() {
		queued <- result{"chat", post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"max_tokens":4}`)}
	}()
	waitQueued(t, ts.URL, 1)
	go func() {
		queued <- result{"invocations", post(t, ts.URL+"/invocations", `{"messages":[{"role":"user","content":"x"}]}`)}
	}()
	waitQueued(t, ts.URL, 2)
	srv.Drain()
	srv.Close()

	rest, _ := io.ReadAll(br)
	events := sseEvents(t, rest)
	last := events[len(events)-1]
	var ev struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal([]byte(last), &ev); err != nil || ev.Error["code"] != "shutting_down" || ev.Error["type"] != "server_error" ||
		!strings.Contains(ev.Error["message"].(string), "shutting down") || strings.Contains(string(rest), "[DONE]") {
		t.Errorf("stream cut by the shutdown ends with %q", last)
	}
	for range 2 {
		res := <-queued
		if res.r.Status != http.StatusServiceUnavailable || res.r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d (Retry-After %q) %s", res.name, res.r.Status, res.r.Header.Get("Retry-After"), res.r.Body)
			continue
		}
		switch res.name {
		case "chat":
			if e := errorObject(t, res.r.Body); e["code"] != "shutting_down" {
				t.Errorf("chat: %s", res.r.Body)
			}
		case "invocations":
			m := res.r.json(t)
			if m["error_code"] != "TEMPORARILY_UNAVAILABLE" || !strings.Contains(m["message"].(string), "shutting down") {
				t.Errorf("invocations: %s", res.r.Body)
			}
		}
	}
}

// TestDrainKeepsAnswering: during the drain the handler still answers:
// /health and /ping are 503, new generation work is 503 with Retry-After.
func TestDrainKeepsAnswering(t *testing.T) {
	srv, ts := newServer(t, "llm/v1/chat", serve.Config{})
	srv.Drain()
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/health", ""}, {"GET", "/ping", ""},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}]}`},
		{"POST", "/v1/completions", `{"prompt":"x"}`},
		{"POST", "/invocations", `{"messages":[{"role":"user","content":"x"}]}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, tc.method, ts.URL+tc.path, "application/json", tc.body)
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "shutting down") {
				t.Errorf("%d (Retry-After %q) %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
		})
	}
}

type chatLogprobs struct {
	Choices []struct {
		Logprobs *struct {
			Content []struct {
				Token   string  `json:"token"`
				Logprob float64 `json:"logprob"`
				Bytes   []int   `json:"bytes"`
			} `json:"content"`
		} `json:"logprobs"`
	} `json:"choices"`
}

// TestLogprobBytesOfByteToken: a byte-fallback token's "bytes" is the
// byte itself ([195] for <0xC3>), not the UTF-8 of U+FFFD.
func TestLogprobBytesOfByteToken(t *testing.T) {
	eng := tinyEngine(t, "llm/v1/chat")
	id, ok := eng.Tokenizer.TokenToID("<0xC3>")
	if !ok {
		t.Fatal("the tiny tokenizer has no <0xC3>")
	}
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	r := post(t, ts.URL+"/v1/chat/completions", fmt.Sprintf(`{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":1,"logprobs":true,"logit_bias":{"%d":100}}`, id))
	var got chatLogprobs
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Choices) != 1 || got.Choices[0].Logprobs == nil || len(got.Choices[0].Logprobs.Content) != 1 {
		t.Fatalf("%v %s", err, r.Body)
	}
	if d := cmp.Diff([]int{0xC3}, got.Choices[0].Logprobs.Content[0].Bytes); d != "" {
		t.Errorf("bytes of <0xC3> (-want +got):\n%s", d)
	}
}

// TestCompletionLogprobsCollidingTexts: two byte tokens both read "�";
// the greedy (top-1) token's key must map to its own logprob.
func TestCompletionLogprobsCollidingTexts(t *testing.T) {
	eng := tinyEngine(t, "llm/v1/chat")
	a, _ := eng.Tokenizer.TokenToID("<0xC3>")
	b, _ := eng.Tokenizer.TokenToID("<0xC4>")
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	r := post(t, ts.URL+"/v1/completions", fmt.Sprintf(`{"prompt":"Once upon","max_tokens":1,"temperature":0,"logprobs":2,"logit_bias":{"%d":100,"%d":100}}`, a, b))
	var got struct {
		Choices []struct {
			Logprobs struct {
				Tokens        []string             `json:"tokens"`
				TokenLogprobs []float64            `json:"token_logprobs"`
				TopLogprobs   []map[string]float64 `json:"top_logprobs"`
			} `json:"logprobs"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Choices) != 1 || len(got.Choices[0].Logprobs.Tokens) != 1 {
		t.Fatalf("%v %s", err, r.Body)
	}
	lp := got.Choices[0].Logprobs
	if v, ok := lp.TopLogprobs[0][lp.Tokens[0]]; !ok || v != lp.TokenLogprobs[0] {
		t.Errorf("token %q has logprob %v but top_logprobs says %v", lp.Tokens[0], lp.TokenLogprobs[0], lp.TopLogprobs[0])
	}
}

// TestStreamedLogprobsIncludeEOS: a stream carries the same logprob
// entries as the whole reply, the EOS token's included.
func TestStreamedLogprobsIncludeEOS(t *testing.T) {
	eng := tinyEngine(t, "llm/v1/chat")
	eos := eng.DefaultParams().EOS[0]
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	body := fmt.Sprintf(`{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":8,"logprobs":true,"logit_bias":{"%d":100}`, eos)
	var whole chatLogprobs
	if r := post(t, ts.URL+"/v1/chat/completions", body+`}`); json.Unmarshal(r.Body, &whole) != nil || len(whole.Choices) != 1 || whole.Choices[0].Logprobs == nil {
		t.Fatalf("%s", r.Body)
	}
	want := len(whole.Choices[0].Logprobs.Content)
	if want == 0 {
		t.Fatal("the whole reply has no logprob entries")
	}
	s := post(t, ts.URL+"/v1/chat/completions", body+`,"stream":true}`)
	n := 0
	for _, ev := range sseEvents(t, s.Body) {
		var c chatLogprobs
		if ev == "[DONE]" || json.Unmarshal([]byte(ev), &c) != nil {
			continue
		}
		for _, ch := range c.Choices {
			if ch.Logprobs != nil {
				n += len(ch.Logprobs.Content)
			}
		}
	}
	if n != want {
		t.Errorf("stream has %d logprob entries, the whole reply %d", n, want)
	}
}

// TestInvocationsBodyLimit: /invocations answers 413 like the /v1 routes,
// in MLflow's envelope.
func TestInvocationsBodyLimit(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{MaxBodyBytes: 100})
	big := `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 200) + `"}]}`
	r := post(t, ts.URL+"/invocations", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.json(t)["error_code"] != "REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("/invocations: %d %s", r.Status, r.Body)
	}
	if r := post(t, ts.URL+"/v1/chat/completions", big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("/v1/chat/completions: %d %s", r.Status, r.Body)
	}
}

// TestCORSPreflightRefused: a preflight from an origin that is not allowed
// is a 403 that says why, with no Access-Control-Allow-* header (never the
// 405 of a POST-only route).
func TestCORSPreflightRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		origins []string
	}{{"other origin listed", []string{"http://allowed.example"}}, {"no --cors-origins", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := newServer(t, "llm/v1/chat", serve.Config{CORSOrigins: tc.origins})
			r := do(t, http.MethodOptions, ts.URL+"/v1/chat/completions", "", "", "Origin", "http://evil.example",
				"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
			if r.Status != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Methods") != "" {
				t.Errorf("%d %v %s", r.Status, r.Header, r.Body)
			}
			if e := errorObject(t, r.Body); !strings.Contains(e["message"].(string), "http://evil.example") {
				t.Errorf("message: %s", r.Body)
			}
		})
	}
}

// TestModelName: by default any model name is served by the one model and
// the reply carries the served id; StrictModel keeps the 404.
func TestModelName(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			_, ts := newServer(t, "llm/v1/chat", serve.Config{StrictModel: strict})
			served := do(t, http.MethodGet, ts.URL+"/v1/models", "", "").json(t)["data"].([]any)[0].(map[string]any)["id"]
			for _, path := range []string{"/v1/chat/completions", "/v1/completions"} {
				body := `{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}`
				if path == "/v1/completions" {
					body = `{"model":"gpt-3.5-turbo","prompt":"Hi","max_tokens":2}`
				}
				r := post(t, ts.URL+path, body)
				switch {
				case strict && (r.Status != http.StatusNotFound || errorObject(t, r.Body)["code"] != "model_not_found"):
					t.Errorf("%s strict: %d %s", path, r.Status, r.Body)
				case !strict && (r.Status != http.StatusOK || r.json(t)["model"] != served):
					t.Errorf("%s: %d %s", path, r.Status, r.Body)
				}
			}
			if r := do(t, http.MethodGet, ts.URL+"/v1/models/gpt-3.5-turbo", "", ""); r.Status != http.StatusNotFound {
				t.Errorf("model lookup of an unknown id: %d", r.Status)
			}
		})
	}
}

// TestErrorTextsWithoutPackageChains: clients read what is wrong, not the
// chain of Go packages the error went through.
func TestErrorTextsWithoutPackageChains(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	for _, tc := range []struct {
		name, path, body, want string
	}{
		{"invocations wrong param type", "/invocations", `{"messages":[{"role":"user","content":"x"}],"max_tokens":"x"}`, "max_tokens"},
		{"invocations missing field", "/invocations", `{"inputs":{"x":[1]}}`, "messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, ts.URL+tc.path, tc.body)
			msg, _ := r.json(t)["message"].(string)
			if msg == "" {
				msg = fmt.Sprint(r.json(t)["error"])
			}
			if r.Status != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
				t.Errorf("%d %s", r.Status, r.Body)
			}
			for _, leak := range []string{"signature:", "task:", "serve:", "invalid request:", "invalid input:", "context canceled"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message leaks %q: %s", leak, msg)
				}
			}
		})
	}
}
