package template

import (
	"fmt"
	"strings"
	"unicode"
)

// prepare rewrites a chat template into an equivalent one for the engine.
//
// It applies, as Jinja's own lexer does under transformers' settings, the
// whitespace rules (trim_blocks, lstrip_blocks, the "-" and "+" modifiers),
// comments and {% raw %} blocks, and re-emits every piece of literal text as
// a string expression, so that the engine's own (different) whitespace
// handling has nothing left to act on. Inside tags it decodes string
// literals with Python's escape rules and binds the filters transformers
// overrides (see filterOverrides) to this package's implementations.
func prepare(src string) (string, error) {
	var out strings.Builder
	out.Grow(len(src) + len(src)/4)
	emitText := func(s string) {
		if s == "" {
			return
		}
		out.WriteString(`{{ "`)
		writeEngineString(&out, s)
		out.WriteString(`" }}`)
	}
	pos, lineStarting := 0, true
	for {
		j := nextOpener(src, pos)
		if j < 0 {
			emitText(src[pos:])
			return out.String(), nil
		}
		text := src[pos:j]
		kind := src[j+1]
		bodyStart := j + 2
		mod := byte(0)
		if bodyStart < len(src) && (src[bodyStart] == '-' || src[bodyStart] == '+') {
			mod = src[bodyStart]
			bodyStart++
		}
		text = stripBefore(text, mod, kind != '{', lineStarting)
		emitText(text)

		if kind == '%' {
			if end, ok := rawBegin(src, bodyStart); ok {
				content, next, ls, err := rawBlock(src, end)
				if err != nil {
					return "", fmt.Errorf("{%% raw %%} at offset %d: %w", j, err)
				}
				emitText(content)
				pos, lineStarting = next, ls
				continue
			}
		}
		var bodyEnd, next int
		var closeMod byte
		var err error
		if kind == '#' {
			bodyEnd, closeMod, next, err = commentEnd(src, bodyStart)
		} else {
			bodyEnd, closeMod, next, err = tagEnd(src, bodyStart, kind)
		}
		if err != nil {
			return "", fmt.Errorf("tag at offset %d: %w", j, err)
		}
		if kind != '#' {
			body, err := transpileTag(src[bodyStart:bodyEnd], kind == '{')
			if err != nil {
				return "", fmt.Errorf("tag at offset %d: %w", j, err)
			}
			if kind == '{' {
				out.WriteString("{{ (" + body + ")|" + printFilter + " }}")
			} else {
				out.WriteString("{%" + body + "%}")
			}
		}
		pos, lineStarting = afterClose(src, next, closeMod, kind != '{')
	}
}

// stripBefore applies the "-" modifier or lstrip_blocks to the text that
// precedes a tag. lstrip applies to block and comment tags only, and only
// when the tag is the first non-blank thing on its line.
func stripBefore(text string, mod byte, isBlock, lineStarting bool) string {
	switch {
	case mod == '-':
		return strings.TrimRightFunc(text, unicode.IsSpace)
	case mod == '+' || !isBlock:
		return text
	}
	l := strings.LastIndexByte(text, '\n') + 1
	if l > 0 || lineStarting {
		rest := text[l:]
		if rest != "" && strings.TrimLeftFunc(rest, unicode.IsSpace) == "" {
			return text[:l]
		}
	}
	return text
}

// afterClose applies the closing "-" modifier or trim_blocks after a tag
// whose closer ends just before next, and reports where text resumes and
// whether it starts a line.
func afterClose(src string, next int, closeMod byte, isBlock bool) (int, bool) {
	switch {
	case closeMod == '-':
		k := next
		for k < len(src) {
			r, size := decodeRune(src[k:])
			if !unicode.IsSpace(r) {
				break
			}
			k += size
		}
		return k, k > next && src[k-1] == '\n'
	case closeMod != '+' && isBlock && next < len(src) && src[next] == '\n':
		return next + 1, true
	}
	return next, false
}

func nextOpener(src string, from int) int {
	for k := from; k+1 < len(src); k++ {
		if src[k] == '{' && (src[k+1] == '{' || src[k+1] == '%' || src[k+1] == '#') {
			return k
		}
	}
	return -1
}

// tagEnd finds the closer of a {{ }} or {% %} tag whose body starts at
// from, skipping string literals and bracketed expressions as Jinja does.
// It returns the end of the body, the closer's modifier and the offset
// just past the closer.
func tagEnd(src string, from int, kind byte) (bodyEnd int, mod byte, next int, err error) {
	closer := byte('}')
	if kind == '%' {
		closer = '%'
	}
	depth := 0
	for k := from; k < len(src); k++ {
		c := src[k]
		switch {
		case c == '\'' || c == '"':
			e := k + 1
			for e < len(src) && src[e] != c {
				if src[e] == '\\' {
					e++
				}
				e++
			}
			if e >= len(src) {
				return 0, 0, 0, fmt.Errorf("string literal is not closed")
			}
			k = e
		case depth == 0 && (c == '-' || c == '+') && k+2 < len(src) && src[k+1] == closer && src[k+2] == '}':
			if c == '+' && kind == '{' {
				continue
			}
			return k, c, k + 3, nil
		case depth == 0 && c == closer && k+1 < len(src) && src[k+1] == '}':
			return k, 0, k + 2, nil
		case c == '{' || c == '(' || c == '[':
			depth++
		case (c == '}' || c == ')' || c == ']') && depth > 0:
			depth--
		}
	}
	return 0, 0, 0, fmt.Errorf("tag is not closed")
}

func commentEnd(src string, from int) (bodyEnd int, mod byte, next int, err error) {
	e := strings.Index(src[from:], "#}")
	if e < 0 {
		return 0, 0, 0, fmt.Errorf("comment is not closed")
	}
	e += from
	if e > from && (src[e-1] == '-' || src[e-1] == '+') {
		return e - 1, src[e-1], e + 2, nil
	}
	return e, 0, e + 2, nil
}

// rawBegin reports whether the block tag whose body starts at from is
// {% raw %}, and returns the offset just past it. As in Jinja, trim_blocks
// does not apply after it; a "-" closer strips the whitespace that follows.
func rawBegin(src string, from int) (int, bool) {
	k := skipSpace(src, from)
	if !strings.HasPrefix(src[k:], "raw") {
		return 0, false
	}
	k = skipSpace(src, k+3)
	switch {
	case strings.HasPrefix(src[k:], "-%}"):
		return skipUnicodeSpace(src, k+3), true
	case strings.HasPrefix(src[k:], "%}"):
		return k + 2, true
	}
	return 0, false
}

// rawBlock returns the verbatim content of a raw block starting at from,
// with the endraw tag's whitespace rules applied.
func rawBlock(src string, from int) (content string, next int, lineStarting bool, err error) {
	for k := from; ; {
		j := strings.Index(src[k:], "{%")
		if j < 0 {
			return "", 0, false, fmt.Errorf("no {%% endraw %%}")
		}
		j += k
		b := j + 2
		mod := byte(0)
		if b < len(src) && (src[b] == '-' || src[b] == '+') {
			mod = src[b]
			b++
		}
		e := skipSpace(src, b)
		if strings.HasPrefix(src[e:], "endraw") {
			e = skipSpace(src, e+6)
			closeMod := byte(0)
			if e < len(src) && (src[e] == '-' || src[e] == '+') {
				closeMod = src[e]
				e++
			}
			if strings.HasPrefix(src[e:], "%}") {
				text := stripBefore(src[from:j], mod, true, false)
				n, ls := afterClose(src, e+2, closeMod, true)
				return text, n, ls, nil
			}
		}
		k = j + 2
	}
}

func skipSpace(src string, k int) int {
	for k < len(src) && isSpace(src[k]) {
		k++
	}
	return k
}

func skipUnicodeSpace(src string, k int) int {
	for k < len(src) {
		r, size := decodeRune(src[k:])
		if !unicode.IsSpace(r) {
			break
		}
		k += size
	}
	return k
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
