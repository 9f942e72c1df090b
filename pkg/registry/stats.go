package registry

import (
	"fmt"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// weightSummary adds up the dtypes in the safetensors headers of a bundle's
// weight files (never their data) for the config's precision. The
// parameter count comes from flavor, as inspect reports it.
type weightSummary struct {
	dtypes map[string]int64 // elements per dtype
}

func (w *weightSummary) add(path string) error {
	h, err := safetensors.ReadHeaderFile(path)
	if err != nil {
		return fmt.Errorf("registry: reading safetensors header: %w", err)
	}
	if w.dtypes == nil {
		w.dtypes = map[string]int64{}
	}
	for dt, n := range h.DTypes() {
		w.dtypes[string(dt)] += n
	}
	return nil
}
