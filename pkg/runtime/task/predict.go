package task

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// Prediction is the result of Predict: Output is exactly what MLflow's
// pyfunc predict returns ([]ChatCompletion, []Completion or []string);
// Results holds the generation behind each output row.
type Prediction struct {
	Output  any
	Results []*generate.Result
}

// StreamFunc receives the text of row as it is generated.
type StreamFunc func(row int, ev generate.Event) error

// Predict answers in the way MLflow's transformers pyfunc predict does for
// the engine's task (see the package documentation for the differences).
// stream may be nil. Errors caused by the input match ErrInvalidRequest.
func (e *Engine) Predict(ctx context.Context, in *Input, stream StreamFunc) (*Prediction, error) {
	return e.PredictWith(ctx, in, e.generateIDs, stream)
}

// PredictWith is Predict with generations run by gen.
func (e *Engine) PredictWith(ctx context.Context, in *Input, gen GenerateFunc, stream StreamFunc) (*Prediction, error) {
	params, err := e.requestParams(in)
	if err != nil {
		return nil, err
	}
	switch e.cfg.Task {
	case signature.TaskChat, signature.TaskCompletions:
		return e.predictLLM(ctx, in, params, gen, stream)
	}
	return e.predictText(ctx, in, params, gen, stream)
}

// requestParams applies the signature's params schema to the request's
// params. Without a schema they are dropped with a warning, as MLflow does.
func (e *Engine) requestParams(in *Input) (map[string]any, error) {
	ps := e.cfg.Signature.Params
	if ps == nil {
		if len(in.Params) > 0 {
			e.log.Warn("params can only be given when the model signature defines a params schema; ignoring them", "params", keys(in.Params))
		}
		return nil, nil
	}
	merged, ignored, err := ps.Apply(in.Params)
	if err != nil {
		return nil, invalid(err)
	}
	if len(ignored) > 0 {
		e.log.Warn("ignoring params the model signature does not define", "params", ignored)
	}
	return merged, nil
}

// extraColumns lists the row fields the schema does not name, sorted.
func extraColumns(rows []map[string]any, s *signature.Schema) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		for k := range r {
			if !seen[k] && (s == nil || s.Column(k) == nil) {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (e *Engine) predictLLM(ctx context.Context, in *Input, params map[string]any, gen GenerateFunc, stream StreamFunc) (*Prediction, error) {
	chat := e.cfg.Task == signature.TaskChat
	col := "prompt"
	if chat {
		col = "messages"
	}
	rows, err := records(in, e.cfg.Signature.Inputs)
	if err != nil {
		return nil, err
	}
	if extra := extraColumns(rows, e.cfg.Signature.Inputs); len(extra) > 0 {
		e.log.Warn("found extra inputs that the model signature does not define; they are ignored", "inputs", extra)
	}
	// Options come from the first row only, and only columns the signature
	// defines (MLflow drops the others before the pipeline sees them).
	first := map[string]any{}
	for k, v := range rows[0] {
		if e.cfg.Signature.Inputs == nil || e.cfg.Signature.Inputs.Column(k) != nil {
			first[k] = v
		}
	}
	kw := merge(genConfigLayer(e.cfg.GenerationConfig), e.cfg.ModelConfig, params, requestColumns(first, col), requestColumns(in.Overrides, ""))
	pred := &Prediction{}
	var chats []ChatCompletion
	var comps []Completion
	for i, row := range rows {
		if _, ok := row[col]; !ok {
			return nil, invalidf("the model was saved with the %s task and expects %q in every row (row %d has none)", e.cfg.Task, col, i)
		}
		req := Request{}
		if chat {
			if req.Messages, err = messages(row[col], i); err != nil {
				return nil, err
			}
		} else {
			s, ok := row[col].(string)
			if !ok {
				return nil, invalidf("row %d: prompt must be a string, got %s", i, describeTop(row[col]))
			}
			req.Prompt = s
		}
		res, err := e.predictOne(ctx, req, kw, i, gen, stream)
		if err != nil {
			return nil, err
		}
		pred.Results = append(pred.Results, res)
		usage := Usage{PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, TotalTokens: res.PromptTokens + res.CompletionTokens}
		text := lstrip(res.Text)
		now := time.Now().Unix()
		if chat {
			chats = append(chats, ChatCompletion{
				ID: NewID(), Object: ObjectChatCompletion, Created: now, Model: e.cfg.ModelName, Usage: usage,
				Choices: []ChatChoice{{Index: 0, FinishReason: res.FinishReason, Message: Message{Role: "assistant", Content: text}}},
			})
		} else {
			comps = append(comps, Completion{
				ID: NewID(), Object: ObjectTextCompletion, Created: now, Model: e.cfg.ModelName, Usage: usage,
				Choices: []CompletionChoice{{Index: 0, FinishReason: res.FinishReason, Text: text}},
			})
		}
	}
	if chat {
		pred.Output = chats
	} else {
		pred.Output = comps
	}
	return pred, nil
}

// predictOne renders and tokenizes one request (applying the prompt
// template), converts kw for its prompt length and generates.
func (e *Engine) predictOne(ctx context.Context, req Request, kw map[string]any, row int, gen GenerateFunc, stream StreamFunc) (*generate.Result, error) {
	if req.Messages != nil {
		p, err := e.RenderChat(req.Messages)
		if err != nil {
			return nil, err
		}
		req = Request{Prompt: p}
	}
	if e.cfg.PromptTemplate != "" {
		req.Prompt = formatPrompt(e.cfg.PromptTemplate, req.Prompt)
	}
	prep, err := e.Prepare(req)
	if err != nil {
		return nil, rowErr(err, row)
	}
	p, err := hfParams(kw, len(prep.IDs), e.BaseParams().EOS, e.log)
	if err != nil {
		return nil, err
	}
	var cb func(generate.Event) error
	if stream != nil {
		cb = func(ev generate.Event) error { return stream(row, ev) }
	}
	res, err := gen(ctx, prep.IDs, p, cb)
	if err != nil {
		return nil, rowErr(classify(err), row)
	}
	return res, nil
}

func rowErr(err error, row int) error {
	if row == 0 {
		return err
	}
	return fmt.Errorf("row %d: %w", row, err)
}

// messages converts a validated messages value.
func messages(v any, row int) ([]Message, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, invalidf("row %d: input messages should be a list of objects, got %s", row, describeTop(v))
	}
	out := make([]Message, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, invalidf("row %d: messages[%d] should be an object, got %s", row, i, describeTop(e))
		}
		role, _ := m["role"].(string)
		if role == "" {
			return nil, invalidf("row %d: messages[%d].role must be a non-empty string", row, i)
		}
		content, err := contentText(m["content"])
		if err != nil {
			return nil, invalidf("row %d: messages[%d].content %v", row, i, err)
		}
		name, _ := m["name"].(string)
		out[i] = Message{Role: role, Content: content, Name: name}
	}
	return out, nil
}

// contentText accepts a string, null, or a list of OpenAI text parts.
func contentText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case []any:
		var b strings.Builder
		for _, p := range x {
			pm, ok := p.(map[string]any)
			t, isText := pm["text"].(string)
			if !ok || !isText || (pm["type"] != nil && pm["type"] != "text") {
				return "", fmt.Errorf("must be a string or a list of text parts")
			}
			b.WriteString(t)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("must be a string, got %s", describeTop(v))
}

func (e *Engine) predictText(ctx context.Context, in *Input, params map[string]any, gen GenerateFunc, stream StreamFunc) (*Prediction, error) {
	prompts, err := texts(in, e.cfg.Signature.Inputs)
	if err != nil {
		return nil, err
	}
	kw := merge(genConfigLayer(e.cfg.GenerationConfig), e.cfg.ModelConfig, params, requestColumns(in.Overrides, ""))
	fullText := true
	if v, ok := kw["return_full_text"].(bool); ok {
		fullText = v
	}
	pred := &Prediction{}
	out := make([]string, 0, len(prompts))
	for i, prompt := range prompts {
		res, err := e.predictOne(ctx, Request{Prompt: prompt}, kw, i, gen, stream)
		if err != nil {
			return nil, err
		}
		pred.Results = append(pred.Results, res)
		text := res.Text
		if fullText {
			if e.cfg.PromptTemplate != "" {
				prompt = formatPrompt(e.cfg.PromptTemplate, prompt)
			}
			text = prompt + text
		}
		out = append(out, strip(text))
	}
	pred.Output = out
	return pred, nil
}

// formatPrompt applies a Python format string with one {prompt} field, as
// MLflow's template.format(prompt=x) does ({{ and }} are literal braces).
func formatPrompt(tmpl, prompt string) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		switch {
		case strings.HasPrefix(tmpl[i:], "{{"):
			b.WriteByte('{')
			i++
		case strings.HasPrefix(tmpl[i:], "}}"):
			b.WriteByte('}')
			i++
		case strings.HasPrefix(tmpl[i:], "{prompt}"):
			b.WriteString(prompt)
			i += len("{prompt}") - 1
		default:
			b.WriteByte(tmpl[i])
		}
	}
	return b.String()
}
