package signature_test

import (
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
