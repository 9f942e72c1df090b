package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File names of a Hugging Face model folder.
const (
	SingleFileName = "model.safetensors"
	IndexFileName  = "model.safetensors.index.json"
)

// ErrNoWeights is returned by OpenDir for a folder holding neither
// model.safetensors nor model.safetensors.index.json.
var ErrNoWeights = errors.New("no safetensors weights")

// Index is a sharded checkpoint's model.safetensors.index.json.
type Index struct {
	Metadata  map[string]any    `json:"metadata"`
	WeightMap map[string]string `json:"weight_map"`
}

// Shards returns the distinct shard file names, sorted.
func (ix *Index) Shards() []string {
	seen := make(map[string]bool)
	var out []string
	for _, f := range ix.WeightMap {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// ReadIndex reads and checks an index file: a non-empty weight_map whose
// shard names are plain file names in the index's folder.
func ReadIndex(path string) (*Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("safetensors: reading index %q: %w: %v", path, ErrInvalid, err)
	}
	if len(ix.WeightMap) == 0 {
		return nil, fmt.Errorf("safetensors: reading index %q: %w: weight_map is missing or empty", path, ErrInvalid)
	}
	for _, name := range sortedKeys(ix.WeightMap) {
		shard := ix.WeightMap[name]
		if shard == "" || shard != filepath.Base(shard) || shard == "." || shard == ".." || strings.ContainsAny(shard, `/\`) {
			return nil, fmt.Errorf("safetensors: reading index %q: %w: tensor %q maps to %q, which is not a file name in the same folder",
				path, ErrInvalid, name, shard)
		}
	}
	return &ix, nil
}

// Set is the weights of one model: a single file or the shards of a
// sharded checkpoint, addressed by tensor name.
type Set struct {
	files  []*File
	byName map[string]setEntry
	names  []string
}

type setEntry struct {
	file *File
	info TensorInfo
}

// OpenDir opens the weights in dir as transformers looks for them:
// model.safetensors when present, otherwise model.safetensors.index.json and
// the shards it names. For a sharded checkpoint it checks that every shard
// exists, that every tensor of the weight map is in the shard it is mapped
// to, and that no tensor appears in two shards.
func OpenDir(dir string) (*Set, error) {
	single := filepath.Join(dir, SingleFileName)
	if _, err := os.Stat(single); errors.Is(err, fs.ErrNotExist) {
		indexPath := filepath.Join(dir, IndexFileName)
		if _, err := os.Stat(indexPath); err == nil {
			return openSharded(dir, indexPath)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("safetensors: %w", err)
		}
		return nil, fmt.Errorf("safetensors: %w in %q: expected %s or %s", ErrNoWeights, dir, SingleFileName, IndexFileName)
	}
	f, err := Open(single)
	if err != nil {
		return nil, err
	}
	s := &Set{files: []*File{f}, byName: make(map[string]setEntry)}
	for _, t := range f.header.Tensors {
		s.byName[t.Name] = setEntry{f, t}
		s.names = append(s.names, t.Name)
	}
	return s, nil
}

func openSharded(dir, indexPath string) (_ *Set, err error) {
	ix, err := ReadIndex(indexPath)
	if err != nil {
		return nil, err
	}
	s := &Set{byName: make(map[string]setEntry)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	byShard := make(map[string]*File)
	for _, shard := range ix.Shards() {
		p := filepath.Join(dir, shard)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("safetensors: %w: %s names shard %q, which is absent from %q", ErrInvalid, IndexFileName, shard, dir)
		}
		f, err := Open(p)
		if err != nil {
			return nil, err
		}
		s.files = append(s.files, f)
		byShard[shard] = f
		for _, t := range f.header.Tensors {
			if prev, dup := s.byName[t.Name]; dup {
				return nil, fmt.Errorf("safetensors: %w: tensor %q is in both %q and %q",
					ErrInvalid, t.Name, filepath.Base(prev.file.path), shard)
			}
			s.byName[t.Name] = setEntry{f, t}
		}
	}
	for _, name := range sortedKeys(ix.WeightMap) {
		shard := ix.WeightMap[name]
		if e, ok := s.byName[name]; !ok || e.file != byShard[shard] {
			return nil, fmt.Errorf("safetensors: %w: %s maps tensor %q to %q, which does not contain it",
				ErrInvalid, IndexFileName, name, shard)
		}
	}
	s.names = sortedKeys(s.byName)
	return s, nil
}

// Tensor returns the tensor called name with its data.
func (s *Set) Tensor(name string) (Tensor, bool) {
	e, ok := s.byName[name]
	if !ok {
		return Tensor{}, false
	}
	return e.file.tensor(e.info), true
}

// Names returns every tensor name, sorted.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// Files returns the open files (one, or one per shard in name order).
func (s *Set) Files() []*File { return append([]*File(nil), s.files...) }

// ParamCount returns the total number of elements over all tensors.
func (s *Set) ParamCount() int64 {
	var n int64
	for _, f := range s.files {
		n += f.header.ParamCount()
	}
	return n
}

// DTypes returns the number of elements stored in each dtype.
func (s *Set) DTypes() map[DType]int64 {
	m := make(map[DType]int64)
	for _, f := range s.files {
		for d, n := range f.header.DTypes() {
			m[d] += n
		}
	}
	return m
}

// Close unmaps every file. Tensor data obtained from s must not be used
// afterwards.
func (s *Set) Close() error {
	var errs []error
	for _, f := range s.files {
		errs = append(errs, f.Close())
	}
	s.files, s.byName, s.names = nil, nil, nil
	return errors.Join(errs...)
}
