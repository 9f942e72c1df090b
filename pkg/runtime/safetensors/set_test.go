package safetensors

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenDirSingle(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, SingleFileName), testTensors(), nil); err != nil {
		t.Fatal(err)
	}
	s, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if d := cmp.Diff([]string{"ids", "w.bf16", "w.f16", "w.f32"}, s.Names()); d != "" {
		t.Errorf("Names (-want +got):\n%s", d)
	}
	if s.ParamCount() != 12 || len(s.Files()) != 1 {
		t.Errorf("ParamCount = %d, files = %d", s.ParamCount(), len(s.Files()))
	}
}

func TestOpenDirSharded(t *testing.T) {
	dir := t.TempDir()
	tensors := testTensors()
	if err := WriteShards(dir, tensors, map[string]string{"format": "pt"}, 3); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", IndexFileName}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	ix, err := ReadIndex(filepath.Join(dir, IndexFileName))
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Metadata["total_size"]; got != float64(16+6+8+4) {
		t.Errorf("total_size = %v, want 34", got)
	}
	s, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Files()) != 3 {
		t.Errorf("%d files open, want 3", len(s.Files()))
	}
	for _, wt := range tensors {
		tn, ok := s.Tensor(wt.Name)
		if !ok {
			t.Fatalf("tensor %q missing", wt.Name)
		}
		if d := cmp.Diff(wt.Data, tn.Data); d != "" {
			t.Errorf("%s data (-want +got):\n%s", wt.Name, d)
		}
		if got := filepath.Base(s.byName[wt.Name].file.Path()); got != ix.WeightMap[wt.Name] {
			t.Errorf("%s read from %s, index says %s", wt.Name, got, ix.WeightMap[wt.Name])
		}
	}
	if d := cmp.Diff(map[DType]int64{F32: 4, BF16: 3, F16: 4, I32: 1}, s.DTypes()); d != "" {
		t.Errorf("DTypes (-want +got):\n%s", d)
	}
}

func TestOpenDirErrors(t *testing.T) {
	shard := func(dir, name string, tensors ...WriteTensor) {
		t.Helper()
		if err := WriteFile(filepath.Join(dir, name), tensors, nil); err != nil {
			t.Fatal(err)
		}
	}
	index := func(dir, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, IndexFileName), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := WriteTensor{Name: "a", DType: U8, Shape: []int64{1}, Data: []byte{1}}
	b := WriteTensor{Name: "b", DType: U8, Shape: []int64{1}, Data: []byte{2}}
	cases := []struct {
		name    string
		setup   func(dir string)
		want    string
		invalid bool
	}{
		{"empty folder", func(string) {}, "no safetensors weights", false},
		{"absent shard", func(dir string) {
			shard(dir, "s1.safetensors", a)
			index(dir, `{"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}}`)
		}, `names shard "s2.safetensors", which is absent`, true},
		{"tensor not in its shard", func(dir string) {
			shard(dir, "s1.safetensors", a)
			shard(dir, "s2.safetensors", b)
			index(dir, `{"weight_map":{"a":"s2.safetensors","b":"s2.safetensors"}}`)
		}, `maps tensor "a" to "s2.safetensors", which does not contain it`, true},
		{"duplicate across shards", func(dir string) {
			shard(dir, "s1.safetensors", a)
			shard(dir, "s2.safetensors", a)
			index(dir, `{"weight_map":{"a":"s1.safetensors","x":"s2.safetensors"}}`)
		}, `tensor "a" is in both "s1.safetensors" and "s2.safetensors"`, true},
		{"path escape", func(dir string) {
			index(dir, `{"weight_map":{"a":"../m.safetensors"}}`)
		}, "not a file name in the same folder", true},
		{"empty weight map", func(dir string) { index(dir, `{"metadata":{}}`) }, "weight_map is missing or empty", true},
		{"bad json", func(dir string) { index(dir, `{`) }, "reading index", true},
		{"hostile shard", func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "s1.safetensors"), rawFile(`{"a":{"dtype":"U8","shape":[9],"data_offsets":[0,9]}}`, 1), 0o644); err != nil {
				t.Fatal(err)
			}
			index(dir, `{"weight_map":{"a":"s1.safetensors"}}`)
		}, "run past the 1-byte data section", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(dir)
			s, err := OpenDir(dir)
			if err == nil {
				s.Close()
				t.Fatal("OpenDir succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if errors.Is(err, ErrInvalid) != tc.invalid {
				t.Errorf("errors.Is(%q, ErrInvalid) = %v, want %v", err, !tc.invalid, tc.invalid)
			}
		})
	}
}

func TestWriteShardsSplit(t *testing.T) {
	var tensors []WriteTensor
	for _, name := range []string{"t0", "t1", "t2", "t3", "t4", "t5"} {
		tensors = append(tensors, WriteTensor{Name: name, DType: U8, Shape: []int64{10}, Data: make([]byte, 10)})
	}
	dir := t.TempDir()
	if err := WriteShards(dir, tensors, nil, 3); err != nil {
		t.Fatal(err)
	}
	ix, err := ReadIndex(filepath.Join(dir, IndexFileName))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"t0": ShardName(1, 3), "t1": ShardName(1, 3), "t2": ShardName(2, 3),
		"t3": ShardName(2, 3), "t4": ShardName(3, 3), "t5": ShardName(3, 3),
	}
	if d := cmp.Diff(want, ix.WeightMap); d != "" {
		t.Errorf("weight_map (-want +got):\n%s", d)
	}
	if err := WriteShards(t.TempDir(), tensors[:2], nil, 3); err == nil {
		t.Error("splitting 2 tensors into 3 shards succeeded")
	}
}

// TestOpenDirPrefersSingleFile follows transformers, which loads
// model.safetensors before looking for an index.
func TestOpenDirPrefersSingleFile(t *testing.T) {
	dir := t.TempDir()
	if err := WriteShards(dir, testTensors(), nil, 2); err != nil {
		t.Fatal(err)
	}
	one := []WriteTensor{{Name: "only", DType: U8, Shape: []int64{1}, Data: []byte{1}}}
	if err := WriteFile(filepath.Join(dir, SingleFileName), one, nil); err != nil {
		t.Fatal(err)
	}
	s, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if d := cmp.Diff([]string{"only"}, s.Names()); d != "" {
		t.Errorf("Names (-want +got):\n%s", d)
	}
}
