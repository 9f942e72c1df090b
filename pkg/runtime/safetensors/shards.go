package safetensors

import (
	"encoding/json"
	"fmt"
	"github.com/mlpack-go/mlpack/internal/atomicfile"
	"io"
	"path/filepath"
)

// ShardName returns the Hugging Face name of shard i (1-based) of n:
// model-0000i-of-0000n.safetensors.
func ShardName(i, n int) string { return fmt.Sprintf("model-%05d-of-%05d.safetensors", i, n) }

// WriteShards writes tensors into dir as a sharded checkpoint of n files
// named by ShardName, plus model.safetensors.index.json
// ({"metadata":{"total_size":N},"weight_map":{...}}, indented and key-sorted
// as transformers writes it). Tensors are assigned to shards in the order
// given, splitting the total byte size as evenly as whole tensors allow;
// every shard gets at least one tensor. The index is written last, so a
// folder with an index always has all its shards.
func WriteShards(dir string, tensors []WriteTensor, metadata map[string]string, n int) error {
	if n < 1 || n > len(tensors) {
		return fmt.Errorf("safetensors: writing shards in %q: cannot split %d tensors into %d shards", dir, len(tensors), n)
	}
	if _, _, err := encodeHeader(tensors, metadata); err != nil {
		return fmt.Errorf("safetensors: writing shards in %q: %w", dir, err)
	}
	sizes := make([]uint64, len(tensors))
	var total uint64
	for i, t := range tensors {
		sizes[i], _ = byteSize(t.Shape, t.DType.Size())
		total += sizes[i]
	}
	weightMap := make(map[string]string, len(tensors))
	start := 0
	var done uint64
	for shard := 1; shard <= n; shard++ {
		end := start + 1
		done += sizes[start]
		target := total * uint64(shard) / uint64(n)
		// Take more tensors while below this shard's share, leaving at
		// least one tensor for every remaining shard.
		for end < len(tensors)-(n-shard) && (shard == n || done+sizes[end]/2 < target) {
			done += sizes[end]
			end++
		}
		name := ShardName(shard, n)
		for _, t := range tensors[start:end] {
			weightMap[t.Name] = name
		}
		if err := WriteFile(filepath.Join(dir, name), tensors[start:end], metadata); err != nil {
			return err
		}
		start = end
	}
	index := struct {
		Metadata  map[string]any    `json:"metadata"`
		WeightMap map[string]string `json:"weight_map"`
	}{map[string]any{"total_size": total}, weightMap}
	path := filepath.Join(dir, IndexFileName)
	if err := atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(index) // ends with the newline transformers writes
	}); err != nil {
		return fmt.Errorf("safetensors: writing %q: %w", path, err)
	}
	return nil
}
