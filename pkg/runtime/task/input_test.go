package task

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

func n(s string) json.Number { return json.Number(s) }

func mustSig(t *testing.T, task string) *signature.Signature {
	t.Helper()
	s, err := signature.ForTask(task)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var hello = []any{map[string]any{"role": "user", "content": "Hello"}}

func TestParseInputShapes(t *testing.T) {
	ps := signature.TextGenerationParams()
	for _, tc := range []struct {
		name   string
		body   string
		opts   ParseOptions
		want   *Input
		errHas string
	}{
		{
			name: "unified chat with options",
			body: `{"messages":[{"role":"user","content":"Hello"}],"max_tokens":8,"model":"x"}`,
			want: &Input{Format: FormatLLM, Data: map[string]any{"messages": hello, "max_tokens": n("8"), "model": "x"}},
		},
		{
			name: "unified completions with params schema keys moved to params",
			body: `{"prompt":"Hi","max_new_tokens":5}`, opts: ParseOptions{Params: ps},
			want: &Input{Format: FormatLLM, Data: map[string]any{"prompt": "Hi"}, Params: map[string]any{"max_new_tokens": n("5")}},
		},
		{
			name: "dataframe_split with columns",
			body: `{"dataframe_split":{"columns":["prompt","max_tokens"],"data":[["a",3],["b",null]]}}`,
			want: &Input{Format: FormatDataframeSplit, Data: []any{
				map[string]any{"prompt": "a", "max_tokens": n("3")},
				map[string]any{"prompt": "b", "max_tokens": nil},
			}},
		},
		{
			name: "dataframe_split without columns numbers them",
			body: `{"dataframe_split":{"data":[["a"],["b"]]},"params":{"max_new_tokens":4}}`,
			want: &Input{Format: FormatDataframeSplit, Data: []any{map[string]any{"0": "a"}, map[string]any{"0": "b"}},
				Params: map[string]any{"max_new_tokens": n("4")}},
		},
		{
			name: "dataframe_records",
			body: `{"dataframe_records":[{"messages":[{"role":"user","content":"Hello"}]}]}`,
			want: &Input{Format: FormatDataframeRecords, Data: []any{map[string]any{"messages": hello}}},
		},
		{
			name: "instances",
			body: `{"instances":["a","b"]}`,
			want: &Input{Format: FormatInstances, Data: []any{"a", "b"}},
		},
		{
			name: "inputs",
			body: `{"inputs":"a"}`,
			want: &Input{Format: FormatInputs, Data: "a"},
		},
		{
			name: "raw list when allowed",
			body: `["a"]`, opts: ParseOptions{AllowRaw: true},
			want: &Input{Format: FormatRaw, Data: []any{"a"}},
		},
		{name: "raw list refused by default", body: `["a"]`, errHas: "got a list"},
		{name: "two envelopes", body: `{"inputs":"a","instances":["b"]}`, errHas: "exactly one of the fields dataframe_split, dataframe_records, instances, inputs; got instances, inputs"},
		{name: "no known key", body: `{"text":"a"}`, errHas: `got an object with keys "text"`},
		{name: "invalid JSON", body: `{"inputs":`, errHas: "not valid JSON"},
		{name: "trailing data", body: `{"inputs":"a"} {}`, errHas: "more than one JSON value"},
		{name: "stray field", body: `{"inputs":"a","extra":1}`, errHas: `unexpected top-level field "extra"`},
		{name: "params not an object", body: `{"inputs":"a","params":[1]}`, errHas: "params must be a JSON object"},
		{name: "split row width", body: `{"dataframe_split":{"columns":["a","b"],"data":[["x"]]}}`, errHas: "has 1 values but there are 2 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseInput([]byte(tc.body), tc.opts)
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

func TestWrap(t *testing.T) {
	out := []string{"x"}
	if d := cmp.Diff(any(out), Wrap(&Input{Format: FormatLLM}, out)); d != "" {
		t.Errorf("unified: %s", d)
	}
	if d := cmp.Diff(any(map[string]any{"predictions": out}), Wrap(&Input{Format: FormatInputs}, out)); d != "" {
		t.Errorf("classic: %s", d)
	}
}

func TestRecordsAndTexts(t *testing.T) {
	chat := mustSig(t, signature.TaskChat)
	tg := mustSig(t, signature.TaskTextGeneration)
	parse := func(body string) *Input {
		in, err := ParseInput([]byte(body), ParseOptions{AllowRaw: true})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	t.Run("records", func(t *testing.T) {
		for _, tc := range []struct {
			body   string
			rows   int
			errHas string
		}{
			{`{"messages":[{"role":"user","content":"Hello"}]}`, 1, ""},
			{`{"inputs":{"messages":[{"role":"user","content":"Hello"}]}}`, 1, ""},
			{`{"instances":[{"messages":[{"role":"user","content":"a"}]},{"messages":[{"role":"user","content":"b"}]}]}`, 2, ""},
			{`{"dataframe_split":{"columns":["messages"],"data":[[[{"role":"user","content":"a"}]]]}}`, 1, ""},
			{`{"messages":[{"content":"Hello"}]}`, 0, "messages[0].role: required field is missing"},
			{`{"messages":"Hello"}`, 0, "messages: expected array"},
			{`{"messages":[{"role":"user","content":"a"}],"max_tokens":1.5}`, 0, "max_tokens: expected integer"},
			{`{"messages":[{"role":"user","content":"a"}],"stop":"x"}`, 0, "stop: expected array"},
			{`{"dataframe_records":[{"messages":[{"role":"user","content":"a"}]},{"max_tokens":3}]}`, 0, "row 1: signature: invalid input: messages: required field is missing"},
			{`{"inputs":"Hello"}`, 0, "must be an object with the model's input fields"},
			{`{"instances":[]}`, 0, "holds no rows"},
		} {
			rows, err := records(parse(tc.body), chat.Inputs)
			if tc.errHas != "" {
				if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.errHas) {
					t.Errorf("%s: err = %v, want %q", tc.body, err, tc.errHas)
				}
				continue
			}
			if err != nil || len(rows) != tc.rows {
				t.Errorf("%s: %d rows, err %v; want %d", tc.body, len(rows), err, tc.rows)
			}
		}
	})
	t.Run("texts", func(t *testing.T) {
		for _, tc := range []struct {
			body   string
			want   []string
			errHas string
		}{
			{`"Hi"`, []string{"Hi"}, ""},
			{`{"inputs":["a","b"]}`, []string{"a", "b"}, ""},
			{`{"prompt":"a"}`, []string{"a"}, ""},
			{`{"dataframe_split":{"data":[["a"],["b"]]}}`, []string{"a", "b"}, ""},
			{`{"dataframe_split":{"columns":["text"],"data":[["a"]]}}`, []string{"a"}, ""},
			{`{"dataframe_records":[{"0":"a"},{"0":"b"}]}`, []string{"a", "b"}, ""},
			{`{"instances":[{"text":"a"}]}`, []string{"a"}, ""},
			{`{"inputs":{"a":"x","b":"y"}}`, nil, "exactly one field"},
			{`{"inputs":[1]}`, nil, "expected a string, got a number"},
			{`{"inputs":[["a"]]}`, nil, "expected a string, got a list"},
		} {
			got, err := texts(parse(tc.body), tg.Inputs)
			if tc.errHas != "" {
				if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.errHas) {
					t.Errorf("%s: err = %v, want %q", tc.body, err, tc.errHas)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", tc.body, err)
				continue
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.body, d)
			}
		}
	})
}
