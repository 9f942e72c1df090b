package tokenizer

import (
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// matcher finds non-overlapping matches in a string, as byte offsets.
type matcher interface {
	findAll(s string, dst [][2]int) [][2]int
}

// literalMatcher matches a fixed non-empty string.
type literalMatcher string

func (l literalMatcher) findAll(s string, dst [][2]int) [][2]int {
	pos := 0
	for {
		i := strings.Index(s[pos:], string(l))
		if i < 0 {
			return dst
		}
		start := pos + i
		pos = start + len(l)
		dst = append(dst, [2]int{start, pos})
	}
}

// regexMatcher uses regexp2, which supports the look-ahead the Llama-3 and
// Qwen2 patterns need, with Oniguruma-compatible leftmost-first semantics.
type regexMatcher struct {
	re *regexp2.Regexp
}

// compileRegex returns the hand-written scanner for the known GPT-2,
// Llama-3 and Qwen2 patterns and a regexp2 matcher otherwise. regexp2 runs
// without a match timeout: its timeout clock can fire spuriously on a busy
// machine, which would make encoding non-deterministic.
func compileRegex(path, pattern string) (matcher, error) {
	if m := knownScanner(pattern); m != nil {
		return m, nil
	}
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, loadErrf(path, "invalid regex %q: %v", pattern, err)
	}
	return &regexMatcher{re: re}, nil
}

func (m *regexMatcher) findAll(s string, dst [][2]int) [][2]int {
	if s == "" {
		return dst
	}
	// regexp2 reports positions in runes; map them back to bytes.
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var offs []int
	if !ascii {
		offs = make([]int, 0, len(s)+1)
		for i := range s {
			offs = append(offs, i)
		}
		offs = append(offs, len(s))
	}
	toByte := func(r int) int {
		if ascii {
			return r
		}
		return offs[r]
	}
	match, err := m.re.FindStringMatch(s)
	for err == nil && match != nil {
		start, end := toByte(match.Index), toByte(match.Index+match.Length)
		if end > start {
			dst = append(dst, [2]int{start, end})
		}
		match, err = m.re.FindNextMatch(match)
	}
	return dst
}
