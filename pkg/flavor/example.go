package flavor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mlpack-go/mlpack/internal/pyjson"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// Default input examples written for llm/v1 tasks when none is given.
const (
	DefaultChatExample        = `{"messages": [{"role": "system", "content": "You are a bot."}, {"role": "user", "content": "Hello, how are you?"}]}`
	DefaultCompletionsExample = `{"prompt": "Once upon a time", "max_tokens": 32}`
)

// inputExample holds the two files MLflow writes for an input example.
type inputExample struct {
	example []byte // input_example.json: json.dumps(example)
	serving []byte // serving_input_example.json: json.dumps(serving, indent=2)
}

// buildExample turns raw JSON into MLflow's input_example.json and
// serving_input_example.json contents (docs/mlflow-format.md §6), after
// checking it against the signature inputs. raw nil means the task's default
// (none for text-generation).
func buildExample(raw []byte, task string, inputs *signature.Schema) (*inputExample, error) {
	if raw == nil {
		switch task {
		case signature.TaskChat:
			raw = []byte(DefaultChatExample)
		case signature.TaskCompletions:
			raw = []byte(DefaultCompletionsExample)
		default:
			return nil, nil
		}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, newErr(ErrInvalidModel, "the input example is not valid JSON (%s): fix it, or leave it out to use the default", jsonProblem(raw, err))
	}
	if err := inputs.Validate(v); err != nil {
		why := strings.TrimPrefix(err.Error(), signature.ErrInvalidInput.Error()+": ")
		return nil, &kindError{kind: signature.ErrInvalidInput, also: ErrInvalidModel,
			msg: fmt.Sprintf("the input example does not match the %s signature (%s): fix it, or leave it out to use the default", task, why)}
	}
	ex, err := pyjson.Dumps(raw, false)
	if err != nil {
		return nil, newErr(ErrInvalidModel, "the input example is not valid JSON (%v): fix it, or leave it out to use the default", err)
	}
	// Unified LLM dicts (messages/prompt/input keys) are served as-is;
	// everything else is wrapped in {"inputs": ...}.
	servingRaw := raw
	m, isMap := v.(map[string]any)
	_, hasMessages := m["messages"]
	_, hasPrompt := m["prompt"]
	_, hasInput := m["input"]
	if !isMap || !(hasMessages || hasPrompt || hasInput) {
		servingRaw = append(append([]byte(`{"inputs": `), raw...), '}')
	}
	serving, err := pyjson.Dumps(servingRaw, true)
	if err != nil {
		return nil, newErr(ErrInvalidModel, "the input example is not valid JSON (%v): fix it, or leave it out to use the default", err)
	}
	return &inputExample{example: ex, serving: serving}, nil
}

// jsonProblem describes a JSON decoding error with its line and column.
func jsonProblem(raw []byte, err error) string {
	if errors.Is(err, io.EOF) {
		return "it is empty"
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "it ends early"
		}
		return err.Error()
	}
	off := min(int(se.Offset), len(raw))
	line := 1 + bytes.Count(raw[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(raw[:off], '\n')
	if col > 1 {
		col-- // Offset is just past the offending byte
	}
	return fmt.Sprintf("%v at line %d, column %d", se, line, col)
}
