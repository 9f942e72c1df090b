package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAddedTokenFlags checks lstrip, rstrip and single_word. The lstrip and
// rstrip ids come from @huggingface/tokenizers; that implementation ignores
// single_word, so those expectations follow HF tokenizers' Rust
// find_matches (a match touching a \w character on either side is skipped).
func TestAddedTokenFlags(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "gpt2-chatml", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	tok := func(id int, content string, single, l, r, special bool) map[string]any {
		return map[string]any{"id": id, "content": content, "single_word": single, "lstrip": l, "rstrip": r, "normalized": false, "special": special}
	}
	doc["added_tokens"] = append(doc["added_tokens"].([]any),
		tok(151700, "<tool>", false, true, true, false),
		tok(151701, "SEP", true, false, false, false),
		tok(151702, "<left>", false, true, false, true),
		tok(151703, "<right>", false, false, true, true),
	)
	data, err = json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := FromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		ids     []int
		decoded string
	}{
		{"a <tool> b", []int{64, 151700, 65}, "a<tool>b"},
		{"a  <tool>\n\nb", []int{64, 151700, 65}, "a<tool>b"},
		{"<tool>x", []int{151700, 87}, "<tool>x"},
		{"x\t<tool>\ty", []int{87, 151700, 88}, "x<tool>y"},
		{"x   <left>  y", []int{87, 151702, 220, 379}, "x  y"},
		{"x   <right>  y", []int{87, 262, 151703, 88}, "x   y"},
		{"<left><right>", []int{151702, 151703}, ""},
		{" <right> <left> ", []int{220, 151703, 151702, 220}, "  "},
		{"x SEP y", []int{87, 220, 151701, 379}, "x SEP y"},
		{"SEP", []int{151701}, "SEP"},
		{"(SEP)", []int{7, 151701, 8}, "(SEP)"},
		{"xSEP y", []int{87, 925, 47, 379}, "xSEP y"},
		{"a_SEP b", []int{64, 62, 925, 47, 293}, "a_SEP b"},
		{"SEPSEP", []int{925, 47, 925, 47}, "SEPSEP"},
	}
	for i, tt := range tests {
		t.Run(caseName(i, tt.text), func(t *testing.T) {
			ids := tk.Encode(tt.text, true)
			if diff := cmp.Diff(tt.ids, ids); diff != "" {
				t.Errorf("Encode(%q) (-want +got):\n%s", tt.text, diff)
			}
			if got := tk.Decode(ids, true); got != tt.decoded {
				t.Errorf("Decode = %q, want %q", got, tt.decoded)
			}
		})
	}
}
