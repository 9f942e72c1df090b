package schemas_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/serve"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
	"github.com/mlpack-go/mlpack/schemas"
)

// tinyEngine saves the committed tiny chat model as a bundle for taskName,
// as `mlpack save` does, and loads it as `mlpack predict` does.
func tinyEngine(t *testing.T, taskName string) *runtime.Engine {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := flavor.Save(context.Background(), testenv.Testdata(t, "tiny-chat"), out, flavor.SaveOptions{
		Task: taskName, Name: "tiny-chat", ModelConfig: map[string]any{"max_new_tokens": 6}}); err != nil {
		t.Fatal(err)
	}
	eng, err := runtime.Load(context.Background(), out, runtime.Options{Threads: 1, ContextSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// predictJSON runs a prediction and returns its output as `mlpack predict`
// prints it, decoded.
func predictJSON(t *testing.T, eng *runtime.Engine, input string) []any {
	t.Helper()
	in, err := task.ParseInput([]byte(input), task.ParseOptions{AllowRaw: true})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := eng.Predict(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(pred.Output)
	if err != nil {
		t.Fatal(err)
	}
	list, ok := doc(t, string(b)).([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("predict output is not a non-empty list: %s", b)
	}
	return list
}

// clone deep-copies a decoded document so that a test can break it.
func clone(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return doc(t, string(b)).(map[string]any)
}

func choice0(m map[string]any) map[string]any { return m["choices"].([]any)[0].(map[string]any) }

// breaks are edits that make a valid document invalid, with the error they
// must produce.
type breaks []struct {
	name    string
	edit    func(m map[string]any)
	wantErr string
}

func checkValidAndBroken(t *testing.T, file string, outputs []any, bs breaks) {
	t.Helper()
	for i, o := range outputs {
		if err := schemas.Validate(file, o); err != nil {
			t.Errorf("output %d does not match %s: %v\n%v", i, file, err, o)
		}
	}
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) {
			m := clone(t, outputs[0])
			b.edit(m)
			err := schemas.Validate(file, m)
			if err == nil || !strings.HasSuffix(err.Error(), b.wantErr) {
				t.Fatalf("err = %v, want one ending in %q", err, b.wantErr)
			}
		})
	}
}

// TestMLflowOutputsMatchSchemas validates what the runtime's predict returns
// on the tiny bundle (the objects `mlpack predict` prints) and checks that
// broken copies fail.
func TestMLflowOutputsMatchSchemas(t *testing.T) {
	t.Run("chat", func(t *testing.T) {
		eng := tinyEngine(t, "llm/v1/chat")
		out := predictJSON(t, eng, `{"messages":[{"role":"user","content":"Hello"}]}`)
		out = append(out, predictJSON(t, eng, `{"dataframe_records":[{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":2}]}`)...)
		checkValidAndBroken(t, "mlflow-chat-completion.json", out, breaks{
			{"usage missing", func(m map[string]any) { delete(m, "usage") }, "/usage: required property is missing"},
			{"content missing", func(m map[string]any) { delete(choice0(m)["message"].(map[string]any), "content") }, "/choices/0/message/content: required property is missing"},
			{"wrong object", func(m map[string]any) { m["object"] = "text_completion" }, "/object: must be one of [chat.completion]"},
			{"unknown finish reason", func(m map[string]any) { choice0(m)["finish_reason"] = "eos" }, "/choices/0/finish_reason: must be one of [stop length]"},
			{"created as a string", func(m map[string]any) { m["created"] = "now" }, "/created: expected integer, got string"},
		})
	})
	t.Run("completions", func(t *testing.T) {
		eng := tinyEngine(t, "llm/v1/completions")
		out := predictJSON(t, eng, `{"prompt":"Once upon a time","max_tokens":3}`)
		checkValidAndBroken(t, "mlflow-text-completion.json", out, breaks{
			{"text missing", func(m map[string]any) { delete(choice0(m), "text") }, "/choices/0/text: required property is missing"},
			{"extra field", func(m map[string]any) { m["system_fingerprint"] = "fp" }, "/system_fingerprint: property is not allowed here"},
			{"wrong object", func(m map[string]any) { m["object"] = "chat.completion" }, "/object: must be one of [text_completion]"},
		})
	})
}

// post sends body to the server and returns the status and raw reply.
func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// events splits a server-sent-event stream into its data payloads, up to
// [DONE].
func events(t *testing.T, stream []byte) []any {
	t.Helper()
	var out []any
	sc := bufio.NewScanner(bytes.NewReader(stream))
	done := false
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if line == "[DONE]" {
			done = true
			break
		}
		out = append(out, doc(t, line))
	}
	if !done || len(out) == 0 {
		t.Fatalf("stream without events or [DONE]:\n%s", stream)
	}
	return out
}

// TestOpenAIOutputsMatchSchemas serves the tiny bundle with pkg/serve and
// validates requests and replies of every OpenAI endpoint, streamed and not,
// and an error reply; broken copies must fail.
func TestOpenAIOutputsMatchSchemas(t *testing.T) {
	srv := serve.New(serve.Config{})
	srv.SetBackend(serve.FromRuntime(tinyEngine(t, "llm/v1/chat")))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })

	for _, tc := range []struct {
		name, path, request, requestSchema string
		status                             int
		replySchema                        string
		stream                             bool
		bs                                 breaks
	}{
		{"chat", "/v1/chat/completions", `{"model":"tiny-chat","messages":[{"role":"user","content":"Hello"}],"max_tokens":4,"logprobs":true,"top_logprobs":2,"n":2}`,
			chatRequestSchema, 200, "openai-chat-completion.json", false, breaks{
				{"choices missing", func(m map[string]any) { delete(m, "choices") }, "/choices: required property is missing"},
				{"null message content is allowed, a number is not", func(m map[string]any) { choice0(m)["message"].(map[string]any)["content"] = 1.0 }, "/choices/0/message/content: expected string, got integer"},
				{"logprobs entry without bytes", func(m map[string]any) {
					delete(choice0(m)["logprobs"].(map[string]any)["content"].([]any)[0].(map[string]any), "bytes")
				}, "/choices/0/logprobs/content/0/bytes: required property is missing"},
			}},
		{"chat stream", "/v1/chat/completions", `{"messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}],"max_completion_tokens":3,"stream":true,"stream_options":{"include_usage":true}}`,
			chatRequestSchema, 200, "openai-chat-completion-chunk.json", true, breaks{
				{"role other than assistant", func(m map[string]any) { choice0(m)["delta"].(map[string]any)["role"] = "user" }, "/choices/0/delta/role: must be one of [assistant]"},
				{"object of a non-streamed reply", func(m map[string]any) { m["object"] = "chat.completion" }, "/object: must be one of [chat.completion.chunk]"},
			}},
		{"completion", "/v1/completions", `{"prompt":["Once","Lily"],"max_tokens":3,"logprobs":2}`,
			completionRequestSchema, 200, "openai-completion.json", false, breaks{
				{"usage as a number", func(m map[string]any) { m["usage"] = 3.0 }, "/usage: expected object, got integer"},
				{"text missing", func(m map[string]any) { delete(choice0(m), "text") }, "/choices/0/text: required property is missing"},
			}},
		{"completion stream", "/v1/completions", `{"prompt":"Once","max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}`,
			completionRequestSchema, 200, "openai-completion.json", true, nil},
		{"bad request", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"temperature":5}`,
			"", 400, "openai-error.json", false, breaks{
				{"param missing", func(m map[string]any) { delete(m["error"].(map[string]any), "param") }, "/error/param: required property is missing"},
				{"code as an object", func(m map[string]any) { m["error"].(map[string]any)["code"] = map[string]any{} }, "/error/code: expected string, got object"},
			}},
		{"unsupported field", "/v1/completions", `{"prompt":"x","suffix":"y"}`, "", 400, "openai-error.json", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.requestSchema != "" {
				if err := schemas.Validate(tc.requestSchema, doc(t, tc.request)); err != nil {
					t.Errorf("request: %v", err)
				}
			}
			status, body := post(t, ts.URL+tc.path, tc.request)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var replies []any
			if !tc.stream {
				replies = []any{doc(t, string(body))}
			} else {
				replies = events(t, body)
				if len(replies) < 3 {
					t.Fatalf("want role/text, finish and usage chunks, got %d events", len(replies))
				}
			}
			checkValidAndBroken(t, tc.replySchema, replies, tc.bs)
		})
	}

	t.Run("models", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/v1/models")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		checkValidAndBroken(t, "openai-model-list.json", []any{doc(t, string(b))}, breaks{
			{"data missing", func(m map[string]any) { delete(m, "data") }, "/data: required property is missing"},
		})
	})

	// Replies the tiny model cannot provoke cheaply, from the same builders.
	t.Run("constructed", func(t *testing.T) {
		for _, e := range []*openai.Error{openai.ContextExceeded(3000, 2048), openai.Unauthorized(), openai.Overloaded(http.StatusTooManyRequests, "queue full")} {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := schemas.Validate("openai-error.json", doc(t, string(b))); err != nil {
				t.Errorf("%s: %v", b, err)
			}
		}
		refusal := "no"
		c := openai.ToChatCompletion(openai.Meta{ID: "chatcmpl-1", Created: 1, Model: "m"}, []openai.Result{{Text: "", FinishReason: openai.FinishLength}}, false, openai.NewUsage(1, 0))
		c.Choices[0].Message.Content, c.Choices[0].Message.Refusal = nil, &refusal
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := schemas.Validate("openai-chat-completion.json", doc(t, string(b))); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	})
}
