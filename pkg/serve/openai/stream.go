package openai

import (
	"bytes"
	"encoding/json"
)

// Delta is the incremental message of a chat stream chunk. The first chunk
// of a choice sets Role and an empty Content; later ones only Content; the
// finish chunk neither (it encodes as {}).
type Delta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// ChunkChoice is one choice in a chat stream chunk.
type ChunkChoice struct {
	Index        int           `json:"index"`
	Delta        Delta         `json:"delta"`
	Logprobs     *ChatLogprobs `json:"logprobs"`
	FinishReason *string       `json:"finish_reason"`
}

// ChatChunk is one chat.completion.chunk event.
type ChatChunk struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	SystemFingerprint string          `json:"system_fingerprint"`
	Choices           []ChunkChoice   `json:"choices"`
	Usage             json.RawMessage `json:"usage,omitempty"`
}

var jsonNull = json.RawMessage("null")

// ChatStream builds the chunks of one streamed chat response, in the order
// of openai-serving.md §1.4: per choice a role chunk, content chunks and a
// finish chunk; then, with include_usage, a usage chunk with no choices; then
// [DONE]. Every chunk has the same id and created. With include_usage every
// other chunk carries "usage": null.
type ChatStream struct {
	Meta         Meta
	IncludeUsage bool
}

func (s ChatStream) chunk(choices []ChunkChoice) ChatChunk {
	c := ChatChunk{ID: s.Meta.ID, Object: "chat.completion.chunk", Created: s.Meta.Created, Model: s.Meta.Model,
		SystemFingerprint: s.Meta.SystemFingerprint, Choices: choices}
	if s.IncludeUsage {
		c.Usage = jsonNull
	}
	return c
}

// Role is the first chunk of choice index.
func (s ChatStream) Role(index int) ChatChunk {
	empty := ""
	return s.chunk([]ChunkChoice{{Index: index, Delta: Delta{Role: "assistant", Content: &empty}}})
}

// Content carries a text fragment (and its tokens' logprobs when asked for).
func (s ChatStream) Content(index int, text string, lps []TokenLogprob, withLogprobs bool) ChatChunk {
	ch := ChunkChoice{Index: index, Delta: Delta{Content: &text}}
	if withLogprobs {
		ch.Logprobs = ToChatLogprobs(lps)
	}
	return s.chunk([]ChunkChoice{ch})
}

// Finish ends choice index with reason.
func (s ChatStream) Finish(index int, reason string) ChatChunk {
	return s.chunk([]ChunkChoice{{Index: index, FinishReason: &reason}})
}

// Usage is the chunk after all finish chunks when include_usage is set.
func (s ChatStream) Usage(u Usage) ChatChunk {
	c := s.chunk([]ChunkChoice{})
	c.Usage = mustJSON(u)
	return c
}

// CompletionStream builds the chunks of a streamed legacy completion: text
// chunks, one finish chunk per choice (empty text), an optional usage chunk,
// then [DONE]. The object is "text_completion" on every chunk.
type CompletionStream struct {
	Meta         Meta
	IncludeUsage bool
}

func (s CompletionStream) chunk(choices []CompletionChoice) Completion {
	c := Completion{ID: s.Meta.ID, Object: "text_completion", Created: s.Meta.Created, Model: s.Meta.Model,
		SystemFingerprint: s.Meta.SystemFingerprint, Choices: choices}
	if s.IncludeUsage {
		c.Usage = jsonNull
	}
	return c
}

// Text carries a fragment of choice index; offset is the character length
// of the text already sent for it (for logprobs.text_offset).
func (s CompletionStream) Text(index int, text string, lps []TokenLogprob, withLogprobs bool, offset int) Completion {
	ch := CompletionChoice{Index: index, Text: text}
	if withLogprobs {
		ch.Logprobs = ToCompletionLogprobs(lps, offset)
	}
	return s.chunk([]CompletionChoice{ch})
}

// Finish ends choice index.
func (s CompletionStream) Finish(index int, reason string) Completion {
	return s.chunk([]CompletionChoice{{Index: index, Text: "", FinishReason: &reason}})
}

// Usage is the final usage chunk.
func (s CompletionStream) Usage(u Usage) Completion {
	c := s.chunk([]CompletionChoice{})
	c.Usage = mustJSON(u)
	return c
}

// Done is the event that ends every stream.
var Done = []byte("data: [DONE]\n\n")

// KeepAlive is the SSE comment sent while the client waits (prefill, queue).
var KeepAlive = []byte(": ping\n\n")

// Event encodes v as one server-sent event, "data: <one-line JSON>\n\n".
// HTML characters are not escaped, so text reads as generated.
func Event(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("data: ")
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	b.WriteString("\n\n")
	return b.Bytes(), nil
}

// ErrorEvent encodes an error that happens after the stream began, as
// data: {"error":{...}} (the only form both SDK generations read).
func ErrorEvent(e *Error) []byte {
	b, err := Event(e.Body())
	if err != nil {
		return []byte("data: {\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")
	}
	return b
}
