package runtime

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

// TestBundleChat saves the committed tiny chat model as an llm/v1/chat
// bundle with a python_function.config and checks what Load wires up.
func TestBundleChat(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bundle")
	_, err := flavor.Save(context.Background(), testenv.Testdata(t, "tiny-chat"), out, flavor.SaveOptions{
		Task: "llm/v1/chat", Name: "tiny/chat", ModelConfig: map[string]any{"max_new_tokens": int64(3)},
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Load(context.Background(), out, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Task() != "llm/v1/chat" || eng.ModelName() != "tiny/chat" || eng.Bundle == nil || !eng.HasChatTemplate() {
		t.Fatalf("task %q, model %q, bundle %v", eng.Task(), eng.ModelName(), eng.Bundle != nil)
	}
	msgs := []task.Message{{Role: "user", Content: "Hello"}}
	prompt, err := eng.RenderChat(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|user|>\nHello</s>\n<|assistant|>\n"; prompt != want {
		t.Errorf("rendered %q, want %q", prompt, want)
	}
	prep, err := eng.Prepare(task.Request{Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if prep.IDs[0] != 1 || prep.IDs[1] == 1 {
		t.Errorf("prompt ids start %v, want one BOS (1)", prep.IDs[:2])
	}
	if d := eng.DefaultParams(); d.MaxTokens != 3 || len(d.EOS) == 0 || d.EOS[0] != 2 {
		t.Errorf("DefaultParams = %+v, want MaxTokens 3 from python_function.config and EOS 2", d)
	}

	in, err := task.ParseInput([]byte(`{"messages":[{"role":"user","content":"Hello"}]}`), task.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := eng.Predict(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := pred.Output.([]task.ChatCompletion)[0]
	if c.Usage.CompletionTokens != 3 || c.Choices[0].FinishReason != "length" || c.Usage.PromptTokens != len(prep.IDs) {
		t.Errorf("completion = %+v, want 3 tokens (python_function.config) and finish length", c)
	}

	// A request that is too long is refused before generation, with both numbers.
	long := make([]task.Message, 0, 400)
	for range 400 {
		long = append(long, task.Message{Role: "user", Content: "Once upon a time there was a tiny model."})
	}
	_, err = eng.Prepare(task.Request{Messages: long})
	var ce *generate.ContextError
	if !errors.Is(err, task.ErrInvalidRequest) || !errors.As(err, &ce) || ce.ContextSize != 2048 || ce.PromptTokens <= 2048 {
		t.Fatalf("long prompt: err = %v, want a ContextError over 2048 tokens", err)
	}
}
