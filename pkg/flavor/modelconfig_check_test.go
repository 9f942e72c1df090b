package flavor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/flavor"
)

func TestValidateModelConfig(t *testing.T) {
	for _, tc := range []struct {
		pair    string
		wantErr string // "" means valid
	}{
		{"temperature=0.7", ""},
		{"temperature=0", ""},
		{"temperature=abc", `model config temperature must be a number >= 0, got the string "abc": give e.g. --model-config temperature=0.7`},
		{"temperature=-1", "temperature must be a number >= 0, got -1"},
		{"temperature=true", "temperature must be a number >= 0, got the boolean true"},
		{"top_p=1", ""},
		{"top_p=1.5", "top_p must be a number between 0 and 1, got 1.5"},
		{"repetition_penalty=0", "repetition_penalty must be a number > 0, got 0"},
		{"repetition_penalty=1.1", ""},
		{"max_new_tokens=64", ""},
		{"max_new_tokens=-3", "max_new_tokens must be a positive integer, got -3"},
		{"max_new_tokens=0", "max_new_tokens must be a positive integer, got 0"},
		{"max_new_tokens=1.5", "max_new_tokens must be a positive integer, got 1.5"},
		{`max_new_tokens="64"`, `max_new_tokens must be a positive integer, got the string "64"`},
		{"max_tokens=0", "max_tokens must be a positive integer"},
		{"top_k=0", ""},
		{"top_k=-1", "top_k must be a non-negative integer"},
		{"do_sample=true", ""},
		{"do_sample=yes", `do_sample must be true or false, got the string "yes"`},
		{`stop=["a", "b"]`, ""},
		{"stop=end", ""},
		{"stop=[1]", "stop must be a string or a list of strings, got a list [1]"},
		{"seed=42", ""},
		{"seed=-1", "seed must be a non-negative integer, got -1"},
		{"eos_token_id=[2, 3]", ""},
		{"eos_token_id=x", "eos_token_id must be a non-negative integer or a list of them"},
		{"my_custom_key=anything", ""},
	} {
		t.Run(tc.pair, func(t *testing.T) {
			_, err := flavor.ParseModelConfig([]string{tc.pair})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, flavor.ErrInvalidModelConfig) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v\nwant ErrInvalidModelConfig containing %q", err, tc.wantErr)
			}
			if strings.Count(err.Error(), "flavor:") != 1 {
				t.Errorf("err = %q, want one flavor: prefix", err)
			}
		})
	}
}

func TestValidateModelConfigUnknownKeys(t *testing.T) {
	unknown, err := flavor.ValidateModelConfig(map[string]any{"temperature": 0.5, "zeta": 1, "alpha": "x", "num_beams": int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alpha", "zeta"}, unknown); diff != "" {
		t.Errorf("unknown keys (-want +got):\n%s", diff)
	}
}

// TestSaveChecksModelConfig: Save refuses a bad config given directly (not
// through ParseModelConfig) and warns about keys mlpack does not use.
func TestSaveChecksModelConfig(t *testing.T) {
	src := tinyModel(t)
	parent := t.TempDir()
	_, err := flavor.Save(context.Background(), src, filepath.Join(parent, "b"), flavor.SaveOptions{ModelConfig: map[string]any{"max_new_tokens": int64(-3)}})
	if !errors.Is(err, flavor.ErrInvalidModelConfig) || !errors.Is(err, flavor.ErrInvalidModel) || !strings.Contains(err.Error(), "max_new_tokens must be a positive integer") {
		t.Fatalf("err = %v", err)
	}
	assertEmpty(t, parent)
	var logs bytes.Buffer
	_, err = flavor.Save(context.Background(), src, filepath.Join(parent, "b"), flavor.SaveOptions{
		ModelConfig: map[string]any{"my_key": "v", "temperature": 0.5},
		Log:         slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "keys=[my_key]") {
		t.Errorf("logs lack a warning naming my_key:\n%s", logs.String())
	}
}
