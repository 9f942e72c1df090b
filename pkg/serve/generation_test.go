package serve_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/serve"
)

func TestLogprobs(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":6,"logprobs":true,"top_logprobs":3}`)
	var got struct {
		Choices []struct {
			Logprobs struct {
				Content []struct {
					Token       string  `json:"token"`
					Logprob     float64 `json:"logprob"`
					Bytes       []int   `json:"bytes"`
					TopLogprobs []struct {
						Token   string  `json:"token"`
						Logprob float64 `json:"logprob"`
					} `json:"top_logprobs"`
				} `json:"content"`
			} `json:"logprobs"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil || len(got.Choices) != 1 {
		t.Fatalf("%v %s", err, r.Body)
	}
	lps := got.Choices[0].Logprobs.Content
	if len(lps) != got.Usage.CompletionTokens {
		t.Errorf("%d logprobs for %d tokens", len(lps), got.Usage.CompletionTokens)
	}
	for i, lp := range lps {
		if lp.Logprob > 0 || len(lp.TopLogprobs) != 3 || len(lp.Bytes) != len(lp.Token) {
			t.Errorf("entry %d: %+v", i, lp)
		}
		// Greedy: the chosen token is the most likely one.
		if lp.TopLogprobs[0].Logprob != lp.Logprob {
			t.Errorf("entry %d: greedy token %q (%v) is not the top one %+v", i, lp.Token, lp.Logprob, lp.TopLogprobs[0])
		}
	}
	// Streamed: the same entries ride on the content chunks.
	s := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":6,"logprobs":true,"top_logprobs":3,"stream":true}`)
	n := 0
	for _, ev := range sseEvents(t, s.Body) {
		var c struct {
			Choices []struct {
				Logprobs *struct {
					Content []json.RawMessage `json:"content"`
				} `json:"logprobs"`
			} `json:"choices"`
		}
		if ev != "[DONE]" && json.Unmarshal([]byte(ev), &c) == nil && len(c.Choices) > 0 && c.Choices[0].Logprobs != nil {
			n += len(c.Choices[0].Logprobs.Content)
		}
	}
	// Every generated token's entry is streamed (an EOS token, when it
	// ends the text, has none in the stream).
	want := len(lps)
	if got.Choices[0].FinishReason == "stop" {
		want--
	}
	if n != want {
		t.Errorf("stream carried %d logprob entries, want %d (whole response %d, finish %s)", n, want, len(lps), got.Choices[0].FinishReason)
	}
}

// TestMaxTokensClampedToContext: a max_tokens beyond the context is
// accepted, and generation ends with "length" when the context is full.
func TestMaxTokensClampedToContext(t *testing.T) {
	_, ts := newServer(t, "llm/v1/completions", serve.Config{})
	eng := tinyEngine(t, "llm/v1/completions")
	var ban []string
	for _, id := range eng.DefaultParams().EOS {
		ban = append(ban, fmt.Sprintf(`"%d":-100`, id))
	}
	r := post(t, ts.URL+"/v1/completions", `{"prompt":"Once upon a time","temperature":0,"max_tokens":1000000,"logit_bias":{`+strings.Join(ban, ",")+`}}`)
	m := r.json(t)
	ch := m["choices"].([]any)[0].(map[string]any)
	u := m["usage"].(map[string]any)
	if ch["finish_reason"] != "length" || int(u["total_tokens"].(float64)) != eng.ContextSize() {
		t.Errorf("finish %v, usage %v, context %d", ch["finish_reason"], u, eng.ContextSize())
	}
}

func TestMethodNotAllowedAndMetrics(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	if r := do(t, "GET", ts.URL+"/v1/chat/completions", "", ""); r.Status != 405 || r.Header.Get("Allow") != "POST" {
		t.Errorf("GET chat: %d %v", r.Status, r.Header)
	}
	post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"max_tokens":3}`)
	r := do(t, "GET", ts.URL+"/metrics", "", "")
	for _, want := range []string{
		"# TYPE mlpack_requests_running gauge", "# TYPE mlpack_prompt_tokens_total counter",
		"# TYPE mlpack_time_to_first_token_seconds histogram", `mlpack_time_to_first_token_seconds_bucket{le="+Inf"} `,
		`mlpack_http_requests_total{route="POST /v1/chat/completions",code="200"} 1`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, r.Body)
		}
	}
	if metric(t, ts.URL, "mlpack_completion_tokens_total") != 3 {
		t.Errorf("completion tokens counter")
	}
}
