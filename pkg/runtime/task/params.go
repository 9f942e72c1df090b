package task

import (
	"encoding/json"
	"log/slog"
	"math"
	"sort"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
)

// hfDefaultMaxLength is transformers' GenerationConfig default max_length,
// used when neither max_new_tokens nor max_length is configured anywhere.
const hfDefaultMaxLength = 20

// ignoredKeys are accepted and have no effect: generation_config.json
// bookkeeping, MLflow wrapper options, and kwargs whose effect mlpack
// provides otherwise (one sequence is always returned).
var ignoredKeys = map[string]bool{
	"bos_token_id": true, "pad_token_id": true, "transformers_version": true,
	"_from_model_config": true, "use_cache": true, "n": true, "stream": true,
	"num_return_sequences": true, "include_prompt": true, "collapse_whitespace": true,
	"return_full_text": true, "return_tensors": true, "num_beams": true,
	"decoder_start_token_id": true, "forced_eos_token_id": true,
}

// merge returns the union of layers; later layers win; nil values are skipped.
func merge(layers ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, l := range layers {
		for k, v := range l {
			if v != nil {
				out[k] = v
			}
		}
	}
	return out
}

// requestColumns maps the optional columns of an llm/v1 request row to
// Hugging Face generate kwargs as MLflow's preprocess_llm_inference_input
// does: max_tokens becomes max_new_tokens (dropped when 0), everything else
// keeps its name.
func requestColumns(row map[string]any, input string) map[string]any {
	out := map[string]any{}
	for k, v := range row {
		if k == input || v == nil {
			continue
		}
		if k == "max_tokens" {
			if f, ok := num(v); ok && f != 0 {
				out["max_new_tokens"] = v
			}
			continue
		}
		out[k] = v
	}
	return out
}

// hfParams converts Hugging Face generate kwargs to generate.Params for a
// prompt of promptLen tokens. Sampling follows transformers: greedy unless
// do_sample is true. eos is added to any eos_token_id in kw.
func hfParams(kw map[string]any, promptLen int, eos []int, log *slog.Logger) (generate.Params, error) {
	var p generate.Params
	var err error
	bad := func(key, want string) error {
		return invalidf("parameter %s must be %s, got %s", key, want, describeTop(kw[key]))
	}
	getF := func(key string, def float64) float64 {
		v, ok := kw[key]
		if !ok || err != nil {
			return def
		}
		f, ok := num(v)
		if !ok {
			err = bad(key, "a number")
			return def
		}
		return f
	}
	getI := func(key string, def int) int {
		f := getF(key, float64(def))
		if err == nil && f != math.Trunc(f) {
			err = bad(key, "an integer")
		}
		return int(f)
	}
	doSample := false
	if v, ok := kw["do_sample"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return p, bad("do_sample", "true or false")
		}
		doSample = b
	}
	if doSample {
		p.Temperature = getF("temperature", 1)
		p.TopK = getI("top_k", 50)
		p.TopP = getF("top_p", 1)
	} else {
		var set []string
		for _, k := range []string{"temperature", "top_p", "top_k"} {
			if _, ok := kw[k]; ok {
				set = append(set, k)
			}
		}
		if len(set) > 0 && log != nil {
			log.Warn("do_sample is not set to true, so decoding is greedy and these parameters are ignored (as in transformers); set do_sample=true in the model config (python_function.config) or the generation options to sample", "ignored", set)
		}
	}
	switch {
	case kw["max_new_tokens"] != nil:
		p.MaxTokens = getI("max_new_tokens", 0)
		if err == nil && p.MaxTokens < 1 {
			return p, bad("max_new_tokens", "a positive integer")
		}
	default:
		maxLen := getI("max_length", hfDefaultMaxLength)
		p.MaxTokens = max(1, maxLen-promptLen)
	}
	p.RepetitionPenalty = getF("repetition_penalty", 0)
	p.PresencePenalty = getF("presence_penalty", 0)
	p.FrequencyPenalty = getF("frequency_penalty", 0)
	if _, ok := kw["seed"]; ok {
		s := uint64(getI("seed", 0))
		p.Seed = &s
	}
	if err != nil {
		return p, err
	}
	p.EOS = append(p.EOS, eos...)
	if v, ok := kw["eos_token_id"]; ok {
		ids, ok := intList(v)
		if !ok {
			return p, bad("eos_token_id", "an integer or a list of integers")
		}
		p.EOS = appendNew(p.EOS, ids...)
	}
	if v, ok := kw["stop"]; ok {
		switch x := v.(type) {
		case string:
			p.Stop = []string{x}
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return p, bad("stop", "a list of strings")
				}
				if s != "" {
					p.Stop = append(p.Stop, s)
				}
			}
		case []string:
			p.Stop = x
		default:
			return p, bad("stop", "a list of strings")
		}
	}
	var unknown []string
	for k := range kw {
		if !knownKey(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 && log != nil {
		sort.Strings(unknown)
		log.Warn("ignoring generation parameters mlpack does not support", "keys", unknown)
	}
	if err := p.Validate(); err != nil {
		return p, invalid(err)
	}
	return p, nil
}

func knownKey(k string) bool {
	switch k {
	case "do_sample", "temperature", "top_p", "top_k", "max_new_tokens", "max_length",
		"repetition_penalty", "presence_penalty", "frequency_penalty", "seed", "eos_token_id", "stop":
		return true
	}
	return ignoredKeys[k]
}

// genConfigLayer keeps the generate-relevant keys of generation_config.json
// (its other keys are bookkeeping and never warned about).
func genConfigLayer(gc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range gc {
		if knownKey(k) && !ignoredKeys[k] {
			out[k] = v
		}
	}
	return out
}

func appendNew(dst []int, ids ...int) []int {
	for _, id := range ids {
		found := false
		for _, d := range dst {
			if d == id {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, id)
		}
	}
	return dst
}

// num converts a decoded JSON number (or Go number) to float64.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// intList accepts an integer or a list of integers.
func intList(v any) ([]int, bool) {
	if f, ok := num(v); ok && f == math.Trunc(f) {
		return []int{int(f)}, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]int, 0, len(list))
	for _, e := range list {
		f, ok := num(e)
		if !ok || f != math.Trunc(f) {
			return nil, false
		}
		out = append(out, int(f))
	}
	return out, true
}
