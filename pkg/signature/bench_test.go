package signature_test

import (
	"testing"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

func BenchmarkValidateChat(b *testing.B) {
	sig, _ := signature.ForTask("llm/v1/chat")
	in := map[string]any{
		"messages": []any{
			map[string]any{"role": "system", "content": "You are a bot."},
			map[string]any{"role": "user", "content": "Hello, how are you?"},
		},
		"temperature": 0.2, "max_tokens": float64(64), "stop": []any{"\n"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := sig.Inputs.Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeChatOutputs(b *testing.B) {
	sig, _ := signature.ForTask("llm/v1/chat")
	b.ReportAllocs()
	for b.Loop() {
		_ = sig.Outputs.JSON()
	}
}
