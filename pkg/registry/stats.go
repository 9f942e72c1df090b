package registry

import (
	"fmt"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// weightStats returns the parameter count and parameters per dtype of a
// safetensors file, reading only its header.
func weightStats(path string) (int64, map[string]int64, error) {
	h, err := safetensors.ReadHeaderFile(path)
	if err != nil {
		return 0, nil, fmt.Errorf("registry: reading safetensors header: %w", err)
	}
	dtypes := map[string]int64{}
	for dt, n := range h.DTypes() {
		dtypes[string(dt)] += n
	}
	return h.ParamCount(), dtypes, nil
}
