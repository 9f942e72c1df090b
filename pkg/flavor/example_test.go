package flavor_test

import (
	"fmt"
	"path/filepath"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

func ExampleLoad() {
	b, err := flavor.Load(filepath.Join("testdata", "mlflow-2.16-chat"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Task(), filepath.Base(b.ModelDir()), b.SourceModelName())
	fmt.Println(b.Signature.Inputs.Columns[0].Name, b.ModelConfig()["temperature"])
	// Output:
	// llm/v1/chat model TinyLlama/TinyLlama-1.1B-Chat-v1.0
	// messages 0.5
}
