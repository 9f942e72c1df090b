package registry

import (
	"fmt"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// weightSummary adds up the safetensors headers of a bundle's weight files
// (never their data) for the config's paramSize and precision.
type weightSummary struct {
	total  int64
	lmHead int64            // elements of lm_head.weight, if stored
	dtypes map[string]int64 // elements per dtype
}

// lmHeadTensor is the output projection; with tie_word_embeddings it
// shares its values with the token embeddings.
const lmHeadTensor = "lm_head.weight"

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
	w.total += h.ParamCount()
	if t, ok := h.Lookup(lmHeadTensor); ok {
		w.lmHead += t.NumElements()
	}
	return nil
}

// params is the model's parameter count: with tied embeddings a stored
// lm_head.weight is the embedding matrix again and is counted once, as
// Hugging Face's num_parameters() does (stories260k: 260.0K, not 292.8K).
func (w *weightSummary) params(tied bool) int64 {
	if tied {
		return w.total - w.lmHead
	}
	return w.total
}
