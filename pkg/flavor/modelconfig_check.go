package flavor

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// configRule checks one known generation option; want says what is expected.
type configRule struct {
	want, example string
	ok            func(v any) bool
}

func number(check func(float64) bool) func(any) bool {
	return func(v any) bool {
		f, ok := asFloat(v)
		return ok && !math.IsNaN(f) && !math.IsInf(f, 0) && check(f)
	}
}

func integer(check func(int64) bool) func(any) bool {
	return func(v any) bool {
		f, ok := asFloat(v)
		return ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 && check(int64(f))
	}
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func isBool(v any) bool { _, ok := v.(bool); return ok }

func stringOrStrings(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	case []string:
		return true
	}
	return false
}

func intOrInts(v any) bool {
	nonNeg := integer(func(i int64) bool { return i >= 0 })
	if x, ok := v.([]any); ok {
		for _, e := range x {
			if !nonNeg(e) {
				return false
			}
		}
		return len(x) > 0
	}
	return nonNeg(v)
}

var (
	positiveInt = integer(func(i int64) bool { return i > 0 })
	nonNegInt   = integer(func(i int64) bool { return i >= 0 })
)

// configRules are the generation options predict and serve honour (and
// MLflow passes to the transformers pipeline), with the values they accept.
var configRules = map[string]configRule{
	"temperature":        {"a number >= 0", "temperature=0.7", number(func(f float64) bool { return f >= 0 })},
	"top_p":              {"a number between 0 and 1", "top_p=0.9", number(func(f float64) bool { return f >= 0 && f <= 1 })},
	"repetition_penalty": {"a number > 0", "repetition_penalty=1.1", number(func(f float64) bool { return f > 0 })},
	"presence_penalty":   {"a number", "presence_penalty=0.5", number(func(float64) bool { return true })},
	"frequency_penalty":  {"a number", "frequency_penalty=0.5", number(func(float64) bool { return true })},
	"max_new_tokens":     {"a positive integer", "max_new_tokens=128", positiveInt},
	"max_tokens":         {"a positive integer", "max_tokens=128", positiveInt},
	"max_length":         {"a positive integer", "max_length=512", positiveInt},
	"top_k":              {"a non-negative integer (0 turns top-k off)", "top_k=50", nonNegInt},
	"seed":               {"a non-negative integer", "seed=42", nonNegInt},
	"do_sample":          {"true or false", "do_sample=true", isBool},
	"stop":               {"a string or a list of strings", `stop=["\n\n"]`, stringOrStrings},
	"eos_token_id":       {"a non-negative integer or a list of them", "eos_token_id=[2, 32000]", intOrInts},
}

// passThroughKeys are generation options mlpack knows but does not use;
// MLflow passes them to the pipeline. They are not warned about.
var passThroughKeys = map[string]bool{
	"bos_token_id": true, "pad_token_id": true, "use_cache": true, "num_beams": true,
	"num_return_sequences": true, "return_full_text": true, "include_prompt": true,
	"collapse_whitespace": true, "min_new_tokens": true, "min_length": true,
}

// ValidateModelConfig checks the known generation options in cfg (see
// ParseModelConfig): temperature, top_p, repetition_penalty and the penalties
// are numbers in range; max_new_tokens, max_tokens, max_length positive
// integers; top_k and seed non-negative integers; do_sample a boolean; stop a
// string or a list of strings; eos_token_id an integer or a list of them. A
// problem is an error matching ErrInvalidModelConfig naming the key and what
// it must be. Other keys are allowed, as MLflow passes them to the pipeline;
// those mlpack does not know are returned, sorted, for a warning.
func ValidateModelConfig(cfg map[string]any) (unknown []string, err error) {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, ok := configRules[k]
		if !ok {
			if !passThroughKeys[k] {
				unknown = append(unknown, k)
			}
			continue
		}
		if v := cfg[k]; !r.ok(v) {
			return nil, newErr(ErrInvalidModelConfig, "model config %s must be %s, got %s: give e.g. --model-config %s", k, r.want, describeValue(v), quoteArg(r.example))
		}
	}
	return unknown, nil
}

func quoteArg(s string) string {
	if strings.ContainsAny(s, "[]\" \\") {
		return "'" + s + "'"
	}
	return s
}

// describeValue names a config value's type and value, briefly.
func describeValue(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		s = fmt.Sprintf("the string %q", x)
	case bool:
		s = fmt.Sprintf("the boolean %v", x)
	case int, int64, float64:
		s = fmt.Sprintf("%v", x)
	case []any:
		s = fmt.Sprintf("a list %v", x)
	case map[string]any:
		s = "an object"
	default:
		s = fmt.Sprintf("%v", x)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
