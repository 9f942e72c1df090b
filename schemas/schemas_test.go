package schemas_test

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/invopop/jsonschema"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
	"github.com/mlpack-go/mlpack/schemas"
)

var update = flag.Bool("update", false, "rewrite the schema files from the Go types")

// gen says how one schema file is generated from a Go type.
type gen struct {
	file string
	typ  any // pointer to the root type
	// nullablePointers makes every pointer field without omitempty accept
	// null, as encoding/json writes a nil pointer (the wire types of
	// pkg/serve/openai and pkg/runtime/task carry no jsonschema tags).
	nullablePointers bool
	// fields replaces the schema of single fields: per struct type, a
	// struct field with the same JSON name whose type and jsonschema tag
	// describe the wire form (see field).
	fields map[reflect.Type][]reflect.StructField
	// extra types whose definitions the root's custom schemas refer to.
	extra []any
	// post edits the generated schema (nil for none).
	post func(t *testing.T, s *jsonschema.Schema)
}

var (
	finishReasons    = "enum=stop,enum=length"
	openaiErrorType  = reflect.TypeOf(openai.ErrorBody{}).Field(0).Type
	openaiChatChunk  = reflect.TypeOf(openai.ChatChunk{})
	openaiCompletion = reflect.TypeOf(openai.Completion{})
)

// generated lists every schema file and the Go type it is generated from.
// Keep schemas/README.md in step.
var generated = []gen{
	{file: "mlmodel.json", typ: &flavor.MLmodel{}, post: mlmodelPost},

	// What MLflow's llm/v1/chat and llm/v1/completions predict return per
	// row (mlpack predict, and /invocations).
	{file: "mlflow-chat-completion.json", typ: &task.ChatCompletion{}, fields: map[reflect.Type][]reflect.StructField{
		reflect.TypeOf(task.ChatCompletion{}): {field(task.ChatCompletion{}, "object", "", "enum="+task.ObjectChatCompletion)},
		reflect.TypeOf(task.ChatChoice{}):     {field(task.ChatChoice{}, "finish_reason", "", finishReasons)},
		reflect.TypeOf(task.Message{}):        {field(task.Message{}, "role", "", "enum=assistant")},
	}},
	{file: "mlflow-text-completion.json", typ: &task.Completion{}, fields: map[reflect.Type][]reflect.StructField{
		reflect.TypeOf(task.Completion{}):       {field(task.Completion{}, "object", "", "enum="+task.ObjectTextCompletion)},
		reflect.TypeOf(task.CompletionChoice{}): {field(task.CompletionChoice{}, "finish_reason", "", finishReasons)},
	}},

	// The OpenAI-compatible API of mlpack serve. Requests are described by
	// the wire types in openai_request_test.go (pkg/serve/openai decodes
	// them into unexported structs); TestRequestSchemasMatchDecoder keeps
	// the two in step.
	{file: "openai-chat-completion-request.json", typ: &ChatCompletionRequest{},
		extra: []any{&InputMessage{}, &AssistantInputMessage{}, &TextPart{}, &RefusalPart{}}},
	{file: "openai-completion-request.json", typ: &CompletionRequest{}},
	{file: "openai-chat-completion.json", typ: &openai.ChatCompletion{}, nullablePointers: true, fields: map[reflect.Type][]reflect.StructField{
		reflect.TypeOf(openai.ChatCompletion{}):   {field(openai.ChatCompletion{}, "object", "", "enum=chat.completion")},
		reflect.TypeOf(openai.ChatChoice{}):       {field(openai.ChatChoice{}, "finish_reason", "", finishReasons)},
		reflect.TypeOf(openai.AssistantMessage{}): {field(openai.AssistantMessage{}, "role", "", "enum=assistant")},
		reflect.TypeOf(openai.ChatLogprobs{}):     {field(openai.ChatLogprobs{}, "refusal", "", "nullable")},
	}},
	{file: "openai-chat-completion-chunk.json", typ: &openai.ChatChunk{}, nullablePointers: true, fields: map[reflect.Type][]reflect.StructField{
		openaiChatChunk:                       {field(openai.ChatChunk{}, "object", "", "enum=chat.completion.chunk"), usageField},
		reflect.TypeOf(openai.ChunkChoice{}):  {field(openai.ChunkChoice{}, "finish_reason", "", "nullable,"+finishReasons)},
		reflect.TypeOf(openai.Delta{}):        {field(openai.Delta{}, "role", "", "enum=assistant")},
		reflect.TypeOf(openai.ChatLogprobs{}): {field(openai.ChatLogprobs{}, "refusal", "", "nullable")},
	}},
	// Non-streamed response and stream chunk alike.
	{file: "openai-completion.json", typ: &openai.Completion{}, nullablePointers: true, fields: map[reflect.Type][]reflect.StructField{
		openaiCompletion: {field(openai.Completion{}, "object", "", "enum=text_completion"), usageField},
		reflect.TypeOf(openai.CompletionChoice{}): {field(openai.CompletionChoice{}, "finish_reason", "", "nullable,"+finishReasons)},
	}},
	{file: "openai-error.json", typ: &openai.ErrorBody{}, nullablePointers: true, fields: map[reflect.Type][]reflect.StructField{
		// code is a string or null on the wire (any in Go).
		openaiErrorType: {field(reflect.New(openaiErrorType).Elem().Interface(), "code", new(string), "nullable")},
	}},
	{file: "openai-model-list.json", typ: &openai.ModelList{}, fields: map[reflect.Type][]reflect.StructField{
		reflect.TypeOf(openai.ModelList{}): {field(openai.ModelList{}, "object", "", "enum=list")},
		reflect.TypeOf(openai.Model{}):     {field(openai.Model{}, "object", "", "enum=model")},
	}},
}

// usageField describes the usage of stream chunks and legacy completions:
// json.RawMessage in Go, an openai.Usage or null on the wire (absent
// without include_usage).
var usageField = reflect.StructField{Name: "Usage", Type: reflect.TypeOf(openai.Usage{}), Tag: `json:"usage,omitempty" jsonschema:"nullable"`}

// field returns the struct field of v with JSON name jsonName, its type
// replaced by that of typ (unless typ is "") and tags appended to its
// jsonschema tag, for use as a Reflector.AdditionalFields entry.
func field(v any, jsonName string, typ any, tags string) reflect.StructField {
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if strings.Split(f.Tag.Get("json"), ",")[0] != jsonName {
			continue
		}
		if s, ok := typ.(string); !ok || s != "" {
			f.Type = reflect.TypeOf(typ)
		}
		return withSchemaTag(f, tags)
	}
	panic("schemas_test: " + t.String() + " has no JSON field " + jsonName)
}

func withSchemaTag(f reflect.StructField, tags string) reflect.StructField {
	js := f.Tag.Get("jsonschema")
	if js != "" {
		js += ","
	}
	f.Tag = reflect.StructTag(`json:"` + f.Tag.Get("json") + `" jsonschema:"` + js + tags + `"`)
	return f
}

// nullablePointerFields lists the pointer fields of t that encoding/json
// writes as null when nil.
func nullablePointerFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Type.Kind() != reflect.Pointer || tag == "-" || strings.Contains(tag, ",omitempty") ||
			strings.Contains(f.Tag.Get("jsonschema"), "nullable") {
			continue
		}
		out = append(out, withSchemaTag(f, "nullable"))
	}
	return out
}

func (g gen) reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		Namer: func(t reflect.Type) string {
			if t == openaiErrorType {
				return "ErrorObject"
			}
			return ""
		},
		AdditionalFields: func(t reflect.Type) []reflect.StructField {
			var out []reflect.StructField
			if g.nullablePointers {
				out = nullablePointerFields(t)
			}
			return append(out, g.fields[t]...) // later entries win
		},
	}
}

func generate(t *testing.T, g gen) []byte {
	t.Helper()
	r := g.reflector()
	s := r.Reflect(g.typ)
	s.ID = jsonschema.ID("https://github.com/mlpack-go/mlpack/schemas/" + g.file)
	for _, x := range g.extra {
		for name, d := range r.Reflect(x).Definitions {
			s.Definitions[name] = d
		}
	}
	if g.post != nil {
		g.post(t, s)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// mlmodelPost opens the types whose YAML keeps unknown keys (an inline Extra
// map) and describes flavor.Env.
func mlmodelPost(t *testing.T, s *jsonschema.Schema) {
	for _, name := range []string{"MLmodel", "Flavors", "PyFuncFlavor", "TransformersFlavor"} {
		d, ok := s.Definitions[name]
		if !ok {
			t.Fatalf("no definition %s to open", name)
		}
		d.AdditionalProperties = nil
	}
	// flavor.Env is written as {conda, virtualenv} or, by MLflow < 2.0, as a
	// plain path (its MarshalYAML); Legacy is not a YAML key.
	if env, ok := s.Definitions["Env"]; ok {
		env.Properties.Delete("legacy")
		s.Definitions["Env"] = &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, env}}
	}
}

func TestSchemasMatchGoTypes(t *testing.T) {
	for _, g := range generated {
		t.Run(g.file, func(t *testing.T) {
			want := generate(t, g)
			if *update {
				if err := os.WriteFile(g.file, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(g.file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s is out of date with the Go types; run `go test ./schemas -update` (-generated +checked in):\n%s", g.file, diff)
			}
			if _, err := schemas.Load(g.file); err != nil {
				t.Errorf("the validator cannot check %s: %v", g.file, err)
			}
		})
	}
}

func TestEmbeddedFilesAreGenerated(t *testing.T) {
	entries, err := schemas.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		found := false
		for _, g := range generated {
			found = found || g.file == e.Name()
		}
		if !found {
			t.Errorf("%s is embedded but not generated by this test", e.Name())
		}
	}
}
