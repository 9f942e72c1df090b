package openai

import (
	"bytes"
	"encoding/json"
)

// CompletionRequest is a validated /v1/completions request.
type CompletionRequest struct {
	Model        string
	Prompts      []Prompt // one or more; choices are numbered prompt*N + n
	N            int
	Stream       bool
	IncludeUsage bool
	Echo         bool
	Sampling     Sampling
}

// Prompt is one prompt, given as text or as token ids.
type Prompt struct {
	Text   string
	Tokens []int // non-nil when the prompt was sent as token ids
}

type completionWire struct {
	common
	Prompt   json.RawMessage `json:"prompt"`
	Logprobs *int            `json:"logprobs"`
	Echo     *bool           `json:"echo"`
	BestOf   *int            `json:"best_of"`
	Suffix   *string         `json:"suffix"`
}

var completionRules = func() map[string]fieldRule {
	r := map[string]fieldRule{"prompt": fieldUsed, "logprobs": fieldUsed, "echo": fieldChecked, "best_of": fieldChecked, "suffix": fieldChecked}
	for k, v := range commonRules {
		r[k] = v
	}
	return r
}()

// DecodeCompletionRequest parses and validates a legacy completions body.
func DecodeCompletionRequest(body []byte, lim Limits) (*CompletionRequest, error) {
	lim = lim.withDefaults()
	var w completionWire
	if _, err := decodeStrict(body, completionRules, &w); err != nil {
		return nil, err
	}
	if w.Echo != nil && *w.Echo {
		return nil, Unsupported("echo", "echoing the prompt is not implemented")
	}
	if w.BestOf != nil && *w.BestOf != 1 {
		return nil, Unsupported("best_of", "only best_of 1 is implemented; use n")
	}
	if w.Suffix != nil && *w.Suffix != "" {
		return nil, Unsupported("suffix", "insertion (suffix) is not implemented")
	}
	prompts, err := decodePrompt(w.Prompt)
	if err != nil {
		return nil, err
	}
	if len(prompts) > lim.MaxPrompts {
		return nil, BadRequest("prompt", "'prompt' holds at most %d prompts, got %d", lim.MaxPrompts, len(prompts))
	}
	s, n, err := w.sampling(lim, w.MaxTokens, "max_tokens")
	if err != nil {
		return nil, err
	}
	if w.Logprobs != nil {
		k := *w.Logprobs
		if k < 0 || k > 5 {
			return nil, BadRequest("logprobs", "'logprobs' must be between 0 and 5, got %d", k)
		}
		s.Logprobs, s.TopLogprobs = true, k
	}
	return &CompletionRequest{Model: w.Model, Prompts: prompts, N: n, Stream: w.streaming(),
		IncludeUsage: w.includeUsage(), Sampling: s}, nil
}

// decodePrompt accepts a string, an array of strings, an array of token ids
// or an array of arrays of token ids.
func decodePrompt(raw json.RawMessage) ([]Prompt, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, BadRequest("prompt", "'prompt' is required")
	}
	var one string
	if json.Unmarshal(t, &one) == nil {
		return []Prompt{{Text: one}}, nil
	}
	var texts []string
	if json.Unmarshal(t, &texts) == nil && len(texts) > 0 {
		out := make([]Prompt, len(texts))
		for i, s := range texts {
			out[i] = Prompt{Text: s}
		}
		return out, nil
	}
	var ids []int
	if json.Unmarshal(t, &ids) == nil && len(ids) > 0 {
		return []Prompt{{Tokens: ids}}, nil
	}
	var many [][]int
	if json.Unmarshal(t, &many) == nil && len(many) > 0 {
		out := make([]Prompt, len(many))
		for i, ids := range many {
			if len(ids) == 0 {
				return nil, BadRequest("prompt", "'prompt'[%d] is an empty token list", i)
			}
			out[i] = Prompt{Tokens: ids}
		}
		return out, nil
	}
	return nil, BadRequest("prompt", "'prompt' must be a string, an array of strings, an array of token ids or an array of such arrays (non-empty)")
}
