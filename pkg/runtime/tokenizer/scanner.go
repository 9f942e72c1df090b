package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The split regexes of GPT-2 (HF's ByteLevel), Llama-3 and Qwen2 are
// recognized by their exact text and run by hand-written scanners: they are
// linear, allocation-free and give the same matches as the backtracking
// engines (Oniguruma in HF tokenizers, regexp2 here) — a test checks that
// against regexp2. Other patterns go to regexp2.
const (
	llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwen2Pattern  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

type scanKind int

const (
	scanGPT2 scanKind = iota
	scanLlama3
	scanQwen2
)

type scanMatcher struct{ kind scanKind }

func knownScanner(pattern string) matcher {
	switch pattern {
	case gpt2Pattern:
		return scanMatcher{scanGPT2}
	case llama3Pattern:
		return scanMatcher{scanLlama3}
	case qwen2Pattern:
		return scanMatcher{scanQwen2}
	}
	return nil
}

// Every character starts a match of these patterns (it is a letter, a
// number, whitespace or something else, and each class has an
// alternative), so the matches tile the string.
func (m scanMatcher) findAll(s string, dst [][2]int) [][2]int {
	for pos := 0; pos < len(s); {
		var n int
		if m.kind == scanGPT2 {
			n = gpt2MatchLen(s, pos)
		} else {
			n = llama3MatchLen(s, pos, m.kind == scanQwen2)
		}
		if n <= 0 { // unreachable; keeps the loop finite whatever happens
			_, n = utf8.DecodeRuneInString(s[pos:])
		}
		dst = append(dst, [2]int{pos, pos + n})
		pos += n
	}
	return dst
}

func runeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return -1, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isL(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	return unicode.IsLetter(r)
}

func isN(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.IsNumber(r)
}

func isS(r rune) bool { return r >= 0 && unicode.IsSpace(r) }

// isOther is [^\s\p{L}\p{N}].
func isOther(r rune) bool { return r >= 0 && !isS(r) && !isL(r) && !isN(r) }

// runEnd returns the end of the run of characters satisfying f from i.
func runEnd(s string, i int, f func(rune) bool) int {
	for i < len(s) {
		r, n := runeAt(s, i)
		if !f(r) {
			break
		}
		i += n
	}
	return i
}

// contraction matches 's 't 're 've 'm 'll 'd at i (ASCII case-insensitive
// when fold is set, plus U+017F ſ, which Unicode case folding maps to s).
func contraction(s string, i int, fold bool) int {
	if i >= len(s) || s[i] != '\'' {
		return 0
	}
	eq := func(j int, c byte) int {
		if j >= len(s) {
			return 0
		}
		if s[j] == c || (fold && s[j] == c-32) {
			return 1
		}
		if fold && c == 's' && j+1 < len(s) && s[j] == 0xC5 && s[j+1] == 0xBF {
			return 2
		}
		return 0
	}
	for _, c := range []byte{'s', 't'} {
		if n := eq(i+1, c); n > 0 {
			return 1 + n
		}
	}
	for _, p := range [][2]byte{{'r', 'e'}, {'v', 'e'}} {
		if eq(i+1, p[0]) == 1 && eq(i+2, p[1]) == 1 {
			return 3
		}
	}
	if eq(i+1, 'm') == 1 {
		return 2
	}
	if eq(i+1, 'l') == 1 && eq(i+2, 'l') == 1 {
		return 3
	}
	if eq(i+1, 'd') == 1 {
		return 2
	}
	return 0
}

// spaceTail matches \s+(?!\S)|\s+ at a whitespace character: the whole run
// when it ends the text or is one character long, otherwise all but its
// last character (which then prefixes the next word).
func spaceTail(s string, pos int) int {
	end := runEnd(s, pos, isS)
	if end == len(s) {
		return end - pos
	}
	_, first := runeAt(s, pos)
	if end-pos == first {
		return first
	}
	last := end - 1
	for !utf8.RuneStart(s[last]) {
		last--
	}
	return last - pos
}

// gpt2MatchLen is the match length at pos of
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func gpt2MatchLen(s string, pos int) int {
	if n := contraction(s, pos, false); n > 0 {
		return n
	}
	r, _ := runeAt(s, pos)
	start := pos
	if r == ' ' {
		if r2, _ := runeAt(s, pos+1); isL(r2) || isN(r2) || isOther(r2) {
			r, start = r2, pos+1
		}
	}
	switch {
	case isL(r):
		return runEnd(s, start, isL) - pos
	case isN(r):
		return runEnd(s, start, isN) - pos
	case isOther(r):
		return runEnd(s, start, isOther) - pos
	}
	return spaceTail(s, pos)
}

func isCRLF(r rune) bool { return r == '\r' || r == '\n' }

// llama3MatchLen is the match length at pos of the Llama-3 pattern (or,
// with single, the Qwen2 one, which takes numbers one digit at a time).
func llama3MatchLen(s string, pos int, single bool) int {
	if n := contraction(s, pos, true); n > 0 {
		return n
	}
	r, n := runeAt(s, pos)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if isL(r) {
		return runEnd(s, pos, isL) - pos
	}
	if !isCRLF(r) && !isN(r) {
		if r2, _ := runeAt(s, pos+n); isL(r2) {
			return runEnd(s, pos+n, isL) - pos
		}
	}
	// \p{N}{1,3} or \p{N}
	if isN(r) {
		end := pos + n
		for k := 1; k < 3 && !single; k++ {
			r2, n2 := runeAt(s, end)
			if !isN(r2) {
				break
			}
			end += n2
		}
		return end - pos
	}
	//  ?[^\s\p{L}\p{N}]+[\r\n]*
	start := pos
	if r == ' ' {
		if r2, _ := runeAt(s, pos+1); isOther(r2) {
			r, start = r2, pos+1
		}
	}
	if isOther(r) {
		end := runEnd(s, start, isOther)
		return runEnd(s, end, isCRLF) - pos
	}
	// \s*[\r\n]+ : up to the last \r or \n of the whitespace run.
	end := runEnd(s, pos, isS)
	for i := end - 1; i >= pos; i-- {
		if s[i] == '\r' || s[i] == '\n' {
			return i + 1 - pos
		}
	}
	return spaceTail(s, pos)
}
