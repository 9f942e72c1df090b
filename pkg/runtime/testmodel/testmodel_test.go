package testmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

var update = flag.Bool("update", false, "regenerate testdata/tiny-chat")

func gen(t *testing.T, s Spec) string {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, s); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestTinyChatCommitted regenerates TinyChat and compares it byte for byte
// with testdata/tiny-chat (go test -update rewrites it).
func TestTinyChatCommitted(t *testing.T) {
	committed := testenv.Testdata(t, "tiny-chat")
	if *update {
		if err := os.RemoveAll(committed); err != nil {
			t.Fatal(err)
		}
		if err := Write(committed, TinyChat()); err != nil {
			t.Fatal(err)
		}
	}
	want := readDir(t, committed)
	got := readDir(t, gen(t, TinyChat()))
	if len(want) != len(got) {
		t.Errorf("files: committed %d, generated %d", len(want), len(got))
	}
	var total int
	for name, b := range got {
		total += len(b)
		if !bytes.Equal(want[name], b) {
			t.Errorf("%s differs from the committed copy (run go test ./pkg/runtime/testmodel -run TestTinyChatCommitted -update)", name)
		}
	}
	if total > 2<<20 {
		t.Errorf("tiny-chat is %d bytes, over the 2 MB budget", total)
	}
}

func TestDeterministic(t *testing.T) {
	s := TinyChat()
	s.DType, s.Shards, s.Layers = "bfloat16", 2, 2
	a, b := readDir(t, gen(t, s)), readDir(t, gen(t, s))
	if d := cmp.Diff(a, b); d != "" {
		t.Errorf("same spec, different bytes:\n%s", d)
	}
	s.Seed++
	c := readDir(t, gen(t, s))
	if bytes.Equal(a["model-00001-of-00002.safetensors"], c["model-00001-of-00002.safetensors"]) {
		t.Error("a different seed gave the same weights")
	}
}

func TestConfig(t *testing.T) {
	base := TinyChat()
	base.Layers = 1
	cases := []struct {
		name   string
		spec   func(s *Spec)
		want   map[string]any // fields checked in config.json
		names  []string       // tensors that must exist
		absent []string
	}{
		{"llama tied", func(s *Spec) {}, map[string]any{
			"architectures": []any{"LlamaForCausalLM"}, "model_type": "llama", "hidden_size": 64.0,
			"intermediate_size": 172.0, "num_hidden_layers": 1.0, "num_attention_heads": 8.0,
			"num_key_value_heads": 4.0, "head_dim": 8.0, "vocab_size": 512.0, "max_position_embeddings": 2048.0,
			"tie_word_embeddings": true, "torch_dtype": "float32", "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
			"rope_scaling": nil, "attention_bias": false, "bos_token_id": 1.0, "eos_token_id": 2.0,
		}, []string{"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.norm.weight"},
			[]string{"lm_head.weight", "model.layers.0.self_attn.q_proj.bias"}},
		{"llama untied llama3 scaling", func(s *Spec) {
			s.TiedEmbeddings = false
			s.RopeScaling = map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
				"high_freq_factor": 4.0, "original_max_position_embeddings": 8192.0}
		}, map[string]any{
			"tie_word_embeddings": false,
			"rope_scaling": map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
				"high_freq_factor": 4.0, "original_max_position_embeddings": 8192.0},
		}, []string{"lm_head.weight"}, nil},
		{"mistral", func(s *Spec) { s.Arch = Mistral }, map[string]any{
			"architectures": []any{"MistralForCausalLM"}, "model_type": "mistral", "sliding_window": nil,
		}, nil, []string{"model.layers.0.self_attn.q_proj.bias"}},
		{"qwen2", func(s *Spec) { s.Arch, s.QKVBias, s.RMSNormEps = Qwen2, true, 1e-6 }, map[string]any{
			"architectures": []any{"Qwen2ForCausalLM"}, "model_type": "qwen2", "use_sliding_window": false,
			"rms_norm_eps": 1e-6,
		}, []string{"model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias", "model.layers.0.self_attn.v_proj.bias"},
			[]string{"model.layers.0.self_attn.o_proj.bias"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.spec(&s)
			dir := gen(t, s)
			cfg := readJSON(t, filepath.Join(dir, "config.json"))
			for k, want := range tc.want {
				if d := cmp.Diff(want, cfg[k]); d != "" {
					t.Errorf("config.json %s (-want +got):\n%s", k, d)
				}
			}
			set, err := safetensors.OpenDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer set.Close()
			for _, n := range tc.names {
				if _, ok := set.Tensor(n); !ok {
					t.Errorf("tensor %s missing", n)
				}
			}
			for _, n := range tc.absent {
				if _, ok := set.Tensor(n); ok {
					t.Errorf("tensor %s present", n)
				}
			}
			if got, want := set.ParamCount(), s.paramCount(); got != want {
				t.Errorf("ParamCount = %d, want %d", got, want)
			}
		})
	}
}

// paramCount is the textbook parameter count of a Llama-family model.
func (s Spec) paramCount() int64 {
	h, hd, v, in := int64(s.Hidden), int64(s.headDim()), int64(s.Vocab), int64(s.Intermediate)
	q, kv := int64(s.Heads)*hd, int64(s.KVHeads)*hd
	layer := h*q*2 + h*kv*2 + 3*h*in + 2*h
	if s.QKVBias {
		layer += q + 2*kv
	}
	n := v*h + int64(s.Layers)*layer + h
	if !s.TiedEmbeddings {
		n += v * h
	}
	return n
}

func TestTinyLlamaShape(t *testing.T) {
	s := TinyLlama11B()
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, ts := range s.tensors() {
		e := int64(1)
		for _, d := range ts.shape {
			e *= d
		}
		n += e
	}
	if n != 1_100_048_384 {
		t.Errorf("TinyLlama-1.1B shape has %d parameters, want 1100048384", n)
	}
	if len(s.tensors()) != 201 {
		t.Errorf("%d tensors, want 201", len(s.tensors()))
	}
}

// TestDTypesAgree checks that the float32, bfloat16 and float16 models of a
// seed hold the same values (all are drawn on the bfloat16 grid).
func TestDTypesAgree(t *testing.T) {
	s := TinyChat()
	s.Layers = 1
	values := map[string]map[string][]float32{}
	for _, dt := range []string{"float32", "bfloat16", "float16"} {
		s.DType = dt
		set, err := safetensors.OpenDir(gen(t, s))
		if err != nil {
			t.Fatal(err)
		}
		values[dt] = map[string][]float32{}
		for _, n := range set.Names() {
			tn, _ := set.Tensor(n)
			f, err := tn.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			values[dt][n] = append([]float32(nil), f...)
		}
		set.Close()
	}
	if d := cmp.Diff(values["float32"], values["bfloat16"]); d != "" {
		t.Errorf("bfloat16 differs from float32:\n%.2000s", d)
	}
	for name, f32 := range values["float32"] {
		for i, v := range values["float16"][name] {
			if diff := v - f32[i]; diff > 6e-8 || diff < -6e-8 { // half a float16 subnormal step
				t.Fatalf("%s[%d]: float16 %g vs float32 %g", name, i, v, f32[i])
			}
		}
	}
}

func TestTokenizerJSON(t *testing.T) {
	dir := gen(t, TinyChat())
	var tok struct {
		Model struct {
			Type         string         `json:"type"`
			ByteFallback bool           `json:"byte_fallback"`
			FuseUnk      bool           `json:"fuse_unk"`
			Vocab        map[string]int `json:"vocab"`
			Merges       []string       `json:"merges"`
		} `json:"model"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	m := tok.Model
	if m.Type != "BPE" || !m.ByteFallback || !m.FuseUnk {
		t.Errorf("model: type %q byte_fallback %v fuse_unk %v", m.Type, m.ByteFallback, m.FuseUnk)
	}
	if len(m.Vocab) != 512 {
		t.Errorf("vocab has %d entries, want 512", len(m.Vocab))
	}
	ids := make(map[int]string)
	for p, id := range m.Vocab {
		if prev, dup := ids[id]; dup {
			t.Errorf("id %d used by %q and %q", id, prev, p)
		}
		ids[id] = p
	}
	for id, want := range map[int]string{0: "<unk>", 1: "<s>", 2: "</s>", 3: "<0x00>", 13: "<0x0A>", 258: "<0xFF>"} {
		if ids[id] != want {
			t.Errorf("id %d = %q, want %q", id, ids[id], want)
		}
	}
	for rank, mg := range m.Merges {
		l, r, ok := strings.Cut(mg, " ")
		if !ok || strings.Contains(r, " ") {
			t.Fatalf("merge %d %q is not two pieces", rank, mg)
		}
		for _, p := range []string{l, r, l + r} {
			if _, ok := m.Vocab[p]; !ok {
				t.Errorf("merge %d %q: %q not in vocab", rank, mg, p)
			}
		}
	}
	for _, p := range []string{"▁user", "▁assistant", "<|", "|>", "▁the", "▁", "e"} {
		if _, ok := m.Vocab[p]; !ok {
			t.Errorf("piece %q not learned", p)
		}
	}
	// Everything but the learned vocabulary is Llama 2's pipeline.
	ref := readJSON(t, testenv.Shared(t, "llama2-tokenizer", "tokenizer.json"))
	got := readJSON(t, filepath.Join(dir, "tokenizer.json"))
	for _, m := range []map[string]any{ref, got} {
		model := m["model"].(map[string]any)
		delete(model, "vocab")
		delete(model, "merges")
	}
	if d := cmp.Diff(ref, got); d != "" {
		t.Errorf("tokenizer.json pipeline differs from Llama 2's (-want +got):\n%s", d)
	}
	wantCfg := readJSON(t, testenv.Shared(t, "llama2-tokenizer", "tokenizer_config.json"))
	if d := cmp.Diff(wantCfg, readJSON(t, filepath.Join(dir, "tokenizer_config.json"))); d != "" {
		t.Errorf("tokenizer_config.json differs from TinyLlama-Chat's (-want +got):\n%s", d)
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(s *Spec)
		want string
	}{
		{"arch", func(s *Spec) { s.Arch = "GPT2LMHeadModel" }, `Arch "GPT2LMHeadModel"`},
		{"llama bias", func(s *Spec) { s.QKVBias = true }, "QKVBias"},
		{"qwen2 without bias", func(s *Spec) { s.Arch = Qwen2 }, "always has q/k/v biases"},
		{"gqa", func(s *Spec) { s.KVHeads = 3 }, "multiple of KVHeads"},
		{"odd head dim", func(s *Spec) { s.HeadDim = 7 }, "must be even"},
		{"dtype", func(s *Spec) { s.DType = "int8" }, `DType "int8"`},
		{"vocab", func(s *Spec) { s.Vocab = 300 }, "Vocab = 300"},
		{"layers", func(s *Spec) { s.Layers = 0 }, "Layers = 0"},
		{"theta", func(s *Spec) { s.RopeTheta = 0 }, "RopeTheta"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := TinyChat()
			tc.edit(&s)
			dir := filepath.Join(t.TempDir(), "m")
			err := Write(dir, s)
			if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write = %v, want ErrSpec containing %q", err, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("an invalid spec still created the folder")
			}
		})
	}
}

func TestRewriteRemovesStaleWeights(t *testing.T) {
	s := TinyChat()
	s.Layers, s.Shards = 1, 3
	dir := gen(t, s)
	s.Shards = 1
	if err := Write(dir, s); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range readDir(t, dir) {
		if strings.Contains(name, "safetensors") {
			names = append(names, name)
		}
	}
	if d := cmp.Diff([]string{"model.safetensors"}, names); d != "" {
		t.Errorf("weight files after rewriting as one file (-want +got):\n%s", d)
	}
}
