package serve

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// TokenBytes is the token's real bytes: a byte-fallback token <0xHH> is
// that byte; a byte-level BPE token (GPT-2's printable byte alphabet) is
// the bytes its characters stand for; any other token is the UTF-8 of its
// piece ("▁" read as a space).
func (b *runtimeBackend) TokenBytes(id int) []byte {
	tok, ok := b.eng.Tokenizer.IDToToken(id)
	if ok {
		if v, ok := byteFallback(tok); ok {
			return []byte{v}
		}
	}
	piece := b.TokenPiece(id)
	if ok && strings.ContainsRune(piece, utf8.RuneError) {
		if raw, ok := byteLevelBytes(tok); ok {
			return raw
		}
	}
	return []byte(piece)
}

// byteFallback reads a SentencePiece byte token "<0xHH>".
func byteFallback(tok string) (byte, bool) {
	if len(tok) != 6 || !strings.HasPrefix(tok, "<0x") || tok[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(tok[3:5], 16, 8)
	return byte(v), err == nil
}

// byteLevelBytes maps a byte-level BPE token back to bytes: bytes that
// are printable stand for themselves, the rest were shifted to U+0100
// onwards in order.
func byteLevelBytes(tok string) ([]byte, bool) {
	var shifted []byte
	for c := 0; c < 256; c++ {
		if !(c >= '!' && c <= '~' || c >= 0xA1 && c <= 0xAC || c >= 0xAE) {
			shifted = append(shifted, byte(c))
		}
	}
	out := make([]byte, 0, len(tok))
	for _, r := range tok {
		switch {
		case r >= '!' && r <= '~' || r >= 0xA1 && r <= 0xAC || r >= 0xAE && r <= 0xFF:
			out = append(out, byte(r))
		case r >= 0x100 && int(r-0x100) < len(shifted):
			out = append(out, shifted[r-0x100])
		default:
			return nil, false
		}
	}
	return out, true
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
