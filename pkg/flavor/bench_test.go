package flavor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
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
