package serve_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mlpack-go/mlpack/pkg/serve"
)

// slowPrefillEngine is the real forward pass with every prefill held back
// by delay, standing in for a long prompt on a slow CPU.
type slowPrefillEngine struct {
	serve.Engine
	delay time.Duration
}

func (e slowPrefillEngine) Prefill(ctx context.Context, s serve.Sequence, tokens []int) ([]float32, error) {
	select {
	case <-time.After(e.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return e.Engine.Prefill(ctx, s, tokens)
}

// slowPrefillBackend is the real runtime backend serving slowPrefillEngine.
type slowPrefillBackend struct {
	serve.Backend
	eng serve.Engine
}

func (b slowPrefillBackend) Engine() serve.Engine { return b.eng }

// TestStreamKeepAliveDuringPrefill: while a prefill outlasts the keep-alive
// interval, the stream carries ": ping" comments between the role chunk
// and the first content chunk, and still ends with the finish chunk and
// [DONE].
func TestStreamKeepAliveDuringPrefill(t *testing.T) {
	real := serve.FromRuntime(tinyEngine(t, "llm/v1/chat"))
	srv := serve.New(serve.Config{KeepAlive: 20 * time.Millisecond})
	srv.SetBackend(slowPrefillBackend{real, slowPrefillEngine{real.Engine(), 120 * time.Millisecond}})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})

	r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"stream":true,"temperature":0,"max_tokens":4}`)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	sseEvents(t, r.Body) // well-formed lines only

	// Classify each event in order: role, ping, content, finish, done.
	var kinds []string
	for _, ev := range strings.Split(strings.TrimSuffix(string(r.Body), "\n\n"), "\n\n") {
		if ev == ": ping" {
			kinds = append(kinds, "ping")
			continue
		}
		data, ok := strings.CutPrefix(ev, "data: ")
		if !ok {
			t.Fatalf("unexpected event %q", ev)
		}
		if data == "[DONE]" {
			kinds = append(kinds, "done")
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct {
					Role    *string `json:"role"`
					Content *string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil || len(c.Choices) != 1 {
			t.Fatalf("chunk %q: %v", data, err)
		}
		ch := c.Choices[0]
		switch {
		case ch.FinishReason != nil:
			kinds = append(kinds, "finish")
		case ch.Delta.Role != nil:
			kinds = append(kinds, "role")
		case ch.Delta.Content != nil && *ch.Delta.Content != "":
			kinds = append(kinds, "content")
		default:
			kinds = append(kinds, "other")
		}
	}
	seq := strings.Join(kinds, " ")
	role := indexOf(kinds, "role")
	content := indexOf(kinds, "content")
	if role != 0 || content < 0 {
		t.Fatalf("stream must open with the role chunk and carry content; got %s", seq)
	}
	pings := 0
	for _, k := range kinds[role+1 : content] {
		if k == "ping" {
			pings++
		}
	}
	if pings == 0 {
		t.Errorf("no \": ping\" between the role chunk and the first content chunk during a 120ms prefill with a 20ms keep-alive; got %s", seq)
	}
	n := len(kinds)
	if n < 2 || kinds[n-2] != "finish" || kinds[n-1] != "done" {
		t.Errorf("stream must end with the finish chunk and [DONE]; got %s", seq)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestPenaltiesChangeGreedyOutput: on the tiny model the greedy reply to
// "Hi" repeats one token over and over; frequency_penalty and
// presence_penalty must each steer it elsewhere, and the frequency
// penalty must cut the repetition. (logit_bias +100 forcing a token is
// pinned by TestLogprobBytesOfByteToken.)
func TestPenaltiesChangeGreedyOutput(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	gen := func(t *testing.T, extra string) (string, []string) {
		t.Helper()
		r := post(t, ts.URL+"/v1/chat/completions", `{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":32,"logprobs":true`+extra+`}`)
		var lp chatLogprobs
		var msg struct {
			Choices []struct {
				Message struct {
					Content string `json:"content"`
				} `json:"message"`
			} `json:"choices"`
		}
		if r.Status != 200 || json.Unmarshal(r.Body, &lp) != nil || json.Unmarshal(r.Body, &msg) != nil ||
			len(lp.Choices) != 1 || lp.Choices[0].Logprobs == nil || len(msg.Choices) != 1 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		var toks []string
		for _, c := range lp.Choices[0].Logprobs.Content {
			toks = append(toks, c.Token)
		}
		return msg.Choices[0].Message.Content, toks
	}
	// mostRepeated is how often the commonest token occurs.
	mostRepeated := func(toks []string) int {
		n := map[string]int{}
		best := 0
		for _, tok := range toks {
			n[tok]++
			best = max(best, n[tok])
		}
		return best
	}

	base, baseToks := gen(t, "")
	baseRep := mostRepeated(baseToks)
	if baseRep < 8 {
		t.Fatalf("the unpenalized greedy reply should repeat a token at least 8 times to make this test meaningful; got %d in %q", baseRep, base)
	}
	for _, tc := range []struct {
		name, extra string
		lessRepeats bool
	}{
		{"frequency_penalty", `,"frequency_penalty":2.0`, true},
		{"presence_penalty", `,"presence_penalty":2.0`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, toks := gen(t, tc.extra)
			if got == base {
				t.Errorf("%s 2.0 left the greedy reply unchanged: %q", tc.name, got)
			}
			if rep := mostRepeated(toks); tc.lessRepeats && rep >= baseRep {
				t.Errorf("%s 2.0: the commonest token still occurs %d times (unpenalized %d): %q", tc.name, rep, baseRep, got)
			}
		})
	}
}
