package serve_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/serve"
	"github.com/mlpack-go/mlpack/pkg/serve/mlflow"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/invocations")

// volatile parts of MLflow replies: uuid4 ids and creation times.
var (
	uuidRe    = regexp.MustCompile(`("id":\s*)"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)
	createdRe = regexp.MustCompile(`("created":\s*)\d+`)
)

func normalize(b []byte) []byte {
	b = uuidRe.ReplaceAll(b, []byte(`${1}"UUID"`))
	return createdRe.ReplaceAll(b, []byte(`${1}0`))
}

// TestInvocationsGolden pins the /invocations replies for every MLflow
// input shape and the error cases, byte for byte (ids and times masked).
func TestInvocationsGolden(t *testing.T) {
	msgs := `[{"role":"user","content":"Hello"}]`
	for _, tc := range []struct {
		name, task, contentType, body string
	}{
		{"chat_unified", "llm/v1/chat", "application/json", `{"messages":` + msgs + `,"max_tokens":8,"temperature":0}`},
		{"chat_dataframe_split", "llm/v1/chat", "application/json", `{"dataframe_split":{"columns":["messages","max_tokens"],"data":[[` + msgs + `,8]]}}`},
		{"chat_dataframe_records", "llm/v1/chat", "application/json", `{"dataframe_records":[{"messages":` + msgs + `,"max_tokens":8},{"messages":[{"role":"user","content":"Bye"}]}]}`},
		{"chat_instances", "llm/v1/chat", "application/json", `{"instances":[{"messages":` + msgs + `,"max_tokens":8}]}`},
		{"chat_inputs", "llm/v1/chat", "application/json", `{"inputs":{"messages":` + msgs + `,"max_tokens":8}}`},
		{"chat_csv", "llm/v1/chat", "text/csv; charset=utf-8", "messages,max_tokens\n\"[{\"\"role\"\":\"\"user\"\",\"\"content\"\":\"\"Hello\"\"}]\",8\n"},
		{"chat_missing_messages", "llm/v1/chat", "application/json", `{"prompt":"Hello","max_tokens":8}`},
		{"chat_no_format_key", "llm/v1/chat", "application/json", `{"data":[1]}`},
		{"chat_invalid_json", "llm/v1/chat", "application/json", `{"messages":`},
		{"chat_content_type", "llm/v1/chat", "text/plain", `hello`},
		{"chat_charset", "llm/v1/chat", "application/json; charset=latin-1", `{}`},
		{"completions_unified", "llm/v1/completions", "application/json", `{"prompt":"Once upon a time","max_tokens":8}`},
		{"completions_dataframe_records", "llm/v1/completions", "application/json", `{"dataframe_records":[{"prompt":"Once upon a time","max_tokens":8}]}`},
		{"text_generation_inputs", "text-generation", "application/json", `{"inputs":["Once upon a time"]}`},
		{"text_generation_dataframe_split", "text-generation", "application/json", `{"dataframe_split":{"columns":["prompt"],"data":[["Once upon a time"]]}}`},
		{"text_generation_csv", "text-generation", "text/csv", "prompt\nOnce upon a time\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := newServer(t, tc.task, serve.Config{})
			r := do(t, "POST", ts.URL+"/invocations", tc.contentType, tc.body)
			b := []byte(fmt.Sprintf("status: %d\ncontent-type: %s\n\n%s", r.Status, r.Header.Get("Content-Type"), normalize(r.Body)))
			path := filepath.Join("testdata", "invocations", tc.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if r.Status == 200 {
				// The server answers exactly as predict does in process.
				eng := tinyEngine(t, tc.task)
				body := []byte(tc.body)
				if strings.HasPrefix(tc.contentType, "text/csv") {
					var err error
					if body, err = mlflow.CSVToDataframeSplit(body); err != nil {
						t.Fatal(err)
					}
				}
				in, err := task.ParseInput(body, task.ParseOptions{Params: eng.Signature().Params})
				if err != nil {
					t.Fatal(err)
				}
				pred, err := eng.Predict(context.Background(), in, nil)
				if err != nil {
					t.Fatal(err)
				}
				direct, err := mlflow.Marshal(task.Wrap(in, pred.Output))
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(string(normalize(direct)), string(normalize(r.Body))); d != "" {
					t.Errorf("server differs from predict (-predict +server):\n%s", d)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestInvocationsGolden -update to create it)", err)
			}
			if d := cmp.Diff(string(want), string(b)); d != "" {
				t.Errorf("/invocations reply (-golden +got):\n%s", d)
			}
		})
	}
}
