package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

type fixtureCase struct {
	Text    string `json:"text"`
	IDs     []int  `json:"ids"`
	Decoded string `json:"decoded"`
}

func readCases(t testing.TB, path string) []fixtureCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []fixtureCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c fixtureCase
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

var llama2Once struct {
	sync.Once
	tok *Tokenizer
	err error
}

// llama2 loads the shared Llama-2/TinyLlama tokenizer once per test binary.
func llama2(t testing.TB) (*Tokenizer, string) {
	t.Helper()
	dir := testenv.Shared(t, "llama2-tokenizer")
	llama2Once.Do(func() {
		llama2Once.tok, llama2Once.err = Load(filepath.Join(dir, "tokenizer.json"))
	})
	if llama2Once.err != nil {
		t.Fatal(llama2Once.err)
	}
	return llama2Once.tok, dir
}

// streamAll decodes ids one at a time and concatenates the output.
func streamAll(tok *Tokenizer, ids []int, skip bool) string {
	d := tok.NewStreamDecoder(skip)
	s := ""
	for _, id := range ids {
		s += d.Next(id)
	}
	return s + d.Flush()
}

// checkCases runs the encode, decode and streaming checks of a JSONL
// fixture whose decoded field skips special tokens.
func checkCases(t *testing.T, tok *Tokenizer, cases []fixtureCase) {
	t.Helper()
	for i, c := range cases {
		t.Run(caseName(i, c.Text), func(t *testing.T) {
			got := tok.Encode(c.Text, true)
			if diff := cmp.Diff(c.IDs, got); diff != "" {
				t.Errorf("Encode(%q) ids (-want +got):\n%s", c.Text, diff)
			}
			if got := tok.Decode(c.IDs, true); got != c.Decoded {
				t.Errorf("Decode(skip special) = %q, want %q", got, c.Decoded)
			}
			for _, skip := range []bool{true, false} {
				want := tok.Decode(c.IDs, skip)
				if got := streamAll(tok, c.IDs, skip); got != want {
					t.Errorf("stream decode (skip=%v) = %q, want %q", skip, got, want)
				}
			}
		})
	}
}

func caseName(i int, text string) string {
	r := []rune(text)
	if len(r) > 24 {
		r = r[:24]
	}
	return filepathSafe(i, string(r))
}

func filepathSafe(i int, s string) string {
	b, _ := json.Marshal(s)
	return string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10)) + "_" + string(b)
}

func TestLlama2Cases(t *testing.T) {
	tok, dir := llama2(t)
	cases := readCases(t, filepath.Join(dir, "cases.jsonl"))
	if len(cases) != 319 {
		t.Fatalf("cases.jsonl has %d cases, want 319", len(cases))
	}
	checkCases(t, tok, cases)
}

func TestLlama2SpecialTokenCases(t *testing.T) {
	tok, dir := llama2(t)
	cases := readCases(t, filepath.Join(dir, "cases_special_tokens.jsonl"))
	if len(cases) != 37 {
		t.Fatalf("cases_special_tokens.jsonl has %d cases, want 37", len(cases))
	}
	checkCases(t, tok, cases)
}
