package tokenizer

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder is one step of HF's decode chain: it maps the list of token
// strings to a new list.
type decoder interface {
	decodeChain(tokens []string) []string
}

type seqDecoder []decoder

func (q seqDecoder) decodeChain(tokens []string) []string {
	for _, d := range q {
		tokens = d.decodeChain(tokens)
	}
	return tokens
}

type replaceDecoder struct {
	literal string
	re      matcher
	content string
}

func (r replaceDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		if r.re == nil {
			out[i] = strings.ReplaceAll(t, r.literal, r.content)
		} else {
			out[i] = replaceMatches(t, r.re, r.content)
		}
	}
	return out
}

// byteFallbackToken returns the byte a "<0xXX>" token stands for.
func byteFallbackToken(t string) (byte, bool) {
	if len(t) != 6 || !strings.HasPrefix(t, "<0x") || t[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(t[3:5], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(v), true
}

type byteFallbackDecoder struct{}

func (byteFallbackDecoder) decodeChain(tokens []string) []string {
	out := make([]string, 0, len(tokens))
	var pending []byte
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if utf8.Valid(pending) {
			out = append(out, string(pending))
		} else {
			for range pending {
				out = append(out, "\uFFFD")
			}
		}
		pending = pending[:0]
	}
	for _, t := range tokens {
		if b, ok := byteFallbackToken(t); ok {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

type fuseDecoder struct{}

func (fuseDecoder) decodeChain(tokens []string) []string {
	return []string{strings.Join(tokens, "")}
}

type stripDecoder struct {
	content     rune
	start, stop int
}

func (d stripDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		r := []rune(t)
		lo, hi := 0, len(r)
		for k := 0; k < d.start && k < len(r) && r[k] == d.content; k++ {
			lo = k + 1
		}
		for k := 0; k < d.stop && len(r)-1-k >= 0 && r[len(r)-1-k] == d.content; k++ {
			hi = len(r) - 1 - k
		}
		if hi < lo {
			hi = lo
		}
		out[i] = string(r[lo:hi])
	}
	return out
}

type byteLevelDecoder struct{}

func (byteLevelDecoder) decodeChain(tokens []string) []string {
	var b []byte
	for _, t := range tokens {
		b = byteLevelBytes(b, t)
	}
	return []string{lossyString(b)}
}

type metaspaceDecoder struct {
	replacement rune
	scheme      prependScheme
}

func (d metaspaceDecoder) decodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		var b strings.Builder
		for _, r := range t {
			if r != d.replacement {
				b.WriteRune(r)
			} else if i != 0 || d.scheme == prependNever {
				b.WriteByte(' ')
			}
		}
		out[i] = b.String()
	}
	return out
}

func parseDecoder(path string, raw json.RawMessage) (decoder, error) {
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
		seq, err := parseList(o, "decoders", parseDecoder)
		if err != nil {
			return nil, err
		}
		return seqDecoder(seq), nil
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
			return replaceDecoder{re: re, content: content}, nil
		}
		return replaceDecoder{literal: pat, content: content}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "Strip":
		c, err := o.singleRune("content", ' ')
		if err != nil {
			return nil, err
		}
		start, err := o.integer("start", 0)
		if err != nil {
			return nil, err
		}
		stop, err := o.integer("stop", 0)
		if err != nil {
			return nil, err
		}
		if start < 0 || stop < 0 {
			return nil, o.errf("start and stop must not be negative")
		}
		return stripDecoder{content: c, start: start, stop: stop}, nil
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "Metaspace":
		rep, scheme, _, err := parseMetaspace(o)
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{replacement: rep, scheme: scheme}, nil
	}
	return nil, o.errf("unsupported type %q", t)
}

// windowSafe reports whether decoding a window of recent tokens (with one
// already-emitted token in front as context) yields exactly the text the
// full decode adds for the new tokens. That holds when every step acts on
// each token separately, or on the joined text only at its very start
// (Strip of at most one leading character, Metaspace on the first token) or
// one character at a time (single-character Replace). A trailing Strip or a
// multi-character Replace on joined text can change text across tokens, so
// such chains make the stream decoder decode the whole history instead.
func windowSafe(d decoder, fused bool) (safe, fusedAfter bool) {
	switch d := d.(type) {
	case seqDecoder:
		for _, x := range d {
			var ok bool
			if ok, fused = windowSafe(x, fused); !ok {
				return false, fused
			}
		}
		return true, fused
	case fuseDecoder, byteLevelDecoder:
		return true, true
	case replaceDecoder:
		return !fused || (d.re == nil && utf8.RuneCountInString(d.literal) == 1), fused
	case stripDecoder:
		return !fused || (d.start <= 1 && d.stop == 0), fused
	}
	return true, fused
}

// hasByteFallback reports whether d has a ByteFallback step.
func hasByteFallback(d decoder) bool {
	switch d := d.(type) {
	case seqDecoder:
		for _, x := range d {
			if hasByteFallback(x) {
				return true
			}
		}
	case byteFallbackDecoder:
		return true
	}
	return false
}
