package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/serve"
)

// reference generates greedily with the task engine's own session (the
// path `mlpack predict` takes), for comparison with the server.
func reference(t *testing.T, taskName string, req task.Request, maxTokens int) (string, int, int) {
	t.Helper()
	eng := tinyEngine(t, taskName)
	prep, err := eng.Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	p := eng.DefaultParams()
	p.Temperature, p.MaxTokens = 0, maxTokens
	res, err := eng.Generate(context.Background(), prep, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Text, len(prep.IDs), res.CompletionTokens
}

func TestChatMatchesPredict(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	want, nPrompt, nGen := reference(t, "llm/v1/chat", task.Request{Messages: []task.Message{{Role: "user", Content: "Hello there"}}}, 24)
	r := post(t, ts.URL+"/v1/chat/completions", `{"model":"tiny-chat","messages":[{"role":"user","content":"Hello there"}],"temperature":0,"max_tokens":24}`)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var got struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Index        int              `json:"index"`
			Message      map[string]any   `json:"message"`
			Logprobs     *json.RawMessage `json:"logprobs"`
			FinishReason string           `json:"finish_reason"`
		} `json:"choices"`
		Usage map[string]int `json:"usage"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.ID, "chatcmpl-") || got.Object != "chat.completion" || got.Model != "tiny-chat" || len(got.Choices) != 1 {
		t.Fatalf("bad envelope: %s", r.Body)
	}
	if d := cmp.Diff(map[string]any{"role": "assistant", "content": want, "refusal": nil}, got.Choices[0].Message); d != "" {
		t.Errorf("message (-predict +server):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"prompt_tokens": nPrompt, "completion_tokens": nGen, "total_tokens": nPrompt + nGen}, got.Usage); d != "" {
		t.Errorf("usage (-want +got):\n%s", d)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
}

// TestChatStream checks the chunk sequence of openai-serving.md §1.4 on
// the real stream, and that the streamed text equals the whole response.
func TestChatStream(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	body := `{"messages":[{"role":"user","content":"Tell me a story"}],"temperature":0,"max_completion_tokens":20,"n":2,"stream":true,"stream_options":{"include_usage":true}}`
	r := post(t, ts.URL+"/v1/chat/completions", body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d type %q: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	events := sseEvents(t, r.Body)
	if len(events) < 6 || events[len(events)-1] != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %q", events)
	}
	type chunk struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		Choices []struct {
			Index        int               `json:"index"`
			Delta        map[string]string `json:"delta"`
			FinishReason *string           `json:"finish_reason"`
		} `json:"choices"`
		Usage *struct {
			Prompt, Completion, Total int
		} `json:"usage"`
	}
	var chunks []chunk
	for _, ev := range events[:len(events)-1] {
		var c chunk
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("chunk %q: %v", ev, err)
		}
		if !strings.Contains(ev, `"usage":`) {
			t.Errorf("include_usage: chunk lacks usage: %s", ev)
		}
		chunks = append(chunks, c)
	}
	texts := make([]strings.Builder, 2)
	state := []string{"", ""} // "", "role", "finished"
	for i, c := range chunks {
		if c.ID != chunks[0].ID || c.Created != chunks[0].Created || c.Object != "chat.completion.chunk" {
			t.Fatalf("chunk %d envelope differs: %+v", i, c)
		}
		if i == len(chunks)-1 {
			if len(c.Choices) != 0 || c.Usage == nil {
				t.Fatalf("last chunk is not the usage chunk: %s", events[i])
			}
			break
		}
		if len(c.Choices) != 1 {
			t.Fatalf("chunk %d has %d choices", i, len(c.Choices))
		}
		ch := c.Choices[0]
		switch {
		case state[ch.Index] == "":
			if ch.Delta["role"] != "assistant" || ch.FinishReason != nil {
				t.Fatalf("first chunk of choice %d is not a role chunk: %s", ch.Index, events[i])
			}
			state[ch.Index] = "role"
		case state[ch.Index] == "finished":
			t.Fatalf("choice %d continues after its finish chunk: %s", ch.Index, events[i])
		case ch.FinishReason != nil:
			if len(ch.Delta) != 0 {
				t.Errorf("finish chunk has a non-empty delta: %s", events[i])
			}
			state[ch.Index] = "finished"
		default:
			if _, ok := ch.Delta["role"]; ok {
				t.Errorf("role repeated: %s", events[i])
			}
			texts[ch.Index].WriteString(ch.Delta["content"])
		}
	}
	if d := cmp.Diff([]string{"finished", "finished"}, state); d != "" {
		t.Errorf("choice states:\n%s", d)
	}
	whole := post(t, ts.URL+"/v1/chat/completions", strings.Replace(body, `"stream":true`, `"stream":false`, 1))
	var w struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(whole.Body, &w); err != nil || len(w.Choices) != 2 {
		t.Fatalf("whole response: %v %s", err, whole.Body)
	}
	for i := range 2 {
		if texts[i].String() != w.Choices[i].Message.Content {
			t.Errorf("choice %d streamed %q, whole %q", i, texts[i].String(), w.Choices[i].Message.Content)
		}
	}
}

func TestCompletions(t *testing.T) {
	_, ts := newServer(t, "llm/v1/completions", serve.Config{})
	want, nPrompt, nGen := reference(t, "llm/v1/completions", task.Request{Prompt: "Once upon a time"}, 12)
	r := post(t, ts.URL+"/v1/completions", `{"prompt":"Once upon a time","max_tokens":12,"temperature":0}`)
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	m := r.json(t)
	ch := m["choices"].([]any)[0].(map[string]any)
	if ch["text"] != want || m["object"] != "text_completion" {
		t.Errorf("got %s, want text %q", r.Body, want)
	}
	u := m["usage"].(map[string]any)
	if int(u["prompt_tokens"].(float64)) != nPrompt || int(u["completion_tokens"].(float64)) != nGen {
		t.Errorf("usage %v, want %d/%d", u, nPrompt, nGen)
	}
	// Two prompts, n=2: four choices, numbered prompt*n+j.
	r = post(t, ts.URL+"/completions", `{"prompt":["Once upon a time","Hi"],"n":2,"max_tokens":4,"temperature":0}`)
	m = r.json(t)
	chs := m["choices"].([]any)
	if len(chs) != 4 || chs[0].(map[string]any)["text"] != chs[1].(map[string]any)["text"] {
		t.Errorf("want 4 choices, greedy pairs equal: %s", r.Body)
	}
}

func TestBadRequests(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	long := strings.Repeat("hello world ", 5000)
	for _, tc := range []struct {
		name, path, body string
		status           int
		param, typ       string
	}{
		{"not json", "/v1/chat/completions", `{`, 400, "", "invalid_request_error"},
		{"tools", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}]}`, 400, "tools", "invalid_request_error"},
		{"image", "/v1/chat/completions", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x"}}]}]}`, 400, "messages[0].content[0].type", "invalid_request_error"},
		{"logit bias outside vocab", "/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"logit_bias":{"99999999":1}}`, 400, "logit_bias", "invalid_request_error"},
		{"too long", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + long + `"}]}`, 400, "", "exceed_context_size_error"},
		{"too long stream", "/v1/chat/completions", `{"stream":true,"messages":[{"role":"user","content":"` + long + `"}]}`, 400, "", "exceed_context_size_error"},
		{"too long completion", "/v1/completions", `{"prompt":"` + long + `"}`, 400, "", "exceed_context_size_error"},
		{"no route", "/v1/embeddings", `{}`, 404, "", "not_found_error"},
		{"more sequences than slots", "/v1/completions", `{"prompt":["a","b"],"n":4}`, 400, "n", "invalid_request_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, ts.URL+tc.path, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			e := r.json(t)["error"].(map[string]any)
			if e["type"] != tc.typ || (tc.param != "" && e["param"] != tc.param) || e["message"] == "" {
				t.Errorf("error %v, want type %q param %q", e, tc.typ, tc.param)
			}
			if tc.typ == "exceed_context_size_error" {
				np, _ := e["n_prompt_tokens"].(float64)
				nc, _ := e["n_ctx"].(float64)
				if nc == 0 || np <= nc {
					t.Errorf("n_prompt_tokens/n_ctx wrong: %v", e)
				}
			}
		})
	}
}

func TestModelsAndTokenize(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	for _, p := range []string{"/v1/models", "/models"} {
		m := do(t, "GET", ts.URL+p, "", "").json(t)
		data := m["data"].([]any)
		if m["object"] != "list" || len(data) != 1 || data[0].(map[string]any)["id"] != "tiny-chat" {
			t.Errorf("%s: %v", p, m)
		}
	}
	if r := do(t, "GET", ts.URL+"/v1/models/tiny-chat", "", ""); r.Status != 200 || r.json(t)["object"] != "model" {
		t.Errorf("model: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", ts.URL+"/v1/models/nope", "", ""); r.Status != 404 {
		t.Errorf("unknown model: %d", r.Status)
	}
	tok := post(t, ts.URL+"/tokenize", `{"content":"Hello world","add_special":true}`).json(t)
	ids := tok["tokens"].([]any)
	b, _ := json.Marshal(map[string]any{"tokens": ids})
	det := post(t, ts.URL+"/detokenize", string(b)).json(t)
	if det["content"] != "Hello world" {
		t.Errorf("round trip: %v → %v", ids, det)
	}
	wp := post(t, ts.URL+"/tokenize", `{"content":"Hello","with_pieces":true}`).json(t)
	if _, ok := wp["tokens"].([]any)[0].(map[string]any)["piece"]; !ok {
		t.Errorf("with_pieces: %v", wp)
	}
	at := post(t, ts.URL+"/apply-template", `{"messages":[{"role":"user","content":"Hi"}]}`).json(t)
	want, _ := tinyEngine(t, "llm/v1/chat").RenderChat([]task.Message{{Role: "user", Content: "Hi"}})
	if at["prompt"] != want {
		t.Errorf("apply-template %q, want %q", at["prompt"], want)
	}
}

func TestSeedDeterminism(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{})
	gen := func(seed int) string {
		r := post(t, ts.URL+"/v1/chat/completions", fmt.Sprintf(`{"messages":[{"role":"user","content":"Hi"}],"temperature":1.5,"max_tokens":24,"seed":%d}`, seed))
		return string(r.json(t)["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string))
	}
	a, b, c := gen(7), gen(7), gen(8)
	if a != b {
		t.Errorf("same seed, different text: %q vs %q", a, b)
	}
	if a == c {
		t.Errorf("seeds 7 and 8 gave the same text %q", a)
	}
}

// TestConcurrentGreedyMatchesSingle: batched decode steps give every
// request the same text it gets alone.
func TestConcurrentGreedyMatchesSingle(t *testing.T) {
	_, ts := newServer(t, "llm/v1/chat", serve.Config{Parallel: 4})
	prompts := []string{"Hello", "Tell me a story", "What is 2+2?", "Write a poem"}
	want := make([]string, len(prompts))
	for i, p := range prompts {
		want[i], _, _ = reference(t, "llm/v1/chat", task.Request{Messages: []task.Message{{Role: "user", Content: p}}}, 32)
	}
	got := make([]string, len(prompts))
	var wg sync.WaitGroup
	for i, p := range prompts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", ts.URL+"/v1/chat/completions", strings.NewReader(
				fmt.Sprintf(`{"messages":[{"role":"user","content":%q}],"temperature":0,"max_tokens":32}`, p)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var m struct {
				Choices []struct{ Message struct{ Content string } }
			}
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || len(m.Choices) != 1 {
				t.Errorf("prompt %d: %v", i, err)
				return
			}
			got[i] = m.Choices[0].Message.Content
		}()
	}
	wg.Wait()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("concurrent (-alone +batched):\n%s", d)
	}
}
