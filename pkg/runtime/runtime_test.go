package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

func expectedGreedy(t *testing.T) []int {
	t.Helper()
	b, err := os.ReadFile(testenv.Shared(t, "stories260k", "expected_greedy_from_bos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		PromptIDs    []int `json:"prompt_ids"`
		GeneratedIDs []int `json:"generated_ids"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.GeneratedIDs) != 200 || len(exp.PromptIDs) != 1 || exp.PromptIDs[0] != 1 {
		t.Fatalf("unexpected fixture: %d ids, prompt %v", len(exp.GeneratedIDs), exp.PromptIDs)
	}
	return exp.GeneratedIDs
}

// TestStories260kGreedy runs real trained weights through Load, a session
// and generate.Run: greedy decoding from BOS must give llama2.c's 200 ids.
func TestStories260kGreedy(t *testing.T) {
	want := expectedGreedy(t)
	dir := testenv.Shared(t, "stories260k")
	eng, err := Load(context.Background(), dir, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.Task() != "text-generation" || eng.ContextSize() != 512 {
		t.Errorf("task %q, context %d; want text-generation and 512", eng.Task(), eng.ContextSize())
	}
	t.Run("generate.Run", func(t *testing.T) {
		s := eng.Model.NewSession(eng.ContextSize())
		res, err := generate.Run(context.Background(), s, eng.NewDecoder([]int{1}), []int{1}, generate.Params{MaxTokens: 200}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, res.Tokens); d != "" {
			t.Errorf("greedy ids (-want +got):\n%s", d)
		}
		if res.FinishReason != generate.FinishLength {
			t.Errorf("finish %q", res.FinishReason)
		}
	})
	t.Run("text-generation predict", func(t *testing.T) {
		// An empty prompt tokenizes to BOS alone; generation_config has no
		// length, so --params gives max_new_tokens.
		in, err := task.ParseInput([]byte(`{"inputs":[""]}`), task.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		in.Overrides = map[string]any{"max_new_tokens": 200}
		pred, err := eng.Predict(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, pred.Results[0].Tokens); d != "" {
			t.Errorf("greedy ids through Predict (-want +got):\n%s", d)
		}
		if pred.Results[0].PromptTokens != 1 {
			t.Errorf("prompt tokens %d, want 1 (BOS)", pred.Results[0].PromptTokens)
		}
	})
}

func TestLoadErrors(t *testing.T) {
	empty := t.TempDir()
	_, err := Load(context.Background(), empty, Options{})
	if !errors.Is(err, ErrInvalidModel) {
		t.Errorf("empty folder: err = %v, want ErrInvalidModel", err)
	}
	dir := testenv.Shared(t, "stories260k")
	_, err = Load(context.Background(), dir, Options{Task: "llm/v1/chat"})
	if !errors.Is(err, ErrInvalidModel) {
		t.Errorf("chat without a template: err = %v, want ErrInvalidModel", err)
	}
	_, err = Load(context.Background(), filepath.Join(empty, "missing"), Options{})
	if !errors.Is(err, ErrInvalidModel) {
		t.Errorf("missing folder: err = %v, want ErrInvalidModel", err)
	}
}

// BenchmarkGenerateStories260k measures the whole decode loop (forward pass,
// sampling, streaming detokenizer) on real weights: 200 greedy tokens from
// BOS per iteration.
func BenchmarkGenerateStories260k(b *testing.B) {
	eng, err := Load(context.Background(), testenv.Shared(b, "stories260k"), Options{Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	s := eng.Model.NewSession(eng.ContextSize())
	seed := uint64(1)
	for _, tc := range []struct {
		name string
		p    generate.Params
	}{
		{"greedy", generate.Params{MaxTokens: 200}},
		{"sampled", generate.Params{MaxTokens: 200, Temperature: 0.8, TopP: 0.9, TopK: 40, Seed: &seed}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var tokens int
			for b.Loop() {
				s.Truncate(0)
				res, err := generate.Run(context.Background(), s, eng.NewDecoder([]int{1}), []int{1}, tc.p, nil)
				if err != nil {
					b.Fatal(err)
				}
				tokens += res.CompletionTokens
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tok/s")
		})
	}
}
