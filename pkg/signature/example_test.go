package signature_test

import (
	"errors"
	"fmt"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

func ExampleForTask() {
	sig, _ := signature.ForTask("llm/v1/completions")
	fmt.Println(sig.Inputs.Columns[0].Name, sig.Params == nil)
	err := sig.Inputs.Validate(map[string]any{"prompt": "Once upon a time", "max_tokens": 2.5})
	fmt.Println(err)
	// Output:
	// prompt true
	// signature: invalid input: max_tokens: expected integer (long), got a number with a fractional part
}

func ExampleSchema_Validate() {
	sig, _ := signature.ForTask("llm/v1/chat")
	err := sig.Inputs.Validate(map[string]any{
		"messages": []any{map[string]any{"role": "user", "content": "hi", "tool_calls": []any{}}},
	})
	var ve *signature.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
		fmt.Println(ve.Msg)
		fmt.Println(errors.Is(err, signature.ErrInvalidInput))
	}
	// Output:
	// messages[0].tool_calls
	// unknown field (allowed: content, name, role)
	// true
}

func ExampleSchema_JSON() {
	s := &signature.Schema{Columns: []signature.ColSpec{
		{Type: &signature.Array{Items: signature.String}, Name: "stop"},
	}}
	fmt.Println(s.JSON())
	// Output:
	// [{"type": "array", "items": {"type": "string"}, "name": "stop", "required": false}]
}
