package flavor

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// readHeaders reads every weight file's safetensors header (never the data),
// counts parameters, picks the dominant dtype and, for sharded models, checks
// that each tensor the index names is in its shard.
func (s *Source) readHeaders() error {
	byDType := map[string]int64{}
	inShard := map[string]map[string]bool{}
	for _, f := range s.WeightFiles {
		h, err := readHeaderFile(filepath.Join(s.Dir, f))
		if err != nil {
			return badModel("%s: malformed safetensors header (%v): the file is truncated or not safetensors; re-download or re-save it", f, err)
		}
		names := map[string]bool{}
		for _, t := range h.Tensors {
			n := int64(1)
			for _, d := range t.Shape {
				n *= d
			}
			byDType[string(t.DType)] += n
			names[t.Name] = true
		}
		inShard[f] = names
		s.ParameterCount += h.ParamCount()
	}
	if len(byDType) == 0 {
		return badModel("the weights hold no tensors")
	}
	dts := make([]string, 0, len(byDType))
	for d := range byDType {
		dts = append(dts, d)
	}
	sort.Slice(dts, func(i, j int) bool {
		if byDType[dts[i]] != byDType[dts[j]] {
			return byDType[dts[i]] > byDType[dts[j]]
		}
		return dts[i] < dts[j]
	})
	s.DType = dts[0]
	if s.IndexFile != "" {
		raw, err := os.ReadFile(filepath.Join(s.Dir, s.IndexFile))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", s.IndexFile, err)
		}
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		_ = json.Unmarshal(raw, &idx)
		names := make([]string, 0, len(idx.WeightMap))
		for n := range idx.WeightMap {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !inShard[idx.WeightMap[n]][n] {
				return badModel("%s maps tensor %s to %s, which does not contain it: the index does not match the shards", s.IndexFile, n, idx.WeightMap[n])
			}
		}
	}
	return nil
}

// TEMPORARY until pkg/runtime/safetensors lands: a minimal header reader
// with the same contract (ReadHeaderFile, Tensors, ParamCount).
type stTensor struct {
	Name  string
	DType string
	Shape []int64
}

type stHeader struct{ Tensors []stTensor }

func (h *stHeader) ParamCount() int64 {
	var n int64
	for _, t := range h.Tensors {
		c := int64(1)
		for _, d := range t.Shape {
			c *= d
		}
		n += c
	}
	return n
}

func readHeaderFile(path string) (*stHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if n == 0 || n > 100<<20 || int64(n) > st.Size()-8 {
		return nil, fmt.Errorf("header length %d is out of range", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(buf, &raw); err != nil {
		return nil, fmt.Errorf("header is not JSON: %w", err)
	}
	h := &stHeader{}
	for name, r := range raw {
		if name == "__metadata__" {
			continue
		}
		var t struct {
			DType   string  `json:"dtype"`
			Shape   []int64 `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(r, &t); err != nil || t.DType == "" || len(t.Offsets) != 2 {
			return nil, fmt.Errorf("tensor %s: bad entry", name)
		}
		h.Tensors = append(h.Tensors, stTensor{Name: name, DType: t.DType, Shape: t.Shape})
	}
	return h, nil
}
