package safetensors

import (
	"bytes"
	"testing"
)

// FuzzReadHeader feeds arbitrary files to ReadHeader: it must never panic,
// and whatever it accepts must satisfy the invariants the readers rely on.
func FuzzReadHeader(f *testing.F) {
	f.Add(rawFile(`{}`, 0))
	f.Add(rawFile(`{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}    `, 12))
	f.Add(rawFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		dataLen := int64(len(data)) - h.DataStart
		if h.DataStart < 10 || dataLen < 0 {
			t.Fatalf("DataStart %d outside the file of %d bytes", h.DataStart, len(data))
		}
		var covered int64
		for i, ti := range h.Tensors {
			if i > 0 && h.Tensors[i-1].Name >= ti.Name {
				t.Fatalf("tensors not sorted by name: %q before %q", h.Tensors[i-1].Name, ti.Name)
			}
			if ti.Begin < 0 || ti.End < ti.Begin || ti.End > dataLen {
				t.Fatalf("tensor %q range [%d,%d] outside data of %d", ti.Name, ti.Begin, ti.End, dataLen)
			}
			if ti.NumElements()*int64(ti.DType.Size()) != ti.Size() {
				t.Fatalf("tensor %q: size mismatch", ti.Name)
			}
			covered += ti.Size()
		}
		if covered != dataLen {
			t.Fatalf("tensors cover %d of %d bytes", covered, dataLen)
		}
	})
}
