package flavor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/flavor/componentcheck"
)

// BenchmarkSave measures a whole save of the tiny model (dominated by the
// fsyncs), copying and hard-linking the weights.
func BenchmarkSave(b *testing.B) {
	for _, link := range []bool{false, true} {
		b.Run(fmt.Sprintf("link=%v", link), func(b *testing.B) {
			src := tinyModel(b)
			i := 0
			for b.Loop() {
				out := filepath.Join(filepath.Dir(src), fmt.Sprintf("out%d", i))
				i++
				if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{Task: "llm/v1/chat", Link: link}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCopyWeights measures copying a 256 MiB weight file into a bundle
// (the cost of save without --link on a large model).
func BenchmarkCopyWeights(b *testing.B) {
	src := tinyModel(b)
	// One big tensor: a 256 MiB data section.
	writeSafetensors(b, filepath.Join(src, "model.safetensors"), []tensor{{"model.embed_tokens.weight", "F32", []int64{64 << 20}}})
	b.SetBytes(256 << 20)
	i := 0
	for b.Loop() {
		out := filepath.Join(filepath.Dir(src), fmt.Sprintf("out%d", i))
		i++
		if _, err := flavor.Save(context.Background(), src, out, flavor.SaveOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(out)
		b.StartTimer()
	}
}

// BenchmarkCheckComponentsLlama2 measures the save-time component check on
// Llama 2's tokenizer (32k vocab, the TinyLlama one) and TinyLlama's chat
// template: the cost save pays to refuse what predict could not load.
func BenchmarkCheckComponentsLlama2(b *testing.B) {
	src := tinyModel(b)
	data, err := os.ReadFile(testenv.Shared(b, "llama2-tokenizer", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "tokenizer.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := flavor.ReadSource(src)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.CheckComponents(componentcheck.Runtime{}); err != nil || s.ChatTemplateErr != nil {
			b.Fatal(err, s.ChatTemplateErr)
		}
	}
}
