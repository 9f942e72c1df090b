package registry

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ModelConfig is the ModelPack config blob. The spec's schema is closed
// (additionalProperties false at every level), so it holds spec fields only.
type ModelConfig struct {
	Descriptor Descriptor `json:"descriptor"`
	Config     ModelInfo  `json:"config"`
	ModelFS    ModelFS    `json:"modelfs"`
}

// Descriptor is the config's descriptor object. CreatedAt is left out so
// that pushing the same bundle twice yields the same digest.
type Descriptor struct {
	Name      string   `json:"name,omitempty"`
	Family    string   `json:"family,omitempty"`
	Revision  string   `json:"revision,omitempty"`
	SourceURL string   `json:"sourceURL,omitempty"`
	Licenses  []string `json:"licenses,omitempty"`
}

// ModelInfo is the config's config object.
type ModelInfo struct {
	Architecture string        `json:"architecture,omitempty"`
	Format       string        `json:"format,omitempty"`
	ParamSize    string        `json:"paramSize,omitempty"`
	Precision    string        `json:"precision,omitempty"`
	Capabilities *Capabilities `json:"capabilities,omitempty"`
}

// Capabilities is config.capabilities.
type Capabilities struct {
	InputTypes  []string `json:"inputTypes,omitempty"`
	OutputTypes []string `json:"outputTypes,omitempty"`
}

// ModelFS lists the uncompressed layer digests in layer order.
type ModelFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diffIds"`
}

// formatParamSize renders a parameter count the way the spec wants it:
// digits with at most one decimal and a K/M/B/T suffix ("1.1B", "124.4M").
func formatParamSize(n int64) string {
	if n <= 0 {
		return ""
	}
	units := []struct {
		div    float64
		suffix string
	}{{1e15, "Q"}, {1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}}
	for i, u := range units {
		v := float64(n) / u.div
		if v < 1 && i < len(units)-1 {
			continue
		}
		s := strconv.FormatFloat(v, 'f', 1, 64)
		if s == "1000.0" && i > 0 { // rounding carried into the next unit
			return "1" + units[i-1].suffix
		}
		if s == "0.0" {
			s = "0.1" // fewer than 50 parameters; the spec has no unit below K
		}
		return strings.TrimSuffix(s, ".0") + u.suffix
	}
	return ""
}

// safetensorsPrecision maps safetensors dtype names to the spec's names.
var safetensorsPrecision = map[string]string{
	"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
	"F8_E4M3": "float8_e4m3", "F8_E5M2": "float8_e5m2",
	"I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64",
	"U8": "uint8", "U16": "uint16", "U32": "uint32", "U64": "uint64",
	"BOOL": "bool",
}

// formatPrecision lists the spec names of the dtypes holding parameters,
// most parameters first, comma-separated when mixed. Unknown dtypes are left
// out (the spec enumerates its names).
func formatPrecision(counts map[string]int64) string {
	type kv struct {
		name string
		n    int64
	}
	var list []kv
	merged := map[string]int64{}
	for dt, n := range counts {
		if name, ok := safetensorsPrecision[strings.ToUpper(dt)]; ok && n > 0 {
			merged[name] += n
		}
	}
	for name, n := range merged {
		list = append(list, kv{name, n})
	}
	slices.SortFunc(list, func(a, b kv) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	names := make([]string, len(list))
	for i, e := range list {
		names[i] = e.name
	}
	return strings.Join(names, ",")
}

// validPrecision reports whether s is a comma-separated list of spec names.
func validPrecision(s string) error {
	known := map[string]bool{"complex32": true, "complex64": true, "complex128": true}
	for _, v := range safetensorsPrecision {
		known[v] = true
	}
	for _, p := range strings.Split(s, ",") {
		if !known[strings.TrimSpace(p)] {
			return fmt.Errorf("precision %q is not a ModelPack precision name", p)
		}
	}
	return nil
}
