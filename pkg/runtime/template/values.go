package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/ardanlabs/jinja"
)

// toValue converts a Go value into the engine's value, the way Python sees
// the same data after json.loads: objects keep their key order when they
// come as json.RawMessage, integers stay integers.
//
// Plain Go maps have no order: their keys are put in the order chat
// messages and tool definitions are usually written in (see sortKeys).
// A float64 holding an
// integral value (what encoding/json produces for "3") becomes an integer,
// since that is what Python's json.loads returns for it; decode with
// UseNumber or pass json.RawMessage to keep "3.0" a float.
func toValue(v any) (jinja.Value, error) {
	switch x := v.(type) {
	case nil:
		return jinja.None(), nil
	case jinja.Value:
		return x, nil
	case bool:
		return jinja.NewBool(x), nil
	case string:
		return jinja.NewString(x), nil
	case int:
		return jinja.NewInt(int64(x)), nil
	case int32:
		return jinja.NewInt(int64(x)), nil
	case int64:
		return jinja.NewInt(x), nil
	case uint32:
		return jinja.NewInt(int64(x)), nil
	case float32:
		return floatValue(float64(x)), nil
	case float64:
		return floatValue(x), nil
	case json.Number:
		return numberValue(x)
	case json.RawMessage:
		return rawValue(x)
	case []any:
		items := make([]jinja.Value, len(x))
		for i, it := range x {
			iv, err := toValue(it)
			if err != nil {
				return jinja.Value{}, err
			}
			items[i] = iv
		}
		return jinja.NewList(items), nil
	case []string:
		items := make([]jinja.Value, len(x))
		for i, it := range x {
			items[i] = jinja.NewString(it)
		}
		return jinja.NewList(items), nil
	case []map[string]any:
		items := make([]jinja.Value, len(x))
		for i, it := range x {
			iv, err := toValue(it)
			if err != nil {
				return jinja.Value{}, err
			}
			items[i] = iv
		}
		return jinja.NewList(items), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortKeys(keys)
		d := jinja.NewDict()
		for _, k := range keys {
			kv, err := toValue(x[k])
			if err != nil {
				return jinja.Value{}, err
			}
			d.AsDict().Set(k, kv)
		}
		return d, nil
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := jinja.NewDict()
		for _, k := range keys {
			d.AsDict().Set(k, jinja.NewString(x[k]))
		}
		return d, nil
	}
	// Anything else (structs, typed slices): go through JSON, which is
	// what such a value would look like to Python.
	b, err := json.Marshal(v)
	if err != nil {
		return jinja.Value{}, fmt.Errorf("template: converting %T: %w", v, err)
	}
	return rawValue(b)
}

func floatValue(f float64) jinja.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return jinja.NewInt(int64(f))
	}
	return jinja.NewFloat(f)
}

func numberValue(n json.Number) (jinja.Value, error) {
	s := string(n)
	if !bytes.ContainsAny([]byte(s), ".eE") {
		if i, err := n.Int64(); err == nil {
			return jinja.NewInt(i), nil
		}
	}
	f, err := n.Float64()
	if err != nil {
		return jinja.Value{}, fmt.Errorf("template: number %s out of range", s)
	}
	return jinja.NewFloat(f), nil
}

// rawValue decodes JSON keeping object key order and int/float distinction.
func rawValue(b []byte) (jinja.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return jinja.Value{}, fmt.Errorf("template: decoding JSON value: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return jinja.Value{}, fmt.Errorf("template: decoding JSON value: trailing data")
	}
	return v, nil
}

func decodeOrdered(dec *json.Decoder) (jinja.Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return jinja.Value{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			var items []jinja.Value
			for dec.More() {
				it, err := decodeOrdered(dec)
				if err != nil {
					return jinja.Value{}, err
				}
				items = append(items, it)
			}
			if _, err := dec.Token(); err != nil {
				return jinja.Value{}, err
			}
			if items == nil {
				items = []jinja.Value{}
			}
			return jinja.NewList(items), nil
		case '{':
			d := jinja.NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jinja.Value{}, err
				}
				k, ok := kt.(string)
				if !ok {
					return jinja.Value{}, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return jinja.Value{}, err
				}
				d.AsDict().Set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return jinja.Value{}, err
			}
			return d, nil
		}
		return jinja.Value{}, fmt.Errorf("unexpected %v", t)
	case nil:
		return jinja.None(), nil
	case bool:
		return jinja.NewBool(t), nil
	case string:
		return jinja.NewString(t), nil
	case json.Number:
		return numberValue(t)
	}
	return jinja.Value{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// keyRank orders the keys of OpenAI-style messages, tool calls and tool
// definitions as they are usually written (0: other keys, sorted after).
func keyRank(k string) int {
	switch k {
	case "role":
		return 1
	case "content":
		return 2
	case "name":
		return 3
	case "id":
		return 4
	case "type":
		return 5
	case "function":
		return 6
	case "description":
		return 7
	case "parameters":
		return 8
	case "properties":
		return 9
	case "required":
		return 10
	case "arguments":
		return 11
	case "tool_calls":
		return 12
	case "tool_call_id":
		return 13
	}
	return 0
}

// sortKeys orders the keys of a Go map deterministically. Only JSON input
// (json.RawMessage) carries the real order, which tojson writes out.
func sortKeys(keys []string) {
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := keyRank(keys[i]), keyRank(keys[j])
		switch {
		case ri != 0 && rj != 0:
			return ri < rj
		case ri != 0 || rj != 0:
			return ri != 0
		}
		return keys[i] < keys[j]
	})
}
