package openai

import (
	"encoding/json"
	"unicode/utf8"
)

// Usage counts tokens for one request.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// NewUsage fills TotalTokens.
func NewUsage(prompt, completion int) Usage {
	return Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

// Finish reasons.
const (
	FinishStop   = "stop"
	FinishLength = "length"
)

// TokenLogprob is one generated token's log-probability and, when asked
// for, the most likely alternatives at that position.
type TokenLogprob struct {
	Token   string
	Bytes   []byte // the token's exact bytes; nil: the UTF-8 of Token
	Logprob float64
	Top     []TopLogprob
}

// TopLogprob is one alternative token.
type TopLogprob struct {
	Token   string
	Bytes   []byte // as TokenLogprob.Bytes
	Logprob float64
}

// ChatTokenLogprob is one entry of choice.logprobs.content.
type ChatTokenLogprob struct {
	Token       string           `json:"token"`
	Logprob     float64          `json:"logprob"`
	Bytes       []int            `json:"bytes"`
	TopLogprobs []ChatTopLogprob `json:"top_logprobs"`
}

// ChatTopLogprob is one alternative in top_logprobs.
type ChatTopLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// ChatLogprobs is choice.logprobs for chat.
type ChatLogprobs struct {
	Content []ChatTokenLogprob `json:"content"`
	Refusal []ChatTokenLogprob `json:"refusal"`
}

// tokenBytes is the wire "bytes" list: raw when known, else the UTF-8 of
// the token text.
func tokenBytes(s string, raw []byte) []int {
	if raw == nil {
		raw = []byte(s)
	}
	b := make([]int, len(raw))
	for i, c := range raw {
		b[i] = int(c)
	}
	return b
}

// ToChatLogprobs converts generator logprobs to the chat shape.
func ToChatLogprobs(lps []TokenLogprob) *ChatLogprobs {
	out := &ChatLogprobs{Content: make([]ChatTokenLogprob, len(lps)), Refusal: nil}
	for i, lp := range lps {
		e := ChatTokenLogprob{Token: lp.Token, Logprob: lp.Logprob, Bytes: tokenBytes(lp.Token, lp.Bytes), TopLogprobs: []ChatTopLogprob{}}
		for _, t := range lp.Top {
			e.TopLogprobs = append(e.TopLogprobs, ChatTopLogprob{Token: t.Token, Logprob: t.Logprob, Bytes: tokenBytes(t.Token, t.Bytes)})
		}
		out.Content[i] = e
	}
	return out
}

// CompletionLogprobs is choice.logprobs for legacy completions.
type CompletionLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []float64            `json:"token_logprobs"`
	TopLogprobs   []map[string]float64 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}

// ToCompletionLogprobs converts generator logprobs to the legacy shape;
// offset is the text length before the first token.
func ToCompletionLogprobs(lps []TokenLogprob, offset int) *CompletionLogprobs {
	out := &CompletionLogprobs{Tokens: []string{}, TokenLogprobs: []float64{}, TopLogprobs: []map[string]float64{}, TextOffset: []int{}}
	for _, lp := range lps {
		out.Tokens = append(out.Tokens, lp.Token)
		out.TokenLogprobs = append(out.TokenLogprobs, lp.Logprob)
		// Tokens whose texts collide (several byte tokens all read "�")
		// share a key: keep the highest logprob, as OpenAI and vLLM
		// effectively do. The sampled token is always listed (OpenAI
		// returns up to logprobs+1 entries), so its own value is there
		// whenever no likelier token shares its text.
		top := make(map[string]float64, len(lp.Top)+1)
		put := func(k string, v float64) {
			if old, ok := top[k]; !ok || v > old {
				top[k] = v
			}
		}
		for _, t := range lp.Top {
			put(t.Token, t.Logprob)
		}
		if len(lp.Top) > 0 {
			put(lp.Token, lp.Logprob)
		}
		out.TopLogprobs = append(out.TopLogprobs, top)
		out.TextOffset = append(out.TextOffset, offset)
		offset += utf8.RuneCountInString(lp.Token)
	}
	return out
}

// AssistantMessage is a chat choice's message.
type AssistantMessage struct {
	Role    string  `json:"role"`
	Content *string `json:"content"`
	Refusal *string `json:"refusal"`
}

// ChatChoice is one choice of a chat completion.
type ChatChoice struct {
	Index        int              `json:"index"`
	Message      AssistantMessage `json:"message"`
	Logprobs     *ChatLogprobs    `json:"logprobs"`
	FinishReason string           `json:"finish_reason"`
}

// ChatCompletion is the non-streamed chat response.
type ChatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []ChatChoice `json:"choices"`
	Usage             Usage        `json:"usage"`
}

// Meta is what every response of one request shares.
type Meta struct {
	ID                string // chatcmpl-… / cmpl-…
	Created           int64  // unix seconds
	Model             string
	SystemFingerprint string
}

// Result is one finished choice as the generator produced it.
type Result struct {
	Text         string
	FinishReason string
	Logprobs     []TokenLogprob // nil unless asked for
}

// ToChatCompletion builds the chat response from finished choices (in index
// order) and the usage summed over them.
func ToChatCompletion(m Meta, results []Result, withLogprobs bool, u Usage) ChatCompletion {
	c := ChatCompletion{ID: m.ID, Object: "chat.completion", Created: m.Created, Model: m.Model,
		SystemFingerprint: m.SystemFingerprint, Choices: make([]ChatChoice, len(results)), Usage: u}
	for i, r := range results {
		text := r.Text
		ch := ChatChoice{Index: i, Message: AssistantMessage{Role: "assistant", Content: &text}, FinishReason: r.FinishReason}
		if withLogprobs {
			ch.Logprobs = ToChatLogprobs(r.Logprobs)
		}
		c.Choices[i] = ch
	}
	return c
}

// CompletionChoice is one choice of a legacy completion.
type CompletionChoice struct {
	Index        int                 `json:"index"`
	Text         string              `json:"text"`
	Logprobs     *CompletionLogprobs `json:"logprobs"`
	FinishReason *string             `json:"finish_reason"`
}

// Completion is the legacy completions response and stream chunk.
type Completion struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	Created           int64              `json:"created"`
	Model             string             `json:"model"`
	SystemFingerprint string             `json:"system_fingerprint"`
	Choices           []CompletionChoice `json:"choices"`
	Usage             json.RawMessage    `json:"usage,omitempty"`
}

// ToCompletion builds the non-streamed legacy completions response.
func ToCompletion(m Meta, results []Result, withLogprobs bool, u Usage) Completion {
	c := Completion{ID: m.ID, Object: "text_completion", Created: m.Created, Model: m.Model,
		SystemFingerprint: m.SystemFingerprint, Choices: make([]CompletionChoice, len(results)), Usage: mustJSON(u)}
	for i, r := range results {
		fr := r.FinishReason
		ch := CompletionChoice{Index: i, Text: r.Text, FinishReason: &fr}
		if withLogprobs {
			ch.Logprobs = ToCompletionLogprobs(r.Logprobs, 0)
		}
		c.Choices[i] = ch
	}
	return c
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain structs that always encode
	}
	return b
}

// Model is one entry of /v1/models.
type Model struct {
	ID      string    `json:"id"`
	Object  string    `json:"object"`
	Created int64     `json:"created"`
	OwnedBy string    `json:"owned_by"`
	Meta    ModelMeta `json:"meta"`
}

// ModelMeta advertises the context size (llama.cpp's extension).
type ModelMeta struct {
	NCtx      int    `json:"n_ctx"`
	NCtxTrain int    `json:"n_ctx_train"`
	NVocab    int    `json:"n_vocab"`
	Task      string `json:"task,omitempty"`
}

// ModelList is the /v1/models body.
type ModelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`
}

// ToModelList wraps models in the list envelope.
func ToModelList(models ...Model) ModelList {
	return ModelList{Object: "list", Data: append([]Model{}, models...)}
}
