// Package registrytest starts real registries on 127.0.0.1 for tests
// (go-containerregistry's in-memory registry and Debian's docker-registry,
// Docker Distribution 2.8), puts a fault-injecting proxy in front of them,
// and writes small bundles to push.
package registrytest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// MLmodel is the manifest WriteBundle writes, byte for byte.
const MLmodel = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.transformers
    python_version: 3.11.9
  transformers:
    code: null
    components:
    - tokenizer
    framework: pt
    instance_type: TextGenerationPipeline
    model_binary: model
    pipeline_model_type: LlamaForCausalLM
    source_model_name: tiny/llama-test
    task: text-generation
    torch_dtype: torch.float32
    transformers_version: 4.44.2
mlflow_version: 2.16.2
model_uuid: 0f3c6a1e4b7d4e3a9c2b1d0e8f7a6b5c
utc_time_created: '2024-09-30 12:00:00.000000'
`

// WriteBundle writes a small but well-formed bundle into dir (created) with
// a float32 model.safetensors of about weightBytes bytes of seeded random
// data, and returns dir.
func WriteBundle(tb testing.TB, dir string, weightBytes int, seed uint64) string {
	tb.Helper()
	if err := WriteBundleFiles(dir, weightBytes, seed); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// WriteBundleFiles is WriteBundle without a testing.TB (for benchmarks).
func WriteBundleFiles(dir string, weightBytes int, seed uint64) error {
	files := map[string][]byte{
		"MLmodel":                                    []byte(MLmodel),
		"model/config.json":                          []byte(`{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":8}` + "\n"),
		"model/generation_config.json":               []byte(`{"do_sample":false}` + "\n"),
		"components/tokenizer/tokenizer.json":        []byte(`{"version":"1.0","model":{"type":"BPE","vocab":{"a":0,"b":1}}}` + "\n"),
		"components/tokenizer/tokenizer_config.json": []byte(`{"bos_token":"<s>","eos_token":"</s>"}` + "\n"),
		"README.md":                                  []byte("# tiny test model\n"),
		"requirements.txt":                           []byte("mlflow==2.16.2\n"),
		"model/model.safetensors":                    Safetensors(weightBytes/4, seed),
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Safetensors returns a safetensors file with one F32 tensor of n seeded
// random values.
func Safetensors(n int, seed uint64) []byte {
	hdr, _ := json.Marshal(map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		"model.embed_tokens.weight": map[string]any{
			"dtype": "F32", "shape": []int{n}, "data_offsets": []int{0, 4 * n},
		},
	})
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	out := make([]byte, 8, 8+len(hdr)+4*n)
	binary.LittleEndian.PutUint64(out, uint64(len(hdr)))
	out = append(out, hdr...)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range n {
		out = binary.LittleEndian.AppendUint32(out, r.Uint32())
	}
	return out
}

// WriteLargeWeights writes a safetensors file of about size bytes to path
// without holding it in memory (for benchmarks).
func WriteLargeWeights(path string, size int64, seed uint64) error {
	n := size / 4
	hdr, _ := json.Marshal(map[string]any{
		"model.embed_tokens.weight": map[string]any{"dtype": "BF16", "shape": []int64{2 * n}, "data_offsets": []int64{0, 4 * n}},
	})
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var lb [8]byte
	binary.LittleEndian.PutUint64(lb[:], uint64(len(hdr)))
	if _, err := f.Write(append(lb[:], hdr...)); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, seed+1))
	buf := make([]byte, 1<<20)
	for left := 4 * n; left > 0; {
		for i := 0; i+8 <= len(buf); i += 8 {
			binary.LittleEndian.PutUint64(buf[i:], r.Uint64())
		}
		k := min(int64(len(buf)), left)
		if _, err := f.Write(buf[:k]); err != nil {
			return err
		}
		left -= k
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}
