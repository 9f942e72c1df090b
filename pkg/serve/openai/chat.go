package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Message is one chat message after decoding: text content only, roles
// system, user and assistant ("developer" is mapped to "system").
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Name    string `json:"name,omitempty"` // participant name, passed to the template
}

// ChatRequest is a validated /v1/chat/completions request.
type ChatRequest struct {
	Model        string
	Messages     []Message
	N            int
	Stream       bool
	IncludeUsage bool
	Sampling     Sampling
}

type chatWire struct {
	common
	Messages            []json.RawMessage `json:"messages"`
	MaxCompletionTokens *int              `json:"max_completion_tokens"`
	Logprobs            *bool             `json:"logprobs"`
	TopLogprobs         *int              `json:"top_logprobs"`
	ResponseFormat      json.RawMessage   `json:"response_format"`
	Tools               json.RawMessage   `json:"tools"`
	ToolChoice          json.RawMessage   `json:"tool_choice"`
	ParallelToolCalls   *bool             `json:"parallel_tool_calls"`
	Modalities          []string          `json:"modalities"`
}

var chatRules = func() map[string]fieldRule {
	r := map[string]fieldRule{
		"messages": fieldUsed, "max_completion_tokens": fieldUsed, "logprobs": fieldUsed,
		"top_logprobs": fieldUsed, "response_format": fieldChecked, "tools": fieldChecked,
		"tool_choice": fieldChecked, "parallel_tool_calls": fieldIgnored, "modalities": fieldChecked,
	}
	for k, v := range commonRules {
		r[k] = v
	}
	return r
}()

// DecodeChatRequest parses and validates a chat completions body. Every
// field the server cannot honour yields a 400 *Error naming it.
func DecodeChatRequest(body []byte, lim Limits) (*ChatRequest, error) {
	lim = lim.withDefaults()
	var w chatWire
	if _, err := decodeStrict(body, chatRules, &w); err != nil {
		return nil, err
	}
	if err := checkChatExtras(&w); err != nil {
		return nil, err
	}
	if w.Messages == nil {
		return nil, BadRequest("messages", "'messages' is required: an array of {role, content} objects")
	}
	if len(w.Messages) == 0 {
		return nil, BadRequest("messages", "'messages' must hold at least one message")
	}
	req := &ChatRequest{Model: w.Model, Stream: w.streaming(), IncludeUsage: w.includeUsage()}
	for i, raw := range w.Messages {
		m, err := decodeMessage(raw, i)
		if err != nil {
			return nil, err
		}
		req.Messages = append(req.Messages, m)
	}
	maxTok, param := w.MaxCompletionTokens, "max_completion_tokens"
	if maxTok == nil {
		maxTok, param = w.MaxTokens, "max_tokens"
	}
	s, n, err := w.sampling(lim, maxTok, param)
	if err != nil {
		return nil, err
	}
	if w.Logprobs != nil && *w.Logprobs {
		s.Logprobs = true
	}
	if w.TopLogprobs != nil {
		k := *w.TopLogprobs
		if !s.Logprobs {
			return nil, BadRequest("top_logprobs", "'top_logprobs' requires 'logprobs': true")
		}
		if k < 0 || k > lim.MaxTopProbs {
			return nil, BadRequest("top_logprobs", "'top_logprobs' must be between 0 and %d, got %d", lim.MaxTopProbs, k)
		}
		s.TopLogprobs = k
	}
	req.Sampling, req.N = s, n
	return req, nil
}

// checkChatExtras allows the OpenAI fields we do not implement only with the
// values that mean "off".
func checkChatExtras(w *chatWire) error {
	if isSet(w.ResponseFormat) {
		var rf struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(w.ResponseFormat, &rf); err != nil || rf.Type != "text" {
			return Unsupported("response_format", "only {\"type\":\"text\"} is implemented; constrained JSON output is not")
		}
	}
	if isSet(w.Tools) && !bytes.Equal(bytes.TrimSpace(w.Tools), []byte("[]")) {
		return Unsupported("tools", "this model's chat template has no tool support")
	}
	if isSet(w.ToolChoice) && !bytes.Equal(bytes.TrimSpace(w.ToolChoice), []byte(`"none"`)) {
		return Unsupported("tool_choice", "only \"none\" is accepted: this model's chat template has no tool support")
	}
	for _, m := range w.Modalities {
		if m != "text" {
			return Unsupported("modalities", fmt.Sprintf("only text output is produced, not %q", m))
		}
	}
	return nil
}

func isSet(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

type messageWire struct {
	Role       *string         `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       *string         `json:"name"`
	Refusal    json.RawMessage `json:"refusal"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID json.RawMessage `json:"tool_call_id"`
}

var messageKeys = map[string]bool{"role": true, "content": true, "name": true, "refusal": true, "tool_calls": true, "tool_call_id": true}

func decodeMessage(raw json.RawMessage, i int) (Message, error) {
	at := fmt.Sprintf("messages[%d]", i)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
		return Message{}, BadRequest(at, "%s must be an object with 'role' and 'content'", at)
	}
	for k := range keys {
		if !messageKeys[k] {
			return Message{}, Unsupported(at+"."+k, "message field not recognised")
		}
	}
	var w messageWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return Message{}, BadRequest(at, "%s: %v", at, err)
	}
	if w.Role == nil {
		return Message{}, BadRequest(at+".role", "%s.role is required", at)
	}
	role := *w.Role
	switch role {
	case "system", "user", "assistant":
	case "developer":
		role = "system"
	case "tool", "function":
		return Message{}, Unsupported(at+".role", fmt.Sprintf("role %q needs tool support, which this model's chat template lacks", role))
	default:
		return Message{}, BadRequest(at+".role", "%s.role must be one of system, developer, user, assistant; got %q", at, role)
	}
	if isSet(w.ToolCalls) && !bytes.Equal(bytes.TrimSpace(w.ToolCalls), []byte("[]")) {
		return Message{}, Unsupported(at+".tool_calls", "this model's chat template has no tool support")
	}
	if isSet(w.ToolCallID) {
		return Message{}, Unsupported(at+".tool_call_id", "this model's chat template has no tool support")
	}
	content, err := decodeContent(w.Content, at+".content", role)
	if err != nil {
		return Message{}, err
	}
	m := Message{Role: role, Content: content}
	if w.Name != nil {
		m.Name = *w.Name
	}
	return m, nil
}

// decodeContent accepts a string or an array of text parts (joined with
// newlines). Image, audio and file parts are refused by name.
func decodeContent(raw json.RawMessage, at, role string) (string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		if role == "assistant" {
			return "", nil
		}
		return "", BadRequest(at, "%s is required", at)
	}
	if t[0] == '"' {
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", BadRequest(at, "%s: %v", at, err)
		}
		return s, nil
	}
	var parts []map[string]json.RawMessage
	if err := json.Unmarshal(t, &parts); err != nil {
		return "", BadRequest(at, "%s must be a string or an array of content parts", at)
	}
	texts := make([]string, 0, len(parts))
	for j, p := range parts {
		pat := fmt.Sprintf("%s[%d]", at, j)
		var typ string
		if err := json.Unmarshal(p["type"], &typ); err != nil {
			return "", BadRequest(pat+".type", "%s.type is required", pat)
		}
		if typ != "text" && !(typ == "refusal" && role == "assistant") {
			return "", Unsupported(pat+".type", fmt.Sprintf("content part type %q is not supported: this model reads text only", typ))
		}
		key := typ // "text" or "refusal"
		var s string
		if err := json.Unmarshal(p[key], &s); err != nil {
			return "", BadRequest(pat+"."+key, "%s.%s must be a string", pat, key)
		}
		texts = append(texts, s)
	}
	return strings.Join(texts, "\n"), nil
}
