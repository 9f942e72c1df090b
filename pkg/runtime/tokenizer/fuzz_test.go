package tokenizer

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// miniTokenizerJSON exercises most components in one small document; it
// seeds FuzzLoad (more seeds live in testdata/fuzz/FuzzLoad).
const miniTokenizerJSON = `{
 "added_tokens":[
  {"id":6,"content":"<s>","special":true,"normalized":false},
  {"id":7,"content":"[X]","special":false,"normalized":true,"lstrip":true,"rstrip":true},
  {"id":8,"content":"wd","single_word":true,"normalized":false}],
 "normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Lowercase"},{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Replace","pattern":{"Regex":"\\d+"},"content":"1"}]},
 "pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\s+(?!\\S)|\\s+"},"behavior":"MergedWithNext","invert":false},{"type":"Digits","individual_digits":true},{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true}]},
 "model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,"ignore_merges":true,
  "vocab":{"<unk>":0,"a":1,"b":2,"ab":3,"▁":4,"▁ab":5,"<0x41>":9},
  "merges":[["a","b"],"▁ ab"]},
 "post_processor":{"type":"Sequence","processors":[{"type":"ByteLevel"},{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],"special_tokens":{"<s>":{"id":"<s>","ids":[6],"tokens":["<s>"]}}}]},
 "decoder":{"type":"Sequence","decoders":[{"type":"Metaspace","replacement":"▁","prepend_scheme":"always"},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":1}]}
}`

var fuzzTexts = []string{"", "ab ab  b\n", "A <s> [X] wd awd", "12 ab🦙", "\xff\xfe", "▁ab"}

// exercise runs every entry point; the caller only cares that nothing
// panics and that streaming agrees with Decode.
func exercise(t *testing.T, tok *Tokenizer, text string) []int {
	ids, pieces := tok.EncodeWithPieces(text, true)
	if len(ids) != len(pieces) {
		t.Fatalf("EncodeWithPieces(%q): %d ids but %d pieces", text, len(ids), len(pieces))
	}
	if got := tok.Encode(text, true); !sameInts(got, ids) {
		t.Fatalf("Encode and EncodeWithPieces disagree on %q: %v vs %v", text, got, ids)
	}
	for _, skip := range []bool{true, false} {
		if got, want := streamAll(tok, ids, skip), tok.Decode(ids, skip); got != want {
			t.Fatalf("stream decode of %q (skip=%v) = %q, Decode = %q", text, skip, got, want)
		}
	}
	for _, id := range ids {
		tok.IsSpecial(id)
		tok.IDToToken(id)
	}
	tok.BOS()
	tok.VocabSize()
	return ids
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(miniTokenizerJSON))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{},"merges":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := FromJSON(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, text := range fuzzTexts {
			exercise(t, tok, text)
		}
	})
}

func FuzzEncode(f *testing.F) {
	for _, s := range fuzzTexts {
		f.Add(s)
	}
	f.Add("<|im_start|>user\nhi<|im_end|>\n<|eot_id|> 's 'RE 1234  \r\n\t日本語 e\u0301")
	mini, err := FromJSON([]byte(miniTokenizerJSON))
	if err != nil {
		f.Fatal(err)
	}
	byteLevel := map[string]*Tokenizer{}
	for _, name := range []string{"gpt2-chatml", "llama3-split"} {
		byteLevel[name] = loadGolden(f, name)
	}
	qwen := loadGolden(f, "qwen2-split")
	llama := loadGolden(f, "llama2-mini")
	f.Fuzz(func(t *testing.T, text string) {
		valid := strings.ToValidUTF8(text, "\uFFFD")
		for name, pattern := range scannerPatterns {
			checkScanner(t, name, pattern, valid)
		}
		exercise(t, mini, text)
		// Byte-level tokenizers lose nothing: decoding gives the text back.
		for name, tok := range byteLevel {
			ids := exercise(t, tok, text)
			if got := tok.Decode(tok.Encode(text, false), false); got != valid {
				t.Fatalf("%s: Decode(Encode(%q)) = %q", name, text, got)
			}
			for _, id := range ids {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("%s: id %d outside the vocabulary", name, id)
				}
			}
		}
		exercise(t, qwen, text)
		if got, want := qwen.Decode(qwen.Encode(text, false), false), norm.NFC.String(valid); got != want {
			t.Fatalf("qwen2-split: Decode(Encode(%q)) = %q, want %q", text, got, want)
		}
		// SentencePiece-style with byte fallback: round trip up to "▁" → " ",
		// unless the text spells a special token.
		exercise(t, llama, text)
		if !strings.Contains(valid, "<s>") && !strings.Contains(valid, "</s>") && !strings.Contains(valid, "<unk>") {
			if got, want := llama.Decode(llama.Encode(text, false), false), strings.ReplaceAll(valid, "▁", " "); got != want {
				t.Fatalf("llama2-mini: Decode(Encode(%q)) = %q, want %q", text, got, want)
			}
		}
	})
}
