package testmodel

import (
	"errors"
	"fmt"
)

// Architectures a Spec can describe.
const (
	Llama   = "LlamaForCausalLM"
	Mistral = "MistralForCausalLM"
	Qwen2   = "Qwen2ForCausalLM"
)

// TinyLlamaChatTemplate is the chat template of TinyLlama-1.1B-Chat-v1.0
// (the Zephyr format), byte for byte as in its tokenizer_config.json.
const TinyLlamaChatTemplate = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"

// Special token ids, as in Llama 2.
const (
	UnkID = 0
	BOSID = 1
	EOSID = 2
)

// ErrSpec is wrapped by the errors of an invalid Spec.
var ErrSpec = errors.New("invalid model spec")

// Spec describes a model to generate.
type Spec struct {
	Arch         string // Llama, Mistral or Qwen2
	Hidden       int
	Intermediate int
	Layers       int
	Heads        int
	KVHeads      int
	HeadDim      int // 0 means Hidden/Heads
	Vocab        int
	MaxPositions int
	// TiedEmbeddings omits lm_head.weight: the head reuses the embeddings.
	TiedEmbeddings bool
	DType          string // "float32", "bfloat16" or "float16" (torch_dtype)
	RopeTheta      float64
	RopeScaling    map[string]any // nil writes "rope_scaling": null
	// QKVBias adds q/k/v projection biases; Qwen2 requires it (its attention
	// always has them), the other architectures refuse it.
	QKVBias    bool
	RMSNormEps float64 // 0 means 1e-5
	Seed       int64
	// Shards > 1 writes model-0000N-of-0000M.safetensors files and
	// model.safetensors.index.json instead of model.safetensors.
	Shards       int
	ChatTemplate string // empty: no chat template
	Name         string // written as _name_or_path when set
}

// TinyChat is the committed default model (testdata/tiny-chat): a Llama with
// GQA, tied embeddings, float32 weights, a 512-token vocabulary and
// TinyLlama's chat template.
func TinyChat() Spec {
	return Spec{
		Arch: Llama, Hidden: 64, Intermediate: 172, Layers: 4, Heads: 8, KVHeads: 4, HeadDim: 8,
		Vocab: 512, MaxPositions: 2048, TiedEmbeddings: true, DType: "float32", RopeTheta: 10000,
		RMSNormEps: 1e-5, Seed: 20241124, Shards: 1, ChatTemplate: TinyLlamaChatTemplate, Name: "mlpack/tiny-chat",
	}
}

// TinyLlama11B has the full shape of TinyLlama-1.1B-Chat-v1.0 (1.1 B
// parameters, 2.2 GB in bfloat16), for benchmarks. Never commit it.
func TinyLlama11B() Spec {
	return Spec{
		Arch: Llama, Hidden: 2048, Intermediate: 5632, Layers: 22, Heads: 32, KVHeads: 4, HeadDim: 64,
		Vocab: 32000, MaxPositions: 2048, TiedEmbeddings: false, DType: "bfloat16", RopeTheta: 10000,
		RMSNormEps: 1e-5, Seed: 1, Shards: 1, ChatTemplate: TinyLlamaChatTemplate, Name: "mlpack/tinyllama-1.1b-shape",
	}
}

func (s Spec) headDim() int {
	if s.HeadDim > 0 {
		return s.HeadDim
	}
	if s.Heads > 0 {
		return s.Hidden / s.Heads
	}
	return 0
}

func (s Spec) eps() float64 {
	if s.RMSNormEps > 0 {
		return s.RMSNormEps
	}
	return 1e-5
}

func (s Spec) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrSpec, fmt.Sprintf(format, a...))
	}
	switch s.Arch {
	case Llama, Mistral:
		if s.QKVBias {
			return bad("QKVBias: %s has no q/k/v-only biases (use %s)", s.Arch, Qwen2)
		}
	case Qwen2:
		if !s.QKVBias {
			return bad("QKVBias: %s always has q/k/v biases; set QKVBias", Qwen2)
		}
	default:
		return bad("Arch %q: want %s, %s or %s", s.Arch, Llama, Mistral, Qwen2)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"Hidden", s.Hidden}, {"Intermediate", s.Intermediate}, {"Layers", s.Layers}, {"Heads", s.Heads},
		{"KVHeads", s.KVHeads}, {"MaxPositions", s.MaxPositions}} {
		if f.v <= 0 {
			return bad("%s = %d, want > 0", f.name, f.v)
		}
	}
	if s.Heads%s.KVHeads != 0 {
		return bad("Heads (%d) must be a multiple of KVHeads (%d)", s.Heads, s.KVHeads)
	}
	if hd := s.headDim(); hd <= 0 || hd%2 != 0 {
		return bad("head dim %d must be even and > 0 (RoPE rotates pairs)", hd)
	}
	if s.Arch == Qwen2 && s.headDim()*s.Heads != s.Hidden {
		return bad("%s derives head_dim from Hidden/Heads; HeadDim %d does not match", Qwen2, s.HeadDim)
	}
	if s.HeadDim == 0 && s.Hidden%s.Heads != 0 {
		return bad("Hidden (%d) is not a multiple of Heads (%d); set HeadDim", s.Hidden, s.Heads)
	}
	if _, ok := dtypeOf(s.DType); !ok {
		return bad("DType %q: want float32, bfloat16 or float16", s.DType)
	}
	if s.RopeTheta <= 0 {
		return bad("RopeTheta = %g, want > 0", s.RopeTheta)
	}
	if m := minVocab(); s.Vocab < m {
		return bad("Vocab = %d, want at least %d (3 special tokens, 256 byte tokens, the corpus alphabet and one merge)", s.Vocab, m)
	}
	if s.Shards < 0 {
		return bad("Shards = %d, want >= 0", s.Shards)
	}
	return nil
}
