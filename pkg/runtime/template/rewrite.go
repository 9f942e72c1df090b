package template

import (
	"fmt"
	"strings"
)

// tojsonFilter is the name the template's tojson filter is bound to. The
// engine's built-in tojson differs from transformers' (float format, key
// order with indent, HTML escaping with indent), and built-in filters cannot
// be replaced, so Compile renames the filter in the source.
const tojsonFilter = "mlpack_tojson_"

// rewriteFilters renames every "| tojson" filter application inside the
// template's tags to tojsonFilter. Text outside tags, comments, string
// literals and {% raw %} blocks are left alone.
func rewriteFilters(src string) (string, error) {
	var sb strings.Builder
	sb.Grow(len(src) + 64)
	i := 0
	for {
		j := nextOpener(src, i)
		if j < 0 {
			sb.WriteString(src[i:])
			return sb.String(), nil
		}
		sb.WriteString(src[i:j])
		switch src[j+1] {
		case '#':
			end := strings.Index(src[j+2:], "#}")
			if end < 0 {
				return "", fmt.Errorf("comment opened at offset %d is not closed", j)
			}
			end += j + 4
			sb.WriteString(src[j:end])
			i = end
			continue
		case '%':
			if isRawTag(src[j:]) {
				end := findEndRaw(src, j+2)
				if end < 0 {
					return "", fmt.Errorf("{%% raw %%} at offset %d has no {%% endraw %%}", j)
				}
				sb.WriteString(src[j:end])
				i = end
				continue
			}
		}
		end, err := rewriteTag(&sb, src, j)
		if err != nil {
			return "", err
		}
		i = end
	}
}

func nextOpener(src string, from int) int {
	for k := from; k+1 < len(src); k++ {
		if src[k] == '{' && (src[k+1] == '{' || src[k+1] == '%' || src[k+1] == '#') {
			return k
		}
	}
	return -1
}

// rewriteTag copies the tag starting at start (at "{{" or "{%") and returns
// the offset just past its closer.
func rewriteTag(sb *strings.Builder, src string, start int) (int, error) {
	closer := byte('}')
	if src[start+1] == '%' {
		closer = '%'
	}
	sb.WriteString(src[start : start+2])
	depth := 0
	k := start + 2
	for k < len(src) {
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
				return 0, fmt.Errorf("string literal at offset %d is not closed", k)
			}
			sb.WriteString(src[k : e+1])
			k = e + 1
			continue
		case c == closer && k+1 < len(src) && src[k+1] == '}' && depth == 0:
			sb.WriteString(src[k : k+2])
			return k + 2, nil
		case c == '{' || c == '(' || c == '[':
			depth++
		case (c == '}' || c == ')' || c == ']') && depth > 0:
			depth--
		case c == '|':
			sb.WriteByte(c)
			k++
			for k < len(src) && isSpace(src[k]) {
				sb.WriteByte(src[k])
				k++
			}
			e := k
			for e < len(src) && isIdent(src[e]) {
				e++
			}
			if src[k:e] == "tojson" {
				sb.WriteString(tojsonFilter)
			} else {
				sb.WriteString(src[k:e])
			}
			k = e
			continue
		}
		sb.WriteByte(c)
		k++
	}
	return 0, fmt.Errorf("tag opened at offset %d is not closed", start)
}

// isRawTag reports whether s starts with a {% raw %} tag.
func isRawTag(s string) bool {
	t := strings.TrimLeft(s[2:], "-+ \t\n\r")
	if !strings.HasPrefix(t, "raw") {
		return false
	}
	t = strings.TrimLeft(t[3:], " \t\n\r")
	return strings.HasPrefix(t, "%}") || strings.HasPrefix(t, "-%}") || strings.HasPrefix(t, "+%}")
}

// findEndRaw returns the offset just past the {% endraw %} after from.
func findEndRaw(src string, from int) int {
	for k := from; ; {
		j := strings.Index(src[k:], "{%")
		if j < 0 {
			return -1
		}
		j += k
		t := strings.TrimLeft(src[j+2:], "-+ \t\n\r")
		if strings.HasPrefix(t, "endraw") {
			c := strings.Index(src[j:], "%}")
			if c < 0 {
				return -1
			}
			return j + c + 2
		}
		k = j + 2
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
