package flavor

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ParseModelConfig turns key=value pairs (the --model-config flag) into
// python_function.config. A value that is valid JSON is decoded (numbers,
// true/false, null, lists, objects, quoted strings); anything else is kept as
// a string. Integral numbers become int64, others float64. A key given twice
// keeps the last value. Known generation options are checked with
// ValidateModelConfig; a bad one is an error matching ErrInvalidModelConfig.
func ParseModelConfig(pairs []string) (map[string]any, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	cfg := map[string]any{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, newErr(ErrInvalidModelConfig, "model config %q: want key=value, e.g. temperature=0.7 or stop=[\"\\n\"]", p)
		}
		cfg[k] = parseConfigValue(v)
	}
	if _, err := ValidateModelConfig(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func parseConfigValue(v string) any {
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil || dec.More() {
		return v
	}
	if _, err := dec.Token(); err == nil {
		return v // trailing data: not a single JSON value
	}
	return normJSON(x)
}

// normJSON converts json.Number to int64 or float64, recursively.
func normJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normJSON(x[k])
		}
	}
	return v
}
