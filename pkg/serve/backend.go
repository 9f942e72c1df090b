package serve

import (
	"context"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// ModelInfo describes the served model.
type ModelInfo struct {
	ID          string // name clients use in "model" (the source model name or the bundle folder)
	Created     int64  // unix seconds (bundle time), for /v1/models
	OwnedBy     string
	Task        string // llm/v1/chat, llm/v1/completions or text-generation
	ContextSize int    // tokens per sequence
	VocabSize   int
	HasChat     bool // the tokenizer has a chat template
}

// Backend is what the server needs from a loaded model: its text side
// (tokenizer, chat template, streaming detokenizer), its generation
// defaults, MLflow's predict for /invocations, and the Engine the scheduler
// drives. Text methods must be safe for concurrent use.
type Backend interface {
	Info() ModelInfo

	// Tokenize encodes text; addSpecial adds the BOS token the model expects.
	Tokenize(text string, addSpecial bool) ([]int, error)
	// Detokenize decodes ids to text (special tokens skipped).
	Detokenize(ids []int) (string, error)
	// TokenPiece is the text of one token as it appears in the output.
	TokenPiece(id int) string
	// TokenBytes is the exact bytes one token stands for (a byte-fallback
	// token <0xC3> is the byte 0xC3, not the U+FFFD its lone text shows).
	TokenBytes(id int) []byte
	// RenderChat applies the chat template with the generation prompt.
	RenderChat(msgs []openai.Message) (string, error)
	// ChatPrompt renders and tokenizes messages the way predict does.
	ChatPrompt(msgs []openai.Message) ([]int, error)
	// TextPrompt tokenizes a completion prompt the way predict does.
	TextPrompt(text string) ([]int, error)
	// NewDecoder returns a streaming detokenizer primed with the prompt.
	NewDecoder(prompt []int) generate.Decoder
	// Defaults are the generation parameters before the request's own
	// (generation_config, then the MLmodel's python_function.config),
	// with EOS set.
	Defaults() generate.Params

	// Invoke answers an MLflow /invocations JSON body with the reply body
	// MLflow's scoring server sends (unwrapped for the unified LLM format,
	// {"predictions": ...} otherwise). gen runs a generation through the
	// server's scheduler; Invoke must use it rather than touch the model
	// itself. Bad input is reported with an error matching ErrInvalidInput.
	Invoke(ctx context.Context, body []byte, gen GenerateFunc) (any, error)

	// Engine is the model itself; only the scheduler goroutine calls it.
	Engine() Engine
}

// GenerateFunc runs one generation on the server's scheduler, exactly like
// generate.Run on a private session sized to the prompt plus MaxTokens.
type GenerateFunc func(ctx context.Context, prompt []int, p generate.Params, cb func(generate.Event) error) (*generate.Result, error)

// Engine is the forward pass. It is called from one goroutine only.
type Engine interface {
	// NewSequence returns an empty KV-cached sequence that holds up to
	// maxLen tokens.
	NewSequence(maxLen int) (Sequence, error)
	// Prefill feeds tokens to s and returns the logits of the last one.
	Prefill(ctx context.Context, s Sequence, tokens []int) ([]float32, error)
	// DecodeBatch feeds tokens[i] to seqs[i], all in one pass over the
	// weights, and returns each sequence's next-token logits.
	DecodeBatch(ctx context.Context, seqs []Sequence, tokens []int) ([][]float32, error)
}

// Sequence is one KV-cached token sequence.
type Sequence interface {
	Len() int // tokens fed so far
}
