package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
)

// byteFallbackTokenizers are the Llama-style tokenizers (ByteFallback
// decoder) the byte-run tests run on, by name, each loaded in its subtest
// (the shared llama2 one skips where ../shared/testdata is absent).
func byteFallbackTokenizers() map[string]func(t *testing.T) *Tokenizer {
	return map[string]func(t *testing.T) *Tokenizer{
		"tiny-chat": func(t *testing.T) *Tokenizer {
			tok, err := Load(testenv.Testdata(t, "tiny-chat", "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			return tok
		},
		"llama2-mini": func(t *testing.T) *Tokenizer { return loadGolden(t, "llama2-mini") },
		"llama2":      func(t *testing.T) *Tokenizer { tok, _ := llama2(t); return tok },
	}
}

// tokenIDs returns the ids of token strings.
func tokenIDs(t *testing.T, tok *Tokenizer, pieces ...string) []int {
	t.Helper()
	ids := make([]int, len(pieces))
	for i, p := range pieces {
		id, ok := tok.TokenToID(p)
		if !ok {
			t.Fatalf("no token %q", p)
		}
		ids[i] = id
	}
	return ids
}

// streamChunks decodes gen one id at a time after priming with prompt (no
// priming when prompt is nil) and returns what each call returned, Flush
// last.
func streamChunks(tok *Tokenizer, prompt, gen []int, skip bool) []string {
	d := tok.NewStreamDecoder(skip)
	if prompt != nil {
		d.Prime(prompt)
	}
	var out []string
	for _, id := range gen {
		out = append(out, d.Next(id))
	}
	return append(out, d.Flush())
}

func TestStreamDecoderInvalidByteRuns(t *testing.T) {
	for name, load := range byteFallbackTokenizers() {
		t.Run(name, func(t *testing.T) {
			tok := load(t)
			ids := func(p ...string) []int { return tokenIDs(t, tok, p...) }
			// "▁a" is in every Llama vocabulary; bytes are spelled <0xXX>.
			tests := []struct {
				name        string
				prompt, gen []int
				want        string
			}{
				{"unprimed: invalid run then a word", nil, ids("<0xC3>", "<0xC3>", "▁a", "<0xC3>", "▁a"), "�� a� a"},
				{"unprimed: a valid byte turned invalid by the next", nil, ids("<0x41>", "<0x80>", "▁a"), "�� a"},
				{"unprimed: complete character, then a word", nil, ids("<0xE4>", "<0xBD>", "<0xA0>", "▁a"), "你 a"},
				{"unprimed: trailing incomplete character", nil, ids("▁a", "<0xE4>", "<0xBD>"), "a��"},
				{"primed after a newline byte: invalid bytes", tok.Encode("Hi\n", true), ids("<0xC3>", "<0xC3>", "<0xC3>"), "���"},
				{"primed after a newline byte: bytes and words", tok.Encode("Hi\n", true), ids("<0xC3>", "▁a", "<0xC3>", "<0xC3>", "▁a"), "� a�� a"},
				{"primed after a newline byte: newline then word", tok.Encode("Hi\n", true), ids("<0x0A>", "▁a"), "\n a"},
				{"primed after a word: invalid bytes then word", tok.Encode("Hi", true), ids("<0xC3>", "<0xC3>", "▁a"), "�� a"},
				{"primed after a word: leading space kept", tok.Encode("Hi", true), ids("▁a", "▁a"), " a a"},
				{"primed with BOS only", []int{1}, ids("▁a", "<0xC3>"), "a�"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					for _, skip := range []bool{true, false} {
						got := strings.Join(streamChunks(tok, tt.prompt, tt.gen, skip), "")
						if skip {
							if got != tt.want {
								t.Errorf("skip=%v: streamed %q, want %q", skip, got, tt.want)
							}
						}
						if tt.prompt == nil {
							if want := tok.Decode(tt.gen, skip); got != want {
								t.Errorf("skip=%v: streamed %q, Decode %q", skip, got, want)
							}
						}
					}
				})
			}
		})
	}
}

// streamTokenizers are all the tokenizers of the property tests.
func streamTokenizers() map[string]func(t *testing.T) *Tokenizer {
	toks := byteFallbackTokenizers()
	for _, name := range []string{"gpt2-chatml", "llama3-split", "qwen2-split", "metaspace-first"} {
		toks[name] = func(t *testing.T) *Tokenizer { return loadGolden(t, name) }
	}
	// A chain that cannot be decoded in a window (Strip stop=1 after Fuse).
	toks["mini"] = func(t *testing.T) *Tokenizer {
		tok, err := FromJSON([]byte(miniTokenizerJSON))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return toks
}

// randomIDs returns up to n ids, half of them byte tokens (where the
// vocabulary has them) and some special.
func randomIDs(r *rand.Rand, tok *Tokenizer, bytes []int, n int) []int {
	ids := make([]int, r.IntN(n+1))
	for i := range ids {
		switch k := r.IntN(10); {
		case k < 5 && len(bytes) > 0:
			ids[i] = bytes[r.IntN(len(bytes))]
		case k < 6:
			ids[i] = r.IntN(min(tok.VocabSize(), 8)) // specials sit low
		default:
			ids[i] = r.IntN(tok.VocabSize())
		}
	}
	return ids
}

// TestStreamDecoderProperty checks over random id sequences that the
// streamed text is exactly Decode's, and after Prime exactly the text the
// ids add to the prompt's.
func TestStreamDecoderProperty(t *testing.T) {
	for name, load := range streamTokenizers() {
		t.Run(name, func(t *testing.T) {
			tok := load(t)
			var bytes []int
			for b := range 256 {
				if id, ok := tok.TokenToID(strings.ToUpper("<0x" + string("0123456789abcdef"[b>>4]) + string("0123456789abcdef"[b&15]) + ">")); ok {
					bytes = append(bytes, id)
				}
			}
			// The oracle for primed text: gen decoded after a plain word.
			anchor := tok.Encode("a", false)
			r := rand.New(rand.NewPCG(1, uint64(len(name))))
			for i := range 3000 {
				gen := randomIDs(r, tok, bytes, 12)
				skip := i%2 == 0
				if got, want := strings.Join(streamChunks(tok, nil, gen, skip), ""), tok.Decode(gen, skip); got != want {
					t.Fatalf("ids %v skip=%v: streamed %q, Decode %q", gen, skip, got, want)
				}
				prompt := randomIDs(r, tok, bytes, 8)
				if !tok.byteFallback && strings.HasSuffix(tok.Decode(prompt, skip), "\uFFFD") {
					continue // a prompt ending mid-character (never from Encode)
				}
				got := strings.Join(streamChunks(tok, prompt, gen, skip), "")
				want := tok.Decode(gen, skip)
				if tok.Decode(prompt, skip) != "" || hasTokens(tok, prompt, skip) {
					want = strings.TrimPrefix(tok.Decode(append(anchor[:len(anchor):len(anchor)], gen...), skip), tok.Decode(anchor, skip))
				}
				// (A trailing Strip makes the text after a prompt depend
				// on the prompt's last characters: no such oracle.)
				if tok.streamWindow && got != want {
					t.Fatalf("prompt %v ids %v skip=%v: streamed %q, want %q", prompt, gen, skip, got, want)
				}
				// Where the prompt's text is a prefix of the whole text
				// and no byte run crosses the boundary, that is HF's
				// decode(prompt+gen) minus decode(prompt).
				p, all := tok.Decode(prompt, skip), tok.Decode(append(prompt[:len(prompt):len(prompt)], gen...), skip)
				if !endsInByte(tok, prompt, skip) && strings.HasPrefix(all, p) && got != all[len(p):] {
					t.Fatalf("prompt %v ids %v skip=%v: streamed %q, decode(prompt+ids)-decode(prompt) %q", prompt, gen, skip, got, all[len(p):])
				}
			}
		})
	}
}

// hasTokens reports whether Decode passes any of ids to the decoder chain.
func hasTokens(tok *Tokenizer, ids []int, skip bool) bool {
	for _, id := range ids {
		if _, ok := tok.streamToken(id, skip); ok {
			return true
		}
	}
	return false
}

// endsInByte reports whether the last token Decode keeps of ids is a byte
// token.
func endsInByte(tok *Tokenizer, ids []int, skip bool) bool {
	for i := len(ids) - 1; i >= 0; i-- {
		if s, ok := tok.streamToken(ids[i], skip); ok {
			_, b := byteFallbackToken(s)
			return b
		}
	}
	return false
}

func TestStreamDecoderPrimeWithLongPrompt(t *testing.T) {
	tok := loadGolden(t, "llama2-mini")
	prompt := tok.Encode(strings.Repeat("é and ", 50)+"\n", true)
	gen := tok.Encode("and é", false)
	got := streamChunks(tok, prompt, gen, true)
	if diff := cmp.Diff(" and é", strings.Join(got, "")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
