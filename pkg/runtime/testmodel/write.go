package testmodel

import (
	"fmt"
	"github.com/mlpack-go/mlpack/internal/atomicfile"
	"os"
	"path/filepath"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// Write generates the model s into dir (created if needed): config.json,
// generation_config.json, the weights (model.safetensors, or s.Shards shards
// and model.safetensors.index.json), tokenizer.json, tokenizer_config.json
// and special_tokens_map.json. Each file is written under a temporary name
// and renamed into place; weight files of a model previously written to dir
// are removed first. Weights are generated tensor by tensor, so memory
// use stays small whatever the model's size.
func Write(dir string, s Spec) error {
	if err := write(dir, s); err != nil {
		return fmt.Errorf("testmodel: writing %q: %w", dir, err)
	}
	return nil
}

func write(dir string, s Spec) error {
	if err := s.validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	voc, err := learnVocab(s.Vocab)
	if err != nil {
		return err
	}
	tok, err := marshalIndent(buildTokenizerJSON(voc))
	if err != nil {
		return err
	}
	files := []struct {
		name string
		v    any
	}{
		{"config.json", config(s)},
		{"generation_config.json", generationConfig(s)},
		{"tokenizer_config.json", tokenizerConfig(s)},
		{"special_tokens_map.json", specialTokensMap()},
	}
	for _, f := range files {
		b, err := marshalIndent(f.v)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", f.name, err)
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, f.name), b); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "tokenizer.json"), tok); err != nil {
		return err
	}
	dt, _ := dtypeOf(s.DType)
	var tensors []safetensors.WriteTensor
	for _, t := range s.tensors() {
		tensors = append(tensors, safetensors.WriteTensor{Name: t.name, DType: dt, Shape: t.shape, Fill: s.fill(t, dt)})
	}
	if err := removeStaleWeights(dir); err != nil {
		return err
	}
	meta := map[string]string{"format": "pt"}
	if s.Shards > 1 {
		return safetensors.WriteShards(dir, tensors, meta, s.Shards)
	}
	return safetensors.WriteFile(filepath.Join(dir, safetensors.SingleFileName), tensors, meta)
}

// removeStaleWeights deletes the weight files of a model previously written
// to dir, so a single-file model never sits beside an old index or shards.
func removeStaleWeights(dir string) error {
	shards, err := filepath.Glob(filepath.Join(dir, "model-*-of-*.safetensors"))
	if err != nil {
		return err
	}
	for _, p := range append(shards, filepath.Join(dir, safetensors.SingleFileName), filepath.Join(dir, safetensors.IndexFileName)) {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
