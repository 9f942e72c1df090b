package generate

import (
	"errors"
	"fmt"
	"math"
)

// Finish reasons, as the OpenAI API and MLflow name them.
const (
	FinishStop   = "stop"   // an end-of-sequence token or a stop sequence
	FinishLength = "length" // MaxTokens reached or the context window is full
)

// Params controls one generation. The zero value decodes greedily until an
// EOS token or the end of the context window.
type Params struct {
	// MaxTokens caps the number of generated tokens; 0 or less means no cap
	// other than the context window.
	MaxTokens int
	// Temperature divides the logits before sampling; 0 means greedy.
	Temperature float64
	// TopP keeps the smallest set of most likely tokens whose probability
	// sums to at least TopP; 0 or 1 disables it.
	TopP float64
	// TopK keeps the K most likely tokens; 0 disables it.
	TopK int
	// Seed makes sampling reproducible; nil picks a random seed.
	Seed *uint64
	// Stop lists texts that end generation; they are not part of the output.
	Stop []string
	// EOS lists token ids that end generation.
	EOS []int
	// PresencePenalty is subtracted from the logit of every token already
	// generated; FrequencyPenalty is subtracted once per occurrence
	// (OpenAI semantics, over generated tokens only, range -2..2).
	PresencePenalty, FrequencyPenalty float64
	// RepetitionPenalty is Hugging Face's penalty over prompt and generated
	// tokens: positive logits are divided by it, negative ones multiplied.
	// 0 or 1 disables it.
	RepetitionPenalty float64
	// LogitBias is added to the logits of the given token ids.
	LogitBias map[int]float32
	// Logprobs asks for the log-probability of every generated token, and
	// TopLogprobs for that many alternatives at each step (at most 20).
	Logprobs    bool
	TopLogprobs int
}

// MaxTopLogprobs is the largest TopLogprobs value accepted (OpenAI's limit).
const MaxTopLogprobs = 20

// ErrInvalidParams is matched by the error Validate returns.
var ErrInvalidParams = errors.New("generate: invalid parameters")

// Validate reports parameters that are out of range, naming the field.
func (p *Params) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidParams, fmt.Sprintf(format, a...))
	}
	switch {
	case math.IsNaN(p.Temperature) || p.Temperature < 0:
		return bad("temperature must be >= 0, got %v", p.Temperature)
	case math.IsNaN(p.TopP) || p.TopP < 0 || p.TopP > 1:
		return bad("top_p must be between 0 and 1, got %v", p.TopP)
	case p.TopK < 0:
		return bad("top_k must be >= 0, got %d", p.TopK)
	case math.IsNaN(p.PresencePenalty) || math.IsNaN(p.FrequencyPenalty):
		return bad("penalties must be numbers")
	case math.IsNaN(p.RepetitionPenalty) || p.RepetitionPenalty < 0:
		return bad("repetition_penalty must be > 0, got %v", p.RepetitionPenalty)
	case p.TopLogprobs < 0 || p.TopLogprobs > MaxTopLogprobs:
		return bad("top_logprobs must be between 0 and %d, got %d", MaxTopLogprobs, p.TopLogprobs)
	}
	for i, s := range p.Stop {
		if s == "" {
			return bad("stop[%d] is empty", i)
		}
	}
	for id, b := range p.LogitBias {
		if math.IsNaN(float64(b)) {
			return bad("logit_bias[%d] is not a number", id)
		}
	}
	return nil
}

// ContextError reports a prompt that does not fit the model's context window.
type ContextError struct {
	PromptTokens int // tokens in the prompt (plus any already in the session)
	ContextSize  int // the model's context window, in tokens
}

func (e *ContextError) Error() string {
	return fmt.Sprintf("generate: the prompt has %d tokens but the model's context window is %d tokens (the prompt must leave room for at least one generated token); shorten the prompt", e.PromptTokens, e.ContextSize)
}

// Is makes errors.Is(err, ErrContextLength) true for a *ContextError.
func (e *ContextError) Is(target error) bool { return target == ErrContextLength }

// ErrContextLength is matched by every *ContextError.
var ErrContextLength = errors.New("generate: prompt exceeds the context window")

// ErrEmptyPrompt reports a prompt with no tokens.
var ErrEmptyPrompt = errors.New("generate: the prompt has no tokens")
