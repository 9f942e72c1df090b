package tokenizer

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

type addedToken struct {
	id         int
	content    string
	singleWord bool
	lstrip     bool
	rstrip     bool
	normalized bool
	special    bool
}

// addedMatcher finds added tokens leftmost-longest, like the Aho-Corasick
// automaton (MatchKind::LeftmostLongest) HF builds over them.
type addedMatcher struct {
	pats    []string // matched text (normalized content for normalized tokens)
	toks    []*addedToken
	byFirst [256][]int // pattern indices by first byte, longest first
}

func newAddedMatcher(toks []*addedToken, pats []string) *addedMatcher {
	m := &addedMatcher{pats: pats, toks: toks}
	for i, p := range pats {
		if p == "" {
			continue
		}
		m.byFirst[p[0]] = append(m.byFirst[p[0]], i)
	}
	for b := range m.byFirst {
		l := m.byFirst[b]
		sort.SliceStable(l, func(i, j int) bool { return len(pats[l[i]]) > len(pats[l[j]]) })
	}
	return m
}

func (m *addedMatcher) empty() bool { return m == nil || len(m.pats) == 0 }

// seg is a span of a string that is either plain text (tok == nil) or an
// added token.
type seg struct {
	start, end int
	tok        *addedToken
}

// split cuts s into text and added-token segments, applying single_word,
// lstrip and rstrip the way HF's AddedVocabulary::find_matches does.
func (m *addedMatcher) split(s string, dst []seg) []seg {
	if m.empty() {
		return append(dst, seg{0, len(s), nil})
	}
	startOffset := 0
	for pos := 0; pos < len(s); {
		mi, at := m.next(s, pos)
		if mi < 0 {
			break
		}
		start, stop := at, at+len(m.pats[mi])
		pos = stop
		tok := m.toks[mi]
		if tok.singleWord {
			startOK := start == 0 || !endsWithWord(s[:start])
			stopOK := stop == len(s) || !startsWithWord(s[stop:])
			if !startOK || !stopOK {
				continue
			}
		}
		if tok.lstrip {
			start = max(len(strings.TrimRightFunc(s[:start], unicode.IsSpace)), startOffset)
		}
		if tok.rstrip {
			stop = len(s) - len(strings.TrimLeftFunc(s[stop:], unicode.IsSpace))
		}
		if start > startOffset {
			dst = append(dst, seg{startOffset, start, nil})
		}
		dst = append(dst, seg{start, stop, tok})
		startOffset = stop
		pos = max(pos, stop)
	}
	if startOffset < len(s) {
		dst = append(dst, seg{startOffset, len(s), nil})
	}
	return dst
}

// next returns the leftmost-longest match at or after pos.
func (m *addedMatcher) next(s string, pos int) (pat, at int) {
	for i := pos; i < len(s); i++ {
		for _, pi := range m.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], m.pats[pi]) {
				return pi, i
			}
		}
	}
	return -1, -1
}

// isWordChar is \w of Rust's regex crate, which HF uses for single_word:
// alphabetic, marks, decimal digits, connector punctuation, joiners.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.M, unicode.Nd, unicode.Pc) ||
		r == '\u200c' || r == '\u200d'
}

func endsWithWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isWordChar(r)
}

func startsWithWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordChar(r)
}
