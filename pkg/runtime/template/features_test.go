package template

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

// featureCase is one line of testdata/features.jsonl, rendered by Python
// Jinja2 configured as transformers configures it (see gen_features.py).
type featureCase struct {
	Name                string                     `json:"name"`
	Template            string                     `json:"template"`
	Messages            json.RawMessage            `json:"messages"`
	Extra               map[string]json.RawMessage `json:"extra"`
	AddGenerationPrompt bool                       `json:"add_generation_prompt"`
	BOSToken            string                     `json:"bos_token"`
	EOSToken            string                     `json:"eos_token"`
	Expected            *string                    `json:"expected"`
	Error               string                     `json:"error"`
	EngineError         bool                       `json:"engine_error"`
}

// fixedNow is the clock gen_features.py uses for strftime_now.
var fixedNow = func() time.Time { return time.Date(2026, 1, 4, 9, 5, 7, 0, time.UTC) }

// TestFeatures checks each template feature transformers relies on against
// Python Jinja2's render: whitespace control, loops and loop controls,
// raise_exception, tojson, strftime_now, namespace, string methods, filters
// and tests.
func TestFeatures(t *testing.T) {
	runFeatureCases(t, testenv.RepoRoot(t)+"/pkg/runtime/template/testdata/features.jsonl")
}

// TestCorpus renders a larger corpus when MLPACK_TEMPLATE_CORPUS names a
// file written by testdata/gen_corpus.py (real templates from the engine's
// own test data and ../shared, rendered by Python Jinja2 as transformers
// does). The corpus is not committed: it is other projects' data.
func TestCorpus(t *testing.T) {
	path := os.Getenv("MLPACK_TEMPLATE_CORPUS")
	if path == "" {
		t.Skip("set MLPACK_TEMPLATE_CORPUS to a file from testdata/gen_corpus.py to run the corpus")
	}
	runFeatureCases(t, path)
}

func runFeatureCases(t *testing.T, path string) {
	var cases []featureCase
	for _, line := range strings.Split(strings.TrimSpace(string(mustRead(t, path))), "\n") {
		var c featureCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			tmpl, err := Compile(c.Template)
			if err != nil && c.EngineError {
				return // Python refuses it too
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			extra := map[string]any{}
			for k, v := range c.Extra {
				extra[k] = v
			}
			got, err := tmpl.RenderJSON(c.Messages, Options{
				AddGenerationPrompt: c.AddGenerationPrompt,
				BOSToken:            c.BOSToken, EOSToken: c.EOSToken,
				Extra: extra, Now: fixedNow,
			})
			switch {
			case c.Expected == nil && c.EngineError:
				if err == nil {
					t.Fatalf("rendered %q; Python Jinja2 refuses this (%s)", got, c.Error)
				}
			case c.Expected == nil:
				var re *RaiseError
				if !errors.As(err, &re) {
					t.Fatalf("got %q, %v; want *RaiseError %q", got, err, c.Error)
				}
				if diff := cmp.Diff(c.Error, re.Message); diff != "" {
					t.Errorf("raised message (-want +got):\n%s", diff)
				}
			case err != nil:
				t.Fatalf("Render: %v", err)
			default:
				if diff := cmp.Diff(*c.Expected, got); diff != "" {
					t.Errorf("render mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}
