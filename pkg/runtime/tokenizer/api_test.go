package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadGolden(t testing.TB, name string) *Tokenizer {
	t.Helper()
	tok, err := Load(filepath.Join("testdata", name, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVocabularyAccessors(t *testing.T) {
	type bos struct {
		ID   int
		Text string
		OK   bool
	}
	tests := []struct {
		name      string
		vocabSize int
		bos       bos
		token     string
		id        int
		special   bool
	}{
		{"llama2-mini", 32000, bos{1, "<s>", true}, "<0x0A>", 13, false},
		{"llama2-mini", 32000, bos{1, "<s>", true}, "</s>", 2, true},
		{"gpt2-chatml", 151669, bos{}, "<|im_start|>", 151644, true},
		{"gpt2-chatml", 151669, bos{}, "<think>", 151667, false},
		{"gpt2-chatml", 151669, bos{}, "Ġthe", 279, false},
		{"llama3-split", 128012, bos{128000, "<|begin_of_text|>", true}, "<|eot_id|>", 128009, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.token, func(t *testing.T) {
			tok := loadGolden(t, tt.name)
			if got := tok.VocabSize(); got != tt.vocabSize {
				t.Errorf("VocabSize() = %d, want %d", got, tt.vocabSize)
			}
			var got bos
			got.ID, got.Text, got.OK = tok.BOS()
			if diff := cmp.Diff(tt.bos, got); diff != "" {
				t.Errorf("BOS() (-want +got):\n%s", diff)
			}
			id, ok := tok.TokenToID(tt.token)
			if !ok || id != tt.id {
				t.Errorf("TokenToID(%q) = %d, %v; want %d, true", tt.token, id, ok, tt.id)
			}
			if s, ok := tok.IDToToken(tt.id); !ok || s != tt.token {
				t.Errorf("IDToToken(%d) = %q, %v; want %q, true", tt.id, s, ok, tt.token)
			}
			if got := tok.IsSpecial(tt.id); got != tt.special {
				t.Errorf("IsSpecial(%d) = %v, want %v", tt.id, got, tt.special)
			}
			if _, ok := tok.IDToToken(-1); ok {
				t.Error("IDToToken(-1) succeeded")
			}
			if _, ok := tok.TokenToID("no such token \x00"); ok {
				t.Error("TokenToID of an unknown token succeeded")
			}
		})
	}
}

func TestStreamDecoderHoldsPartialCharacters(t *testing.T) {
	tok := loadGolden(t, "llama2-mini")
	// "▁é", "<0xF0>", "<0x9F>", "<0xA6>", "<0x99>" (🦙), "▁and"
	ids, _ := tok.EncodeWithPieces("é🦙 and", false)
	d := tok.NewStreamDecoder(true)
	var got []string
	for _, id := range ids {
		got = append(got, d.Next(id))
	}
	got = append(got, d.Flush())
	// The llama's bytes wait for "▁and": until then a fifth byte could
	// still turn the whole run into U+FFFD.
	want := []string{"é", "", "", "", "", "🦙 and", ""}
	if len(ids) != 6 {
		t.Fatalf("unexpected encoding %v", ids)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stream chunks (-want +got):\n%s", diff)
	}
}

func TestStreamDecoderFlushesIncompleteBytes(t *testing.T) {
	tok := loadGolden(t, "llama2-mini")
	d := tok.NewStreamDecoder(true)
	out := d.Next(1) + d.Next(243) + d.Next(162) // <s> <0xF0> <0x9F>
	if out != "" {
		t.Errorf("Next emitted %q before the character was complete", out)
	}
	if got, want := d.Flush(), tok.Decode([]int{1, 243, 162}, true); got != want || want != "\uFFFD\uFFFD" {
		t.Errorf("Flush() = %q, want %q (two U+FFFD)", got, want)
	}
}

func TestLossyString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"\xF0\x9F\xA6", "\uFFFD"},
		{"\xF0\x9F\xA6x", "\uFFFDx"},
		{"\xFF\xFE", "\uFFFD\uFFFD"},
		{"\xE0\x80", "\uFFFD\uFFFD"},
		{"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"a\xC3", "a\uFFFD"},
	}
	for _, tt := range tests {
		if got := lossyString([]byte(tt.in)); got != tt.want {
			t.Errorf("lossyString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConcurrentEncode(t *testing.T) {
	tok := loadGolden(t, "llama3-split")
	text := "Hello, world! <|eot_id|> 12345 日本語\n\n"
	want := tok.Encode(text, true)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := tok.Encode(text, true); !sameInts(got, want) {
					t.Errorf("concurrent Encode = %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadErrors(t *testing.T) {
	const vocab = `{"a":0,"b":1,"ab":2,"<unk>":3}`
	model := `"model":{"type":"BPE","vocab":` + vocab + `,"merges":["a b"]}`
	tests := []struct {
		name, json, want string
	}{
		{"not json", `{`, `tokenizer: not a JSON object`},
		{"no model", `{}`, `tokenizer: model: expected a JSON object`},
		{"unigram", `{"model":{"type":"Unigram","vocab":[]}}`, `tokenizer: model: unsupported type "Unigram" (only BPE)`},
		{"vocab list", `{"model":{"type":"BPE","vocab":[1],"merges":[]}}`, `tokenizer: model.vocab: expected an object of token → id`},
		{"bad merge", `{"model":{"type":"BPE","vocab":` + vocab + `,"merges":["a c"]}}`, `tokenizer: model.merges[0]: merge "a" + "c" uses a token missing from the vocabulary`},
		{"merge shape", `{"model":{"type":"BPE","vocab":` + vocab + `,"merges":[["a"]]}}`, `tokenizer: model.merges[0]: expected "a b" or ["a", "b"]`},
		{"unk missing", `{"model":{"type":"BPE","vocab":` + vocab + `,"unk_token":"<x>"}}`, `tokenizer: model.unk_token: "<x>" is not in the vocabulary`},
		{"pretok", `{` + model + `,"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Digits"},{"type":"Whitespace"}]}}`, `tokenizer: pre_tokenizer.pretokenizers[1]: unsupported type "Whitespace"`},
		{"regex", `{` + model + `,"pre_tokenizer":{"type":"Split","pattern":{"Regex":"(?<"},"behavior":"Isolated"}}`, `tokenizer: pre_tokenizer.pattern: invalid regex "(?<"`},
		{"behavior", `{` + model + `,"pre_tokenizer":{"type":"Split","pattern":{"String":" "},"behavior":"Sideways"}}`, `tokenizer: pre_tokenizer.behavior: unsupported behavior "Sideways"`},
		{"normalizer", `{` + model + `,"normalizer":{"type":"Sequence","normalizers":[{"type":"Precompiled"}]}}`, `tokenizer: normalizer.normalizers[0]: unsupported type "Precompiled"`},
		{"decoder", `{` + model + `,"decoder":{"type":"WordPiece"}}`, `tokenizer: decoder: unsupported type "WordPiece"`},
		{"decoder type", `{` + model + `,"decoder":{"decoders":[]}}`, `tokenizer: decoder: missing "type"`},
		{"post", `{` + model + `,"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}},{"Sequence":{"id":"A"}}],"special_tokens":{}}}`, `tokenizer: post_processor.single[0].SpecialToken.id: "<s>" is not in special_tokens`},
		{"added id", `{` + model + `,"added_tokens":[{"content":"<s>"}]}`, `tokenizer: added_tokens[0]: missing "id"`},
		{"added bool", `{` + model + `,"added_tokens":[{"id":5,"content":"<s>","special":"yes"}]}`, `tokenizer: added_tokens[0].special: expected true or false`},
		{"metaspace", `{` + model + `,"pre_tokenizer":{"type":"Metaspace","replacement":"ab"}}`, `tokenizer: pre_tokenizer.replacement: expected a single character, got "ab"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromJSON([]byte(tt.json))
			if err == nil {
				t.Fatal("FromJSON succeeded")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "tokenizer.json")
	if err := os.WriteFile(p, []byte(`{"model":{"type":"WordLevel"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if want := "tokenizer: " + p + ": model: unsupported type"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load error = %v, want prefix %q", err, want)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestStreamWindowChoice(t *testing.T) {
	mini, err := FromJSON([]byte(miniTokenizerJSON))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{
		"llama2-mini":                    loadGolden(t, "llama2-mini").streamWindow,
		"gpt2-chatml":                    loadGolden(t, "gpt2-chatml").streamWindow,
		"llama3-split":                   loadGolden(t, "llama3-split").streamWindow,
		"mini (Strip stop=1 after Fuse)": mini.streamWindow,
	}
	want := map[string]bool{"llama2-mini": true, "gpt2-chatml": true, "llama3-split": true, "mini (Strip stop=1 after Fuse)": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("streamWindow (-want +got):\n%s", diff)
	}
}
