package task

import (
	"fmt"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// records returns the rows of a named-column input (chat, completions):
// one object is one row, a list holds one object per row. The result is
// validated against schema (nil skips validation).
func records(in *Input, schema *signature.Schema) ([]map[string]any, error) {
	var rows []map[string]any
	switch x := in.Data.(type) {
	case map[string]any:
		rows = []map[string]any{x}
	case []any:
		if len(x) == 0 {
			return nil, invalidf("%s holds no rows", in.Format)
		}
		for i, e := range x {
			r, ok := e.(map[string]any)
			if !ok {
				return nil, invalidf("%s[%d] must be an object with the model's input fields, got %s", in.Format, i, describeTop(e))
			}
			rows = append(rows, r)
		}
	default:
		return nil, invalidf("%s must be an object with the model's input fields (or a list of them), got %s", in.Format, describeTop(in.Data))
	}
	if schema != nil {
		for i, r := range rows {
			if err := schema.Validate(r); err != nil {
				if len(rows) > 1 {
					return nil, invalid(fmt.Errorf("row %d: %w", i, err))
				}
				return nil, invalid(err)
			}
		}
	}
	return rows, nil
}

// texts returns the prompts of a text-generation input: a string, a list
// of strings, or objects whose single field (or field "0", a dataframe's
// first unnamed column) holds the string, as MLflow takes the first value
// of each dict.
func texts(in *Input, schema *signature.Schema) ([]string, error) {
	var out []string
	var add func(v any, at string, top bool) error
	add = func(v any, at string, top bool) error {
		switch x := v.(type) {
		case string:
			out = append(out, x)
			return nil
		case []any:
			if !top {
				return invalidf("%s: expected a string, got a list", at)
			}
			if len(x) == 0 {
				return invalidf("%s holds no prompts", at)
			}
			for i, e := range x {
				if err := add(e, fmt.Sprintf("%s[%d]", at, i), false); err != nil {
					return err
				}
			}
			return nil
		case map[string]any:
			var val any
			var key string
			switch {
			case len(x) == 1:
				for k, e := range x {
					key, val = k, e
				}
			case x["0"] != nil:
				key, val = "0", x["0"]
			default:
				return invalidf("%s: an object must hold exactly one field (the prompt), got %d fields", at, len(x))
			}
			if l, ok := val.([]any); ok && top {
				return add(l, at+"."+key, true)
			}
			return add(val, at+"."+key, false)
		}
		return invalidf("%s: expected a string, got %s", at, describeTop(v))
	}
	if err := add(in.Data, in.Format, true); err != nil {
		return nil, err
	}
	if schema != nil {
		for i, s := range out {
			if err := schema.Validate(s); err != nil {
				return nil, invalid(fmt.Errorf("prompt %d: %w", i, err))
			}
		}
	}
	return out, nil
}
