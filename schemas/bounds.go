package schemas

import (
	"encoding/json"
	"strconv"
)

// checkBounds applies minimum, maximum and exclusiveMinimum to numbers and
// minItems and maxItems to arrays. Values of other types pass, as JSON
// Schema specifies.
func (v *validator) checkBounds(s map[string]any, doc any, path string) error {
	if x, ok := number(doc); ok {
		if b, ok := bound(s, "minimum"); ok && x < b {
			return v.fail(path, "must be at least %v, got %v", b, x)
		}
		if b, ok := bound(s, "exclusiveMinimum"); ok && x <= b {
			return v.fail(path, "must be greater than %v, got %v", b, x)
		}
		if b, ok := bound(s, "maximum"); ok && x > b {
			return v.fail(path, "must be at most %v, got %v", b, x)
		}
	}
	if list, ok := doc.([]any); ok {
		if b, ok := bound(s, "minItems"); ok && float64(len(list)) < b {
			return v.fail(path, "must hold at least %v items, got %d", b, len(list))
		}
		if b, ok := bound(s, "maxItems"); ok && float64(len(list)) > b {
			return v.fail(path, "must hold at most %v items, got %d", b, len(list))
		}
	}
	return nil
}

// bound reads a numeric keyword of a schema (float64 as decoded by
// encoding/json).
func bound(s map[string]any, kw string) (float64, bool) {
	x, ok := s[kw]
	if !ok {
		return 0, false
	}
	return number(x)
}

// number converts a decoded JSON number to float64.
func number(doc any) (float64, bool) {
	switch x := doc.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}
