package flavor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// readHeaders reads every weight file's safetensors header (never the data),
// counts parameters, picks the dominant dtype and, for sharded models, checks
// that each tensor the index names is in its shard.
func (s *Source) readHeaders() error {
	byDType := map[string]int64{}
	inShard := map[string]map[string]bool{}
	for _, f := range s.WeightFiles {
		h, err := safetensors.ReadHeaderFile(filepath.Join(s.Dir, f))
		if err != nil {
			return badModel("%s: malformed safetensors header (%v): the file is truncated or not safetensors; re-download or re-save it", f, err)
		}
		names := map[string]bool{}
		for _, t := range h.Tensors {
			n := int64(1)
			for _, d := range t.Shape {
				n *= d
			}
			byDType[string(t.DType)] += n
			names[t.Name] = true
		}
		inShard[f] = names
		s.ParameterCount += h.ParamCount()
	}
	if len(byDType) == 0 {
		return badModel("the weights hold no tensors")
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
				return badModel("%s maps tensor %s to %s, which does not contain it: the index does not match the shards", s.IndexFile, n, idx.WeightMap[n])
			}
		}
	}
	return nil
}
