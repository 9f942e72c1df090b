package schemas_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/serve/openai"
	"github.com/mlpack-go/mlpack/schemas"
)

const (
	chatRequestSchema       = "openai-chat-completion-request.json"
	completionRequestSchema = "openai-completion-request.json"
)

// openAIChatFields and openAICompletionFields are the request fields of the
// OpenAI API reference (and a few extensions other servers accept): the
// universe in which the schemas and the decoder must agree.
var (
	openAIChatFields = []string{"model", "messages", "max_completion_tokens", "max_tokens", "temperature", "top_p",
		"n", "stop", "stream", "stream_options", "seed", "presence_penalty", "frequency_penalty", "logit_bias",
		"logprobs", "top_logprobs", "response_format", "tools", "tool_choice", "parallel_tool_calls", "user",
		"metadata", "store", "service_tier", "reasoning_effort", "verbosity", "modalities", "audio", "prediction",
		"web_search_options", "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "functions",
		"function_call", "top_k", "min_p", "repeat_penalty"}
	openAICompletionFields = []string{"model", "prompt", "best_of", "echo", "frequency_penalty", "logit_bias",
		"logprobs", "max_tokens", "n", "presence_penalty", "seed", "stop", "stream", "stream_options", "suffix",
		"temperature", "top_p", "user", "top_k", "min_p", "messages", "metadata", "store"}
	openAIMessageFields = []string{"role", "content", "name", "refusal", "tool_calls", "tool_call_id",
		"function_call", "audio"}
)

// properties returns the property names of definition def in a schema file.
func properties(t *testing.T, file, def string) map[string]bool {
	t.Helper()
	s, err := schemas.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s["$defs"].(map[string]any)[def].(map[string]any)
	props, _ := d["properties"].(map[string]any)
	if len(props) == 0 {
		t.Fatalf("%s: no properties in $defs/%s", file, def)
	}
	out := map[string]bool{}
	for k := range props {
		out[k] = true
	}
	return out
}

func union(names []string, set map[string]bool) []string {
	all := map[string]bool{}
	for _, n := range names {
		all[n] = true
	}
	for n := range set {
		all[n] = true
	}
	out := make([]string, 0, len(all))
	for n := range all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestRequestSchemasMatchDecoder checks that a field is in a request schema
// exactly when pkg/serve/openai's decoder recognises it (sent as null
// beside a minimal valid request).
func TestRequestSchemasMatchDecoder(t *testing.T) {
	for _, tc := range []struct {
		name, file, def string
		required        string // sent with a value by body, never as null
		fields          []string
		body            func(field string) string
		decode          func([]byte) error
	}{
		{"chat", chatRequestSchema, "ChatCompletionRequest", "messages", openAIChatFields,
			func(f string) string { return fmt.Sprintf(`{"messages":[{"role":"user","content":"x"}],%q:null}`, f) },
			func(b []byte) error { _, err := openai.DecodeChatRequest(b, openai.Limits{}); return err }},
		{"completion", completionRequestSchema, "CompletionRequest", "prompt", openAICompletionFields,
			func(f string) string { return fmt.Sprintf(`{"prompt":"x",%q:null}`, f) },
			func(b []byte) error { _, err := openai.DecodeCompletionRequest(b, openai.Limits{}); return err }},
		{"assistant message", chatRequestSchema, "AssistantInputMessage", "role", openAIMessageFields,
			func(f string) string {
				return fmt.Sprintf(`{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y",%q:null}]}`, f)
			},
			func(b []byte) error { _, err := openai.DecodeChatRequest(b, openai.Limits{}); return err }},
	} {
		props := properties(t, tc.file, tc.def)
		for _, f := range union(tc.fields, props) {
			if f == tc.required {
				continue // null is refused for its value, not its name
			}
			t.Run(tc.name+"/"+f, func(t *testing.T) {
				err := tc.decode([]byte(tc.body(f)))
				if accepted := err == nil; accepted != props[f] {
					t.Errorf("decoder accepts %q: %v (err %v); in %s $defs/%s: %v", f, accepted, err, tc.file, tc.def, props[f])
				}
			})
		}
	}
}

// TestRequestSchemasAgreeWithDecoder validates request bodies (those of
// pkg/serve/openai's tests and more) against the schemas and the decoder,
// which must give the same verdict.
func TestRequestSchemasAgreeWithDecoder(t *testing.T) {
	chat := func(b []byte) error { _, err := openai.DecodeChatRequest(b, openai.Limits{}); return err }
	completion := func(b []byte) error { _, err := openai.DecodeCompletionRequest(b, openai.Limits{}); return err }
	const user = `"messages":[{"role":"user","content":"x"}]`
	for _, tc := range []struct {
		name, body string
		valid      bool
	}{
		{"chat minimal", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, true},
		{"chat developer and text parts", `{"messages":[{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"role":"user","content":"q","name":"bob"}]}`, true},
		{"chat every sampling field", `{` + user + `,"max_tokens":5,"max_completion_tokens":7,"stop":"\n","seed":3,"n":2,"stream":true,"stream_options":{"include_usage":true},"temperature":0,"top_p":0.5,"top_k":4,"presence_penalty":1,"frequency_penalty":-1,"logit_bias":{"12":-100},"logprobs":true,"top_logprobs":2}`, true},
		{"chat harmless extras", `{` + user + `,"user":"u","tool_choice":"none","tools":[],"response_format":{"type":"text"},"modalities":["text"],"parallel_tool_calls":true,"metadata":{"a":"b"},"store":false}`, true},
		{"chat assistant turns", `{"messages":[{"role":"system","content":"s"},{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[]},{"role":"assistant","content":[{"type":"refusal","refusal":"no"}],"refusal":"no"},{"role":"user","content":"y"}]}`, true},
		{"chat stop list", `{` + user + `,"stop":["a","","b"]}`, true},
		{"chat no messages", `{"model":"m"}`, false},
		{"chat empty messages", `{"messages":[]}`, false},
		{"chat message not an object", `{"messages":[123]}`, false},
		{"chat missing role", `{"messages":[{"content":"x"}]}`, false},
		{"chat unknown role", `{"messages":[{"role":"bot","content":"x"}]}`, false},
		{"chat tool role", `{"messages":[{"role":"tool","content":"x","tool_call_id":"1"}]}`, false},
		{"chat image part", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, false},
		{"chat refusal part from the user", `{"messages":[{"role":"user","content":[{"type":"refusal","refusal":"x"}]}]}`, false},
		{"chat user null content", `{"messages":[{"role":"user","content":null}]}`, false},
		{"chat user without content", `{"messages":[{"role":"user"}]}`, false},
		{"chat unknown message key", `{"messages":[{"role":"user","content":"x","foo":1}]}`, false},
		{"chat assistant tool calls", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[{"id":"1"}]}]}`, false},
		{"chat assistant tool_call_id", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y","tool_call_id":"1"}]}`, false},
		{"chat tools", `{` + user + `,"tools":[{"type":"function","function":{"name":"f"}}]}`, false},
		{"chat tool_choice auto", `{` + user + `,"tool_choice":"auto"}`, false},
		{"chat json mode", `{` + user + `,"response_format":{"type":"json_object"}}`, false},
		{"chat unknown field", `{` + user + `,"reasoning_effort":"low"}`, false},
		{"chat audio modality", `{` + user + `,"modalities":["text","audio"]}`, false},
		{"chat n zero", `{` + user + `,"n":0}`, false},
		{"chat temperature", `{` + user + `,"temperature":2.5}`, false},
		{"chat temperature type", `{` + user + `,"temperature":"hot"}`, false},
		{"chat top_p zero", `{` + user + `,"top_p":0}`, false},
		{"chat top_k negative", `{` + user + `,"top_k":-1}`, false},
		{"chat max_tokens zero", `{` + user + `,"max_tokens":0}`, false},
		{"chat max_completion_tokens negative", `{` + user + `,"max_completion_tokens":-1}`, false},
		{"chat stop type", `{` + user + `,"stop":5}`, false},
		{"chat logit_bias value", `{` + user + `,"logit_bias":{"1":101}}`, false},
		{"chat presence_penalty", `{` + user + `,"presence_penalty":3}`, false},
		{"chat top_logprobs", `{` + user + `,"logprobs":true,"top_logprobs":21}`, false},
		{"chat obfuscation", `{` + user + `,"stream":true,"stream_options":{"include_obfuscation":true}}`, false},

		{"completion string", `{"model":"m","prompt":"Once","max_tokens":3}`, true},
		{"completion list", `{"prompt":["a","b"],"logprobs":2}`, true},
		{"completion ids", `{"prompt":[1,2,3]}`, true},
		{"completion id lists", `{"prompt":[[1],[2,3]],"echo":false,"best_of":1,"suffix":"","stream":true,"stream_options":{"include_usage":true}}`, true},
		{"completion missing prompt", `{"max_tokens":3}`, false},
		{"completion object prompt", `{"prompt":{"a":1}}`, false},
		{"completion empty prompt list", `{"prompt":[]}`, false},
		{"completion empty id list", `{"prompt":[[1],[]]}`, false},
		{"completion mixed prompt list", `{"prompt":[1,"a"]}`, false},
		{"completion echo", `{"prompt":"x","echo":true}`, false},
		{"completion suffix", `{"prompt":"x","suffix":"y"}`, false},
		{"completion best_of", `{"prompt":"x","best_of":3}`, false},
		{"completion logprobs", `{"prompt":"x","logprobs":6}`, false},
		{"completion messages", `{"prompt":"x","messages":[]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, decode := chatRequestSchema, chat
			if strings.HasPrefix(tc.name, "completion") {
				file, decode = completionRequestSchema, completion
			}
			schemaErr := schemas.Validate(file, doc(t, tc.body))
			decodeErr := decode([]byte(tc.body))
			if (schemaErr == nil) != tc.valid || (decodeErr == nil) != tc.valid {
				t.Errorf("want valid=%v; schema: %v; decoder: %v", tc.valid, schemaErr, decodeErr)
			}
		})
	}
}

// TestRequestSchemaErrors checks that a refused request says where.
func TestRequestSchemaErrors(t *testing.T) {
	for _, tc := range []struct{ file, body, want string }{
		{chatRequestSchema, `{"messages":[{"role":"user","content":"x"}],"temperature":3}`, "/temperature: must be at most 2, got 3"},
		{chatRequestSchema, `{"messages":[{"role":"user","content":[{"type":"text","text":1}]}]}`, "/messages/0/content/0/text: expected string, got integer"},
		{chatRequestSchema, `{}`, "/messages: required property is missing"},
		{completionRequestSchema, `{"prompt":"x","logit_bias":{"5":-101}}`, "/logit_bias/5: must be at least -100, got -101"},
	} {
		err := schemas.Validate(tc.file, doc(t, tc.body))
		if err == nil || !json.Valid([]byte(tc.body)) || err.Error() != "schemas: "+tc.file+": "+tc.want {
			t.Errorf("%s: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}
