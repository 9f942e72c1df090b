package flavor_test

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TinyLlama-1.1B-Chat's chat template.
const tinyLlamaTemplate = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"

type tensor struct {
	name  string
	dtype string
	shape []int64
}

func dtypeSize(d string) int64 {
	switch d {
	case "F32", "I32":
		return 4
	case "BF16", "F16":
		return 2
	case "F64", "I64":
		return 8
	}
	return 1
}

// writeSafetensors writes a valid safetensors file holding zeros.
func writeSafetensors(t testing.TB, path string, ts []tensor) {
	t.Helper()
	hdr := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var off int64
	sort.Slice(ts, func(i, j int) bool { return ts[i].name < ts[j].name })
	for _, x := range ts {
		n := dtypeSize(x.dtype)
		for _, d := range x.shape {
			n *= d
		}
		hdr[x.name] = map[string]any{"dtype": x.dtype, "shape": x.shape, "data_offsets": []int64{off, off + n}}
		off += n
	}
	hb, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	for len(hb)%8 != 0 {
		hb = append(hb, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	out = append(out, hb...)
	out = append(out, make([]byte, off)...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyTensors are the tensors of a 1-layer Llama with hidden 8, vocab 16.
func tinyTensors(dtype string) []tensor {
	return []tensor{
		{"model.embed_tokens.weight", dtype, []int64{16, 8}},
		{"model.layers.0.self_attn.q_proj.weight", dtype, []int64{8, 8}},
		{"model.layers.0.self_attn.k_proj.weight", dtype, []int64{4, 8}},
		{"model.layers.0.self_attn.v_proj.weight", dtype, []int64{4, 8}},
		{"model.layers.0.self_attn.o_proj.weight", dtype, []int64{8, 8}},
		{"model.layers.0.mlp.gate_proj.weight", dtype, []int64{12, 8}},
		{"model.layers.0.mlp.up_proj.weight", dtype, []int64{12, 8}},
		{"model.layers.0.mlp.down_proj.weight", dtype, []int64{8, 12}},
		{"model.layers.0.input_layernorm.weight", dtype, []int64{8}},
		{"model.layers.0.post_attention_layernorm.weight", dtype, []int64{8}},
		{"model.norm.weight", dtype, []int64{8}},
		{"lm_head.weight", dtype, []int64{16, 8}},
	}
}

// tinyParamCount is the parameter count of tinyTensors.
const tinyParamCount = 16*8 + 64 + 32 + 32 + 64 + 96 + 96 + 96 + 8 + 8 + 8 + 16*8

// tinyModel writes a tiny HF Llama folder with a chat template into a temp
// dir and returns its path.
func tinyModel(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny-llama")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{
		"architectures": []string{"LlamaForCausalLM"}, "model_type": "llama",
		"hidden_size": 8, "intermediate_size": 12, "num_hidden_layers": 1,
		"num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16,
		"max_position_embeddings": 128, "bos_token_id": 1, "eos_token_id": 2,
		"rms_norm_eps": 1e-5, "torch_dtype": "float32", "tie_word_embeddings": false,
	})
	writeJSON(t, filepath.Join(dir, "generation_config.json"), map[string]any{"bos_token_id": 1, "eos_token_id": 2})
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), tinyTensors("F32"))
	writeJSON(t, filepath.Join(dir, "tokenizer.json"), map[string]any{"version": "1.0", "model": map[string]any{"type": "BPE", "vocab": map[string]int{}, "merges": []string{}}})
	writeJSON(t, filepath.Join(dir, "tokenizer_config.json"), map[string]any{
		"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
		"tokenizer_class": "LlamaTokenizer", "model_max_length": 128,
		"chat_template": tinyLlamaTemplate,
	})
	writeJSON(t, filepath.Join(dir, "special_tokens_map.json"), map[string]any{"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})
	return dir
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
