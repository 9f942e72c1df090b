package task

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
)

func TestHFParams(t *testing.T) {
	seed := uint64(7)
	for _, tc := range []struct {
		name      string
		layers    []map[string]any
		promptLen int
		want      generate.Params
		errHas    string
	}{
		{
			name:   "HF default max_length 20 counts the prompt",
			layers: []map[string]any{{"eos_token_id": n("2")}}, promptLen: 5,
			want: generate.Params{MaxTokens: 15, EOS: []int{9, 2}},
		},
		{
			name:   "max_length from generation_config",
			layers: []map[string]any{{"max_length": n("2048"), "eos_token_id": []any{n("2"), n("9")}}}, promptLen: 48,
			want: generate.Params{MaxTokens: 2000, EOS: []int{9, 2}},
		},
		{
			name:   "request max_tokens beats model config beats generation_config",
			layers: []map[string]any{{"max_new_tokens": n("100")}, {"max_new_tokens": int64(50)}, requestColumns(map[string]any{"messages": nil, "max_tokens": n("8")}, "messages")},
			want:   generate.Params{MaxTokens: 8, EOS: []int{9}},
		},
		{
			name:   "max_tokens 0 is dropped as MLflow does",
			layers: []map[string]any{{"max_new_tokens": int64(50)}, requestColumns(map[string]any{"max_tokens": n("0")}, "messages")},
			want:   generate.Params{MaxTokens: 50, EOS: []int{9}},
		},
		{
			name:   "temperature without do_sample stays greedy",
			layers: []map[string]any{{"max_new_tokens": int64(4), "temperature": 0.7, "top_p": 0.9}},
			want:   generate.Params{MaxTokens: 4, EOS: []int{9}},
		},
		{
			name:   "do_sample uses HF defaults for what is not given",
			layers: []map[string]any{{"do_sample": true, "max_new_tokens": int64(4)}, {"temperature": n("0.5"), "seed": n("7")}},
			want:   generate.Params{MaxTokens: 4, Temperature: 0.5, TopK: 50, TopP: 1, Seed: &seed, EOS: []int{9}},
		},
		{
			name:   "stop, penalties",
			layers: []map[string]any{{"max_new_tokens": int64(4), "stop": []any{"\n\n", ""}, "presence_penalty": 0.5, "frequency_penalty": n("0.25"), "repetition_penalty": 1.1}},
			want:   generate.Params{MaxTokens: 4, Stop: []string{"\n\n"}, PresencePenalty: 0.5, FrequencyPenalty: 0.25, RepetitionPenalty: 1.1, EOS: []int{9}},
		},
		{name: "bad type", layers: []map[string]any{{"max_new_tokens": "many"}}, errHas: "max_new_tokens must be a number, got a string"},
		{name: "fraction", layers: []map[string]any{{"max_new_tokens": 1.5}}, errHas: "max_new_tokens must be an integer"},
		{name: "zero max_new_tokens", layers: []map[string]any{{"max_new_tokens": 0}}, errHas: "max_new_tokens must be a positive integer"},
		{name: "do_sample not bool", layers: []map[string]any{{"do_sample": "yes"}}, errHas: "do_sample must be true or false"},
		{name: "top_p out of range", layers: []map[string]any{{"do_sample": true, "top_p": 3}}, errHas: "top_p must be between 0 and 1"},
		{name: "stop of numbers", layers: []map[string]any{{"stop": []any{n("1")}}}, errHas: "stop must be a list of strings"},
		{name: "bad eos", layers: []map[string]any{{"eos_token_id": "x"}}, errHas: "eos_token_id must be an integer or a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hfParams(merge(tc.layers...), tc.promptLen, []int{9}, slog.New(slog.DiscardHandler))
			if tc.errHas != "" {
				if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want ErrInvalidRequest containing %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestFormatPromptAndStrip(t *testing.T) {
	for _, tc := range []struct{ tmpl, prompt, want string }{
		{"Q: {prompt}\nA:", "why?", "Q: why?\nA:"},
		{"{{literal}} {prompt} }}", "x", "{literal} x }"},
		{"no field", "x", "no field"},
	} {
		if got := formatPrompt(tc.tmpl, tc.prompt); got != tc.want {
			t.Errorf("formatPrompt(%q, %q) = %q, want %q", tc.tmpl, tc.prompt, got, tc.want)
		}
	}
	if got := lstrip("\x1c\u00a0 \n hi \n"); got != "hi \n" {
		t.Errorf("lstrip = %q", got)
	}
	if got := strip("\t hi there \u2003"); got != "hi there" {
		t.Errorf("strip = %q", got)
	}
}

func TestNewID(t *testing.T) {
	id := NewID()
	if len(id) != 36 || id[14] != '4' || !strings.Contains("89ab", string(id[19])) || strings.Count(id, "-") != 4 {
		t.Errorf("NewID() = %q, not a dashed uuid4", id)
	}
	if NewID() == id {
		t.Error("two ids are equal")
	}
}
