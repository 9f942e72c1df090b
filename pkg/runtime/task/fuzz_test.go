package task

import (
	"errors"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// FuzzParseInput feeds arbitrary bodies through input decoding and row
// extraction for every task: errors are fine, panics are not, and every
// error must be an invalid request.
func FuzzParseInput(f *testing.F) {
	for _, s := range []string{
		`{"messages":[{"role":"user","content":"Hello"}],"max_tokens":8}`,
		`{"prompt":"x","stop":["a"]}`,
		`{"dataframe_split":{"columns":["prompt"],"data":[["a"],["b"]]}}`,
		`{"dataframe_split":{"data":[1,[2,3]],"index":[0]}}`,
		`{"dataframe_records":[{"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}]}`,
		`{"instances":["a",{"0":"b"}]}`, `{"inputs":{"prompt":["a","b"]}}`, `"x"`, `[]`, `null`, `{"params":{}}`,
	} {
		f.Add([]byte(s))
	}
	chat, _ := signature.ForTask(signature.TaskChat)
	comp, _ := signature.ForTask(signature.TaskCompletions)
	tg, _ := signature.ForTask(signature.TaskTextGeneration)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInput(body, ParseOptions{AllowRaw: true, Params: signature.TextGenerationParams()})
		if err != nil {
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("ParseInput error %v is not an invalid request", err)
			}
			return
		}
		for _, s := range []*signature.Signature{chat, comp} {
			rows, err := records(in, s.Inputs)
			if err != nil && !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("records: %v", err)
			}
			for i, r := range rows {
				if v, ok := r["messages"]; ok {
					if _, err := messages(v, i); err != nil && !errors.Is(err, ErrInvalidRequest) {
						t.Fatalf("messages: %v", err)
					}
				}
				_ = requestColumns(r, "messages")
			}
		}
		if _, err := texts(in, tg.Inputs); err != nil && !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("texts: %v", err)
		}
	})
}
