package tokenizer

import (
	"encoding/json"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalizer rewrites the text of one segment before pre-tokenization.
type normalizer interface {
	normalize(s string) string
}

type seqNormalizer []normalizer

func (q seqNormalizer) normalize(s string) string {
	for _, n := range q {
		s = n.normalize(s)
	}
	return s
}

type prependNormalizer string

func (p prependNormalizer) normalize(s string) string {
	if s == "" {
		return s
	}
	return string(p) + s
}

type replaceNormalizer struct {
	literal string
	re      matcher
	content string
}

func (r replaceNormalizer) normalize(s string) string {
	if r.re == nil {
		return strings.ReplaceAll(s, r.literal, r.content)
	}
	return replaceMatches(s, r.re, r.content)
}

func replaceMatches(s string, m matcher, content string) string {
	ms := m.findAll(s, nil)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, mm := range ms {
		b.WriteString(s[prev:mm[0]])
		b.WriteString(content)
		prev = mm[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

type formNormalizer struct{ form norm.Form }

func (f formNormalizer) normalize(s string) string { return f.form.String(s) }

type lowercaseNormalizer struct{}

func (lowercaseNormalizer) normalize(s string) string {
	// Rust's str::to_lowercase maps U+0130 to "i\u0307"; Go maps it to "i".
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
}

type stripNormalizer struct{ left, right bool }

func (st stripNormalizer) normalize(s string) string {
	if st.left {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
	}
	if st.right {
		s = strings.TrimRightFunc(s, unicode.IsSpace)
	}
	return s
}

func parseNormalizer(path string, raw json.RawMessage) (normalizer, error) {
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
		seq, err := parseList(o, "normalizers", parseNormalizer)
		if err != nil {
			return nil, err
		}
		return seqNormalizer(seq), nil
	case "Prepend":
		p, err := o.str("prepend", "")
		if err != nil {
			return nil, err
		}
		return prependNormalizer(p), nil
	case "Replace":
		pat, isRegex, err := o.pattern("pattern")
		if err != nil {
			return nil, err
		}
		content, err := o.str("content", "")
		if err != nil {
			return nil, err
		}
		if pat == "" {
			return nil, loadErrf(o.sub("pattern"), "empty pattern")
		}
		if isRegex {
			re, err := compileRegex(o.sub("pattern"), pat)
			if err != nil {
				return nil, err
			}
			return replaceNormalizer{re: re, content: content}, nil
		}
		return replaceNormalizer{literal: pat, content: content}, nil
	case "NFC":
		return formNormalizer{norm.NFC}, nil
	case "NFD":
		return formNormalizer{norm.NFD}, nil
	case "NFKC":
		return formNormalizer{norm.NFKC}, nil
	case "NFKD":
		return formNormalizer{norm.NFKD}, nil
	case "Lowercase":
		return lowercaseNormalizer{}, nil
	case "Strip":
		l, err := o.boolean("strip_left", true)
		if err != nil {
			return nil, err
		}
		r, err := o.boolean("strip_right", true)
		if err != nil {
			return nil, err
		}
		return stripNormalizer{left: l, right: r}, nil
	}
	return nil, o.errf("unsupported type %q", t)
}
