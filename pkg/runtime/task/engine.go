package task

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// Tokenizer is what the engine needs from a tokenizer.
type Tokenizer interface {
	Encode(text string, addSpecialTokens bool) []int
	Decode(ids []int, skipSpecial bool) string
	// NewDecoder returns a streaming decoder that skips special tokens,
	// primed with prompt: it returns the text the ids that follow add to
	// the prompt's (see tokenizer.StreamDecoder.Prime), which is final.
	NewDecoder(prompt []int) generate.Decoder
}

// ChatTemplate renders a conversation into a prompt, with the generation
// prompt (the assistant header) appended. An error that matches
// ErrInvalidRequest means the template refused the conversation
// (raise_exception); any other error is a failure of the template itself.
type ChatTemplate interface {
	Render(messages []map[string]any) (string, error)
}

// Session is a model session with a KV cache that can be reset.
type Session interface {
	generate.Model
	Truncate(n int)
}

// Config describes a loaded model to New.
type Config struct {
	Task        string               // signature.TaskTextGeneration, TaskChat or TaskCompletions
	ModelName   string               // "model" of completion objects (MLflow's source_model_name)
	Signature   *signature.Signature // validates inputs; nil means ForTask(Task)
	Tokenizer   Tokenizer
	Template    ChatTemplate // nil when the tokenizer has no chat template
	BOSText     string       // the tokenizer's BOS token text ("" if none)
	NewSession  func() (Session, error)
	ContextSize int // the model's context window, in tokens

	// PromptTemplate is MLmodel metadata.prompt_template ("" for none), a
	// Python format string with a {prompt} field.
	PromptTemplate string
	// GenerationConfig is generation_config.json; ModelConfig is
	// python_function.config from the MLmodel. Request values override
	// ModelConfig, which overrides GenerationConfig.
	GenerationConfig map[string]any
	ModelConfig      map[string]any
	// EOS lists end-of-sequence ids beyond generation_config's
	// eos_token_id (from config.json and the tokenizer).
	EOS []int
	Log *slog.Logger // nil discards warnings
}

// Engine runs one task on one model. Generations are serialised: one runs
// at a time on a single reused session. An Engine is safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // serialises generations and guards session
	session Session
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	switch cfg.Task {
	case signature.TaskTextGeneration, signature.TaskChat, signature.TaskCompletions:
	default:
		return nil, fmt.Errorf("task: unknown task %q (want %s, %s or %s)", cfg.Task, signature.TaskTextGeneration, signature.TaskChat, signature.TaskCompletions)
	}
	if cfg.Tokenizer == nil || cfg.NewSession == nil || cfg.ContextSize <= 0 {
		return nil, errors.New("task: Config needs a Tokenizer, NewSession and a positive ContextSize")
	}
	if cfg.Signature == nil {
		sig, err := signature.ForTask(cfg.Task)
		if err != nil {
			return nil, fmt.Errorf("task: %w", err)
		}
		cfg.Signature = sig
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{cfg: cfg, log: log}, nil
}

// Task returns the engine's task name.
func (e *Engine) Task() string { return e.cfg.Task }

// ModelName returns the name completion objects carry.
func (e *Engine) ModelName() string { return e.cfg.ModelName }

// Signature returns the signature inputs are validated against.
func (e *Engine) Signature() *signature.Signature { return e.cfg.Signature }

// Tokenizer returns the engine's tokenizer (for logprob token texts).
func (e *Engine) Tokenizer() Tokenizer { return e.cfg.Tokenizer }

// ContextSize returns the model's context window in tokens.
func (e *Engine) ContextSize() int { return e.cfg.ContextSize }

// HasChatTemplate reports whether chat requests can be rendered.
func (e *Engine) HasChatTemplate() bool { return e.cfg.Template != nil }

// BaseParams returns the parameters every generation needs whatever the API:
// the end-of-sequence ids from generation_config.json, config.json and the
// tokenizer. Callers add their own sampling settings.
func (e *Engine) BaseParams() generate.Params {
	var eos []int
	if ids, ok := intList(e.cfg.GenerationConfig["eos_token_id"]); ok {
		eos = appendNew(eos, ids...)
	}
	return generate.Params{EOS: appendNew(eos, e.cfg.EOS...)}
}

// Request is a prompt to prepare: Messages for a chat (rendered with the
// chat template), otherwise Prompt as is.
type Request struct {
	Messages []Message
	Prompt   string
}

// Prepared is a rendered, tokenized prompt that fits the context window.
type Prepared struct {
	Prompt string // the text the model sees
	IDs    []int  // its tokens, BOS included when the tokenizer adds one
}

// RenderChat applies the chat template with add_generation_prompt=true.
func (e *Engine) RenderChat(msgs []Message) (string, error) {
	if e.cfg.Template == nil {
		return "", fmt.Errorf("%w: %w (save the model with a tokenizer_config.json that has one, or use the llm/v1/completions task)", ErrInvalidRequest, ErrNoChatTemplate)
	}
	if len(msgs) == 0 {
		return "", invalidf("messages must hold at least one message")
	}
	conv := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		mm := map[string]any{"role": m.Role, "content": m.Content}
		if m.Name != "" {
			mm["name"] = m.Name
		}
		conv[i] = mm
	}
	out, err := e.cfg.Template.Render(conv)
	if err != nil {
		return "", fmt.Errorf("task: failed to apply chat template: %w", err)
	}
	return out, nil
}

// Tokenize encodes a prompt, adding the tokenizer's special tokens (BOS)
// unless the prompt already starts with the BOS text.
func (e *Engine) Tokenize(prompt string) []int {
	add := e.cfg.BOSText == "" || !strings.HasPrefix(prompt, e.cfg.BOSText)
	return e.cfg.Tokenizer.Encode(prompt, add)
}

// Prepare renders (for a chat) and tokenizes req, and checks it fits the
// context window with room for one generated token. Errors match
// ErrInvalidRequest, and a too-long prompt also generate.ErrContextLength
// (as a *generate.ContextError carrying both numbers).
func (e *Engine) Prepare(req Request) (*Prepared, error) {
	prompt := req.Prompt
	if req.Messages != nil {
		var err error
		if prompt, err = e.RenderChat(req.Messages); err != nil {
			return nil, err
		}
	}
	ids := e.Tokenize(prompt)
	if len(ids) == 0 {
		return nil, invalidf("the prompt is empty")
	}
	if len(ids) >= e.cfg.ContextSize {
		return nil, invalid(&generate.ContextError{PromptTokens: len(ids), ContextSize: e.cfg.ContextSize})
	}
	return &Prepared{Prompt: prompt, IDs: ids}, nil
}

// GenerateFunc runs one generation of prompt (token ids) with p, streaming
// through cb (which may be nil), like generate.Run on a fresh session with
// a decoder primed by NewDecoder. Predict uses the engine's own session;
// a server passes one that runs on its scheduler.
type GenerateFunc func(ctx context.Context, prompt []int, p generate.Params, cb func(generate.Event) error) (*generate.Result, error)

// NewDecoder returns a streaming decoder (special tokens skipped) primed
// with prompt, so generated text is decoded in the context of the prompt:
// decode(prompt+completion) minus decode(prompt), and a leading space is
// kept where the tokenizer would keep it. The prompt's text is final: when
// byte-fallback tokens at its end would merge with generated ones into
// invalid UTF-8 (which HF decodes as U+FFFD per byte, prompt bytes
// included), the completion is the generated ids' own text, decoded after
// the prompt.
func (e *Engine) NewDecoder(prompt []int) generate.Decoder {
	return e.cfg.Tokenizer.NewDecoder(prompt)
}

// DefaultParams returns the generation defaults of the model for an API
// that brings its own sampling options (the OpenAI endpoints): EOS ids, and
// from generation_config.json overridden by python_function.config the
// max_new_tokens cap, sampling settings (greedy unless do_sample) and
// penalties. max_length is not applied: without max_new_tokens, MaxTokens
// is 0 (up to the context window).
func (e *Engine) DefaultParams() generate.Params {
	kw := merge(genConfigLayer(e.cfg.GenerationConfig), e.cfg.ModelConfig)
	p, err := hfParams(kw, 0, e.BaseParams().EOS, nil)
	if err != nil {
		// Bad defaults were already reported by the first Predict; keep EOS.
		return e.BaseParams()
	}
	if kw["max_new_tokens"] == nil {
		p.MaxTokens = 0 // hfParams applied max_length; not for this API
	}
	return p
}

// Generate runs one generation for a prepared prompt on the engine's own
// session, streaming through cb (which may be nil).
func (e *Engine) Generate(ctx context.Context, p *Prepared, params generate.Params, cb func(generate.Event) error) (*generate.Result, error) {
	return e.generateIDs(ctx, p.IDs, params, cb)
}

func (e *Engine) generateIDs(ctx context.Context, prompt []int, params generate.Params, cb func(generate.Event) error) (*generate.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session == nil {
		s, err := e.cfg.NewSession()
		if err != nil {
			return nil, fmt.Errorf("task: creating a model session: %w", err)
		}
		e.session = s
	}
	e.session.Truncate(0)
	res, err := generate.Run(ctx, e.session, e.NewDecoder(prompt), prompt, params, cb)
	if err != nil {
		return nil, classify(err)
	}
	return res, nil
}

// classify marks generation errors caused by the request as invalid requests.
func classify(err error) error {
	if errors.Is(err, ErrInvalidRequest) {
		return err
	}
	if errors.Is(err, generate.ErrInvalidParams) || errors.Is(err, generate.ErrContextLength) {
		return invalid(err)
	}
	return fmt.Errorf("task: %w", err)
}
