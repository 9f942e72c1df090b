package signature

import "fmt"

// Task names ForTask accepts.
const (
	TaskTextGeneration = "text-generation"
	TaskChat           = "llm/v1/chat"
	TaskCompletions    = "llm/v1/completions"
)

// ForTask returns the signature MLflow writes for a text-generation pipeline
// saved with the given task:
//   - "text-generation": one unnamed string column in and out, no params
//     (MLflow's default signature for TextGenerationPipeline);
//   - "llm/v1/chat" and "llm/v1/completions": the fixed MLflow 2.x classic
//     schemas, with params null (request options travel as optional input
//     columns).
//
// Each call returns a fresh value the caller may modify.
func ForTask(task string) (*Signature, error) {
	switch task {
	case TaskTextGeneration, "":
		return &Signature{
			Inputs:  &Schema{Columns: []ColSpec{{Type: String, Required: true}}},
			Outputs: &Schema{Columns: []ColSpec{{Type: String, Required: true}}},
		}, nil
	case TaskChat:
		return &Signature{Inputs: chatInputs(), Outputs: chatOutputs()}, nil
	case TaskCompletions:
		return &Signature{Inputs: completionsInputs(), Outputs: completionsOutputs()}, nil
	}
	return nil, fmt.Errorf("%w %q (want %s, %s or %s)", ErrUnknownTask, task, TaskTextGeneration, TaskChat, TaskCompletions)
}

// TextGenerationParams returns a params schema for a plain text-generation
// model: the Hugging Face generate() options mlpack honours, with the
// defaults of transformers' GenerationConfig. Attach it to a text-generation
// signature so requests may carry "params" (MLflow drops params when the
// signature has none).
func TextGenerationParams() *ParamSchema {
	return &ParamSchema{Params: []ParamSpec{
		{Name: "max_new_tokens", Type: Long, Default: int64(50)},
		{Name: "temperature", Type: Double, Default: 1.0},
		{Name: "top_p", Type: Double, Default: 1.0},
		{Name: "top_k", Type: Long, Default: int64(50)},
		{Name: "do_sample", Type: Boolean, Default: false},
		{Name: "repetition_penalty", Type: Double, Default: 1.0},
	}}
}

// optionColumns are the optional request columns shared by the classic chat
// and completions inputs.
func optionColumns() []ColSpec {
	return []ColSpec{
		{Type: Double, Name: "temperature"},
		{Type: Long, Name: "max_tokens"},
		{Type: &Array{Items: String}, Name: "stop"},
		{Type: Long, Name: "n"},
		{Type: Boolean, Name: "stream"},
	}
}

func message() *Object {
	return NewObject(
		Property{Name: "role", Type: String, Required: true},
		Property{Name: "content", Type: String, Required: true},
		Property{Name: "name", Type: String},
	)
}

func chatInputs() *Schema {
	cols := []ColSpec{{Type: &Array{Items: message()}, Name: "messages", Required: true}}
	return &Schema{Columns: append(cols, optionColumns()...)}
}

func completionsInputs() *Schema {
	cols := []ColSpec{{Type: String, Name: "prompt", Required: true}}
	return &Schema{Columns: append(cols, optionColumns()...)}
}

func usage() ColSpec {
	return ColSpec{Type: NewObject(
		Property{Name: "prompt_tokens", Type: Long, Required: true},
		Property{Name: "completion_tokens", Type: Long, Required: true},
		Property{Name: "total_tokens", Type: Long, Required: true},
	), Name: "usage", Required: true}
}

func responseHead() []ColSpec {
	return []ColSpec{
		{Type: String, Name: "id", Required: true},
		{Type: String, Name: "object", Required: true},
		{Type: Long, Name: "created", Required: true},
		{Type: String, Name: "model", Required: true},
	}
}

func chatOutputs() *Schema {
	choice := NewObject(
		Property{Name: "index", Type: Long, Required: true},
		Property{Name: "message", Type: message(), Required: true},
		Property{Name: "finish_reason", Type: String, Required: true},
	)
	cols := append(responseHead(), ColSpec{Type: &Array{Items: choice}, Name: "choices", Required: true}, usage())
	return &Schema{Columns: cols}
}

func completionsOutputs() *Schema {
	choice := NewObject(
		Property{Name: "index", Type: Long, Required: true},
		Property{Name: "finish_reason", Type: String, Required: true},
		Property{Name: "text", Type: String, Required: true},
	)
	cols := append(responseHead(), ColSpec{Type: &Array{Items: choice}, Name: "choices", Required: true}, usage())
	return &Schema{Columns: cols}
}
