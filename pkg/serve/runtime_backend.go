package serve

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/llama"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// FromRuntime adapts a loaded runtime engine to the server.
func FromRuntime(eng *runtime.Engine) Backend {
	return &runtimeBackend{eng: eng, created: time.Now().Unix()}
}

type runtimeBackend struct {
	eng     *runtime.Engine
	created int64
}

func (b *runtimeBackend) Info() ModelInfo {
	return ModelInfo{
		ID: b.eng.ModelName(), Created: b.created, OwnedBy: "mlpack", Task: b.eng.Task(),
		ContextSize: b.eng.ContextSize(), VocabSize: b.eng.Model.Config().VocabSize,
		HasChat: b.eng.HasChatTemplate(),
	}
}

func (b *runtimeBackend) Tokenize(text string, addSpecial bool) ([]int, error) {
	return b.eng.Tokenizer.Encode(text, addSpecial), nil
}

func (b *runtimeBackend) Detokenize(ids []int) (string, error) {
	return b.eng.Tokenizer.Decode(ids, true), nil
}

// TokenPiece decodes one token, keeping the leading space a SentencePiece
// "▁" stands for (a lone decode would strip it).
func (b *runtimeBackend) TokenPiece(id int) string {
	piece := b.eng.Tokenizer.Decode([]int{id}, false)
	if tok, ok := b.eng.Tokenizer.IDToToken(id); ok && strings.HasPrefix(tok, "▁") && !strings.HasPrefix(piece, " ") {
		piece = " " + piece
	}
	return piece
}

func toTaskMessages(msgs []openai.Message) []task.Message {
	out := make([]task.Message, len(msgs))
	for i, m := range msgs {
		out[i] = task.Message{Role: m.Role, Content: m.Content, Name: m.Name}
	}
	return out
}

func (b *runtimeBackend) RenderChat(msgs []openai.Message) (string, error) {
	out, err := b.eng.RenderChat(toTaskMessages(msgs))
	return out, mapTaskError(err)
}

func (b *runtimeBackend) ChatPrompt(msgs []openai.Message) ([]int, error) {
	prompt, err := b.eng.RenderChat(toTaskMessages(msgs))
	if err != nil {
		return nil, mapTaskError(err)
	}
	return b.eng.Tokenize(prompt), nil
}

func (b *runtimeBackend) TextPrompt(text string) ([]int, error) { return b.eng.Tokenize(text), nil }

func (b *runtimeBackend) NewDecoder(prompt []int) generate.Decoder { return b.eng.NewDecoder(prompt) }

func (b *runtimeBackend) Defaults() generate.Params { return b.eng.DefaultParams() }

func (b *runtimeBackend) Invoke(ctx context.Context, body []byte, gen GenerateFunc) (any, error) {
	in, err := task.ParseInput(body, task.ParseOptions{Params: b.eng.Signature().Params})
	if err != nil {
		return nil, mapTaskError(err)
	}
	pred, err := b.eng.PredictWith(ctx, in, task.GenerateFunc(gen), nil)
	if err != nil {
		return nil, mapTaskError(err)
	}
	return task.Wrap(in, pred.Output), nil
}

// mapTaskError marks the task layer's request errors as ErrInvalidInput,
// keeping their message.
func mapTaskError(err error) error {
	if err != nil && errors.Is(err, task.ErrInvalidRequest) {
		return invalidInput{err}
	}
	return err
}

type invalidInput struct{ err error }

func (e invalidInput) Error() string        { return e.err.Error() }
func (e invalidInput) Unwrap() error        { return e.err }
func (e invalidInput) Is(target error) bool { return target == ErrInvalidInput }

func (b *runtimeBackend) Engine() Engine { return llamaEngine{b.eng.Model} }

// llamaEngine runs the Llama forward pass for the scheduler.
type llamaEngine struct{ m *llama.Model }

func (e llamaEngine) NewSequence(maxLen int) (Sequence, error) { return e.m.NewSession(maxLen), nil }

func (e llamaEngine) Prefill(ctx context.Context, s Sequence, tokens []int) ([]float32, error) {
	return s.(*llama.Session).Forward(ctx, tokens)
}

func (e llamaEngine) DecodeBatch(ctx context.Context, seqs []Sequence, tokens []int) ([][]float32, error) {
	ss := make([]*llama.Session, len(seqs))
	for i, s := range seqs {
		ss[i] = s.(*llama.Session)
	}
	return e.m.ForwardBatch(ctx, ss, tokens)
}
