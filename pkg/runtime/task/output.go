package task

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
)

// Object names of the completion objects.
const (
	ObjectChatCompletion = "chat.completion"
	ObjectTextCompletion = "text_completion"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	Name    string `json:"name,omitempty"`
}

// Usage counts tokens of one completion.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// ChatCompletion is what MLflow's llm/v1/chat predict returns per input
// row, with MLflow's key order.
type ChatCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Usage   Usage        `json:"usage"`
	Choices []ChatChoice `json:"choices"`
}

// ChatChoice is one choice of a ChatCompletion.
type ChatChoice struct {
	Index        int     `json:"index"`
	FinishReason string  `json:"finish_reason"`
	Message      Message `json:"message"`
}

// Completion is what MLflow's llm/v1/completions predict returns per row.
type Completion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Usage   Usage              `json:"usage"`
	Choices []CompletionChoice `json:"choices"`
}

// CompletionChoice is one choice of a Completion.
type CompletionChoice struct {
	Index        int    `json:"index"`
	FinishReason string `json:"finish_reason"`
	Text         string `json:"text"`
}

// NewID returns a random (version 4) UUID in its dashed form, as MLflow
// uses for completion ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pyIsSpace reports whether Python's str.isspace would call r whitespace
// (Unicode White_Space plus the ASCII separators U+001C..U+001F).
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// lstrip and strip behave like Python's str.lstrip() and str.strip().
func lstrip(s string) string { return strings.TrimLeftFunc(s, pyIsSpace) }
func strip(s string) string  { return strings.TrimFunc(s, pyIsSpace) }
