package task

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// Input formats ParseInput recognises.
const (
	FormatLLM              = "llm"               // unified LLM dict: {"messages": ...} / {"prompt": ...}
	FormatDataframeSplit   = "dataframe_split"   // {"dataframe_split": {"columns": [...], "data": [[...]]}}
	FormatDataframeRecords = "dataframe_records" // {"dataframe_records": [{...}, ...]}
	FormatInstances        = "instances"         // {"instances": [...]}
	FormatInputs           = "inputs"            // {"inputs": ...}
	FormatRaw              = "raw"               // a bare value, as given to pyfunc predict (AllowRaw only)
)

// unifiedKeys mark a top-level dict as the unified LLM format (MLflow's
// is_unified_llm_input).
var unifiedKeys = []string{"messages", "prompt", "input"}

var classicKeys = []string{FormatDataframeSplit, FormatInstances, FormatInputs, FormatDataframeRecords}

// Input is a decoded request body. Data holds the model input as decoded
// JSON (numbers as json.Number); Params holds request parameters.
type Input struct {
	Format string
	Data   any
	Params map[string]any
	// Overrides are Hugging Face generate kwargs (max_new_tokens,
	// temperature, do_sample, seed, ...) applied above every other layer
	// without signature checks: the CLI's --params (max_tokens is accepted
	// for max_new_tokens). ParseInput never sets it.
	Overrides map[string]any
}

// ParseOptions tune ParseInput.
type ParseOptions struct {
	// Params is the model's params schema (nil for none). In the unified
	// LLM format, top-level keys it names are moved from the data to Params.
	Params *signature.ParamSchema
	// AllowRaw accepts a bare JSON value that is not one of the scoring
	// server's envelopes (a list of records, a string, a list of strings),
	// as mlflow.pyfunc's predict does. The scoring server rejects them.
	AllowRaw bool
}

// ParseInput decodes a request body in any of the JSON forms MLflow's
// scoring server accepts. Errors match ErrInvalidRequest.
func ParseInput(body []byte, opts ParseOptions) (*Input, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidf("the input is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, invalidf("the input holds more than one JSON value")
	}
	m, isMap := v.(map[string]any)
	if isMap {
		for _, k := range unifiedKeys {
			if _, ok := m[k]; ok {
				return parseUnified(m, opts.Params), nil
			}
		}
		var found []string
		for _, k := range classicKeys {
			if _, ok := m[k]; ok {
				found = append(found, k)
			}
		}
		if len(found) == 1 {
			return parseClassic(found[0], m)
		}
		if len(found) > 1 {
			return nil, invalidf("the input must have exactly one of the fields dataframe_split, dataframe_records, instances, inputs; got %s", strings.Join(found, ", "))
		}
	}
	if opts.AllowRaw && !isMap {
		return &Input{Format: FormatRaw, Data: v}, nil
	}
	return nil, invalidf("the input must be a JSON object with messages or prompt (the unified LLM format) or exactly one of the fields dataframe_split, dataframe_records, instances, inputs (optionally with params); got %s", describeTop(v))
}

func describeTop(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, strconv.Quote(k))
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			return "an empty object"
		}
		return "an object with keys " + strings.Join(keys, ", ")
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	case json.Number, float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "a " + fmt.Sprintf("%T", v)
}

func parseUnified(m map[string]any, ps *signature.ParamSchema) *Input {
	data := make(map[string]any, len(m))
	var params map[string]any
	for k, v := range m {
		if ps != nil && ps.Param(k) != nil {
			if params == nil {
				params = map[string]any{}
			}
			params[k] = v
			continue
		}
		data[k] = v
	}
	if p, ok := data["params"].(map[string]any); ok && ps != nil {
		// Not MLflow's unified form, but a common mistake worth honouring
		// only when the schema has params; otherwise it stays an ignored column.
		delete(data, "params")
		if params == nil {
			params = map[string]any{}
		}
		for k, v := range p {
			params[k] = v
		}
	}
	return &Input{Format: FormatLLM, Data: data, Params: params}
}

func parseClassic(format string, m map[string]any) (*Input, error) {
	in := &Input{Format: format, Data: m[format]}
	for k := range m {
		if k != format && k != "params" {
			return nil, invalidf("unexpected top-level field %q beside %q (only \"params\" may accompany it)", k, format)
		}
	}
	if p, ok := m["params"]; ok && p != nil {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, invalidf("params must be a JSON object, got %s", describeTop(p))
		}
		in.Params = pm
	}
	if format == FormatDataframeSplit {
		data, err := splitToRecords(in.Data)
		if err != nil {
			return nil, err
		}
		in.Data = data
	}
	return in, nil
}

// splitToRecords turns pandas' split orient into a list of records.
// Without "columns", columns are named "0", "1", ... as pandas numbers them.
func splitToRecords(v any) ([]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalidf("dataframe_split must be an object with \"columns\" and \"data\", got %s", describeTop(v))
	}
	for k := range m {
		if k != "columns" && k != "data" && k != "index" {
			return nil, invalidf("dataframe_split: unexpected field %q (allowed: columns, data, index)", k)
		}
	}
	rows, ok := m["data"].([]any)
	if !ok {
		return nil, invalidf("dataframe_split.data must be a list of rows")
	}
	var cols []string
	if c, ok := m["columns"]; ok && c != nil {
		list, ok := c.([]any)
		if !ok {
			return nil, invalidf("dataframe_split.columns must be a list of column names")
		}
		for i, x := range list {
			switch n := x.(type) {
			case string:
				cols = append(cols, n)
			case json.Number:
				cols = append(cols, n.String())
			default:
				return nil, invalidf("dataframe_split.columns[%d] must be a string", i)
			}
		}
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		cells, ok := r.([]any)
		if !ok {
			cells = []any{r} // a single-column frame may list bare values
		}
		if cols != nil && len(cells) != len(cols) {
			return nil, invalidf("dataframe_split.data[%d] has %d values but there are %d columns", i, len(cells), len(cols))
		}
		rec := make(map[string]any, len(cells))
		for j, c := range cells {
			name := strconv.Itoa(j)
			if cols != nil {
				name = cols[j]
			}
			rec[name] = c
		}
		out[i] = rec
	}
	return out, nil
}

// Wrap returns the response body MLflow's scoring server sends for output
// predicted from in: the output itself for the unified LLM format,
// {"predictions": output} otherwise.
func Wrap(in *Input, output any) any {
	if in != nil && in.Format == FormatLLM {
		return output
	}
	return map[string]any{"predictions": output}
}
