package schemas_test

import "github.com/invopop/jsonschema"

// The request bodies of mlpack serve's OpenAI-compatible API, as
// pkg/serve/openai's DecodeChatRequest and DecodeCompletionRequest accept
// them. The decoder reads them into unexported structs and checks values by
// hand, so the wire form is written down here, for the schema generator
// only; TestRequestSchemasMatchDecoder fails when the two disagree.
// Fields are optional and nullable unless the decoder requires them; values
// the server refuses (tools, image parts, json mode) are left out of the
// schema. Limits that are server options (n, number of stop strings or
// prompts) are not in the schema.

// ChatCompletionRequest is the body of POST /v1/chat/completions.
type ChatCompletionRequest struct {
	Model               string        `json:"model,omitempty" jsonschema:"description=Ignored for routing: the server serves one model."`
	Messages            []ChatMessage `json:"messages" jsonschema:"minItems=1"`
	MaxCompletionTokens *int          `json:"max_completion_tokens,omitempty" jsonschema:"nullable,minimum=1"`
	Logprobs            *bool         `json:"logprobs,omitempty" jsonschema:"nullable"`
	TopLogprobs         *int          `json:"top_logprobs,omitempty" jsonschema:"nullable,minimum=0,maximum=20"`
	ResponseFormat      *TextFormat   `json:"response_format,omitempty" jsonschema:"nullable"`
	Tools               *[]NoItem     `json:"tools,omitempty" jsonschema:"nullable,description=Only an empty list: the chat templates served have no tool support."`
	ToolChoice          *string       `json:"tool_choice,omitempty" jsonschema:"nullable,enum=none"`
	ParallelToolCalls   *bool         `json:"parallel_tool_calls,omitempty" jsonschema:"nullable"`
	Modalities          []string      `json:"modalities,omitempty" jsonschema:"nullable,enum=text"`
	Common
}

// CompletionRequest is the body of POST /v1/completions.
type CompletionRequest struct {
	Model    string  `json:"model,omitempty" jsonschema:"description=Ignored for routing: the server serves one model."`
	Prompt   Prompt  `json:"prompt"`
	Logprobs *int    `json:"logprobs,omitempty" jsonschema:"nullable,minimum=0,maximum=5"`
	Echo     *False  `json:"echo,omitempty" jsonschema:"nullable"`
	BestOf   *int    `json:"best_of,omitempty" jsonschema:"nullable,enum=1"`
	Suffix   *string `json:"suffix,omitempty" jsonschema:"nullable,enum="`
	Common
}

// Common holds the fields both endpoints share. Fields the decoder accepts
// and ignores (user, metadata, store, ...) have the OpenAI types.
type Common struct {
	MaxTokens            *int           `json:"max_tokens,omitempty" jsonschema:"nullable,minimum=1"`
	Temperature          *float64       `json:"temperature,omitempty" jsonschema:"nullable,minimum=0,maximum=2"`
	TopP                 *float64       `json:"top_p,omitempty" jsonschema:"nullable,exclusiveMinimum=0,maximum=1"`
	TopK                 *int           `json:"top_k,omitempty" jsonschema:"nullable,minimum=0,description=0 turns top-k sampling off (an extension)."`
	N                    *int           `json:"n,omitempty" jsonschema:"nullable,minimum=1"`
	Stop                 Stop           `json:"stop,omitempty"`
	Stream               *bool          `json:"stream,omitempty" jsonschema:"nullable"`
	StreamOptions        *StreamOptions `json:"stream_options,omitempty" jsonschema:"nullable"`
	Seed                 *int64         `json:"seed,omitempty" jsonschema:"nullable"`
	PresencePenalty      *float64       `json:"presence_penalty,omitempty" jsonschema:"nullable,minimum=-2,maximum=2"`
	FrequencyPenalty     *float64       `json:"frequency_penalty,omitempty" jsonschema:"nullable,minimum=-2,maximum=2"`
	LogitBias            LogitBias      `json:"logit_bias,omitempty"`
	User                 *string        `json:"user,omitempty" jsonschema:"nullable"`
	Metadata             *Metadata      `json:"metadata,omitempty" jsonschema:"nullable"`
	Store                *bool          `json:"store,omitempty" jsonschema:"nullable"`
	ServiceTier          *string        `json:"service_tier,omitempty" jsonschema:"nullable"`
	SafetyIdentifier     *string        `json:"safety_identifier,omitempty" jsonschema:"nullable"`
	PromptCacheKey       *string        `json:"prompt_cache_key,omitempty" jsonschema:"nullable"`
	PromptCacheRetention *string        `json:"prompt_cache_retention,omitempty" jsonschema:"nullable"`
}

// StreamOptions is stream_options; include_obfuscation may only be false.
type StreamOptions struct {
	IncludeUsage       bool  `json:"include_usage,omitempty"`
	IncludeObfuscation False `json:"include_obfuscation,omitempty"`
}

// TextFormat is the only response_format served: plain text.
type TextFormat struct {
	Type string `json:"type" jsonschema:"enum=text"`
}

// NoItem is the item type of a list that must be empty.
type NoItem struct{}

// JSONSchema allows no value.
func (NoItem) JSONSchema() *jsonschema.Schema { return jsonschema.FalseSchema }

// False is a boolean that may only be false.
type False bool

// JSONSchema is {"type":"boolean","enum":[false]}.
func (False) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "boolean", Enum: []any{false}}
}

// Metadata is OpenAI's string-to-string metadata map (ignored).
type Metadata map[string]string

// LogitBias maps token ids (as strings) to a bias in [-100, 100].
type LogitBias map[string]float64

// JSONSchema describes the map and its value range, or null.
func (LogitBias) JSONSchema() *jsonschema.Schema {
	return nullable(&jsonschema.Schema{Type: "object", AdditionalProperties: &jsonschema.Schema{
		Type: "number", Minimum: "-100", Maximum: "100"}})
}

// Stop is a stop string or a list of them, or null.
type Stop []string

// JSONSchema is string | [string] | null.
func (Stop) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string"}, {Type: "array", Items: &jsonschema.Schema{Type: "string"}}, {Type: "null"}}}
}

// Prompt is a string, a list of strings, a list of token ids or a list of
// such lists, none of them empty.
type Prompt struct{}

// JSONSchema is the oneOf of the four prompt forms.
func (Prompt) JSONSchema() *jsonschema.Schema {
	one := uint64(1)
	ids := &jsonschema.Schema{Type: "array", MinItems: &one, Items: &jsonschema.Schema{Type: "integer", Minimum: "0"}}
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{
		{Type: "string"},
		{Type: "array", MinItems: &one, Items: &jsonschema.Schema{Type: "string"}},
		ids,
		{Type: "array", MinItems: &one, Items: ids},
	}}
}

// ChatMessage is an input message: a system/developer/user message or an
// assistant message.
type ChatMessage struct{}

// JSONSchema is the oneOf of the two message kinds.
func (ChatMessage) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{ref("InputMessage"), ref("AssistantInputMessage")}}
}

// InputMessage is a system, developer or user message: content is
// required, text only.
type InputMessage struct {
	Role    string      `json:"role" jsonschema:"enum=system,enum=developer,enum=user"`
	Content TextContent `json:"content"`
	Name    *string     `json:"name,omitempty" jsonschema:"nullable"`
}

// AssistantInputMessage is an earlier assistant turn: content may be null
// or hold refusal parts; tool calls only as an empty list.
type AssistantInputMessage struct {
	Role       string           `json:"role" jsonschema:"enum=assistant"`
	Content    AssistantContent `json:"content,omitempty"`
	Name       *string          `json:"name,omitempty" jsonschema:"nullable"`
	Refusal    *string          `json:"refusal,omitempty" jsonschema:"nullable"`
	ToolCalls  *[]NoItem        `json:"tool_calls,omitempty" jsonschema:"nullable"`
	ToolCallID *NoItem          `json:"tool_call_id,omitempty" jsonschema:"nullable"`
}

// TextContent is a string or a list of text parts.
type TextContent struct{}

// JSONSchema is string | [TextPart].
func (TextContent) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "array", Items: ref("TextPart")}}}
}

// AssistantContent is a string, a list of text or refusal parts, or null.
type AssistantContent struct{}

// JSONSchema is string | [TextPart or RefusalPart] | null.
func (AssistantContent) JSONSchema() *jsonschema.Schema {
	part := &jsonschema.Schema{OneOf: []*jsonschema.Schema{ref("TextPart"), ref("RefusalPart")}}
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "array", Items: part}, {Type: "null"}}}
}

// TextPart is {"type":"text","text":...}.
type TextPart struct {
	Type string `json:"type" jsonschema:"enum=text"`
	Text string `json:"text"`
}

// RefusalPart is {"type":"refusal","refusal":...} (assistant messages).
type RefusalPart struct {
	Type    string `json:"type" jsonschema:"enum=refusal"`
	Refusal string `json:"refusal"`
}

func ref(def string) *jsonschema.Schema { return &jsonschema.Schema{Ref: "#/$defs/" + def} }

func nullable(s *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{s, {Type: "null"}}}
}
