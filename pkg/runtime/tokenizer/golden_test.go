package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goldenCase is one line of testdata/<name>/cases.jsonl. The expected values
// come from HF's reference implementation (@huggingface/tokenizers), written
// once by testdata/gen/gen.mjs; they are deliberately not regenerated from
// this package, so there is no -update flag.
type goldenCase struct {
	Text               string   `json:"text"`
	IDs                []int    `json:"ids"`
	IDsNoSpecial       []int    `json:"ids_no_special"`
	Tokens             []string `json:"tokens"`
	Decoded            string   `json:"decoded"`
	DecodedWithSpecial string   `json:"decoded_with_special"`
}

func TestGoldens(t *testing.T) {
	for _, name := range []string{"gpt2-chatml", "qwen2-split", "llama3-split", "llama2-mini", "metaspace-first"} {
		t.Run(name, func(t *testing.T) {
			tok, err := Load(filepath.Join("testdata", name, "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			cases := readGolden(t, filepath.Join("testdata", name, "cases.jsonl"))
			if len(cases) < 30 {
				t.Fatalf("only %d cases", len(cases))
			}
			for i, c := range cases {
				t.Run(caseName(i, c.Text), func(t *testing.T) {
					ids, pieces := tok.EncodeWithPieces(c.Text, true)
					if diff := cmp.Diff(c.IDs, ids, cmp.Comparer(sameInts)); diff != "" {
						t.Errorf("ids (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(c.Tokens, pieces, cmp.Comparer(sameStrings)); diff != "" {
						t.Errorf("pieces (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(c.IDsNoSpecial, tok.Encode(c.Text, false), cmp.Comparer(sameInts)); diff != "" {
						t.Errorf("ids without special tokens (-want +got):\n%s", diff)
					}
					if got := tok.Decode(c.IDs, true); got != c.Decoded {
						t.Errorf("Decode(skip special) = %q, want %q", got, c.Decoded)
					}
					if got := tok.Decode(c.IDs, false); got != c.DecodedWithSpecial {
						t.Errorf("Decode(keep special) = %q, want %q", got, c.DecodedWithSpecial)
					}
					for _, skip := range []bool{true, false} {
						if got, want := streamAll(tok, c.IDs, skip), tok.Decode(c.IDs, skip); got != want {
							t.Errorf("stream decode (skip=%v) = %q, want %q", skip, got, want)
						}
					}
				})
			}
		})
	}
}

// sameInts and sameStrings treat nil and empty as equal (JSON [] vs Go nil).
func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func readGolden(t testing.TB, path string) []goldenCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c goldenCase
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
