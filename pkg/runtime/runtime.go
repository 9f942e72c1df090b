// Package runtime is the composition root of the inference engine: Load
// turns an MLflow bundle or a raw Hugging Face model folder into a ready
// task engine (weights, tokenizer, chat template, generation defaults).
//
//	eng, err := runtime.Load(ctx, "bundles/tinyllama", runtime.Options{Threads: 2})
//	defer eng.Close()
//	in, _ := task.ParseInput(body, task.ParseOptions{AllowRaw: true})
//	pred, err := eng.Predict(ctx, in, nil)
package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/llama"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/runtime/template"
	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// ErrInvalidModel reports a model folder (or bundle) that cannot be loaded
// for the requested task: missing files, or a task that does not match.
var ErrInvalidModel = errors.New("runtime: invalid model")

// DefaultMaxContext caps the context window (and so the KV cache) when
// Options.ContextSize is 0: models declaring a larger window get this one.
const DefaultMaxContext = 8192

// Options tune Load.
type Options struct {
	// Task is the task for a raw Hugging Face folder (default
	// text-generation). For a bundle it may be empty or must equal the
	// bundle's task.
	Task string
	// Threads is the number of worker threads (0: all cores).
	Threads int
	// Quantize selects a lossy weight format ("" keeps the exact one).
	Quantize string
	// ContextSize limits the context window; 0 means the model's own,
	// at most DefaultMaxContext.
	ContextSize int
	// Log receives warnings (ignored request parameters and the like).
	Log *slog.Logger
}

// Engine is a loaded model ready to answer its task.
type Engine struct {
	*task.Engine
	Model     *llama.Model
	Tokenizer *tokenizer.Tokenizer
	Bundle    *flavor.Bundle // nil for a raw Hugging Face folder
	LoadTime  time.Duration
}

// Close releases the model's memory.
func (e *Engine) Close() error {
	if e.Model == nil {
		return nil
	}
	if err := e.Model.Close(); err != nil {
		return fmt.Errorf("runtime: closing the model: %w", err)
	}
	return nil
}

// Load loads path, an MLflow bundle (a directory with an MLmodel file) or a
// Hugging Face model folder (config.json, safetensors weights,
// tokenizer.json).
func Load(ctx context.Context, path string, opts Options) (*Engine, error) {
	start := time.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := source{modelDir: path, tokDir: path, name: filepath.Base(filepath.Clean(path)), task: opts.Task}
	if isFile(filepath.Join(path, flavor.MLmodelFile)) {
		b, err := flavor.Load(path)
		if err != nil {
			return nil, fmt.Errorf("runtime: %w", err)
		}
		if opts.Task != "" && opts.Task != b.Task() {
			return nil, fmt.Errorf("%w: the bundle %s was saved for task %s; drop --task or save it again with --task %s", ErrInvalidModel, path, b.Task(), opts.Task)
		}
		src = source{
			modelDir: b.ModelDir(), tokDir: b.TokenizerDir(), name: b.SourceModelName(), task: b.Task(),
			sig: b.Signature, modelConfig: b.ModelConfig(), bundle: b,
		}
		if pt, ok := b.Model.Metadata["prompt_template"].(string); ok {
			src.promptTemplate = pt
		}
	} else if !isFile(filepath.Join(path, "config.json")) {
		return nil, fmt.Errorf("%w: %s has neither an MLmodel file (an MLflow bundle) nor a config.json (a Hugging Face model folder)", ErrInvalidModel, path)
	}
	if src.task == "" {
		src.task = signature.TaskTextGeneration
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	eng, err := load(src, opts, log)
	if err != nil {
		return nil, err
	}
	eng.LoadTime = time.Since(start)
	return eng, nil
}

type source struct {
	modelDir, tokDir, name, task string
	promptTemplate               string
	sig                          *signature.Signature
	modelConfig                  map[string]any
	bundle                       *flavor.Bundle
}

func load(src source, opts Options, log *slog.Logger) (*Engine, error) {
	tok, err := tokenizer.Load(filepath.Join(src.tokDir, "tokenizer.json"))
	if err != nil {
		return nil, fmt.Errorf("runtime: loading tokenizer: %w", err)
	}
	tcfg, err := template.LoadConfig(src.tokDir)
	if err != nil {
		return nil, fmt.Errorf("runtime: reading tokenizer config in %s: %w", src.tokDir, err)
	}
	var chat task.ChatTemplate
	if srcT := chatSource(tcfg); srcT != "" {
		t, err := template.Compile(srcT)
		if err != nil {
			return nil, fmt.Errorf("%w: the chat template in %s does not compile: %w", ErrInvalidModel, src.tokDir, err)
		}
		chat = &chatTemplate{t: t, bos: tcfg.BOSToken, eos: tcfg.EOSToken}
	}
	if src.task == signature.TaskChat && chat == nil {
		return nil, fmt.Errorf("%w: %s has no chat template, which llm/v1/chat needs; use --task llm/v1/completions or text-generation", ErrInvalidModel, src.tokDir)
	}
	genCfg, err := readJSONObject(filepath.Join(src.modelDir, "generation_config.json"))
	if err != nil {
		return nil, err
	}
	model, err := llama.Load(src.modelDir, llama.Options{Threads: opts.Threads, Quantize: opts.Quantize})
	if err != nil {
		return nil, fmt.Errorf("runtime: loading model: %w", err)
	}
	mc := model.Config()
	ctxSize := opts.ContextSize
	if ctxSize <= 0 {
		ctxSize = min(mc.MaxPositionEmbeddings, DefaultMaxContext)
	}
	ctxSize = min(ctxSize, mc.MaxPositionEmbeddings)
	eos := append([]int(nil), mc.EOSTokenID...)
	if tcfg.EOSToken != "" {
		if id, ok := tok.TokenToID(tcfg.EOSToken); ok {
			eos = append(eos, id)
		}
	}
	bosText := tcfg.BOSToken
	if _, text, ok := tok.BOS(); ok {
		bosText = text
	}
	te, err := task.New(task.Config{
		Task: src.task, ModelName: src.name, Signature: src.sig,
		Tokenizer: tokAdapter{tok}, Template: chat, BOSText: bosText,
		NewSession:     func() (task.Session, error) { return model.NewSession(ctxSize), nil },
		ContextSize:    ctxSize,
		PromptTemplate: src.promptTemplate, GenerationConfig: genCfg, ModelConfig: src.modelConfig,
		EOS: eos, Log: log,
	})
	if err != nil {
		_ = model.Close()
		return nil, fmt.Errorf("%w: %w", ErrInvalidModel, err)
	}
	return &Engine{Engine: te, Model: model, Tokenizer: tok, Bundle: src.bundle}, nil
}

func chatSource(c *template.Config) string {
	if c.ChatTemplate != "" {
		return c.ChatTemplate
	}
	return c.NamedTemplates["default"]
}

// chatTemplate binds a compiled template to the tokenizer's special tokens.
type chatTemplate struct {
	t        *template.Template
	bos, eos string
}

func (c *chatTemplate) Render(messages []map[string]any) (string, error) {
	out, err := c.t.Render(messages, template.Options{AddGenerationPrompt: true, BOSToken: c.bos, EOSToken: c.eos})
	var re *template.RaiseError
	if errors.As(err, &re) {
		return "", fmt.Errorf("%w: %w", task.ErrInvalidRequest, err)
	}
	return out, err
}

// tokAdapter gives the task layer a streaming decoder that skips special
// tokens, as generated text is decoded with skip_special_tokens=True, primed
// with the prompt.
type tokAdapter struct{ *tokenizer.Tokenizer }

func (t tokAdapter) NewDecoder(prompt []int) generate.Decoder {
	d := t.NewStreamDecoder(true)
	d.Prime(prompt)
	return d
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// readJSONObject reads a JSON object file; a missing file gives nil.
func readJSONObject(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("runtime: reading %s: %w", path, err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %s is not a JSON object: %v", ErrInvalidModel, path, err)
	}
	return m, nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
