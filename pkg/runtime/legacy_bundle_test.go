package runtime

import (
	"context"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

// TestLegacyMLflowBundlePredict predicts on a bundle as MLflow 2.3 writes it:
// the weights are found under pipeline/, and inference_config.txt's
// max_new_tokens is what bounds the completion.
func TestLegacyMLflowBundlePredict(t *testing.T) {
	eng, err := Load(context.Background(), testenv.MLflow23Bundle(t, `{"max_new_tokens": 4}`), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Task() != "text-generation" || eng.ModelName() != "tiny/chat" {
		t.Fatalf("task %q, model %q", eng.Task(), eng.ModelName())
	}
	for _, body := range []string{`{"inputs":"The end"}`, `{"dataframe_split":{"data":[["The end"]]}}`} {
		in, err := task.ParseInput([]byte(body), task.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pred, err := eng.Predict(context.Background(), in, nil)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := pred.Results[0].CompletionTokens; got != 4 {
			t.Errorf("%s: %d completion tokens, want 4 (components/inference_config.txt)", body, got)
		}
		out, ok := pred.Output.([]string)
		if !ok || len(out) != 1 || !strings.HasPrefix(out[0], "The end") || len(out[0]) <= len("The end") {
			t.Errorf("%s: output %#v (results %+v), want the prompt and a continuation", body, pred.Output, pred.Results)
		}
	}
}
