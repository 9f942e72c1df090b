package template

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/ardanlabs/jinja"
	"github.com/mlpack-go/mlpack/internal/pyjson"
)

// pyStr is Python's str() of a value: what {{ }} prints and what
// raise_exception reports. Undefined prints as "".
func pyStr(v jinja.Value) string {
	switch {
	case v.IsString():
		return v.AsString()
	case v.IsUndefined():
		return ""
	}
	var sb strings.Builder
	writeRepr(&sb, v)
	return sb.String()
}

// writeRepr writes Python's repr() of v.
func writeRepr(sb *strings.Builder, v jinja.Value) {
	switch {
	case v.IsUndefined():
		// str() of an Undefined inside a container is "" in Jinja; only
		// reachable through a container, which Python would not hold.
	case v.IsNone():
		sb.WriteString("None")
	case v.IsBool():
		if v.AsBool() {
			sb.WriteString("True")
		} else {
			sb.WriteString("False")
		}
	case v.IsInt():
		sb.WriteString(strconv.FormatInt(v.AsInt(), 10))
	case v.IsFloat():
		f := v.AsFloat()
		switch {
		case math.IsNaN(f):
			sb.WriteString("nan")
		case math.IsInf(f, 1):
			sb.WriteString("inf")
		case math.IsInf(f, -1):
			sb.WriteString("-inf")
		default:
			sb.WriteString(pyjson.Float(f))
		}
	case v.IsString():
		writeStrRepr(sb, v.AsString())
	case v.IsList():
		sb.WriteByte('[')
		for i, it := range v.AsList().Items {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeRepr(sb, it)
		}
		sb.WriteByte(']')
	case v.IsDict():
		d := v.AsDict()
		sb.WriteByte('{')
		for i, k := range d.Keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeStrRepr(sb, k)
			sb.WriteString(": ")
			writeRepr(sb, d.Data[k])
		}
		sb.WriteByte('}')
	default:
		sb.WriteString(v.String())
	}
}

// writeStrRepr writes Python's repr() of a string: single quotes unless the
// string holds a single quote and no double quote; non-printable
// characters escaped.
func writeStrRepr(sb *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	sb.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case r == rune(q):
			sb.WriteByte('\\')
			sb.WriteByte(q)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && !unicode.IsPrint(r)):
			switch {
			case r < 0x100:
				fmt.Fprintf(sb, `\x%02x`, r)
			case r < 0x10000:
				fmt.Fprintf(sb, `\u%04x`, r)
			default:
				fmt.Fprintf(sb, `\U%08x`, r)
			}
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte(q)
}
