package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Limits bound what a request may ask for. Zero fields take the defaults.
type Limits struct {
	MaxN        int // most choices per request (default 4)
	MaxStop     int // most stop strings (default 4, as OpenAI)
	MaxPrompts  int // most prompts in one /v1/completions request (default 16)
	MaxTopProbs int // most top_logprobs (default 20; completions: 5)
}

func (l Limits) withDefaults() Limits {
	if l.MaxN <= 0 {
		l.MaxN = 4
	}
	if l.MaxStop <= 0 {
		l.MaxStop = 4
	}
	if l.MaxPrompts <= 0 {
		l.MaxPrompts = 16
	}
	if l.MaxTopProbs <= 0 {
		l.MaxTopProbs = 20
	}
	return l
}

// Sampling is what a request asks of the generator, normalised and validated.
// Nil pointers mean "not given": the model's defaults apply.
type Sampling struct {
	MaxTokens        *int // from max_completion_tokens, else max_tokens
	Temperature      *float64
	TopP             *float64
	TopK             *int
	Seed             *int64
	Stop             []string
	PresencePenalty  float64
	FrequencyPenalty float64
	LogitBias        map[int]float64
	Logprobs         bool
	TopLogprobs      int
}

// fieldRule says what the server does with a top-level request field.
type fieldRule int

const (
	fieldUsed    fieldRule = iota // decoded and honoured
	fieldIgnored                  // has no effect on a local server (user, metadata, ...)
	fieldChecked                  // allowed only with a harmless value; checked by hand
)

// decodeStrict parses body as one JSON object, checks every top-level key
// against rules (an unknown key is a 400 that names it), and unmarshals it
// into dst. JSON type errors name the offending field.
func decodeStrict(body []byte, rules map[string]fieldRule, dst any) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, jsonError(err)
	}
	if raw == nil {
		return nil, BadRequest("", "the request body must be a JSON object")
	}
	var unknown []string
	for k := range raw {
		if _, ok := rules[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, Unsupported(unknown[0], "this field is not recognised; remove it")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return nil, jsonError(err)
	}
	return raw, nil
}

func jsonError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		param := strings.TrimPrefix(te.Field, "common.")
		return BadRequest(param, "field '%s' must be %s, not JSON %s", param, jsonTypeName(te.Type.String()), te.Value)
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return BadRequest("", "the request body is not valid JSON: %v", err)
}

func jsonTypeName(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.Contains(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"):
		return "an object"
	}
	return "of another type (" + goType + ")"
}

// StringOrList is a JSON string or array of strings (stop, prompt).
type StringOrList struct {
	List  []string
	IsSet bool
}

// UnmarshalJSON accepts "x", ["x","y"] or null.
func (s *StringOrList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*s = StringOrList{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = StringOrList{List: []string{one}, IsSet: true}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return BadRequest("stop", "'stop' must be a string or an array of strings")
	}
	*s = StringOrList{List: many, IsSet: true}
	return nil
}

// common holds the sampling fields both endpoints share.
type common struct {
	Model            string             `json:"model"`
	MaxTokens        *int               `json:"max_tokens"`
	Temperature      *float64           `json:"temperature"`
	TopP             *float64           `json:"top_p"`
	TopK             *int               `json:"top_k"`
	N                *int               `json:"n"`
	Stop             StringOrList       `json:"stop"`
	Stream           *bool              `json:"stream"`
	StreamOptions    *StreamOptions     `json:"stream_options"`
	Seed             *int64             `json:"seed"`
	PresencePenalty  *float64           `json:"presence_penalty"`
	FrequencyPenalty *float64           `json:"frequency_penalty"`
	LogitBias        map[string]float64 `json:"logit_bias"`
}

// StreamOptions is the stream_options object.
type StreamOptions struct {
	IncludeUsage       bool `json:"include_usage"`
	IncludeObfuscation bool `json:"include_obfuscation"`
}

var commonRules = map[string]fieldRule{
	"model": fieldUsed, "max_tokens": fieldUsed, "temperature": fieldUsed, "top_p": fieldUsed,
	"top_k": fieldUsed, "n": fieldUsed, "stop": fieldUsed, "stream": fieldUsed,
	"stream_options": fieldUsed, "seed": fieldUsed, "presence_penalty": fieldUsed,
	"frequency_penalty": fieldUsed, "logit_bias": fieldUsed,
	"user": fieldIgnored, "metadata": fieldIgnored, "store": fieldIgnored,
	"service_tier": fieldIgnored, "safety_identifier": fieldIgnored,
	"prompt_cache_key": fieldIgnored, "prompt_cache_retention": fieldIgnored,
}

// sampling validates the shared fields into s. maxTokens is the already
// chosen cap field (max_completion_tokens wins over max_tokens for chat).
func (c *common) sampling(lim Limits, maxTokens *int, maxTokensParam string) (Sampling, int, error) {
	var s Sampling
	n := 1
	if c.N != nil {
		n = *c.N
		if n < 1 || n > lim.MaxN {
			return s, 0, BadRequest("n", "'n' must be between 1 and %d, got %d", lim.MaxN, n)
		}
	}
	if maxTokens != nil {
		if *maxTokens < 1 {
			return s, 0, BadRequest(maxTokensParam, "'%s' must be at least 1, got %d", maxTokensParam, *maxTokens)
		}
		s.MaxTokens = maxTokens
	}
	if t := c.Temperature; t != nil && (*t < 0 || *t > 2) {
		return s, 0, BadRequest("temperature", "'temperature' must be between 0 and 2, got %g", *t)
	}
	s.Temperature = c.Temperature
	if p := c.TopP; p != nil && (*p <= 0 || *p > 1) {
		return s, 0, BadRequest("top_p", "'top_p' must be greater than 0 and at most 1, got %g", *p)
	}
	s.TopP = c.TopP
	if k := c.TopK; k != nil && *k < 0 {
		return s, 0, BadRequest("top_k", "'top_k' must be 0 (off) or positive, got %d", *k)
	}
	s.TopK = c.TopK
	s.Seed = c.Seed
	for name, v := range map[string]*float64{"presence_penalty": c.PresencePenalty, "frequency_penalty": c.FrequencyPenalty} {
		if v != nil && (*v < -2 || *v > 2) {
			return s, 0, BadRequest(name, "'%s' must be between -2 and 2, got %g", name, *v)
		}
	}
	if c.PresencePenalty != nil {
		s.PresencePenalty = *c.PresencePenalty
	}
	if c.FrequencyPenalty != nil {
		s.FrequencyPenalty = *c.FrequencyPenalty
	}
	if len(c.Stop.List) > lim.MaxStop {
		return s, 0, BadRequest("stop", "'stop' holds at most %d strings, got %d", lim.MaxStop, len(c.Stop.List))
	}
	for _, st := range c.Stop.List {
		if st != "" { // empty stop strings are skipped, as llama.cpp does
			s.Stop = append(s.Stop, st)
		}
	}
	if len(c.LogitBias) > 0 {
		s.LogitBias = make(map[int]float64, len(c.LogitBias))
		for k, v := range c.LogitBias {
			id, err := strconv.Atoi(k)
			if err != nil || id < 0 {
				return s, 0, BadRequest("logit_bias", "'logit_bias' keys must be token ids as strings, got %q", k)
			}
			if v < -100 || v > 100 {
				return s, 0, BadRequest("logit_bias", "'logit_bias' values must be between -100 and 100, got %g for token %d", v, id)
			}
			s.LogitBias[id] = v
		}
	}
	if c.StreamOptions != nil && c.StreamOptions.IncludeObfuscation {
		return s, 0, Unsupported("stream_options.include_obfuscation", "stream obfuscation is not implemented")
	}
	return s, n, nil
}

// Streaming reports whether stream was true.
func (c *common) streaming() bool { return c.Stream != nil && *c.Stream }

// includeUsage reports whether the stream ends with a usage chunk.
func (c *common) includeUsage() bool {
	return c.streaming() && c.StreamOptions != nil && c.StreamOptions.IncludeUsage
}
