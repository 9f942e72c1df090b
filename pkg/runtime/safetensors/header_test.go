package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rawFile builds a safetensors file from a literal header and a data section
// of dataLen bytes.
func rawFile(header string, dataLen int) []byte {
	var b bytes.Buffer
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	b.Write(n[:])
	b.WriteString(header)
	b.Write(make([]byte, dataLen))
	return b.Bytes()
}

func readRaw(buf []byte) (*Header, error) {
	return ReadHeader(bytes.NewReader(buf), int64(len(buf)))
}

func TestReadHeaderValid(t *testing.T) {
	hdr := `{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},` +
		`"a":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]},"empty":{"dtype":"F16","shape":[0,7],"data_offsets":[32,32]},` +
		`"scalar":{"dtype":"I64","shape":[],"data_offsets":[32,40]}}    `
	h, err := readRaw(rawFile(hdr, 40))
	if err != nil {
		t.Fatal(err)
	}
	want := &Header{
		Tensors: []TensorInfo{
			{Name: "a", DType: BF16, Shape: []int64{4}, Begin: 24, End: 32},
			{Name: "b", DType: F32, Shape: []int64{2, 3}, Begin: 0, End: 24},
			{Name: "empty", DType: F16, Shape: []int64{0, 7}, Begin: 32, End: 32},
			{Name: "scalar", DType: I64, Shape: []int64{}, Begin: 32, End: 40},
		},
		Metadata:  map[string]string{"format": "pt"},
		DataStart: int64(8 + len(hdr)),
		FileSize:  int64(8 + len(hdr) + 40),
	}
	if d := cmp.Diff(want, h); d != "" {
		t.Errorf("header (-want +got):\n%s", d)
	}
	if got := h.ParamCount(); got != 6+4+0+1 {
		t.Errorf("ParamCount = %d, want 11", got)
	}
	if d := cmp.Diff(map[DType]int64{F32: 6, BF16: 4, F16: 0, I64: 1}, h.DTypes()); d != "" {
		t.Errorf("DTypes (-want +got):\n%s", d)
	}
	if ti, ok := h.Lookup("empty"); !ok || ti.Begin != 32 {
		t.Errorf("Lookup(empty) = %v, %v", ti, ok)
	}
	if _, ok := h.Lookup("zzz"); ok {
		t.Error("Lookup(zzz) found a tensor")
	}
}

func TestReadHeaderMinimal(t *testing.T) {
	for _, hdr := range []string{`{}`, `{"__metadata__":null}`, `{"__metadata__":{}}      `} {
		h, err := readRaw(rawFile(hdr, 0))
		if err != nil {
			t.Errorf("%s: %v", hdr, err)
			continue
		}
		if len(h.Tensors) != 0 || h.ParamCount() != 0 {
			t.Errorf("%s: got %d tensors", hdr, len(h.Tensors))
		}
	}
}

func TestReadHeaderHostile(t *testing.T) {
	lenOnly := func(n uint64, total int) []byte {
		b := make([]byte, total)
		binary.LittleEndian.PutUint64(b, n)
		return b
	}
	tensor := func(body string) string { return `{"t":{` + body + `}}` }
	cases := []struct {
		name string
		file []byte
		want string // substring of the error
	}{
		{"empty file", nil, "shorter than the 8-byte header length"},
		{"7 bytes", make([]byte, 7), "shorter than the 8-byte"},
		{"header length 0", lenOnly(0, 16), "too small"},
		{"header length 1", lenOnly(1, 16), "too small"},
		{"header length over limit", lenOnly(MaxHeaderSize+1, 16), "exceeds the 104857600-byte limit"},
		{"header length 2^64-1", lenOnly(^uint64(0), 16), "exceeds the"},
		{"header length past EOF", lenOnly(100, 50), "exceeds the 42 bytes that follow"},
		{"not an object", rawFile(`[]`, 0), "does not start with '{'"},
		{"leading space", rawFile(` {}`, 0), "does not start with '{'"},
		{"invalid utf8", rawFile("{\"\xff\":1}", 0), "not valid UTF-8"},
		{"truncated json", rawFile(`{"t":{"dtype":"F32"`, 0), "ends early"},
		{"bad json", rawFile(`{"t" 1}`, 0), "not valid JSON"},
		{"trailing garbage", rawFile(`{} {}`, 0), "content after its JSON object"},
		{"trailing nul padding", rawFile("{}\x00\x00", 0), "content after its JSON object"},
		{"duplicate tensor", rawFile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1), `duplicate tensor "t"`},
		{"duplicate metadata", rawFile(`{"__metadata__":{},"__metadata__":{}}`, 0), `duplicate "__metadata__"`},
		{"duplicate metadata key", rawFile(`{"__metadata__":{"a":"1","a":"2"}}`, 0), `duplicate key "a"`},
		{"metadata not object", rawFile(`{"__metadata__":[]}`, 0), "expected an object"},
		{"metadata value number", rawFile(`{"__metadata__":{"a":1}}`, 0), "expected a string"},
		{"metadata value object", rawFile(`{"__metadata__":{"a":{}}}`, 0), "expected a string"},
		{"tensor not object", rawFile(`{"t":[1]}`, 0), `tensor "t": expected "{"`},
		{"unknown field", rawFile(tensor(`"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1`), 1), `unknown field "x"`},
		{"duplicate field", rawFile(tensor(`"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]`), 1), `duplicate field "dtype"`},
		{"missing dtype", rawFile(tensor(`"shape":[1],"data_offsets":[0,1]`), 1), "missing dtype"},
		{"missing shape", rawFile(tensor(`"dtype":"U8","data_offsets":[0,1]`), 1), "missing shape"},
		{"missing offsets", rawFile(tensor(`"dtype":"U8","shape":[1]`), 1), "missing data_offsets"},
		{"unknown dtype", rawFile(tensor(`"dtype":"F4","shape":[2],"data_offsets":[0,1]`), 1), `unknown dtype "F4"`},
		{"lowercase dtype", rawFile(tensor(`"dtype":"f32","shape":[1],"data_offsets":[0,4]`), 4), `unknown dtype "f32"`},
		{"negative dim", rawFile(tensor(`"dtype":"U8","shape":[-1],"data_offsets":[0,1]`), 1), "not a non-negative"},
		{"float dim", rawFile(tensor(`"dtype":"U8","shape":[1.0],"data_offsets":[0,1]`), 1), "not a non-negative"},
		{"string dim", rawFile(tensor(`"dtype":"U8","shape":["1"],"data_offsets":[0,1]`), 1), "expected an integer"},
		{"dim over int64", rawFile(tensor(`"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,1]`), 1), "not a non-negative"},
		{"shape overflow", rawFile(tensor(`"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]`), 0), "overflows"},
		{"shape overflow to zero", rawFile(tensor(`"dtype":"U8","shape":[4611686018427387904,4],"data_offsets":[0,0]`), 0), "overflows"},
		{"size mismatch", rawFile(tensor(`"dtype":"F32","shape":[2,3],"data_offsets":[0,20]`), 20), "needs 24 bytes but data_offsets [0, 20] span 20"},
		{"one offset", rawFile(tensor(`"dtype":"U8","shape":[1],"data_offsets":[0]`), 1), "expected an integer"},
		{"three offsets", rawFile(tensor(`"dtype":"U8","shape":[1],"data_offsets":[0,1,2]`), 2), "exactly two numbers"},
		{"negative offset", rawFile(tensor(`"dtype":"U8","shape":[1],"data_offsets":[-1,0]`), 1), "not a non-negative"},
		{"reversed offsets", rawFile(tensor(`"dtype":"U8","shape":[0],"data_offsets":[1,0]`), 1), "not an ordered pair"},
		{"past data section", rawFile(tensor(`"dtype":"U8","shape":[8],"data_offsets":[0,8]`), 4), "run past the 4-byte data section"},
		{"huge offsets", rawFile(tensor(`"dtype":"U8","shape":[1],"data_offsets":[9223372036854775806,9223372036854775807]`), 4), "run past"},
		{"overlap", rawFile(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}`, 6), `tensor "b": data_offsets [2, 6] overlap`},
		{"aliasing", rawFile(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), "overlap"},
		{"hole", rawFile(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}`, 8), "leave a hole at [4, 6]"},
		{"hole at start", rawFile(tensor(`"dtype":"U8","shape":[2],"data_offsets":[2,4]`), 4), "leave a hole at [0, 2]"},
		{"trailing bytes", rawFile(tensor(`"dtype":"U8","shape":[2],"data_offsets":[0,2]`), 4), "cover 2 bytes but the data section holds 4"},
		{"data without tensors", rawFile(`{}`, 3), "cover 0 bytes but the data section holds 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := readRaw(tc.file)
			if err == nil {
				t.Fatalf("accepted: %+v", h)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestReadHeaderFile(t *testing.T) {
	path := t.TempDir() + "/bad.safetensors"
	if err := writeBytes(path, rawFile(`{"t":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 3)); err != nil {
		t.Fatal(err)
	}
	_, err := ReadHeaderFile(path)
	if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadHeaderFile = %v, want an ErrInvalid naming the path", err)
	}
	if _, err := ReadHeaderFile(path + ".absent"); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("ReadHeaderFile(absent) = %v, want a not-found error", err)
	}
}
