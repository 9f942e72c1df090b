package mlflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Marshal encodes v the way MLflow's scoring server writes its bodies
// (Python's json.dumps defaults): separators ", " and ": ", non-ASCII
// escaped as \uXXXX, object keys in the order Go encodes them (struct
// field order), numbers as Go writes them.
func Marshal(v any) ([]byte, error) {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(&compact)
	dec.UseNumber()
	var out strings.Builder
	if err := pyValue(dec, &out); err != nil {
		return nil, fmt.Errorf("mlflow: re-encoding JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("mlflow: re-encoding JSON: trailing data")
	}
	return []byte(out.String()), nil
}

func pyValue(dec *json.Decoder, out *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		closing := byte(']')
		if t == '{' {
			closing = '}'
		}
		out.WriteByte(byte(t))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteString(", ")
			}
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				pyString(out, k.(string))
				out.WriteString(": ")
			}
			if err := pyValue(dec, out); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
		out.WriteByte(closing)
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

// pyString writes s as json.dumps does with ensure_ascii=True.
func pyString(out *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	u := func(r rune) {
		out.WriteString(`\u`)
		out.WriteByte(hex[r>>12&15])
		out.WriteByte(hex[r>>8&15])
		out.WriteByte(hex[r>>4&15])
		out.WriteByte(hex[r&15])
	}
	out.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			out.WriteString(`\"`)
		case r == '\\':
			out.WriteString(`\\`)
		case r == '\n':
			out.WriteString(`\n`)
		case r == '\r':
			out.WriteString(`\r`)
		case r == '\t':
			out.WriteString(`\t`)
		case r == '\b':
			out.WriteString(`\b`)
		case r == '\f':
			out.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r < 0x10000):
			u(r)
		case r >= 0x10000:
			a, b := utf16.EncodeRune(r)
			u(a)
			u(b)
		default:
			out.WriteRune(r)
		}
	}
	out.WriteByte('"')
}
