package llama

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const baseConfig = `"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
	"num_attention_heads": 8, "max_position_embeddings": 256, "vocab_size": 100`

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Config
	}{
		{
			name: "llama defaults",
			json: `{"architectures": ["LlamaForCausalLM"], "model_type": "llama", ` + baseConfig + `, "eos_token_id": 2, "bos_token_id": 1}`,
			want: Config{Architectures: []string{"LlamaForCausalLM"}, ModelType: "llama", HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 8, HeadDim: 8, RMSNormEps: 1e-6, RopeTheta: 10000,
				MaxPositionEmbeddings: 256, VocabSize: 100, BOSTokenID: []int{1}, EOSTokenID: []int{2}},
		},
		{
			name: "llama3 style: eos list, explicit head_dim, gqa, scaling",
			json: `{"architectures": ["LlamaForCausalLM"], ` + baseConfig + `, "num_key_value_heads": 2, "head_dim": 16,
				"rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
				"eos_token_id": [128001, 128008], "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
				"high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}`,
			want: Config{Architectures: []string{"LlamaForCausalLM"}, HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 2, HeadDim: 16, RMSNormEps: 1e-5, RopeTheta: 500000,
				RopeScaling:           &RopeScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 8192},
				MaxPositionEmbeddings: 256, VocabSize: 100, TieWordEmbeddings: true, TorchDType: "bfloat16", EOSTokenID: []int{128001, 128008}},
		},
		{
			name: "mistral sliding window, linear scaling",
			json: `{"architectures": ["MistralForCausalLM"], ` + baseConfig + `, "sliding_window": 4096, "rope_scaling": {"type": "linear", "factor": 2}}`,
			want: Config{Architectures: []string{"MistralForCausalLM"}, HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 8, HeadDim: 8, RMSNormEps: 1e-6, RopeTheta: 10000,
				RopeScaling: &RopeScaling{Type: "linear", Factor: 2}, MaxPositionEmbeddings: 256, VocabSize: 100, SlidingWindow: 4096},
		},
		{
			name: "mistral without sliding_window key gets transformers' default 4096",
			json: `{"architectures": ["MistralForCausalLM"], ` + baseConfig + `}`,
			want: Config{Architectures: []string{"MistralForCausalLM"}, HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 8, HeadDim: 8, RMSNormEps: 1e-6, RopeTheta: 10000,
				MaxPositionEmbeddings: 256, VocabSize: 100, SlidingWindow: 4096},
		},
		{
			name: "mistral sliding_window null",
			json: `{"architectures": ["MistralForCausalLM"], ` + baseConfig + `, "sliding_window": null}`,
			want: Config{Architectures: []string{"MistralForCausalLM"}, HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 8, HeadDim: 8, RMSNormEps: 1e-6, RopeTheta: 10000,
				MaxPositionEmbeddings: 256, VocabSize: 100},
		},
		{
			name: "qwen2 ignores sliding_window unless use_sliding_window",
			json: `{"architectures": ["Qwen2ForCausalLM"], ` + baseConfig + `, "sliding_window": 32, "use_sliding_window": false, "rope_scaling": null}`,
			want: Config{Architectures: []string{"Qwen2ForCausalLM"}, HiddenSize: 64, IntermediateSize: 128,
				NumHiddenLayers: 2, NumAttentionHeads: 8, NumKeyValueHeads: 8, HeadDim: 8, RMSNormEps: 1e-6, RopeTheta: 10000,
				MaxPositionEmbeddings: 256, VocabSize: 100, AttentionBias: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, json string
		is         error
		mention    string
	}{
		{"unsupported arch", `{"architectures": ["GPT2LMHeadModel"], ` + baseConfig + `}`, ErrUnsupportedArchitecture, "GPT2LMHeadModel"},
		{"no arch", `{` + baseConfig + `}`, ErrUnsupportedArchitecture, "architectures"},
		{"unknown rope scaling", `{"architectures": ["LlamaForCausalLM"], ` + baseConfig + `, "rope_scaling": {"type": "yarn", "factor": 4}}`, ErrInvalidConfig, `"yarn"`},
		{"bad kv heads", `{"architectures": ["LlamaForCausalLM"], ` + baseConfig + `, "num_key_value_heads": 3}`, ErrInvalidConfig, "num_key_value_heads"},
		{"missing hidden", `{"architectures": ["LlamaForCausalLM"], "vocab_size": 3}`, ErrInvalidConfig, "hidden_size"},
		{"eos string", `{"architectures": ["LlamaForCausalLM"], ` + baseConfig + `, "eos_token_id": "x"}`, ErrInvalidConfig, "eos_token_id"},
		{"not json", `{`, ErrInvalidConfig, "config.json"},
		{"bad sliding window", `{"architectures": ["MistralForCausalLM"], ` + baseConfig + `, "sliding_window": "big"}`, ErrInvalidConfig, "sliding_window"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %v, want one wrapping %v and mentioning %s", err, tc.is, tc.mention)
			}
		})
	}
}

func TestInvFreqScaling(t *testing.T) {
	base := &Config{HeadDim: 128, RopeTheta: 500000}
	plain := invFreq(base)
	lin := invFreq(&Config{HeadDim: 128, RopeTheta: 500000, RopeScaling: &RopeScaling{Type: "linear", Factor: 4}})
	l3 := invFreq(&Config{HeadDim: 128, RopeTheta: 500000, RopeScaling: &RopeScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositionEmbeddings: 8192}})
	for i := range plain {
		if want := 1 / math.Pow(500000, float64(2*i)/128); math.Abs(plain[i]-want) > 1e-15 {
			t.Fatalf("inv_freq[%d] = %g, want %g", i, plain[i], want)
		}
		if math.Abs(lin[i]-plain[i]/4) > 1e-18 {
			t.Fatalf("linear inv_freq[%d] = %g, want %g", i, lin[i], plain[i]/4)
		}
		// llama3: high frequencies (short wavelengths) untouched, low ones
		// divided by the factor, a smooth blend in between.
		wavelen := 2 * math.Pi / plain[i]
		switch {
		case wavelen < 8192/4.0:
			if l3[i] != plain[i] {
				t.Errorf("llama3 inv_freq[%d] changed in the high-frequency band", i)
			}
		case wavelen > 8192:
			if math.Abs(l3[i]-plain[i]/8) > 1e-18 {
				t.Errorf("llama3 inv_freq[%d] = %g, want %g", i, l3[i], plain[i]/8)
			}
		default:
			if !(l3[i] < plain[i] && l3[i] > plain[i]/8) {
				t.Errorf("llama3 inv_freq[%d] = %g not between %g and %g", i, l3[i], plain[i]/8, plain[i])
			}
		}
	}
}

// FuzzParseConfig checks that no config.json makes ParseConfig panic and
// that an accepted one is internally consistent.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"architectures": ["LlamaForCausalLM"], ` + baseConfig + `, "num_key_value_heads": 2}`))
	f.Add([]byte(`{"architectures": ["Qwen2ForCausalLM"], ` + baseConfig + `, "rope_scaling": {"type": "linear", "factor": 2}, "eos_token_id": [1, 2]}`))
	f.Add([]byte(`{"architectures": ["MistralForCausalLM"], ` + baseConfig + `, "sliding_window": 3, "head_dim": 4}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if c.HiddenSize <= 0 || c.HeadDim <= 0 || c.HeadDim%2 != 0 || c.NumKeyValueHeads <= 0 ||
			c.NumAttentionHeads%c.NumKeyValueHeads != 0 || !(c.RMSNormEps > 0) || !(c.RopeTheta > 0) {
			t.Fatalf("accepted an inconsistent config: %+v", c)
		}
	})
}
