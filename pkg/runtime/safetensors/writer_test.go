package safetensors

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteFileHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	tensors := []WriteTensor{
		{Name: "z.small", DType: U8, Shape: []int64{3}, Data: []byte{1, 2, 3}},
		{Name: "b", DType: F32, Shape: []int64{2}, Data: make([]byte, 8)},
		{Name: "a<&>", DType: BF16, Shape: []int64{1, 2}, Fill: func(w io.Writer) error {
			_, err := w.Write([]byte{9, 9, 9, 9})
			return err
		}},
	}
	if err := WriteFile(path, tensors, map[string]string{"format": "pt", "a": "x"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	wantJSON := `{"__metadata__":{"a":"x","format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"a<&>":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]},"z.small":{"dtype":"U8","shape":[3],"data_offsets":[12,15]}}`
	gotJSON := string(raw[8 : 8+n])
	if d := cmp.Diff(wantJSON, strings.TrimRight(gotJSON, " ")); d != "" {
		t.Errorf("header JSON (-want +got):\n%s", d)
	}
	if (8+n)%8 != 0 {
		t.Errorf("data section starts at %d, not 8-byte aligned", 8+n)
	}
	if !bytes.Equal(raw[8+n:], []byte{0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3}) {
		t.Errorf("data section = %v", raw[8+n:])
	}
	h, err := ReadHeaderFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{h.Tensors[0].Name, h.Tensors[1].Name, h.Tensors[2].Name}; !cmp.Equal(got, []string{"a<&>", "b", "z.small"}) {
		t.Errorf("names = %v", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (temp file left behind?)", len(entries))
	}
}

func TestWriteFileRejects(t *testing.T) {
	cases := []struct {
		name    string
		tensors []WriteTensor
		want    string
	}{
		{"size mismatch", []WriteTensor{{Name: "a", DType: F32, Shape: []int64{2}, Data: make([]byte, 7)}}, "needs 8 bytes, Data has 7"},
		{"duplicate", []WriteTensor{{Name: "a", DType: U8, Shape: []int64{0}}, {Name: "a", DType: U8, Shape: []int64{0}}}, `duplicate tensor "a"`},
		{"unknown dtype", []WriteTensor{{Name: "a", DType: "F4", Shape: []int64{0}}}, "unknown dtype"},
		{"reserved", []WriteTensor{{Name: "__metadata__", DType: U8, Shape: []int64{0}}}, "reserved"},
		{"negative", []WriteTensor{{Name: "a", DType: U8, Shape: []int64{-1}}}, "overflows"},
		{"short fill", []WriteTensor{{Name: "a", DType: U8, Shape: []int64{4}, Fill: func(w io.Writer) error {
			_, err := w.Write([]byte{1})
			return err
		}}}, "Fill wrote 1 bytes, want 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := WriteFile(filepath.Join(dir, "x.safetensors"), tc.tensors, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteFile = %v, want an error containing %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed write left %d entries behind", len(entries))
			}
		})
	}
}
