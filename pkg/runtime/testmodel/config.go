package testmodel

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// transformersVersion is the version stamped into the written configs.
const transformersVersion = "4.46.3"

// config returns config.json as transformers writes it for s.Arch.
func config(s Spec) map[string]any {
	c := map[string]any{
		"architectures":           []string{s.Arch},
		"attention_dropout":       pyFloat(0),
		"bos_token_id":            BOSID,
		"eos_token_id":            EOSID,
		"head_dim":                s.headDim(),
		"hidden_act":              "silu",
		"hidden_size":             s.Hidden,
		"initializer_range":       pyFloat(0.02),
		"intermediate_size":       s.Intermediate,
		"max_position_embeddings": s.MaxPositions,
		"num_attention_heads":     s.Heads,
		"num_hidden_layers":       s.Layers,
		"num_key_value_heads":     s.KVHeads,
		"rms_norm_eps":            pyFloat(s.eps()),
		"rope_theta":              pyFloat(s.RopeTheta),
		"tie_word_embeddings":     s.TiedEmbeddings,
		"torch_dtype":             s.DType,
		"transformers_version":    transformersVersion,
		"use_cache":               true,
		"vocab_size":              s.Vocab,
	}
	if s.Name != "" {
		c["_name_or_path"] = s.Name
	}
	if s.RopeScaling != nil || s.Arch == Llama {
		c["rope_scaling"] = pyValue(s.RopeScaling)
	}
	switch s.Arch {
	case Llama:
		c["model_type"] = "llama"
		c["attention_bias"] = false
		c["mlp_bias"] = false
		c["pretraining_tp"] = 1
	case Mistral:
		c["model_type"] = "mistral"
		c["sliding_window"] = nil
	case Qwen2:
		c["model_type"] = "qwen2"
		c["max_window_layers"] = s.Layers
		c["sliding_window"] = s.MaxPositions
		c["use_sliding_window"] = false
	}
	return c
}

// generationConfig returns generation_config.json (TinyLlama's fields).
func generationConfig(s Spec) map[string]any {
	return map[string]any{
		"bos_token_id":         BOSID,
		"eos_token_id":         EOSID,
		"max_length":           s.MaxPositions,
		"pad_token_id":         0,
		"transformers_version": transformersVersion,
	}
}

// pyFloat is a float encoded as Python's repr writes it (10000.0, 1e-05).
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e16 {
		return []byte(strconv.FormatFloat(v, 'f', 1, 64)), nil
	}
	exp := math.Floor(math.Log10(math.Abs(v)))
	if exp >= -4 && exp < 16 {
		return []byte(strconv.FormatFloat(v, 'f', -1, 64)), nil
	}
	s := strconv.FormatFloat(v, 'e', -1, 64) // 1e-05 already has two exponent digits
	if i := strings.IndexAny(s, "e"); i >= 0 && len(s)-i == 3 {
		s = s[:i+2] + "0" + s[i+2:]
	}
	return []byte(s), nil
}

// pyValue rewrites the floats of a decoded JSON-like value as pyFloat.
func pyValue(v any) any {
	switch x := v.(type) {
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(x)
	case map[string]any:
		if x == nil {
			return nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pyValue(e)
		}
		return out
	}
	return v
}

// marshal encodes v without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// marshalIndent encodes v as Python's json.dumps(v, indent=2,
// sort_keys=True, ensure_ascii=False) does, plus a final newline.
func marshalIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func itoa(i int) string { return strconv.Itoa(i) }
