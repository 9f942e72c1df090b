package template

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// filterOverrides maps the filters whose engine versions differ from
// transformers' Jinja to the template variables bound to this package's
// implementations (see Template.render).
var filterOverrides = map[string]string{
	"tojson":     "mlpack_tojson_",
	"capitalize": "mlpack_fcapitalize_",
	"first":      "mlpack_first_",
	"last":       "mlpack_last_",
	"list":       "mlpack_list_",
	"round":      "mlpack_round_",
	"string":     "mlpack_string_",
	"lower":      "mlpack_lower_",
	"upper":      "mlpack_upper_",
	"title":      "mlpack_title_",
	"trim":       "mlpack_trim_",
	"join":       "mlpack_fjoin_",
	"abs":        "mlpack_abs_",
	"length":     "mlpack_length_",
	"count":      "mlpack_length_",
	"int":        "mlpack_int_",
	"float":      "mlpack_float_",
	"reverse":    "mlpack_reverse_",
	"map":        "mlpack_map_",
	"select":     "mlpack_select_",
	"reject":     "mlpack_reject_",
	"selectattr": "mlpack_selectattr_",
	"rejectattr": "mlpack_rejectattr_",
}

// methodOverrides maps string methods the engine gets wrong (it ignores
// split's maxsplit, startswith's tuples, capitalize's lowering, and has no
// str.join) to filters: x.split(a) becomes x|mlpack_split_(a).
var methodOverrides = map[string]string{
	"split":      "mlpack_split_",
	"startswith": "mlpack_startswith_",
	"endswith":   "mlpack_endswith_",
	"capitalize": "mlpack_capitalize_",
	"join":       "mlpack_join_",
	"title":      "mlpack_mtitle_",
	"format":     "mlpack_format_",
}

// printFilter is applied to every {{ }} expression: Python's str() of the
// value (None prints "None", 1.0 prints "1.0", lists use repr).
const printFilter = "mlpack_str_"

// rewriteExpr rewrites the body of a {{ }} or {% %} tag: string literals
// are decoded with Python's escape rules (what Jinja does) and re-encoded
// in the only escapes the engine understands, and overridden filters are
// renamed.
func rewriteExpr(body string) (string, error) {
	var sb strings.Builder
	sb.Grow(len(body) + 16)
	for k := 0; k < len(body); {
		c := body[k]
		switch {
		case c == '\'' || c == '"':
			e := k + 1
			for e < len(body) && body[e] != c {
				if body[e] == '\\' {
					e++
				}
				e++
			}
			if e >= len(body) {
				return "", fmt.Errorf("string literal is not closed")
			}
			lit := body[k : e+1]
			s, err := unescapePython(body[k+1 : e])
			if err != nil {
				return "", fmt.Errorf("string literal %s: %w", lit, err)
			}
			sb.WriteByte('"')
			writeEngineString(&sb, s)
			sb.WriteByte('"')
			k = e + 1
			// The engine evaluates "str % args" as a number; refuse it
			// rather than render something Python would not.
			if p := skipSpace(body, k); p < len(body) && body[p] == '%' {
				return "", fmt.Errorf("%%-formatting of strings (%s %% ...) is not supported; use ~ to concatenate", lit)
			}
		case c == '|':
			sb.WriteByte(c)
			k++
			for k < len(body) && isSpace(body[k]) {
				sb.WriteByte(body[k])
				k++
			}
			e := k
			for e < len(body) && isIdent(body[e]) {
				e++
			}
			if name, ok := filterOverrides[body[k:e]]; ok {
				sb.WriteString(name)
			} else {
				sb.WriteString(body[k:e])
			}
			k = e
		case c >= '0' && c <= '9' && (k == 0 || !isIdent(body[k-1]) && body[k-1] != '.'):
			e := numberEnd(body, k)
			sb.WriteString(normalizeNumber(body[k:e]))
			k = e
		case c == '.' && k+1 < len(body) && isIdent(body[k+1]):
			e := k + 1
			for e < len(body) && isIdent(body[e]) {
				e++
			}
			p := e
			for p < len(body) && isSpace(body[p]) {
				p++
			}
			if name, ok := methodOverrides[body[k+1:e]]; ok && p < len(body) && body[p] == '(' {
				sb.WriteString("|" + name)
			} else {
				sb.WriteString(body[k:e])
			}
			k = e
		default:
			sb.WriteByte(c)
			k++
		}
	}
	return sb.String(), nil
}

// numberEnd returns the end of the number literal starting at k, by Jinja's
// rules: digits with "_" separators, an optional fraction, an optional
// exponent.
func numberEnd(s string, k int) int {
	digits := func(i int) int {
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9') {
			i++
		}
		return i
	}
	e := digits(k)
	if e+1 < len(s) && s[e] == '.' && s[e+1] >= '0' && s[e+1] <= '9' {
		e = digits(e + 1)
	}
	if e < len(s) && (s[e] == 'e' || s[e] == 'E') {
		x := e + 1
		if x < len(s) && (s[x] == '+' || s[x] == '-') {
			x++
		}
		if x < len(s) && s[x] >= '0' && s[x] <= '9' {
			e = digits(x)
		}
	}
	return e
}

// normalizeNumber writes a Jinja number literal in the plain form the
// engine parses: no "_" separators, floats with exponents expanded.
func normalizeNumber(lit string) string {
	lit = strings.ReplaceAll(lit, "_", "")
	if !strings.ContainsAny(lit, "eE") {
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return lit
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

// writeEngineString writes s for a double-quoted engine string literal,
// which decodes only \\ and \" (and keeps other bytes as they are).
func writeEngineString(sb *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			sb.WriteString(`\\`)
		case '"':
			sb.WriteString(`\"`)
		default:
			sb.WriteByte(s[i])
		}
	}
}

// unescapePython decodes a string literal's content the way Jinja's lexer
// does (Python's unicode_escape): \\ \' \" \a \b \f \n \r \t \v, octal
// \ooo, \xhh, \uXXXX, \UXXXXXXXX, a backslash-newline is dropped, and an
// unknown escape is kept as written.
func unescapePython(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			sb.WriteByte(e)
		case 'a':
			sb.WriteByte('\a')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'v':
			sb.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n := 0
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				n = n*8 + int(s[j]-'0')
				j++
			}
			sb.WriteRune(rune(n))
			i = j - 1
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+width > len(s) {
				return "", fmt.Errorf(`truncated \%c escape`, e)
			}
			n, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
			if err != nil || n > utf8.MaxRune {
				return "", fmt.Errorf(`invalid \%c escape`, e)
			}
			sb.WriteRune(rune(n))
			i += width
		default:
			sb.WriteByte('\\')
			sb.WriteByte(e)
		}
	}
	return sb.String(), nil
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
