package signature_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// The files in testdata hold MLflow's own strings, copied from the MLmodel
// files MLflow 2.x writes (docs/mlflow-format.md §2.2 and §3.3). They are
// reference data, never regenerated from this package.
func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestForTaskMatchesMLflow(t *testing.T) {
	for _, tc := range []struct{ task, file string }{
		{"text-generation", "text_generation"},
		{"llm/v1/chat", "chat"},
		{"llm/v1/completions", "completions"},
	} {
		t.Run(tc.task, func(t *testing.T) {
			sig, err := signature.ForTask(tc.task)
			if err != nil {
				t.Fatal(err)
			}
			in, out, params := sig.Strings()
			if diff := cmp.Diff(golden(t, tc.file+"_inputs.json"), in); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(golden(t, tc.file+"_outputs.json"), out); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if params != nil {
				t.Errorf("params = %q, want nil (null)", *params)
			}
		})
	}
}

func TestForTaskUnknown(t *testing.T) {
	_, err := signature.ForTask("summarization")
	if !errors.Is(err, signature.ErrUnknownTask) {
		t.Fatalf("err = %v, want ErrUnknownTask", err)
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, name := range []string{
		"chat_inputs.json", "chat_outputs.json", "completions_inputs.json",
		"completions_outputs.json", "text_generation_inputs.json",
	} {
		t.Run(name, func(t *testing.T) {
			want := golden(t, name)
			s, err := signature.ParseSchema(want)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, s.JSON()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeSpecialTypes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		schema *signature.Schema
		want   string
	}{
		{
			"map of any and unnamed optional",
			&signature.Schema{Columns: []signature.ColSpec{
				{Type: &signature.Map{Values: signature.AnyType{}}, Name: "custom_inputs"},
				{Type: signature.AnyType{}, Name: "x", Required: true},
			}},
			`[{"type": "map", "values": {"type": "any"}, "name": "custom_inputs", "required": false}, {"type": "any", "name": "x", "required": true}]`,
		},
		{
			"object properties sorted and nested object property",
			&signature.Schema{Columns: []signature.ColSpec{{Name: "o", Required: true, Type: signature.NewObject(
				signature.Property{Name: "z", Type: signature.Long, Required: true},
				signature.Property{Name: "a", Type: signature.NewObject(signature.Property{Name: "b", Type: &signature.Array{Items: signature.Double}})},
			)}}},
			`[{"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "array", "items": {"type": "double"}, "required": false}}, "required": false}, "z": {"type": "long", "required": true}}, "name": "o", "required": true}]`,
		},
		{
			"tensors named and unnamed",
			&signature.Schema{Tensors: []signature.TensorSpec{
				{DType: "float32", Shape: []int64{-1, 3}},
				{DType: "int64", Shape: []int64{-1}, Name: "ids"},
			}},
			`[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}, {"name": "ids", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]`,
		},
		{
			"non-ASCII names escaped like json.dumps",
			&signature.Schema{Columns: []signature.ColSpec{{Type: signature.String, Name: "é\"<😀", Required: true}}},
			`[{"type": "string", "name": "\u00e9\"<\ud83d\ude00", "required": true}]`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.schema.JSON()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			back, err := signature.ParseSchema(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, back.JSON()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamSchema(t *testing.T) {
	p := signature.TextGenerationParams()
	want := `[{"name": "max_new_tokens", "default": 50, "shape": null, "type": "long"}, {"name": "temperature", "default": 1.0, "shape": null, "type": "double"}, {"name": "top_p", "default": 1.0, "shape": null, "type": "double"}, {"name": "top_k", "default": 50, "shape": null, "type": "long"}, {"name": "do_sample", "default": false, "shape": null, "type": "boolean"}, {"name": "repetition_penalty", "default": 1.0, "shape": null, "type": "double"}]`
	if diff := cmp.Diff(want, p.JSON()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The older key order and "dtype" key parse to the same thing.
	old := `[{"name": "max_new_tokens", "dtype": "long", "default": 50, "shape": null}, {"name": "stop", "type": "string", "default": ["a"], "shape": [-1]}, {"name": "t", "type": "double", "default": 1e-05, "shape": null}]`
	q, err := signature.ParseParamSchema(old)
	if err != nil {
		t.Fatal(err)
	}
	wantQ := `[{"name": "max_new_tokens", "default": 50, "shape": null, "type": "long"}, {"name": "stop", "default": ["a"], "shape": [-1], "type": "string"}, {"name": "t", "default": 1e-05, "shape": null, "type": "double"}]`
	if diff := cmp.Diff(wantQ, q.JSON()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParamApply(t *testing.T) {
	p := signature.TextGenerationParams()
	merged, ignored, err := p.Apply(map[string]any{"max_new_tokens": float64(8), "foo": 1, "top_k": nil})
	if err != nil {
		t.Fatal(err)
	}
	if merged["max_new_tokens"] != float64(8) || merged["temperature"] != 1.0 || merged["top_k"] != int64(50) {
		t.Errorf("merged = %v", merged)
	}
	if diff := cmp.Diff([]string{"foo"}, ignored); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}
	_, _, err = p.Apply(map[string]any{"max_new_tokens": 1.5})
	var ve *signature.ValidationError
	if !errors.As(err, &ve) || ve.Field != "params.max_new_tokens" || !errors.Is(err, signature.ErrInvalidInput) {
		t.Fatalf("err = %v, want a ValidationError on params.max_new_tokens", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		wantIn    string
		wantErr   string
	}{
		{"inline lists", `{"inputs": [{"type": "string", "required": true}], "outputs": [{"type": "string"}], "params": [{"name": "max_new_tokens", "type": "long", "default": 5, "shape": null}]}`, `[{"type": "string", "required": true}]`, ""},
		{"MLmodel strings and null params", `{"inputs": "[{\"type\": \"string\", \"name\": \"prompt\"}]", "outputs": null, "params": null}`, `[{"type": "string", "name": "prompt", "required": true}]`, ""},
		{"missing inputs", `{"outputs": []}`, "", `"inputs" is required`},
		{"unknown key", `{"inputs": [], "input": []}`, "", `unknown key "input"`},
		{"bad type", `{"inputs": [{"type": "str"}]}`, "", `unknown type "str"`},
		{"not JSON", `inputs: x`, "", "want a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := signature.Parse([]byte(tc.doc))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, signature.ErrInvalidSignature) {
					t.Fatalf("err = %v, want ErrInvalidSignature containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantIn, sig.Inputs.JSON()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate(t *testing.T) {
	chat, _ := signature.ForTask("llm/v1/chat")
	comp, _ := signature.ForTask("llm/v1/completions")
	text, _ := signature.ForTask("text-generation")
	for _, tc := range []struct {
		name    string
		schema  *signature.Schema
		input   string
		wantErr string // "" = valid
	}{
		{"chat minimal", chat.Inputs, `{"messages": [{"role": "user", "content": "hi"}]}`, ""},
		{"chat all options and extra top-level key ignored", chat.Inputs, `{"messages": [{"role": "user", "content": "hi", "name": "bob"}], "temperature": 0.2, "max_tokens": 64, "stop": ["x"], "n": 1, "stream": false, "model": "m"}`, ""},
		{"chat temperature may be integral", chat.Inputs, `{"messages": [{"role": "user", "content": "hi"}], "temperature": 1}`, ""},
		{"chat records form", chat.Inputs, `[{"messages": [{"role": "user", "content": "hi"}]}]`, ""},
		{"chat missing messages", chat.Inputs, `{"prompt": "hi"}`, "messages: required field is missing"},
		{"chat messages not a list", chat.Inputs, `{"messages": "hi"}`, "messages: expected array of object, got string"},
		{"chat message without role", chat.Inputs, `{"messages": [{"content": "hi"}]}`, "messages[0].role: required field is missing"},
		{"chat null content", chat.Inputs, `{"messages": [{"role": "user", "content": null}]}`, "messages[0].content: expected string, got null"},
		{"chat unknown message key", chat.Inputs, `{"messages": [{"role": "user", "content": "x", "tool_calls": []}]}`, "messages[0].tool_calls: unknown field (allowed: content, name, role)"},
		{"chat stop as string", chat.Inputs, `{"messages": [{"role": "user", "content": "x"}], "stop": "x"}`, "stop: expected array of string, got string"},
		{"chat max_tokens fractional", chat.Inputs, `{"messages": [{"role": "user", "content": "x"}], "max_tokens": 1.5}`, "max_tokens: expected integer (long), got a number with a fractional part"},
		{"chat temperature string", chat.Inputs, `{"messages": [{"role": "user", "content": "x"}], "temperature": "abc"}`, "temperature: expected number (double), got string"},
		{"chat input not an object", chat.Inputs, `"hello"`, "expected an object with fields messages, got string"},
		{"chat records row not object", chat.Inputs, `[1]`, "[0]: expected an object, got number"},
		{"completions ok", comp.Inputs, `{"prompt": "Once", "max_tokens": 3}`, ""},
		{"completions prompt wrong type", comp.Inputs, `{"prompt": ["a"]}`, "prompt: expected string, got array"},
		{"text string", text.Inputs, `"hello"`, ""},
		{"text list", text.Inputs, `["a", "b"]`, ""},
		{"text dict with one key", text.Inputs, `{"prompt": "a"}`, ""},
		{"text number", text.Inputs, `3`, "expected string, got number"},
		{"text list item", text.Inputs, `["a", 3]`, "[1]: expected string, got number"},
		{"text empty list", text.Inputs, `[]`, "expected at least one string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.schema.Validate(decode(t, tc.input))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			want := "signature: invalid input: " + tc.wantErr
			if diff := cmp.Diff(want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			var ve *signature.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, signature.ErrInvalidInput) {
				t.Errorf("err %T does not unwrap to ValidationError/ErrInvalidInput", err)
			}
			if len(err.Error()) > 160 {
				t.Errorf("message too long (%d chars): %s", len(err.Error()), err)
			}
		})
	}
}
