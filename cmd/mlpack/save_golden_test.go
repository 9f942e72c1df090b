package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

// -update rewrites the golden files; whichever test file of this package
// initialises first defines the flag.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata golden files")
	}
}

func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// normaliseMLmodel blanks what differs between saves: the uuid, the time and
// mlpack's own version.
func normaliseMLmodel(b []byte) string {
	s := string(b)
	for re, repl := range map[string]string{
		`(?m)^model_uuid: [0-9a-f]{32}$`: "model_uuid: 00000000000000000000000000000000",
		`(?m)^utc_time_created: .*$`:     `utc_time_created: "2000-01-01 00:00:00.000000"`,
		`(?m)^(\s+mlpack_version: ).*$`:  "${1}VERSION",
	} {
		s = regexp.MustCompile(re).ReplaceAllString(s, repl)
	}
	return s
}

// TestSaveTinyChatGolden saves the committed tiny chat model under each task
// and compares the MLmodel with testdata/save/<task>.MLmodel.
func TestSaveTinyChatGolden(t *testing.T) {
	src := testenv.Testdata(t, "tiny-chat")
	for _, task := range []string{"text-generation", "llm/v1/chat", "llm/v1/completions"} {
		t.Run(task, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bundle")
			if code, _, stderr := runCLI(t, "", "save", "-m", src, "--task", task, "-o", out); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			raw, err := os.ReadFile(filepath.Join(out, "MLmodel"))
			if err != nil {
				t.Fatal(err)
			}
			got := normaliseMLmodel(raw)
			golden := filepath.Join("testdata", "save", strings.ReplaceAll(task, "/", "_")+".MLmodel")
			if updateGoldens() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestSaveTinyChatGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("MLmodel (-golden +got):\n%s", diff)
			}
		})
	}
}
