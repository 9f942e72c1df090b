package flavor_test

import (
	"context"
	"fmt"
	"os"
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

func ExampleSave() {
	tmp, err := os.MkdirTemp("", "mlpack-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	// The source may be a Hugging Face folder or, as here, a bundle.
	b, err := flavor.Save(context.Background(), filepath.Join("testdata", "mlflow-2.16-chat"), filepath.Join(tmp, "bundle"),
		flavor.SaveOptions{Task: "llm/v1/completions", ModelConfig: map[string]any{"max_new_tokens": int64(32)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	tf := b.Model.Flavors.Transformers
	fmt.Println(tf.Task, tf.InferenceTask, b.Model.Metadata["task"])
	fmt.Println(b.Signature.Inputs.Columns[0].Name, b.ModelConfig()["max_new_tokens"])
	// Output:
	// text-generation llm/v1/completions llm/v1/completions
	// prompt 32
}
