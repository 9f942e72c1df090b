package generate

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// words used by the fake decoder; id 0 is EOS.
var words = []string{"</s>", "Hel", "lo", " #", "#", "# END", " world", "!", "\n", "é"[:1], "é"[1:], "x"}

func collect(t *testing.T, m Model, prompt []int, p Params) (*Result, []string) {
	t.Helper()
	var got []string
	res, err := Run(context.Background(), m, &pieces{words}, prompt, p, func(ev Event) error {
		got = append(got, ev.Text)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, got
}

func TestRunFinishAndStop(t *testing.T) {
	for _, tc := range []struct {
		name       string
		script     []int
		ctx        int
		p          Params
		wantText   string
		wantTokens []int
		wantEvents []string
		wantFinish string
	}{
		{
			name: "EOS ends with stop and is not decoded", script: []int{1, 2, 6, 0, 7}, ctx: 64,
			p: Params{EOS: []int{0}}, wantText: "Hello world", wantTokens: []int{1, 2, 6, 0},
			wantEvents: []string{"Hel", "lo", " world"}, wantFinish: FinishStop,
		},
		{
			name: "max tokens", script: []int{1, 2, 6, 7}, ctx: 64,
			p: Params{MaxTokens: 2, EOS: []int{0}}, wantText: "Hello", wantTokens: []int{1, 2},
			wantEvents: []string{"Hel", "lo"}, wantFinish: FinishLength,
		},
		{
			name: "context window full", script: []int{1, 2, 6, 7}, ctx: 5,
			p: Params{}, wantText: "Hello world", wantTokens: []int{1, 2, 6},
			wantEvents: []string{"Hel", "lo", " world"}, wantFinish: FinishLength,
		},
		{
			name: "stop split across three tokens is cut and never streamed", script: []int{1, 2, 3, 4, 5, 7}, ctx: 64,
			p: Params{Stop: []string{"###"}}, wantText: "Hello ", wantTokens: []int{1, 2, 3, 4, 5},
			wantEvents: []string{"Hel", "lo", " ", "", ""}, wantFinish: FinishStop,
		},
		{
			name: "stop prefix that is not a stop is released later", script: []int{1, 3, 4, 11, 0}, ctx: 64,
			p: Params{Stop: []string{"###"}, EOS: []int{0}}, wantText: "Hel ##x", wantTokens: []int{1, 3, 4, 11, 0},
			wantEvents: []string{"Hel", " ", "", "##x"}, wantFinish: FinishStop,
		},
		{
			name: "held-back prefix is flushed at EOS", script: []int{1, 3, 4, 0}, ctx: 64,
			p: Params{Stop: []string{"###"}, EOS: []int{0}}, wantText: "Hel ##", wantTokens: []int{1, 3, 4, 0},
			wantEvents: []string{"Hel", " ", "", "##"}, wantFinish: FinishStop,
		},
		{
			name: "earliest of several stops wins", script: []int{1, 2, 6, 7, 8}, ctx: 64,
			p: Params{Stop: []string{"!", "lo w"}}, wantText: "Hel", wantTokens: []int{1, 2, 6},
			wantEvents: []string{"He", "l", ""}, wantFinish: FinishStop,
		},
		{
			name: "stop inside one token", script: []int{1, 5, 7}, ctx: 64,
			p: Params{Stop: []string{"END"}}, wantText: "Hel# ", wantTokens: []int{1, 5},
			wantEvents: []string{"Hel", "# "}, wantFinish: FinishStop,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newScripted(len(words), tc.ctx, tc.script...)
			res, events := collect(t, m, []int{1, 2}, tc.p)
			if d := cmp.Diff(tc.wantText, res.Text); d != "" {
				t.Errorf("text (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantTokens, res.Tokens); d != "" {
				t.Errorf("tokens (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantEvents, events); d != "" {
				t.Errorf("streamed text (-want +got):\n%s", d)
			}
			if res.FinishReason != tc.wantFinish {
				t.Errorf("finish = %q, want %q", res.FinishReason, tc.wantFinish)
			}
			if got := strings.Join(events, ""); got != res.Text {
				t.Errorf("streamed %q but result text is %q", got, res.Text)
			}
			if res.PromptTokens != 2 || res.CompletionTokens != len(res.Tokens) {
				t.Errorf("usage = %d prompt, %d completion", res.PromptTokens, res.CompletionTokens)
			}
		})
	}
}

func TestSameSeedSameText(t *testing.T) {
	run := func(seed uint64) []int {
		m := newScripted(512, 1000)
		m.flat = true
		res, _ := collect(t, m, []int{1}, Params{MaxTokens: 40, Temperature: 1.5, TopP: 0.95, TopK: 100, Seed: &seed})
		return res.Tokens
	}
	a, b, c := run(42), run(42), run(43)
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("same seed gave different tokens (-first +second):\n%s", d)
	}
	if cmp.Equal(a, c) {
		t.Errorf("seeds 42 and 43 gave the same 40 tokens %v; the seed is not used", a)
	}
}

func TestSamplingRespectsTopKAndTopP(t *testing.T) {
	// Background logits in [0,1) plus two strong candidates: 5 and 7.
	logits := make([]float32, 100)
	for i := range logits {
		logits[i] = float32(i%10) / 10
	}
	logits[5], logits[7] = 8, 7.9
	for _, tc := range []struct {
		name    string
		p       Params
		allowed map[int]bool
	}{
		{"top_k 2", Params{Temperature: 5, TopK: 2}, map[int]bool{5: true, 7: true}},
		{"top_p 0.5 keeps one", Params{Temperature: 1, TopP: 0.5}, map[int]bool{5: true}},
		{"top_p 0.9 keeps the two", Params{Temperature: 1, TopP: 0.9}, map[int]bool{5: true, 7: true}},
		{"top_k then top_p", Params{Temperature: 1, TopK: 3, TopP: 0.9}, map[int]bool{5: true, 7: true}},
		{"greedy", Params{}, map[int]bool{5: true}},
		{"logit bias forbids the best", Params{LogitBias: map[int]float32{5: -100}}, map[int]bool{7: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(3)
			tc.p.Seed = &seed
			s := NewSampler(tc.p)
			seen := map[int]bool{}
			for range 300 {
				id, _ := s.Sample(logits)
				if !tc.allowed[id] {
					t.Fatalf("sampled %d, allowed %v", id, tc.allowed)
				}
				seen[id] = true
			}
			if len(seen) != len(tc.allowed) {
				t.Errorf("saw %v in 300 draws, want every one of %v", seen, tc.allowed)
			}
		})
	}
}

func TestFrequencyPenaltyChangesGreedyChoice(t *testing.T) {
	logits := []float32{0, 2, 1.5}
	s := NewSampler(Params{FrequencyPenalty: 1})
	var got []int
	for range 4 {
		id, _ := s.Sample(logits)
		s.Accept(id)
		got = append(got, id)
	}
	// 1 (2.0) → 2 (1.5 vs 1.0) → 1 (1.0 vs 0.5) → tie 0.0/0.5 → 2.
	if d := cmp.Diff([]int{1, 2, 1, 2}, got); d != "" {
		t.Errorf("greedy with frequency penalty (-want +got):\n%s", d)
	}
}

func TestLogprobs(t *testing.T) {
	logits := []float32{0, 1, 2, 3}
	s := NewSampler(Params{Logprobs: true, TopLogprobs: 2})
	id, lp := s.Sample(logits)
	if id != 3 || lp == nil || lp.ID != 3 {
		t.Fatalf("Sample = %d, %+v", id, lp)
	}
	lse := LogSumExp(logits)
	if !almostEqual(float64(lp.Logprob), 3-lse) {
		t.Errorf("logprob = %v, want %v", lp.Logprob, 3-lse)
	}
	if len(lp.Top) != 2 || lp.Top[0].ID != 3 || lp.Top[1].ID != 2 || !almostEqual(float64(lp.Top[1].Logprob), 2-lse) {
		t.Errorf("top logprobs = %+v", lp.Top)
	}
}

func TestRunErrors(t *testing.T) {
	t.Run("prompt longer than the context", func(t *testing.T) {
		_, err := Run(context.Background(), newScripted(8, 4), &pieces{words}, []int{1, 2, 3, 4, 5}, Params{}, nil)
		var ce *ContextError
		if !errors.As(err, &ce) || ce.PromptTokens != 5 || ce.ContextSize != 4 || !errors.Is(err, ErrContextLength) {
			t.Fatalf("err = %v, want a ContextError with 5 and 4", err)
		}
		if !strings.Contains(err.Error(), "5 tokens") || !strings.Contains(err.Error(), "4 tokens") {
			t.Errorf("message %q does not give both numbers", err)
		}
	})
	t.Run("empty prompt", func(t *testing.T) {
		_, err := Run(context.Background(), newScripted(8, 4), &pieces{words}, nil, Params{}, nil)
		if !errors.Is(err, ErrEmptyPrompt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad params", func(t *testing.T) {
		_, err := Run(context.Background(), newScripted(8, 4), &pieces{words}, []int{1}, Params{TopP: 2}, nil)
		if !errors.Is(err, ErrInvalidParams) || !strings.Contains(err.Error(), "top_p") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("callback error stops generation", func(t *testing.T) {
		stop := errors.New("client went away")
		n := 0
		_, err := Run(context.Background(), newScripted(len(words), 64, 1, 2, 6, 7), &pieces{words}, []int{1}, Params{}, func(Event) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 2 {
			t.Fatalf("err = %v after %d events", err, n)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		_, err := Run(ctx, newScripted(len(words), 64, 1, 2, 6, 7), &pieces{words}, []int{1}, Params{}, func(Event) error {
			n++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) || n != 1 {
			t.Fatalf("err = %v after %d events", err, n)
		}
	})
}

func TestSampleDoesNotAllocate(t *testing.T) {
	logits := make([]float32, 32000)
	for i := range logits {
		logits[i] = float32(i%997) / 100
	}
	seed := uint64(1)
	for _, p := range []Params{
		{},
		{Temperature: 0.8, TopK: 40, TopP: 0.9, Seed: &seed, PresencePenalty: 0.5, FrequencyPenalty: 0.5, RepetitionPenalty: 1.1},
		{Temperature: 0.8, TopP: 0.9, Seed: &seed},
		{Temperature: 1, Seed: &seed, Logprobs: true},
	} {
		s := NewSampler(p)
		s.ObservePrompt([]int{1, 2, 3})
		id, _ := s.Sample(logits) // sizes the buffers
		s.Accept(id)
		allocs := testing.AllocsPerRun(20, func() {
			id, _ := s.Sample(logits)
			s.Accept(id)
		})
		want := 0.0
		if p.Logprobs {
			want = 1 // the *TokenLogprob handed to the caller
		}
		if allocs != want {
			t.Errorf("%+v: %v allocations per token, want %v", p, allocs, want)
		}
	}
}

func BenchmarkSample(b *testing.B) {
	// Zipf-like logits (probability ~ 1/rank^1.1, ranks shuffled), closer
	// to a language model's next-token distribution than uniform noise.
	logits := make([]float32, 32000)
	r := rand.New(rand.NewPCG(5, 5))
	for i, rank := range r.Perm(len(logits)) {
		logits[i] = float32(-1.1 * math.Log(float64(rank+1)))
	}
	seed := uint64(1)
	for _, tc := range []struct {
		name string
		p    Params
	}{
		{"greedy", Params{}},
		{"topk40_topp0.9", Params{Temperature: 0.8, TopK: 40, TopP: 0.9, Seed: &seed}},
		{"topp0.9", Params{Temperature: 0.8, TopP: 0.9, Seed: &seed}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := NewSampler(tc.p)
			for b.Loop() {
				s.Sample(logits)
			}
		})
	}
}
