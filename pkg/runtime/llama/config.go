package llama

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrUnsupportedArchitecture is wrapped by the error Load and ParseConfig
// return for a config.json whose architecture this runtime cannot run.
var ErrUnsupportedArchitecture = errors.New("unsupported model architecture")

// ErrInvalidConfig is wrapped by every error that reports a config.json this
// runtime cannot use (missing or inconsistent sizes, unknown RoPE scaling).
var ErrInvalidConfig = errors.New("invalid model config")

// Architectures lists the Hugging Face architectures the forward pass runs.
var supportedArchitectures = []string{"LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"}

// SupportedArchitectures returns the architectures [Load] accepts.
func SupportedArchitectures() []string { return slices.Clone(supportedArchitectures) }

// RopeScaling is config.json's rope_scaling object. Type is "" when the
// model has none (or says "default").
type RopeScaling struct {
	Type   string  `json:"type"`
	Factor float64 `json:"factor"`
	// llama3 only.
	LowFreqFactor                 float64 `json:"low_freq_factor"`
	HighFreqFactor                float64 `json:"high_freq_factor"`
	OriginalMaxPositionEmbeddings int     `json:"original_max_position_embeddings"`
}

// Config is the part of a Hugging Face config.json the forward pass needs.
type Config struct {
	Architectures         []string
	ModelType             string
	HiddenSize            int
	IntermediateSize      int
	NumHiddenLayers       int
	NumAttentionHeads     int
	NumKeyValueHeads      int
	HeadDim               int
	RMSNormEps            float64
	RopeTheta             float64
	RopeScaling           *RopeScaling
	MaxPositionEmbeddings int
	VocabSize             int
	TieWordEmbeddings     bool
	// AttentionBias is true when q/k/v (and for Llama o) projections carry
	// biases; Qwen2 always has q/k/v biases. Load uses whatever bias tensors
	// the checkpoint holds, so this is informational.
	AttentionBias bool
	BOSTokenID    []int
	EOSTokenID    []int
	TorchDType    string
	// SlidingWindow is the attention window for Mistral (0 = full causal
	// attention). For Qwen2 it is set only when use_sliding_window is true.
	SlidingWindow int
}

type rawConfig struct {
	Architectures         []string        `json:"architectures"`
	ModelType             string          `json:"model_type"`
	HiddenSize            int             `json:"hidden_size"`
	IntermediateSize      int             `json:"intermediate_size"`
	NumHiddenLayers       int             `json:"num_hidden_layers"`
	NumAttentionHeads     int             `json:"num_attention_heads"`
	NumKeyValueHeads      *int            `json:"num_key_value_heads"`
	HeadDim               *int            `json:"head_dim"`
	RMSNormEps            *float64        `json:"rms_norm_eps"`
	RopeTheta             *float64        `json:"rope_theta"`
	RopeScaling           json.RawMessage `json:"rope_scaling"`
	MaxPositionEmbeddings int             `json:"max_position_embeddings"`
	VocabSize             int             `json:"vocab_size"`
	TieWordEmbeddings     *bool           `json:"tie_word_embeddings"`
	AttentionBias         bool            `json:"attention_bias"`
	BOSTokenID            json.RawMessage `json:"bos_token_id"`
	EOSTokenID            json.RawMessage `json:"eos_token_id"`
	TorchDType            string          `json:"torch_dtype"`
	SlidingWindow         json.RawMessage `json:"sliding_window"`
	UseSlidingWindow      *bool           `json:"use_sliding_window"`
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("llama: %w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
}

// ParseConfig parses and validates a config.json.
func ParseConfig(data []byte) (*Config, error) {
	var r rawConfig
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("llama: parsing config.json: %w: %w", ErrInvalidConfig, err)
	}
	if len(r.Architectures) == 0 {
		return nil, fmt.Errorf("llama: config.json has no \"architectures\" entry: %w (this runtime runs %v)", ErrUnsupportedArchitecture, supportedArchitectures)
	}
	arch := r.Architectures[0]
	if !slices.Contains(supportedArchitectures, arch) {
		return nil, fmt.Errorf("llama: %w %q (this runtime runs %v)", ErrUnsupportedArchitecture, arch, supportedArchitectures)
	}
	c := &Config{
		Architectures:         r.Architectures,
		ModelType:             r.ModelType,
		HiddenSize:            r.HiddenSize,
		IntermediateSize:      r.IntermediateSize,
		NumHiddenLayers:       r.NumHiddenLayers,
		NumAttentionHeads:     r.NumAttentionHeads,
		MaxPositionEmbeddings: r.MaxPositionEmbeddings,
		VocabSize:             r.VocabSize,
		AttentionBias:         r.AttentionBias || arch == "Qwen2ForCausalLM",
		TorchDType:            r.TorchDType,
		RMSNormEps:            1e-6,
		RopeTheta:             10000,
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"vocab_size", c.VocabSize}, {"max_position_embeddings", c.MaxPositionEmbeddings},
	} {
		if f.v <= 0 {
			return nil, invalid("%s must be a positive integer, got %d", f.name, f.v)
		}
	}
	c.NumKeyValueHeads = c.NumAttentionHeads
	if r.NumKeyValueHeads != nil {
		c.NumKeyValueHeads = *r.NumKeyValueHeads
	}
	if c.NumKeyValueHeads <= 0 || c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		return nil, invalid("num_key_value_heads (%d) must be positive and divide num_attention_heads (%d)", c.NumKeyValueHeads, c.NumAttentionHeads)
	}
	if r.HeadDim != nil && *r.HeadDim > 0 {
		c.HeadDim = *r.HeadDim
	} else {
		if c.HiddenSize%c.NumAttentionHeads != 0 {
			return nil, invalid("hidden_size (%d) is not a multiple of num_attention_heads (%d) and head_dim is not given", c.HiddenSize, c.NumAttentionHeads)
		}
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	if c.HeadDim%2 != 0 {
		return nil, invalid("head_dim must be even for rotary embeddings, got %d", c.HeadDim)
	}
	if r.RMSNormEps != nil {
		c.RMSNormEps = *r.RMSNormEps
	}
	if !(c.RMSNormEps > 0) {
		return nil, invalid("rms_norm_eps must be positive, got %g", c.RMSNormEps)
	}
	if r.RopeTheta != nil {
		c.RopeTheta = *r.RopeTheta
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		return nil, invalid("rope_theta must be positive, got %g", c.RopeTheta)
	}
	// Llama, Mistral and Qwen2 all default to untied heads in transformers.
	if r.TieWordEmbeddings != nil {
		c.TieWordEmbeddings = *r.TieWordEmbeddings
	}
	var err error
	if c.RopeScaling, err = parseRopeScaling(r.RopeScaling); err != nil {
		return nil, err
	}
	if c.BOSTokenID, err = parseIDs("bos_token_id", r.BOSTokenID); err != nil {
		return nil, err
	}
	if c.EOSTokenID, err = parseIDs("eos_token_id", r.EOSTokenID); err != nil {
		return nil, err
	}
	// transformers' MistralConfig defaults sliding_window to 4096 when the
	// key is absent; null disables it. Qwen2 applies its window only with
	// use_sliding_window (then to every layer here; transformers exempts the
	// first max_window_layers layers, which this runtime does not model).
	window := 0
	switch sw := bytes.TrimSpace(r.SlidingWindow); {
	case len(sw) == 0:
		if arch == "MistralForCausalLM" {
			window = 4096
		}
	case string(sw) == "null":
	default:
		if err := json.Unmarshal(sw, &window); err != nil || window < 0 {
			return nil, invalid("sliding_window must be null or a non-negative integer, got %s", sw)
		}
	}
	switch arch {
	case "MistralForCausalLM":
		c.SlidingWindow = window
	case "Qwen2ForCausalLM":
		if r.UseSlidingWindow != nil && *r.UseSlidingWindow {
			c.SlidingWindow = window
		}
	}
	return c, nil
}

func parseRopeScaling(raw json.RawMessage) (*RopeScaling, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var m struct {
		RopeScaling
		RopeType string `json:"rope_type"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, invalid("rope_scaling is not an object: %v", err)
	}
	s := m.RopeScaling
	if s.Type == "" {
		s.Type = m.RopeType
	}
	switch s.Type {
	case "", "default":
		return nil, nil
	case "linear":
		if !(s.Factor > 0) {
			return nil, invalid("rope_scaling type linear needs a positive factor, got %g", s.Factor)
		}
	case "llama3":
		if !(s.Factor > 0) || !(s.LowFreqFactor > 0) || !(s.HighFreqFactor > s.LowFreqFactor) || s.OriginalMaxPositionEmbeddings <= 0 {
			return nil, invalid("rope_scaling type llama3 needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0")
		}
	default:
		return nil, invalid("rope_scaling type %q is not supported (supported: linear, llama3)", s.Type)
	}
	return &s, nil
}

func parseIDs(field string, raw json.RawMessage) ([]int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one int
	if err := json.Unmarshal(raw, &one); err == nil {
		return []int{one}, nil
	}
	var many []int
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, invalid("%s must be an integer or a list of integers, got %s", field, raw)
	}
	return many, nil
}
