package flavor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// readHeaders reads every weight file's safetensors header (never the data),
// counts parameters, picks the dominant dtype and, for sharded models, checks
// that each tensor the index names is in its shard.
func (s *Source) readHeaders() error {
	byDType := map[string]int64{}
	inShard := map[string]map[string]bool{}
	all := map[string]safetensors.TensorInfo{}
	for _, f := range s.WeightFiles {
		h, err := safetensors.ReadHeaderFile(filepath.Join(s.Dir, f))
		if err != nil {
			return badModel("%s: malformed safetensors header (%v): the file is truncated or not safetensors; re-download or re-save it", s.m(f), strings.TrimPrefix(err.Error(), "safetensors: "))
		}
		names := map[string]bool{}
		for _, t := range h.Tensors {
			n := int64(1)
			for _, d := range t.Shape {
				n *= d
			}
			byDType[string(t.DType)] += n
			names[t.Name] = true
			all[t.Name] = t
		}
		inShard[f] = names
		s.ParameterCount += h.ParamCount()
	}
	if head, ok := tiedHead(s.Config, s.ModelType, all); ok {
		n := head.NumElements()
		s.ParameterCount -= n
		byDType[string(head.DType)] -= n
	}
	if len(byDType) == 0 {
		return badModel("the weights hold no tensors: re-download or re-save the model")
	}
	dts := make([]string, 0, len(byDType))
	for d := range byDType {
		dts = append(dts, d)
	}
	sort.Slice(dts, func(i, j int) bool {
		if byDType[dts[i]] != byDType[dts[j]] {
			return byDType[dts[i]] > byDType[dts[j]]
		}
		return dts[i] < dts[j]
	})
	s.DType = dts[0]
	if s.IndexFile != "" {
		raw, err := os.ReadFile(filepath.Join(s.Dir, s.IndexFile))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", s.IndexFile, err)
		}
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		_ = json.Unmarshal(raw, &idx)
		names := make([]string, 0, len(idx.WeightMap))
		for n := range idx.WeightMap {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !inShard[idx.WeightMap[n]][n] {
				return badModel("%s maps tensor %s to %s, which does not contain it: the index does not match the shards; re-download the model", s.m(s.IndexFile), n, s.m(idx.WeightMap[n]))
			}
		}
	}
	return nil
}

// tiedHead returns lm_head.weight when the checkpoint stores it although the
// config ties it to the input embeddings, so it is not a parameter of its
// own (transformers' num_parameters counts it once). The tie is config.json's
// tie_word_embeddings, or the architecture's default when absent; the head
// must have the shape of an embedding tensor.
func tiedHead(cfg map[string]any, modelType string, tensors map[string]safetensors.TensorInfo) (safetensors.TensorInfo, bool) {
	tied, ok := cfg["tie_word_embeddings"].(bool)
	if !ok {
		tied = tieDefault(modelType)
	}
	head, ok := tensors["lm_head.weight"]
	if !tied || !ok {
		return head, false
	}
	for _, name := range []string{"model.embed_tokens.weight", "transformer.wte.weight", "model.decoder.embed_tokens.weight", "transformer.word_embeddings.weight", "gpt_neox.embed_in.weight"} {
		if emb, ok := tensors[name]; ok && slices.Equal(emb.Shape, head.Shape) {
			return head, true
		}
	}
	return head, false
}

// tieDefault is tie_word_embeddings' default for a model_type: false where
// the transformers config class sets it so, else true (PretrainedConfig's).
func tieDefault(modelType string) bool {
	switch modelType {
	case "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi", "phi3",
		"stablelm", "gpt_neox", "olmo", "olmo2", "deepseek_v2", "deepseek_v3", "internlm2", "granite":
		return false
	}
	return true
}

// CountParameters returns the parameter count of the model in modelDir (a
// Hugging Face folder, or Bundle.ModelDir()): the elements of every tensor in
// the safetensors headers, counting an lm_head tied to the embeddings once,
// as transformers' num_parameters does. It reads config.json and the
// headers, never the weights. Problems match ErrInvalidModel.
func CountParameters(modelDir string) (int64, error) {
	if err := checkDir(ErrInvalidModel, "model folder", modelDir, "give the folder holding config.json and the safetensors weights"); err != nil {
		return 0, err
	}
	s := &Source{Dir: modelDir, TokenizerDir: modelDir}
	for _, step := range []func() error{s.readConfig, s.findWeights, s.readHeaders} {
		if err := step(); err != nil {
			return 0, at(ErrInvalidModel, "invalid model", modelDir, err)
		}
	}
	return s.ParameterCount, nil
}
