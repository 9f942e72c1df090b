package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"unicode/utf8"
)

const metadataKey = "__metadata__"

// parseHeader decodes the JSON header token by token, so that duplicate keys
// (which a map or struct decode would silently resolve) are rejected and the
// number of allocations stays proportional to the header length.
func parseHeader(buf []byte) (*Header, error) {
	if buf[0] != '{' {
		return nil, invalidf("header does not start with '{'")
	}
	if !utf8.Valid(buf) {
		return nil, invalidf("header is not valid UTF-8")
	}
	p := &parser{dec: json.NewDecoder(bytes.NewReader(buf))}
	p.dec.UseNumber()
	h := &Header{}
	if err := p.delim('{', "header"); err != nil {
		return nil, err
	}
	seen := make(map[string]bool)
	sawMeta := false
	for p.dec.More() {
		key, err := p.str("header key")
		if err != nil {
			return nil, err
		}
		if key == metadataKey {
			if sawMeta {
				return nil, invalidf("duplicate %q", metadataKey)
			}
			sawMeta = true
			if h.Metadata, err = p.metadata(); err != nil {
				return nil, err
			}
			continue
		}
		if seen[key] {
			return nil, invalidf("duplicate tensor %q", key)
		}
		seen[key] = true
		t, err := p.tensor(key)
		if err != nil {
			return nil, err
		}
		h.Tensors = append(h.Tensors, t)
	}
	if err := p.delim('}', "header"); err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, invalidf("header has content after its JSON object (only whitespace padding is allowed)")
	}
	sort.Slice(h.Tensors, func(i, j int) bool { return h.Tensors[i].Name < h.Tensors[j].Name })
	return h, nil
}

type parser struct{ dec *json.Decoder }

func (p *parser) token(what string) (json.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, invalidf("header is not valid JSON at byte %d reading %s: %v", se.Offset, what, err)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, invalidf("header JSON ends early, reading %s", what)
		}
		return nil, invalidf("header is not valid JSON reading %s: %v", what, err)
	}
	return tok, nil
}

func (p *parser) delim(d json.Delim, what string) error {
	tok, err := p.token(what)
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return invalidf("%s: expected %q, found %s", what, string(d), describe(tok))
	}
	return nil
}

func (p *parser) str(what string) (string, error) {
	tok, err := p.token(what)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", invalidf("%s: expected a string, found %s", what, describe(tok))
	}
	return s, nil
}

func (p *parser) int(what string) (int64, error) {
	tok, err := p.token(what)
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, invalidf("%s: expected an integer, found %s", what, describe(tok))
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || v < 0 {
		return 0, invalidf("%s: %s is not a non-negative 64-bit integer", what, string(num))
	}
	return v, nil
}

// metadata reads the "__metadata__" value: null or an object of strings.
func (p *parser) metadata() (map[string]string, error) {
	tok, err := p.token(metadataKey)
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, invalidf("%s: expected an object, found %s", metadataKey, describe(tok))
	}
	m := make(map[string]string)
	for p.dec.More() {
		k, err := p.str(metadataKey + " key")
		if err != nil {
			return nil, err
		}
		if _, dup := m[k]; dup {
			return nil, invalidf("%s: duplicate key %q", metadataKey, k)
		}
		v, err := p.str(fmt.Sprintf("%s[%q]", metadataKey, k))
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, p.delim('}', metadataKey)
}

// tensor reads {"dtype": ..., "shape": [...], "data_offsets": [b, e]}.
func (p *parser) tensor(name string) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	what := fmt.Sprintf("tensor %q", truncate(name))
	if err := p.delim('{', what); err != nil {
		return t, err
	}
	var haveDType, haveShape, haveOffsets bool
	for p.dec.More() {
		field, err := p.str(what + " field")
		if err != nil {
			return t, err
		}
		switch field {
		case "dtype":
			if haveDType {
				return t, invalidf("%s: duplicate field %q", what, field)
			}
			haveDType = true
			s, err := p.str(what + " dtype")
			if err != nil {
				return t, err
			}
			t.DType = DType(s)
			if !t.DType.Known() {
				return t, invalidf("%s: unknown dtype %q", what, s)
			}
		case "shape":
			if haveShape {
				return t, invalidf("%s: duplicate field %q", what, field)
			}
			haveShape = true
			if err := p.delim('[', what+" shape"); err != nil {
				return t, err
			}
			t.Shape = []int64{}
			for p.dec.More() {
				d, err := p.int(what + " shape dimension")
				if err != nil {
					return t, err
				}
				t.Shape = append(t.Shape, d)
			}
			if err := p.delim(']', what+" shape"); err != nil {
				return t, err
			}
		case "data_offsets":
			if haveOffsets {
				return t, invalidf("%s: duplicate field %q", what, field)
			}
			haveOffsets = true
			if err := p.delim('[', what+" data_offsets"); err != nil {
				return t, err
			}
			if t.Begin, err = p.int(what + " data_offsets begin"); err != nil {
				return t, err
			}
			if t.End, err = p.int(what + " data_offsets end"); err != nil {
				return t, err
			}
			if err := p.delim(']', what+" data_offsets (exactly two numbers)"); err != nil {
				return t, err
			}
		default:
			return t, invalidf("%s: unknown field %q (expected dtype, shape, data_offsets)", what, field)
		}
	}
	if err := p.delim('}', what); err != nil {
		return t, err
	}
	switch {
	case !haveDType:
		return t, invalidf("%s: missing dtype", what)
	case !haveShape:
		return t, invalidf("%s: missing shape", what)
	case !haveOffsets:
		return t, invalidf("%s: missing data_offsets", what)
	}
	return t, nil
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return strconv.Quote(string(v))
	case string:
		return "string " + strconv.Quote(truncate(v))
	case json.Number:
		return "number " + truncate(string(v))
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprintf("%T", tok)
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
