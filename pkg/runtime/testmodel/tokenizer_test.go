package testmodel_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
)

// refEncode is a naive byte-fallback BPE over the tiny model's vocabulary:
// normalise as Llama does, split into characters, repeatedly apply the
// lowest-ranked merge, fall back to byte tokens for unknown characters.
func refEncode(vocab map[string]int, merges []string, text string) []int {
	rank := make(map[string]int, len(merges))
	for i, m := range merges {
		rank[m] = i
	}
	var syms []string
	for _, r := range "▁" + strings.ReplaceAll(text, " ", "▁") {
		syms = append(syms, string(r))
	}
	for {
		best, at := len(merges), -1
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := rank[syms[i]+" "+syms[i+1]]; ok && r < best {
				best, at = r, i
			}
		}
		if at < 0 {
			break
		}
		syms = append(syms[:at], append([]string{syms[at] + syms[at+1]}, syms[at+2:]...)...)
	}
	ids := []int{1}
	for _, s := range syms {
		if id, ok := vocab[s]; ok {
			ids = append(ids, id)
			continue
		}
		for _, b := range []byte(s) {
			ids = append(ids, vocab[fmt.Sprintf("<0x%02X>", b)])
		}
	}
	return ids
}

// TestTinyChatTokenizer loads the committed tokenizer with the runtime's
// tokenizer package: its ids must match a naive BPE over the same merges,
// and decoding must give the text back.
func TestTinyChatTokenizer(t *testing.T) {
	path := testenv.Testdata(t, "tiny-chat", "tokenizer.json")
	tok, err := tokenizer.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Model struct {
			Vocab  map[string]int `json:"vocab"`
			Merges []string       `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"Hello, who are you?",
		"The assistant answered the user's question.",
		"<|user|>\nWhat is two plus two?",
		"  leading spaces and trailing  ",
		"café ☕ 日本",
		"numbers 2024 and 3.14",
	}
	for _, text := range texts {
		t.Run(text, func(t *testing.T) {
			got := tok.Encode(text, true)
			if d := cmp.Diff(refEncode(raw.Model.Vocab, raw.Model.Merges, text), got); d != "" {
				t.Errorf("ids (-naive BPE +tokenizer):\n%s", d)
			}
			if back := tok.Decode(got, true); back != text {
				t.Errorf("Decode = %q, want %q", back, text)
			}
		})
	}
	ids, pieces := tok.EncodeWithPieces("<|assistant|>\n", false)
	if !cmp.Equal(pieces, []string{"▁<|", "assistant", "|>", "<0x0A>"}) {
		t.Errorf("pieces of the assistant header = %q (ids %v)", pieces, ids)
	}
	if got := tok.VocabSize(); got != 512 {
		t.Errorf("VocabSize = %d, want 512", got)
	}
}
