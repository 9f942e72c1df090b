package flavor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// pyDumps re-encodes one JSON document the way Python's json.dumps writes it,
// keeping object key order: separators ", " and ": " (or indent=2 layout when
// indent is set), non-ASCII escaped as \uXXXX, numbers as written.
func pyDumps(raw []byte, indent bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out strings.Builder
	if err := pyValue(dec, &out, indent, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return []byte(out.String()), nil
}

func pyNewline(out *strings.Builder, indent bool, depth int) {
	if indent {
		out.WriteByte('\n')
		out.WriteString(strings.Repeat("  ", depth))
	}
}

func pyValue(dec *json.Decoder, out *strings.Builder, indent bool, depth int) error {
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
			pyNewline(out, indent, depth+1)
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				pyString(out, k.(string))
				out.WriteString(": ")
			}
			if err := pyValue(dec, out, indent, depth+1); err != nil {
				return err
			}
			n++
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		if n > 0 {
			pyNewline(out, indent, depth)
		}
		out.WriteByte(closer)
	case string:
		pyString(out, t)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		if t {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	}
	return nil
}

func pyString(out *strings.Builder, s string) {
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		default:
			switch {
			case r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			case r < 0x20 || r >= 0x7f:
				fmt.Fprintf(out, `\u%04x`, r)
			default:
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}
