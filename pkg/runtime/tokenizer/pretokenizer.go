package tokenizer

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// piece is a span of normalized text being pre-tokenized. first is true when
// the span starts at offset 0 of the original input (Metaspace's "first"
// prepend scheme depends on it).
type piece struct {
	s     string
	first bool
}

// preTokenizer splits (and may rewrite) pieces, appending the results to dst.
type preTokenizer interface {
	preTokenize(dst []piece, p piece) []piece
}

type seqPreTokenizer []preTokenizer

func (q seqPreTokenizer) preTokenize(dst []piece, p piece) []piece {
	cur := []piece{p}
	var next []piece
	for _, pt := range q {
		next = next[:0]
		for _, c := range cur {
			next = pt.preTokenize(next, c)
		}
		cur, next = next, cur
	}
	return append(dst, cur...)
}

// behavior is HF's SplitDelimiterBehavior.
type behavior int

const (
	behRemoved behavior = iota
	behIsolated
	behMergedWithPrevious
	behMergedWithNext
	behContiguous
)

func parseBehavior(path, s string) (behavior, error) {
	switch s {
	case "Removed":
		return behRemoved, nil
	case "Isolated":
		return behIsolated, nil
	case "MergedWithPrevious":
		return behMergedWithPrevious, nil
	case "MergedWithNext":
		return behMergedWithNext, nil
	case "Contiguous":
		return behContiguous, nil
	}
	return 0, loadErrf(path, "unsupported behavior %q", s)
}

type span struct {
	start, end int
	match      bool
}

// splitSpans turns matches into a full cover of s and applies behavior,
// exactly as HF's NormalizedString::split does.
func splitSpans(s string, matches [][2]int, invert bool, b behavior) []span {
	spans := make([]span, 0, 2*len(matches)+1)
	prev := 0
	for _, m := range matches {
		if m[0] > prev {
			spans = append(spans, span{prev, m[0], invert})
		}
		spans = append(spans, span{m[0], m[1], !invert})
		prev = m[1]
	}
	if prev < len(s) {
		spans = append(spans, span{prev, len(s), invert})
	}
	var out []span
	switch b {
	case behIsolated:
		out = spans
	case behRemoved:
		for _, sp := range spans {
			if !sp.match {
				out = append(out, sp)
			}
		}
	case behMergedWithPrevious:
		prevMatch := false
		for _, sp := range spans {
			if sp.match && !prevMatch && len(out) > 0 {
				out[len(out)-1].end = sp.end
			} else {
				out = append(out, span{sp.start, sp.end, false})
			}
			prevMatch = sp.match
		}
	case behMergedWithNext:
		prevMatch := false
		for i := len(spans) - 1; i >= 0; i-- {
			sp := spans[i]
			if sp.match && !prevMatch && len(out) > 0 {
				out[len(out)-1].start = sp.start
			} else {
				out = append(out, span{sp.start, sp.end, false})
			}
			prevMatch = sp.match
		}
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	case behContiguous:
		prevMatch := false
		for _, sp := range spans {
			if sp.match == prevMatch && len(out) > 0 {
				out[len(out)-1].end = sp.end
			} else {
				out = append(out, span{sp.start, sp.end, false})
			}
			prevMatch = sp.match
		}
	}
	return out
}

func appendSpans(dst []piece, p piece, spans []span) []piece {
	first := p.first
	for _, sp := range spans {
		if sp.end <= sp.start {
			continue
		}
		dst = append(dst, piece{s: p.s[sp.start:sp.end], first: first && sp.start == 0})
	}
	return dst
}

// runeMatches returns every rune satisfying f as its own match.
func runeMatches(s string, f func(rune) bool) [][2]int {
	var ms [][2]int
	for i, r := range s {
		if f(r) {
			ms = append(ms, [2]int{i, i + utf8.RuneLen(r)})
		}
	}
	return ms
}

type splitPreTokenizer struct {
	m      matcher
	invert bool
	beh    behavior
}

func (sp splitPreTokenizer) preTokenize(dst []piece, p piece) []piece {
	return appendSpans(dst, p, splitSpans(p.s, sp.m.findAll(p.s, nil), sp.invert, sp.beh))
}

type digitsPreTokenizer struct{ individual bool }

func (d digitsPreTokenizer) preTokenize(dst []piece, p piece) []piece {
	b := behContiguous
	if d.individual {
		b = behIsolated
	}
	return appendSpans(dst, p, splitSpans(p.s, runeMatches(p.s, unicode.IsNumber), false, b))
}

type prependScheme int

const (
	prependAlways prependScheme = iota
	prependFirst
	prependNever
)

type metaspacePreTokenizer struct {
	replacement rune
	scheme      prependScheme
	split       bool
}

func (m metaspacePreTokenizer) preTokenize(dst []piece, p piece) []piece {
	rep := string(m.replacement)
	s := strings.ReplaceAll(p.s, " ", rep)
	if !strings.HasPrefix(s, rep) && (m.scheme == prependAlways || (m.scheme == prependFirst && p.first)) {
		s = rep + s
	}
	np := piece{s: s, first: p.first}
	if !m.split {
		return append(dst, np)
	}
	isRep := func(r rune) bool { return r == m.replacement }
	return appendSpans(dst, np, splitSpans(s, runeMatches(s, isRep), false, behMergedWithNext))
}

type byteLevelPreTokenizer struct {
	addPrefixSpace bool
	re             matcher // nil when use_regex is false
}

func (b byteLevelPreTokenizer) preTokenize(dst []piece, p piece) []piece {
	s := p.s
	if b.addPrefixSpace && !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	start := len(dst)
	np := piece{s: s, first: p.first}
	if b.re != nil {
		dst = appendSpans(dst, np, splitSpans(s, b.re.findAll(s, nil), false, behIsolated))
	} else if s != "" {
		dst = append(dst, np)
	}
	for i := start; i < len(dst); i++ {
		dst[i].s = byteLevelEncode(dst[i].s)
	}
	return dst
}

// gpt2Pattern is the regex of HF's ByteLevel pre-tokenizer.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

func parsePreTokenizer(path string, raw json.RawMessage) (preTokenizer, error) {
	o, err := parseObj(path, raw)
	if err != nil {
		return nil, err
	}
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	switch t {
	case "Sequence":
		seq, err := parseList(o, "pretokenizers", parsePreTokenizer)
		if err != nil {
			return nil, err
		}
		return seqPreTokenizer(seq), nil
	case "Split":
		pat, isRegex, err := o.pattern("pattern")
		if err != nil {
			return nil, err
		}
		if pat == "" {
			return nil, loadErrf(o.sub("pattern"), "empty pattern")
		}
		bs, err := o.str("behavior", "")
		if err != nil {
			return nil, err
		}
		beh, err := parseBehavior(o.sub("behavior"), bs)
		if err != nil {
			return nil, err
		}
		inv, err := o.boolean("invert", false)
		if err != nil {
			return nil, err
		}
		var m matcher = literalMatcher(pat)
		if isRegex {
			if m, err = compileRegex(o.sub("pattern"), pat); err != nil {
				return nil, err
			}
		}
		return splitPreTokenizer{m: m, invert: inv, beh: beh}, nil
	case "Digits":
		ind, err := o.boolean("individual_digits", false)
		if err != nil {
			return nil, err
		}
		return digitsPreTokenizer{individual: ind}, nil
	case "Metaspace":
		rep, scheme, split, err := parseMetaspace(o)
		if err != nil {
			return nil, err
		}
		return metaspacePreTokenizer{replacement: rep, scheme: scheme, split: split}, nil
	case "ByteLevel":
		aps, err := o.boolean("add_prefix_space", true)
		if err != nil {
			return nil, err
		}
		useRegex, err := o.boolean("use_regex", true)
		if err != nil {
			return nil, err
		}
		b := byteLevelPreTokenizer{addPrefixSpace: aps}
		if useRegex {
			if b.re, err = compileRegex(path, gpt2Pattern); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, o.errf("unsupported type %q", t)
}

// parseMetaspace reads the fields shared by the Metaspace pre-tokenizer and
// decoder, accepting both the current (prepend_scheme) and the older
// (add_prefix_space) forms.
func parseMetaspace(o *obj) (rune, prependScheme, bool, error) {
	rep, err := o.singleRune("replacement", '▁')
	if err != nil {
		return 0, 0, false, err
	}
	scheme := prependAlways
	if o.has("prepend_scheme") {
		s, err := o.str("prepend_scheme", "")
		if err != nil {
			return 0, 0, false, err
		}
		switch s {
		case "always":
			scheme = prependAlways
		case "first":
			scheme = prependFirst
		case "never":
			scheme = prependNever
		default:
			return 0, 0, false, loadErrf(o.sub("prepend_scheme"), "unsupported value %q", s)
		}
	} else {
		aps, err := o.boolean("add_prefix_space", true)
		if err != nil {
			return 0, 0, false, err
		}
		if !aps {
			scheme = prependNever
		}
	}
	split, err := o.boolean("split", true)
	if err != nil {
		return 0, 0, false, err
	}
	return rep, scheme, split, nil
}
