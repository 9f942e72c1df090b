package serve

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

func ptr[T any](v T) *T { return &v }

func TestMergeParams(t *testing.T) {
	def := generate.Params{MaxTokens: 64, Temperature: 0.7, TopP: 0.9, EOS: []int{2}, RepetitionPenalty: 1.1,
		LogitBias: map[int]float32{5: -1}, Stop: []string{"###"}}
	for _, tc := range []struct {
		name   string
		sp     openai.Sampling
		choice int
		want   generate.Params
	}{
		{"defaults stay", openai.Sampling{}, 0, def},
		{"request overrides", openai.Sampling{MaxTokens: ptr(8), Temperature: ptr(0.0), TopP: ptr(1.0), TopK: ptr(3),
			Stop: []string{"\n"}, PresencePenalty: 1, FrequencyPenalty: -1, LogitBias: map[int]float64{7: 2}, Logprobs: true, TopLogprobs: 2}, 0,
			generate.Params{MaxTokens: 8, Temperature: 0, TopP: 1, TopK: 3, EOS: []int{2}, RepetitionPenalty: 1.1, Stop: []string{"\n"},
				PresencePenalty: 1, FrequencyPenalty: -1, LogitBias: map[int]float32{5: -1, 7: 2}, Logprobs: true, TopLogprobs: 2}},
		{"choice i gets seed+i", openai.Sampling{Seed: ptr(int64(40))}, 2, func() generate.Params {
			p := def
			p.Seed = ptr(uint64(42))
			return p
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, mergeParams(def, tc.sp, tc.choice)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	info := ModelInfo{ContextSize: 100, VocabSize: 50}
	prompt := make([]int, 30)
	for _, tc := range []struct {
		name       string
		maxTokens  int
		wantMaxLen int
	}{
		{"no cap: the whole context", 0, 100},
		{"cap inside the context", 10, 40},
		{"cap beyond the context is clamped", 500, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, e := plan(info, prompt, generate.Params{MaxTokens: tc.maxTokens}, openai.Sampling{})
			if e != nil || j.maxLen != tc.wantMaxLen {
				t.Errorf("maxLen %d (%v), want %d", j.maxLen, e, tc.wantMaxLen)
			}
		})
	}
	if _, e := plan(info, make([]int, 100), generate.Params{}, openai.Sampling{}); e == nil || e.NPromptTokens != 100 || e.NCtx != 100 {
		t.Errorf("a prompt filling the context: %v", e)
	}
	if _, e := plan(info, prompt, generate.Params{}, openai.Sampling{LogitBias: map[int]float64{50: 1}}); e == nil || e.Param != "logit_bias" {
		t.Errorf("logit_bias outside the vocabulary: %v", e)
	}
}
