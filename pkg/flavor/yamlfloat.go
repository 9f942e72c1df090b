package flavor

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pyYAMLFloats returns a copy of v in which every float64 is a YAML node
// spelled the way PyYAML writes floats (1.0, 0.5, 1.0e-05), so a config value
// 1.0 stays a float for MLflow instead of becoming the integer 1.
func pyYAMLFloats(v any) any {
	switch x := v.(type) {
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: pyYAMLFloat(x)}
	case float32:
		return pyYAMLFloats(float64(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pyYAMLFloats(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = pyYAMLFloats(e)
		}
		return out
	}
	return v
}

// pyYAMLFloat is PyYAML's represent_float: repr(f).lower() with ".0"
// added to a mantissa that has no dot, and .inf/.nan for the specials.
func pyYAMLFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	mant, expStr, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	exp, _ := strconv.Atoi(expStr)
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, exp)
}
