// Package pyjson writes JSON text byte for byte as Python's json.dumps does,
// which is what MLflow stores in MLmodel signatures, writes as input
// examples and returns from its scoring server, and what transformers'
// chat templates produce with tojson.
//
// The differences from encoding/json are the separators (", " and ": ", or
// indent=2 layout), ensure_ascii escaping (non-ASCII as \uXXXX with
// surrogate pairs), no HTML escaping, object keys kept in document order and
// floats written as Python's repr.
package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dumps re-encodes the JSON document raw as json.dumps writes it, keeping
// object key order and numbers as written. With indent it uses the layout of
// json.dumps(indent=2).
func Dumps(raw []byte, indent bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out strings.Builder
	if err := value(dec, &out, indent, 0); err != nil {
		return nil, fmt.Errorf("pyjson: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("pyjson: unexpected data after the JSON value")
	}
	return []byte(out.String()), nil
}

// Marshal encodes v with encoding/json (so struct field order and tags
// apply) and re-encodes the result as json.dumps writes it, compactly.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("pyjson: %w", err)
	}
	return Dumps(buf.Bytes(), false)
}

func newline(out *strings.Builder, indent bool, depth int) {
	if indent {
		out.WriteByte('\n')
		out.WriteString(strings.Repeat("  ", depth))
	}
}

func value(dec *json.Decoder, out *strings.Builder, indent bool, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		closer := byte(']')
		if t == '{' {
			closer = '}'
		}
		out.WriteByte(byte(t))
		n := 0
		for dec.More() {
			if n > 0 {
				if indent {
					out.WriteByte(',')
				} else {
					out.WriteString(", ")
				}
			}
			newline(out, indent, depth+1)
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				WriteString(out, k.(string), true)
				out.WriteString(": ")
			}
			if err := value(dec, out, indent, depth+1); err != nil {
				return err
			}
			n++
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if n > 0 {
			newline(out, indent, depth)
		}
		out.WriteByte(closer)
	case string:
		WriteString(out, t, true)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

// WriteString writes s as a JSON string the way json.dumps does. With
// ensureASCII (json.dumps' default) every character outside ' '..'~' is
// written as \uXXXX, surrogate pairs above U+FFFF; without it (tojson in
// chat templates) only '"', '\\' and control characters are escaped.
// Invalid UTF-8 is written as U+FFFD when escaping and copied otherwise.
func WriteString(sb *strings.Builder, s string, ensureASCII bool) {
	const hex = "0123456789abcdef"
	u4 := func(r rune) {
		sb.WriteString(`\u`)
		sb.WriteByte(hex[r>>12&0xf])
		sb.WriteByte(hex[r>>8&0xf])
		sb.WriteByte(hex[r>>4&0xf])
		sb.WriteByte(hex[r&0xf])
	}
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				sb.WriteString(`\"`)
			case '\\':
				sb.WriteString(`\\`)
			case '\n':
				sb.WriteString(`\n`)
			case '\r':
				sb.WriteString(`\r`)
			case '\t':
				sb.WriteString(`\t`)
			case '\b':
				sb.WriteString(`\b`)
			case '\f':
				sb.WriteString(`\f`)
			default:
				if c < 0x20 || (ensureASCII && c == 0x7f) {
					u4(rune(c))
				} else {
					sb.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !ensureASCII:
			sb.WriteString(s[i : i+size])
		case r >= 0x10000:
			r -= 0x10000
			u4(0xd800 + (r>>10)&0x3ff)
			u4(0xdc00 + r&0x3ff)
		default:
			u4(r)
		}
		i += size
	}
	sb.WriteByte('"')
}

// Float formats f as Python's float repr, which json.dumps uses: the
// shortest round-tripping digits, exponent notation when the decimal
// exponent is below -4 or at least 16, a ".0" on integral values, and
// NaN/Infinity/-Infinity for the non-finite values.
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d[.ddd]e±XX, two exponent digits at least, as Python
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
