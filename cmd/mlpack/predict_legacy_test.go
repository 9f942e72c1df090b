package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// TestPredictMLflow23Bundle runs `mlpack predict` on testdata/tiny-chat laid
// out as MLflow 2.3 saves it, with components/inference_config.txt setting
// max_new_tokens 4: the run succeeds, honours that config and answers.
func TestPredictMLflow23Bundle(t *testing.T) {
	dir := testenv.MLflow23Bundle(t, `{"max_new_tokens": 4}`)

	code, stdout, stderr := runCLI(t, `{"inputs":"The end"}`, "predict", "-m", dir, "--json", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out []string
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not a JSON list of strings: %v\n%s", err, stdout)
	}
	if len(out) != 1 || !strings.HasPrefix(out[0], "The end") || len(out[0]) <= len("The end") {
		t.Errorf("output %q, want the prompt and a continuation", out)
	}
	var sum predictSummary
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.Contains(line, `"type":"summary"`) {
			if err := json.Unmarshal([]byte(line), &sum); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sum.Type != "summary" || sum.Task != "text-generation" || sum.CompletionTokens != 4 {
		t.Errorf("summary %+v, want text-generation with 4 completion tokens (components/inference_config.txt)\nstderr: %s", sum, stderr)
	}
}
