package task

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// scriptSession stands in for the forward pass (a separate package): it
// makes script[i] the most likely token after i generated tokens, and
// records what it was fed.
type scriptSession struct {
	vocab, ctxSize int
	script         []int
	fed            []int
	promptLen      int
	logits         []float32
}

func (s *scriptSession) Forward(_ context.Context, tokens []int) ([]float32, error) {
	if len(s.fed) == 0 {
		s.promptLen = len(tokens)
	}
	s.fed = append(s.fed, tokens...)
	clear(s.logits)
	if step := len(s.fed) - s.promptLen; step < len(s.script) {
		s.logits[s.script[step]] = 10
	}
	return s.logits, nil
}
func (s *scriptSession) Len() int         { return len(s.fed) }
func (s *scriptSession) ContextSize() int { return s.ctxSize }
func (s *scriptSession) Truncate(n int)   { s.fed = s.fed[:n] }

type tokAdapter struct{ *tokenizer.Tokenizer }

func (t tokAdapter) NewDecoder(prompt []int) generate.Decoder {
	d := t.NewStreamDecoder(true)
	d.Prime(prompt)
	return d
}

// zephyr renders TinyLlama's chat format (the shared tokenizer_config's
// template) for the tests; the template engine is tested in its own package.
type zephyr struct{ withBOS bool }

func (z zephyr) Render(msgs []map[string]any) (string, error) {
	var b strings.Builder
	if z.withBOS {
		b.WriteString("<s>")
	}
	for _, m := range msgs {
		if m["role"] == "bad" {
			return "", invalidf("Conversation roles must alternate")
		}
		b.WriteString("<|" + m["role"].(string) + "|>\n" + m["content"].(string) + "</s>\n")
	}
	b.WriteString("<|assistant|>\n")
	return b.String(), nil
}

var tokCache struct {
	sync.Mutex
	tok *tokenizer.Tokenizer
}

// llama2Tokenizer loads the shared Llama-2 tokenizer once per test binary.
func llama2Tokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	path := testenv.Shared(t, "llama2-tokenizer", "tokenizer.json")
	tokCache.Lock()
	defer tokCache.Unlock()
	if tokCache.tok == nil {
		tok, err := tokenizer.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		tokCache.tok = tok
	}
	return tokCache.tok
}

type fixture struct {
	eng     *Engine
	sess    *scriptSession
	tok     *tokenizer.Tokenizer
	words   func(s string) []int // ids of s without BOS
	eos     int
	modelCf map[string]any
}

func newFixture(t *testing.T, taskName string, script func(words func(string) []int) []int, cfg func(*Config)) *fixture {
	t.Helper()
	tok := llama2Tokenizer(t)
	words := func(s string) []int { return tok.Encode(s, false) }
	sess := &scriptSession{vocab: tok.VocabSize(), ctxSize: 64, logits: make([]float32, tok.VocabSize())}
	sess.script = script(words)
	c := Config{
		Task: taskName, ModelName: "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
		Tokenizer: tokAdapter{tok}, Template: zephyr{}, BOSText: "<s>",
		NewSession:       func() (Session, error) { return sess, nil },
		ContextSize:      64,
		GenerationConfig: map[string]any{"eos_token_id": json.Number("2"), "max_length": json.Number("2048"), "bos_token_id": json.Number("1")},
	}
	if cfg != nil {
		cfg(&c)
	}
	eng, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{eng: eng, sess: sess, tok: tok, words: words, eos: 2}
}

func predict(t *testing.T, f *fixture, body string) (*Prediction, error) {
	t.Helper()
	in, err := ParseInput([]byte(body), ParseOptions{Params: f.eng.Signature().Params, AllowRaw: true})
	if err != nil {
		t.Fatal(err)
	}
	return f.eng.Predict(context.Background(), in, nil)
}

// normalise blanks id and created, which change on every call.
func normalise(v any) any {
	switch x := v.(type) {
	case []ChatCompletion:
		for i := range x {
			x[i].ID, x[i].Created = "ID", 0
		}
	case []Completion:
		for i := range x {
			x[i].ID, x[i].Created = "ID", 0
		}
	}
	return v
}

func TestChatPredict(t *testing.T) {
	f := newFixture(t, signature.TaskChat, func(w func(string) []int) []int {
		return append(w("Hello world! How"), 2)
	}, nil)
	pred, err := predict(t, f, `{"messages":[{"role":"user","content":"Hi"}],"max_tokens":50,"model":"ignored"}`)
	if err != nil {
		t.Fatal(err)
	}
	prompt := "<|user|>\nHi</s>\n<|assistant|>\n"
	promptIDs := f.tok.Encode(prompt, true)
	if promptIDs[0] != 1 || f.sess.fed[0] != 1 || f.sess.fed[1] == 1 {
		t.Fatalf("the model was fed %v, want one BOS then the prompt", f.sess.fed[:3])
	}
	gen := len(f.words("Hello world! How")) + 1
	want := []ChatCompletion{{
		ID: "ID", Object: "chat.completion", Model: "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
		Usage:   Usage{PromptTokens: len(promptIDs), CompletionTokens: gen, TotalTokens: len(promptIDs) + gen},
		Choices: []ChatChoice{{Index: 0, FinishReason: "stop", Message: Message{Role: "assistant", Content: "Hello world! How"}}},
	}}
	if d := cmp.Diff(any(want), normalise(pred.Output)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// MLflow's key order: id, object, created, model, usage, choices; and
	// index, finish_reason, message inside a choice.
	b, _ := json.Marshal(pred.Output)
	for _, order := range [][]string{{`"id"`, `"object"`, `"created"`, `"model"`, `"usage"`, `"choices"`}, {`"index"`, `"finish_reason"`, `"message"`}} {
		last := -1
		for _, k := range order {
			i := strings.Index(string(b), k)
			if i < last {
				t.Errorf("key %s out of order in %s", k, b)
			}
			last = i
		}
	}
}

func TestChatBOSRuleAndOptions(t *testing.T) {
	script := func(w func(string) []int) []int { return append(w("One two three four"), 2) }
	t.Run("a template that writes <s> gets no second BOS", func(t *testing.T) {
		f := newFixture(t, signature.TaskChat, script, func(c *Config) { c.Template = zephyr{withBOS: true} })
		if _, err := predict(t, f, `{"messages":[{"role":"user","content":"Hi"}]}`); err != nil {
			t.Fatal(err)
		}
		if f.sess.fed[0] != 1 || f.sess.fed[1] == 1 {
			t.Errorf("fed %v, want exactly one BOS", f.sess.fed[:3])
		}
	})
	t.Run("max_tokens gives length; stop is cut; first row wins", func(t *testing.T) {
		f := newFixture(t, signature.TaskChat, script, nil)
		pred, err := predict(t, f, `{"dataframe_records":[
			{"messages":[{"role":"user","content":"a"}],"max_tokens":2},
			{"messages":[{"role":"user","content":"b"}],"max_tokens":40,"stop":["two"]}]}`)
		if err != nil {
			t.Fatal(err)
		}
		out := pred.Output.([]ChatCompletion)
		if len(out) != 2 {
			t.Fatalf("%d outputs", len(out))
		}
		for i, c := range out {
			if c.Choices[0].FinishReason != "length" || c.Usage.CompletionTokens != 2 || c.Choices[0].Message.Content != "One two" {
				t.Errorf("row %d: %+v", i, c)
			}
		}
	})
	t.Run("stop removes the stop text", func(t *testing.T) {
		f := newFixture(t, signature.TaskChat, script, nil)
		pred, err := predict(t, f, `{"messages":[{"role":"user","content":"a"}],"stop":["ree"]}`)
		if err != nil {
			t.Fatal(err)
		}
		c := pred.Output.([]ChatCompletion)[0].Choices[0]
		if c.Message.Content != "One two th" || c.FinishReason != "stop" {
			t.Errorf("choice = %+v", c)
		}
	})
	t.Run("model config sets defaults the request overrides", func(t *testing.T) {
		f := newFixture(t, signature.TaskChat, script, func(c *Config) { c.ModelConfig = map[string]any{"max_new_tokens": int64(1)} })
		pred, err := predict(t, f, `{"messages":[{"role":"user","content":"a"}]}`)
		if err != nil {
			t.Fatal(err)
		}
		if got := pred.Results[0].CompletionTokens; got != 1 {
			t.Errorf("python_function.config max_new_tokens=1 gave %d tokens", got)
		}
		pred, err = predict(t, f, `{"messages":[{"role":"user","content":"a"}],"max_tokens":3}`)
		if err != nil {
			t.Fatal(err)
		}
		if got := pred.Results[0].CompletionTokens; got != 3 {
			t.Errorf("request max_tokens=3 gave %d tokens", got)
		}
	})
}

func TestCompletionsAndTextGeneration(t *testing.T) {
	script := func(w func(string) []int) []int { return append(w("there, friend"), 2) }
	t.Run("completions", func(t *testing.T) {
		f := newFixture(t, signature.TaskCompletions, script, nil)
		pred, err := predict(t, f, `{"prompt":"Hello","max_tokens":10}`)
		if err != nil {
			t.Fatal(err)
		}
		c := pred.Output.([]Completion)[0]
		if c.Object != "text_completion" || c.Choices[0].Text != "there, friend" || c.Choices[0].FinishReason != "stop" {
			t.Errorf("completion = %+v (MLflow lstrips the text)", c)
		}
	})
	t.Run("text-generation echoes the prompt, in-context spacing", func(t *testing.T) {
		f := newFixture(t, signature.TaskTextGeneration, script, nil)
		for _, body := range []string{`"Hello"`, `{"inputs":["Hello"]}`, `{"dataframe_split":{"data":[["Hello"]]}}`, `{"instances":["Hello"]}`, `{"dataframe_records":[{"0":"Hello"}]}`} {
			pred, err := predict(t, f, body)
			if err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if d := cmp.Diff(any([]string{"Hello there, friend"}), pred.Output); d != "" {
				t.Errorf("%s (-want +got):\n%s", body, d)
			}
		}
	})
	t.Run("text-generation params need a params schema", func(t *testing.T) {
		f := newFixture(t, signature.TaskTextGeneration, script, nil)
		pred, err := predict(t, f, `{"inputs":"Hello","params":{"max_new_tokens":1}}`)
		if err != nil {
			t.Fatal(err)
		}
		if pred.Results[0].CompletionTokens == 1 {
			t.Error("params were applied without a params schema")
		}
		f = newFixture(t, signature.TaskTextGeneration, script, func(c *Config) {
			sig, _ := signature.ForTask(signature.TaskTextGeneration)
			sig.Params = signature.TextGenerationParams()
			c.Signature = sig
		})
		pred, err = predict(t, f, `{"inputs":"Hello","params":{"max_new_tokens":1}}`)
		if err != nil {
			t.Fatal(err)
		}
		if pred.Results[0].CompletionTokens != 1 {
			t.Errorf("params schema max_new_tokens=1 gave %d tokens", pred.Results[0].CompletionTokens)
		}
		if _, err := predict(t, f, `{"inputs":"Hello","params":{"max_new_tokens":"x"}}`); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("bad param type: err = %v", err)
		}
	})
}

func TestPredictErrors(t *testing.T) {
	script := func(w func(string) []int) []int { return []int{2} }
	for _, tc := range []struct {
		name, task, body, errHas string
		ctx                      error
	}{
		{"missing messages", signature.TaskChat, `{"prompt":"x"}`, "messages: required field is missing", nil},
		{"template refuses", signature.TaskChat, `{"messages":[{"role":"bad","content":"x"}]}`, "failed to apply chat template: task: invalid request: Conversation roles must alternate", nil},
		{"too long", signature.TaskCompletions, `{"prompt":"` + strings.Repeat("word ", 80) + `"}`, "the model's context window is 64 tokens", generate.ErrContextLength},
		{"bad max_tokens", signature.TaskCompletions, `{"prompt":"x","max_tokens":-3}`, "max_new_tokens must be a positive integer", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.task, script, nil)
			_, err := predict(t, f, tc.body)
			if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("err = %v, want ErrInvalidRequest containing %q", err, tc.errHas)
			}
			if tc.ctx != nil && !errors.Is(err, tc.ctx) {
				t.Errorf("err = %v does not match %v", err, tc.ctx)
			}
		})
	}
	t.Run("no chat template", func(t *testing.T) {
		f := newFixture(t, signature.TaskChat, script, func(c *Config) { c.Template = nil })
		_, err := predict(t, f, `{"messages":[{"role":"user","content":"x"}]}`)
		if !errors.Is(err, ErrNoChatTemplate) || !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestExtraColumnsAreIgnored(t *testing.T) {
	f := newFixture(t, signature.TaskChat, func(w func(string) []int) []int { return append(w("a b c d e f"), 2) }, nil)
	// max_new_tokens is a generate kwarg but not a column of the chat
	// signature: MLflow drops it, so it must not limit the output.
	pred, err := predict(t, f, `{"messages":[{"role":"user","content":"a"}],"max_new_tokens":1,"model":"x"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := pred.Results[0].CompletionTokens; got == 1 {
		t.Errorf("an extra column reached generation (got %d tokens)", got)
	}
}

// TestParamsPrecedence pins MLflow's layering where predict uses it:
// generation_config.json < python_function.config < request, for both the
// chat path and the text-generation path (they merge separately).
func TestParamsPrecedence(t *testing.T) {
	// No EOS in the script and the steps past it are all-zero logits
	// (greedy picks id 0), so every run stops at its length limit.
	script := func(w func(string) []int) []int { return w("One two three four five six seven eight nine ten") }
	withParams := func(c *Config) {
		sig, err := signature.ForTask(signature.TaskTextGeneration)
		if err != nil {
			t.Fatal(err)
		}
		sig.Params = signature.TextGenerationParams()
		c.Signature = sig
	}
	for _, tc := range []struct {
		task, plain, request string
		// requestCfg applies to the request case only: text-generation
		// takes request params through a params schema, whose defaults
		// (max_new_tokens 50) would otherwise mask the lower layers.
		requestCfg func(*Config)
	}{
		{signature.TaskChat, `{"messages":[{"role":"user","content":"a"}]}`, `{"messages":[{"role":"user","content":"a"}],"max_tokens":2}`, nil},
		{signature.TaskTextGeneration, `{"inputs":"Hello"}`, `{"inputs":"Hello","params":{"max_new_tokens":2}}`, withParams},
	} {
		for _, layer := range []struct {
			name      string
			modelConf map[string]any
			body      string
			cfg       func(*Config)
			want      int
		}{
			{"generation_config only", nil, tc.plain, nil, 5},
			{"python_function.config over generation_config", map[string]any{"max_new_tokens": int64(3)}, tc.plain, nil, 3},
			{"request over both", map[string]any{"max_new_tokens": int64(3)}, tc.request, tc.requestCfg, 2},
		} {
			t.Run(tc.task+"/"+layer.name, func(t *testing.T) {
				f := newFixture(t, tc.task, script, func(c *Config) {
					c.GenerationConfig["max_new_tokens"] = json.Number("5")
					c.ModelConfig = layer.modelConf
					if layer.cfg != nil {
						layer.cfg(c)
					}
				})
				pred, err := predict(t, f, layer.body)
				if err != nil {
					t.Fatal(err)
				}
				if got := pred.Results[0].CompletionTokens; got != layer.want {
					t.Errorf("completion tokens = %d, want %d", got, layer.want)
				}
			})
		}
	}
}
