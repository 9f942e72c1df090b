package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error that reports a tokenizer.json document
// this package cannot use: malformed JSON, missing fields or unsupported
// components. Callers branch on it with errors.Is.
var ErrInvalid = errors.New("invalid tokenizer.json")

// LoadError reports what is wrong with a tokenizer.json document and where:
// Path is the location inside the JSON (for example
// "pre_tokenizer.pretokenizers[1]"), File the document's path when known.
type LoadError struct {
	File string
	Path string
	Msg  string
}

func (e *LoadError) Error() string {
	s := "tokenizer: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Path != "" {
		s += e.Path + ": "
	}
	return s + e.Msg
}

// Unwrap lets errors.Is(err, ErrInvalid) succeed.
func (e *LoadError) Unwrap() error { return ErrInvalid }

func loadErrf(path, format string, a ...any) error {
	return &LoadError{Path: path, Msg: fmt.Sprintf(format, a...)}
}

// isNull reports whether a raw JSON value is absent or null.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// obj is a JSON object being decoded, with its path for error messages.
type obj struct {
	path string
	m    map[string]json.RawMessage
}

func parseObj(path string, raw json.RawMessage) (*obj, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, loadErrf(path, "expected a JSON object")
	}
	return &obj{path: path, m: m}, nil
}

func (o *obj) errf(format string, a ...any) error { return loadErrf(o.path, format, a...) }

func (o *obj) sub(key string) string { return o.path + "." + key }

func (o *obj) has(key string) bool { return !isNull(o.m[key]) }

// typ returns the "type" field of a component.
func (o *obj) typ() (string, error) {
	s, err := o.str("type", "")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", o.errf("missing \"type\"")
	}
	return s, nil
}

func (o *obj) str(key, def string) (string, error) {
	raw, ok := o.m[key]
	if !ok || isNull(raw) {
		return def, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", loadErrf(o.sub(key), "expected a string")
	}
	return s, nil
}

func (o *obj) boolean(key string, def bool) (bool, error) {
	raw, ok := o.m[key]
	if !ok || isNull(raw) {
		return def, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, loadErrf(o.sub(key), "expected true or false")
	}
	return b, nil
}

func (o *obj) integer(key string, def int) (int, error) {
	raw, ok := o.m[key]
	if !ok || isNull(raw) {
		return def, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, loadErrf(o.sub(key), "expected an integer")
	}
	return n, nil
}

func (o *obj) list(key string) ([]json.RawMessage, error) {
	raw, ok := o.m[key]
	if !ok || isNull(raw) {
		return nil, loadErrf(o.sub(key), "missing list")
	}
	var l []json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, loadErrf(o.sub(key), "expected a list")
	}
	return l, nil
}

// pattern decodes {"String": s} or {"Regex": r}.
func (o *obj) pattern(key string) (s string, isRegex bool, err error) {
	p, err := parseObj(o.sub(key), o.m[key])
	if err != nil {
		return "", false, err
	}
	if p.has("Regex") {
		s, err = p.str("Regex", "")
		return s, true, err
	}
	if p.has("String") {
		s, err = p.str("String", "")
		return s, false, err
	}
	return "", false, p.errf("expected {\"String\": ...} or {\"Regex\": ...}")
}

// singleRune decodes a one-character string such as Metaspace's replacement.
func (o *obj) singleRune(key string, def rune) (rune, error) {
	s, err := o.str(key, string(def))
	if err != nil {
		return 0, err
	}
	r := []rune(s)
	if len(r) != 1 {
		return 0, loadErrf(o.sub(key), "expected a single character, got %q", s)
	}
	return r[0], nil
}

func idx(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// parseList parses each item of the list o[key] with parse, giving every
// item its JSON path, as the Sequence components need.
func parseList[T any](o *obj, key string, parse func(path string, raw json.RawMessage) (T, error)) ([]T, error) {
	items, err := o.list(key)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(items))
	for i, it := range items {
		v, err := parse(idx(o.sub(key), i), it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
