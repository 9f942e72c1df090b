package template

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

// sharedCase is one line of ../shared/testdata/chat-templates/cases.jsonl.
type sharedCase struct {
	TemplateName        string          `json:"template_name"`
	Conversation        string          `json:"conversation"`
	Template            string          `json:"template"`
	Messages            json.RawMessage `json:"messages"`
	AddGenerationPrompt bool            `json:"add_generation_prompt"`
	BOSToken            string          `json:"bos_token"`
	EOSToken            string          `json:"eos_token"`
	Expected            *string         `json:"expected"`
	Error               string          `json:"error"`
}

func readCases(t *testing.T, path string) []sharedCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []sharedCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c sharedCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestSharedCases renders the 30 real-template cases rendered by
// transformers and checks every byte, and that refusing templates raise
// their own message.
func TestSharedCases(t *testing.T) {
	path := testenv.Shared(t, "chat-templates", "cases.jsonl")
	cases := readCases(t, path)
	if len(cases) != 30 {
		t.Fatalf("read %d cases from %s, want 30", len(cases), path)
	}
	for _, c := range cases {
		t.Run(c.TemplateName+"/"+c.Conversation, func(t *testing.T) {
			checkCase(t, c)
		})
	}
}

func checkCase(t *testing.T, c sharedCase) {
	t.Helper()
	tmpl, err := Compile(c.Template)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	opts := Options{AddGenerationPrompt: c.AddGenerationPrompt, BOSToken: c.BOSToken, EOSToken: c.EOSToken}
	got, err := tmpl.RenderJSON(c.Messages, opts)
	// Render (Go maps) must agree with RenderJSON on these inputs.
	var msgs []map[string]any
	if jerr := json.Unmarshal(c.Messages, &msgs); jerr != nil {
		t.Fatal(jerr)
	}
	got2, err2 := tmpl.Render(msgs, opts)
	if got2 != got || (err == nil) != (err2 == nil) {
		t.Errorf("Render and RenderJSON disagree: %q/%v vs %q/%v", got2, err2, got, err)
	}
	if c.Expected == nil {
		var re *RaiseError
		if !errors.As(err, &re) {
			t.Fatalf("got %q, %v; want a *RaiseError with %q", got, err, c.Error)
		}
		if !strings.Contains(re.Error(), c.Error) {
			t.Errorf("raised %q, want it to carry %q", re.Error(), c.Error)
		}
		return
	}
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if diff := cmp.Diff(*c.Expected, got); diff != "" {
		t.Errorf("render mismatch (-want +got):\n%s", diff)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
