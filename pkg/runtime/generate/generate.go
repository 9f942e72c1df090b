package generate

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Model is a language-model session with a KV cache: Forward appends tokens
// to the session and returns the logits of the last one (the slice may be
// reused by the next call). Len is the number of tokens in the session and
// ContextSize the most it can hold.
type Model interface {
	Forward(ctx context.Context, tokens []int) ([]float32, error)
	Len() int
	ContextSize() int
}

// Decoder turns token ids into text as they arrive, never splitting a UTF-8
// character; Flush returns what is left at the end.
type Decoder interface {
	Next(id int) string
	Flush() string
}

// Event is passed to the callback once per generated token that is not an
// end-of-sequence token, and once more at the end (Token -1) if held-back
// text remains. Text is the text released by this step: it may be empty
// while a multi-byte character or a possible stop sequence is incomplete.
type Event struct {
	Index   int           // position of the token in the completion (0-based)
	Token   int           // the token id, or -1 for the final flush
	Text    string        // newly released text
	Logprob *TokenLogprob // nil unless Params.Logprobs
}

// Result is the outcome of a generation.
type Result struct {
	Text             string         // generated text, stop sequence removed
	Tokens           []int          // generated ids, including a final EOS token
	PromptTokens     int            // tokens fed as the prompt
	CompletionTokens int            // len(Tokens)
	FinishReason     string         // FinishStop or FinishLength
	Logprobs         []TokenLogprob // one per token in Tokens when Params.Logprobs
	Timings          Timings
}

// PromptTokensPerSecond is the prefill speed of this generation.
func (r *Result) PromptTokensPerSecond() float64 {
	return r.Timings.PromptTokensPerSecond(r.PromptTokens)
}

// DecodeTokensPerSecond is the decode speed of this generation: the tokens
// after the first (which comes from the prefill's logits) over the decode
// time, that is forward passes of one token per second.
func (r *Result) DecodeTokensPerSecond() float64 {
	return r.Timings.DecodeTokensPerSecond(max(0, r.CompletionTokens-1))
}

// Timings are wall-clock durations of the two phases of a generation.
type Timings struct {
	Prompt time.Duration // prefill: feeding the prompt up to the first logits
	Decode time.Duration // everything after the first logits
}

// PromptTokensPerSecond returns n prompt tokens over the prefill time.
func (t Timings) PromptTokensPerSecond(n int) float64 { return rate(n, t.Prompt) }

// DecodeTokensPerSecond returns n generated tokens over the decode time.
func (t Timings) DecodeTokensPerSecond(n int) float64 { return rate(n, t.Decode) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// CheckContext reports a *ContextError unless promptTokens more tokens and
// at least one generated token fit into m's context window.
func CheckContext(m Model, promptTokens int) error {
	if total := m.Len() + promptTokens; total >= m.ContextSize() {
		return &ContextError{PromptTokens: total, ContextSize: m.ContextSize()}
	}
	return nil
}

// Run feeds prompt to m, then samples tokens until an EOS token, a stop
// sequence, MaxTokens or the end of the context window. dec must be ready
// to decode the first generated token (callers that want tokens decoded in
// context prime it with the prompt). cb, if not nil, receives the text as it
// is released; an error from cb stops generation and is returned. ctx is
// checked before every token.
func Run(ctx context.Context, m Model, dec Decoder, prompt []int, p Params, cb func(Event) error) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(prompt) == 0 {
		return nil, ErrEmptyPrompt
	}
	if err := CheckContext(m, len(prompt)); err != nil {
		return nil, err
	}
	if cb == nil {
		cb = func(Event) error { return nil }
	}
	s := NewSampler(p)
	s.ObservePrompt(prompt)
	stops := &stopMatcher{stops: p.Stop}
	res := &Result{PromptTokens: len(prompt)}

	start := time.Now()
	logits, err := m.Forward(ctx, prompt)
	if err != nil {
		return nil, fmt.Errorf("generate: prefill: %w", err)
	}
	decodeStart := time.Now()
	res.Timings.Prompt = decodeStart.Sub(start)
	defer func() { res.Timings.Decode = time.Since(decodeStart) }()

	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, lp := s.Sample(logits)
		s.Accept(id)
		res.Tokens = append(res.Tokens, id)
		if lp != nil {
			res.Logprobs = append(res.Logprobs, *lp)
		}
		if slices.Contains(p.EOS, id) {
			res.FinishReason = FinishStop
			break
		}
		release, found := stops.add(dec.Next(id))
		if err := cb(Event{Index: len(res.Tokens) - 1, Token: id, Text: release, Logprob: lp}); err != nil {
			return nil, err
		}
		if found {
			res.FinishReason = FinishStop
			break
		}
		// The sampled token is not fed yet: stop when prompt plus
		// completion fill the window.
		if p.MaxTokens > 0 && len(res.Tokens) >= p.MaxTokens || m.Len()+1 >= m.ContextSize() {
			res.FinishReason = FinishLength
			break
		}
		if logits, err = m.Forward(ctx, []int{id}); err != nil {
			return nil, fmt.Errorf("generate: decoding token %d: %w", len(res.Tokens), err)
		}
	}
	if !stops.done {
		tail, found := stops.add(dec.Flush())
		if !found {
			tail += stops.flush()
		}
		if tail != "" {
			if err := cb(Event{Index: len(res.Tokens), Token: -1, Text: tail}); err != nil {
				return nil, err
			}
		}
	}
	res.Text = stops.output()
	res.CompletionTokens = len(res.Tokens)
	return res, nil
}
