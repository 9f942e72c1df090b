package task

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// TestInvalidByteRunsKeepText generates byte-fallback tokens that form
// invalid UTF-8, after prompts that end in a byte token ("\n", as every
// chat prompt does) and after a word: the completion is the generated ids'
// decoded text and the streamed text adds up to it.
func TestInvalidByteRunsKeepText(t *testing.T) {
	tok := llama2Tokenizer(t)
	c3, _ := tok.TokenToID("<0xC3>")
	nl, _ := tok.TokenToID("<0x0A>")
	tests := []struct {
		name, task, body string
		gen              []int  // without the final EOS
		want             string // generated text
		out              string // the output's text
	}{
		{"chat: invalid bytes, then words", signature.TaskChat,
			`{"messages":[{"role":"user","content":"Hi"}],"max_tokens":20}`,
			append([]int{c3, c3}, append(tok.Encode("sw ow", false), c3, c3)...), "�� sw ow��", "�� sw ow��"},
		{"chat: words between invalid bytes", signature.TaskChat,
			`{"messages":[{"role":"user","content":"Hi"}],"max_tokens":20}`,
			append(append([]int{c3}, tok.Encode("d", false)...), c3, nl, c3), "� d���", "� d���"},
		{"completions after a newline", signature.TaskCompletions,
			`{"prompt":"Hi\n","max_tokens":6}`, []int{c3, c3, c3}, "���", "���"},
		{"completions after a word", signature.TaskCompletions,
			`{"prompt":"Hi","max_tokens":6}`, []int{c3, c3, c3}, "���", "���"},
		{"text-generation after a newline", signature.TaskTextGeneration,
			`{"inputs":["Hi\n"]}`, append([]int{c3, c3}, tok.Encode("sw", false)...), "�� sw", "Hi\n�� sw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.task, func(func(string) []int) []int { return append(tt.gen, 2) }, nil)
			in, err := ParseInput([]byte(tt.body), ParseOptions{Params: f.eng.Signature().Params, AllowRaw: true})
			if err != nil {
				t.Fatal(err)
			}
			var streamed strings.Builder
			pred, err := f.eng.Predict(context.Background(), in, func(_ int, ev generate.Event) error {
				streamed.WriteString(ev.Text)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := tok.Decode(tt.gen, true); strings.TrimLeft(want, " ") != strings.TrimLeft(tt.want, " ") {
				t.Fatalf("test case: Decode(gen) = %q, want %q", want, tt.want)
			}
			res := pred.Results[0]
			if diff := cmp.Diff(tt.want, res.Text); diff != "" {
				t.Errorf("generated text (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(res.Text, streamed.String()); diff != "" {
				t.Errorf("streamed text vs result (-want +got):\n%s", diff)
			}
			var got string
			switch out := pred.Output.(type) {
			case []ChatCompletion:
				got = out[0].Choices[0].Message.Content
			case []Completion:
				got = out[0].Choices[0].Text
			case []string:
				got = out[0]
			}
			if diff := cmp.Diff(tt.out, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}
