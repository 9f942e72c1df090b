package testmodel

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// corpus is the English text the tokenizer's merges are learned from.
//
//go:embed corpus.txt
var corpus string

const (
	space       = "▁" // U+2581, SentencePiece's word boundary
	numSpecial  = 3   // <unk>, <s>, </s>
	numByteToks = 256 // <0x00>..<0xFF>
)

// vocabulary is a learned BPE vocabulary: ids 0..2 special tokens, 3..258
// byte tokens, then merged pieces in learning order, then the single
// characters of the corpus (most frequent first), as in Llama 2's layout,
// then unreachable filler pieces when the corpus is exhausted before the
// requested size.
type vocabulary struct {
	pieces []string // by id
	merges []string // "left right", in rank order
}

// alphabet returns the printable characters of the normalised corpus, most
// frequent first (ties by code point).
func alphabet(words map[string]int) []string {
	count := make(map[rune]int)
	for w, n := range words {
		for _, r := range w {
			count[r] += n
		}
	}
	var runes []rune
	for r := range count {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool {
		if count[runes[i]] != count[runes[j]] {
			return count[runes[i]] > count[runes[j]]
		}
		return runes[i] < runes[j]
	})
	out := make([]string, len(runes))
	for i, r := range runes {
		out[i] = string(r)
	}
	return out
}

// minVocab is the smallest vocabulary the corpus allows: the special and
// byte tokens, the alphabet and one merge.
func minVocab() int {
	return numSpecial + numByteToks + len(alphabet(trainingWords())) + 1
}

// trainingWords normalises the corpus as Llama's tokenizer does (spaces to
// ▁, ▁ prepended to each line), drops the special tokens and splits it the
// way SentencePiece does before learning: pieces never cross a word start,
// never mix letters with punctuation, and digits stay single.
func trainingWords() map[string]int {
	words := make(map[string]int)
	text := strings.ReplaceAll(corpus, "</s>", "\n")
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		norm := []rune(space + strings.ReplaceAll(line, " ", space))
		start := 0
		for i := 1; i <= len(norm); i++ {
			if i == len(norm) || boundary(norm[i-1], norm[i]) {
				words[string(norm[start:i])]++
				start = i
			}
		}
	}
	return words
}

const boundaryRune = '▁'

func class(r rune) int {
	switch {
	case r == boundaryRune:
		return 0
	case unicode.IsLetter(r):
		return 1
	case unicode.IsDigit(r):
		return 2
	}
	return 3
}

// boundary reports whether a piece must end between prev and cur.
func boundary(prev, cur rune) bool {
	switch {
	case cur == boundaryRune:
		return prev != boundaryRune
	case prev == boundaryRune:
		return false // ▁ runs lead the next group
	case class(cur) == 2:
		return true
	}
	return class(prev) != class(cur)
}

// learnVocab learns merges until the vocabulary has size ids.
func learnVocab(size int) (*vocabulary, error) {
	words := trainingWords()
	alpha := alphabet(words)
	budget := size - numSpecial - numByteToks - len(alpha)
	if budget < 1 {
		return nil, fmt.Errorf("%w: Vocab = %d, want at least %d", ErrSpec, size, minVocab())
	}
	v := &vocabulary{pieces: []string{"<unk>", "<s>", "</s>"}}
	for b := range numByteToks {
		v.pieces = append(v.pieces, fmt.Sprintf("<0x%02X>", b))
	}
	type word struct {
		syms []string
		n    int
	}
	keys := make([]string, 0, len(words))
	for w := range words {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	ws := make([]word, len(keys))
	for i, k := range keys {
		for _, r := range k {
			ws[i].syms = append(ws[i].syms, string(r))
		}
		ws[i].n = words[k]
	}
	inVocab := make(map[string]bool)
	for _, a := range alpha {
		inVocab[a] = true
	}
	var learned []string
	for len(learned) < budget {
		type pair struct{ a, b string }
		counts := make(map[pair]int)
		for _, w := range ws {
			for i := 0; i+1 < len(w.syms); i++ {
				counts[pair{w.syms[i], w.syms[i+1]}] += w.n
			}
		}
		var best pair
		bestN := 0
		for p, n := range counts {
			if n > bestN || (n == bestN && (p.a < best.a || (p.a == best.a && p.b < best.b))) {
				best, bestN = p, n
			}
		}
		if bestN == 0 {
			break // every word is a single piece
		}
		merged := best.a + best.b
		v.merges = append(v.merges, best.a+" "+best.b)
		if !inVocab[merged] {
			inVocab[merged] = true
			learned = append(learned, merged)
		}
		for i := range ws {
			syms := ws[i].syms
			out := syms[:0]
			for j := 0; j < len(syms); j++ {
				if j+1 < len(syms) && syms[j] == best.a && syms[j+1] == best.b {
					out = append(out, merged)
					j++
					continue
				}
				out = append(out, syms[j])
			}
			ws[i].syms = out
		}
	}
	v.pieces = append(v.pieces, learned...)
	v.pieces = append(v.pieces, alpha...)
	for i := 0; len(v.pieces) < size; i++ {
		v.pieces = append(v.pieces, fmt.Sprintf("<unused%d>", i))
	}
	return v, nil
}
