package flavor_test

import (
	"context"
	"fmt"
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
