package openai

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestDecodeChatRequest(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *ChatRequest
	}{
		{"minimal", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
			&ChatRequest{Model: "m", N: 1, Messages: []Message{{Role: "user", Content: "hi"}}}},
		{"developer is system, text parts joined", `{"messages":[{"role":"developer","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"role":"user","content":"q","name":"bob"}]}`,
			&ChatRequest{N: 1, Messages: []Message{{Role: "system", Content: "a\nb"}, {Role: "user", Content: "q", Name: "bob"}}}},
		{"max_completion_tokens wins", `{"messages":[{"role":"user","content":"x"}],"max_tokens":5,"max_completion_tokens":7,"stop":"\n","seed":3,"n":2,"stream":true,"stream_options":{"include_usage":true}}`,
			&ChatRequest{N: 2, Stream: true, IncludeUsage: true, Messages: []Message{{Role: "user", Content: "x"}},
				Sampling: Sampling{MaxTokens: ptr(7), Stop: []string{"\n"}, Seed: ptr(int64(3))}}},
		{"usage only when streaming", `{"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true},"user":"u","tool_choice":"none","tools":[],"response_format":{"type":"text"}}`,
			&ChatRequest{N: 1, Messages: []Message{{Role: "user", Content: "x"}}}},
		{"sampling fields", `{"messages":[{"role":"user","content":"x"}],"temperature":0,"top_p":0.5,"top_k":4,"presence_penalty":1,"frequency_penalty":-1,"logit_bias":{"12":-100},"logprobs":true,"top_logprobs":2,"stop":["a","","b"]}`,
			&ChatRequest{N: 1, Messages: []Message{{Role: "user", Content: "x"}}, Sampling: Sampling{Temperature: ptr(0.0), TopP: ptr(0.5), TopK: ptr(4),
				PresencePenalty: 1, FrequencyPenalty: -1, LogitBias: map[int]float64{12: -100}, Logprobs: true, TopLogprobs: 2, Stop: []string{"a", "b"}}}},
		{"assistant null content", `{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null}]}`,
			&ChatRequest{N: 1, Messages: []Message{{Role: "user", Content: "x"}, {Role: "assistant", Content: ""}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeChatRequest([]byte(tc.body), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestDecodeChatRequestErrors(t *testing.T) {
	tests := []struct{ name, body, param string }{
		{"not json", `{`, ""},
		{"array body", `[]`, ""},
		{"no messages", `{"model":"m"}`, "messages"},
		{"empty messages", `{"messages":[]}`, "messages"},
		{"message not object", `{"messages":[123]}`, "messages[0]"},
		{"missing role", `{"messages":[{"content":"x"}]}`, "messages[0].role"},
		{"unknown role", `{"messages":[{"role":"bot","content":"x"}]}`, "messages[0].role"},
		{"tool role", `{"messages":[{"role":"tool","content":"x","tool_call_id":"1"}]}`, "messages[0].role"},
		{"image part", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, "messages[0].content[0].type"},
		{"user null content", `{"messages":[{"role":"user","content":null}]}`, "messages[0].content"},
		{"unknown message key", `{"messages":[{"role":"user","content":"x","foo":1}]}`, "messages[0].foo"},
		{"tools", `{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}]}`, "tools"},
		{"tool_choice auto", `{"messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}`, "tool_choice"},
		{"json mode", `{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`, "response_format"},
		{"unknown field", `{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"low"}`, "reasoning_effort"},
		{"audio modality", `{"messages":[{"role":"user","content":"x"}],"modalities":["text","audio"]}`, "modalities"},
		{"n too big", `{"messages":[{"role":"user","content":"x"}],"n":9}`, "n"},
		{"n zero", `{"messages":[{"role":"user","content":"x"}],"n":0}`, "n"},
		{"temperature", `{"messages":[{"role":"user","content":"x"}],"temperature":2.5}`, "temperature"},
		{"temperature type", `{"messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, "temperature"},
		{"top_p", `{"messages":[{"role":"user","content":"x"}],"top_p":0}`, "top_p"},
		{"max_tokens zero", `{"messages":[{"role":"user","content":"x"}],"max_tokens":0}`, "max_tokens"},
		{"max_completion_tokens negative", `{"messages":[{"role":"user","content":"x"}],"max_completion_tokens":-1}`, "max_completion_tokens"},
		{"too many stops", `{"messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}`, "stop"},
		{"stop type", `{"messages":[{"role":"user","content":"x"}],"stop":5}`, "stop"},
		{"logit_bias key", `{"messages":[{"role":"user","content":"x"}],"logit_bias":{"a":1}}`, "logit_bias"},
		{"logit_bias value", `{"messages":[{"role":"user","content":"x"}],"logit_bias":{"1":101}}`, "logit_bias"},
		{"top_logprobs needs logprobs", `{"messages":[{"role":"user","content":"x"}],"top_logprobs":2}`, "top_logprobs"},
		{"penalty", `{"messages":[{"role":"user","content":"x"}],"presence_penalty":3}`, "presence_penalty"},
		{"obfuscation", `{"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_obfuscation":true}}`, "stream_options.include_obfuscation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeChatRequest([]byte(tc.body), Limits{})
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if e.Status != 400 || e.Param != tc.param {
				t.Errorf("got status %d param %q (%s), want 400 param %q", e.Status, e.Param, e.Message, tc.param)
			}
			if top := strings.FieldsFunc(tc.param, func(r rune) bool { return r == '.' || r == '[' }); len(top) > 0 && !strings.Contains(e.Message, top[0]) {
				t.Errorf("message %q does not name the field", e.Message)
			}
		})
	}
}

func TestDecodeCompletionRequest(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *CompletionRequest
		code string // param of the expected error
	}{
		{"string", `{"model":"m","prompt":"Once","max_tokens":3}`, &CompletionRequest{Model: "m", N: 1, Prompts: []Prompt{{Text: "Once"}}, Sampling: Sampling{MaxTokens: ptr(3)}}, ""},
		{"list", `{"prompt":["a","b"],"logprobs":2}`, &CompletionRequest{N: 1, Prompts: []Prompt{{Text: "a"}, {Text: "b"}}, Sampling: Sampling{Logprobs: true, TopLogprobs: 2}}, ""},
		{"ids", `{"prompt":[1,2,3]}`, &CompletionRequest{N: 1, Prompts: []Prompt{{Tokens: []int{1, 2, 3}}}}, ""},
		{"id lists", `{"prompt":[[1],[2,3]]}`, &CompletionRequest{N: 1, Prompts: []Prompt{{Tokens: []int{1}}, {Tokens: []int{2, 3}}}}, ""},
		{"missing", `{"max_tokens":3}`, nil, "prompt"},
		{"bad prompt", `{"prompt":{"a":1}}`, nil, "prompt"},
		{"echo", `{"prompt":"x","echo":true}`, nil, "echo"},
		{"suffix", `{"prompt":"x","suffix":"y"}`, nil, "suffix"},
		{"best_of", `{"prompt":"x","best_of":3}`, nil, "best_of"},
		{"logprobs", `{"prompt":"x","logprobs":6}`, nil, "logprobs"},
		{"messages", `{"prompt":"x","messages":[]}`, nil, "messages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeCompletionRequest([]byte(tc.body), Limits{})
			if tc.want == nil {
				e, ok := err.(*Error)
				if !ok || e.Param != tc.code {
					t.Fatalf("want *Error with param %q, got %v", tc.code, err)
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

// TestChatStreamBytes pins the byte layout of openai-serving.md §1.4.
func TestChatStreamBytes(t *testing.T) {
	s := ChatStream{Meta: Meta{ID: "chatcmpl-1", Created: 1, Model: "m", SystemFingerprint: "fp"}, IncludeUsage: true}
	var out strings.Builder
	for _, c := range []ChatChunk{s.Role(0), s.Content(0, "Hel<", nil, false), s.Finish(0, FinishStop), s.Usage(NewUsage(24, 58))} {
		b, err := Event(c)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	out.Write(Done)
	want := `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"Hel<"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[],"usage":{"prompt_tokens":24,"completion_tokens":58,"total_tokens":82}}

data: [DONE]

`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// Without include_usage no chunk mentions usage.
	s.IncludeUsage = false
	b, _ := Event(s.Content(1, "x", nil, false))
	if strings.Contains(string(b), "usage") {
		t.Errorf("usage present without include_usage: %s", b)
	}
}

func TestCompletionStreamBytes(t *testing.T) {
	s := CompletionStream{Meta: Meta{ID: "cmpl-1", Created: 2, Model: "m", SystemFingerprint: "fp"}}
	var out strings.Builder
	for _, c := range []Completion{s.Text(0, "Once", nil, false, 0), s.Finish(0, FinishLength)} {
		b, _ := Event(c)
		out.Write(b)
	}
	want := `data: {"id":"cmpl-1","object":"text_completion","created":2,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"text":"Once","logprobs":null,"finish_reason":null}]}

data: {"id":"cmpl-1","object":"text_completion","created":2,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length"}]}

`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"bad request", BadRequest("n", "'n' must be between 1 and 4, got 9"),
			`{"error":{"message":"'n' must be between 1 and 4, got 9","type":"invalid_request_error","param":"n","code":null}}`},
		{"context", ContextExceeded(600, 512),
			`{"error":{"message":"the request exceeds the available context size: the prompt has 600 tokens and the context holds 512; shorten the prompt","type":"exceed_context_size_error","param":null,"code":"context_length_exceeded","n_prompt_tokens":600,"n_ctx":512}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.err)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, string(b)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if ev := string(ErrorEvent(tc.err)); ev != "data: "+tc.want+"\n\n" {
				t.Errorf("error event %q", ev)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	m := Meta{ID: "chatcmpl-9", Created: 5, Model: "tiny", SystemFingerprint: "fp"}
	lps := []TokenLogprob{{Token: "Hi", Logprob: -0.5, Top: []TopLogprob{{Token: "Hi", Logprob: -0.5}, {Token: "Yo", Logprob: -1}}}}
	b, _ := json.Marshal(ToChatCompletion(m, []Result{{Text: "Hi", FinishReason: "stop", Logprobs: lps}}, true, NewUsage(3, 1)))
	want := `{"id":"chatcmpl-9","object":"chat.completion","created":5,"model":"tiny","system_fingerprint":"fp","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},"logprobs":{"content":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.5,"bytes":[72,105]},{"token":"Yo","logprob":-1,"bytes":[89,111]}]}],"refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`
	if d := cmp.Diff(want, string(b)); d != "" {
		t.Errorf("chat (-want +got):\n%s", d)
	}
	m.ID = "cmpl-9"
	b, _ = json.Marshal(ToCompletion(m, []Result{{Text: "Hi", FinishReason: "length", Logprobs: lps}}, true, NewUsage(3, 1)))
	want = `{"id":"cmpl-9","object":"text_completion","created":5,"model":"tiny","system_fingerprint":"fp","choices":[{"index":0,"text":"Hi","logprobs":{"tokens":["Hi"],"token_logprobs":[-0.5],"top_logprobs":[{"Hi":-0.5,"Yo":-1}],"text_offset":[0]},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`
	if d := cmp.Diff(want, string(b)); d != "" {
		t.Errorf("completion (-want +got):\n%s", d)
	}
}

// TestLogprobBytes: "bytes" is the token's real bytes when known (a
// byte-fallback token is one byte, not the UTF-8 of the U+FFFD it shows).
func TestLogprobBytes(t *testing.T) {
	lps := []TokenLogprob{{Token: "\ufffd", Bytes: []byte{0xC3}, Logprob: -0.1,
		Top: []TopLogprob{{Token: "\ufffd", Bytes: []byte{0xC3}, Logprob: -0.1}, {Token: " a", Logprob: -3}}}}
	got := ToChatLogprobs(lps)
	want := &ChatLogprobs{Content: []ChatTokenLogprob{{Token: "\ufffd", Logprob: -0.1, Bytes: []int{195},
		TopLogprobs: []ChatTopLogprob{{Token: "\ufffd", Logprob: -0.1, Bytes: []int{195}}, {Token: " a", Logprob: -3, Bytes: []int{32, 97}}}}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestCompletionTopLogprobsCollide: alternatives whose texts collide keep
// the highest logprob, and the sampled token's own value is listed.
func TestCompletionTopLogprobsCollide(t *testing.T) {
	for _, tc := range []struct {
		name string
		lp   TokenLogprob
		want map[string]float64
	}{
		{"collision keeps the highest (the sampled top-1)", TokenLogprob{Token: "\ufffd", Logprob: -1.6898,
			Top: []TopLogprob{{Token: "\ufffd", Logprob: -1.6898}, {Token: "\ufffd", Logprob: -1.8280}}},
			map[string]float64{"\ufffd": -1.6898}},
		{"collision listed lower first", TokenLogprob{Token: "x", Logprob: -2,
			Top: []TopLogprob{{Token: "y", Logprob: -1}, {Token: "y", Logprob: -0.5}}},
			map[string]float64{"y": -0.5, "x": -2}},
		{"sampled token outside the top is added", TokenLogprob{Token: "z", Logprob: -4,
			Top: []TopLogprob{{Token: "a", Logprob: -1}, {Token: "b", Logprob: -2}}},
			map[string]float64{"a": -1, "b": -2, "z": -4}},
		{"no alternatives asked", TokenLogprob{Token: "z", Logprob: -4}, map[string]float64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ToCompletionLogprobs([]TokenLogprob{tc.lp}, 0)
			if d := cmp.Diff(tc.want, got.TopLogprobs[0]); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if got.TokenLogprobs[0] != tc.lp.Logprob {
				t.Errorf("token_logprobs %v", got.TokenLogprobs)
			}
		})
	}
}

func TestExtras(t *testing.T) {
	if r, err := DecodeTokenize([]byte(`{"content":"hi","add_special":true,"with_pieces":true}`)); err != nil || r != (TokenizeRequest{"hi", true, true}) {
		t.Errorf("tokenize: %+v %v", r, err)
	}
	if _, err := DecodeTokenize([]byte(`{"text":"hi"}`)); err == nil {
		t.Error("tokenize accepted an unknown field")
	}
	if r, err := DecodeDetokenize([]byte(`{"tokens":[1,2]}`)); err != nil || len(r.Tokens) != 2 {
		t.Errorf("detokenize: %+v %v", r, err)
	}
	msgs, err := DecodeApplyTemplate([]byte(`{"messages":[{"role":"user","content":"x"}],"temperature":1}`))
	if d := cmp.Diff([]Message{{Role: "user", Content: "x"}}, msgs); d != "" || err != nil {
		t.Errorf("apply-template %v %s", err, d)
	}
}
