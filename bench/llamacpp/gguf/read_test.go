package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// parsed is a GGUF file as the test reader sees it: an independent reading
// of the format (magic, version, counts, typed key/values, tensor infos,
// aligned data section) to check the writer against.
type parsed struct {
	version   uint32
	meta      map[string]any
	keys      []string
	tensors   []tensorInfo
	dataStart int64
	data      []byte
}

type reader struct {
	r   *bytes.Reader
	err error
}

func (r *reader) read(n int) []byte {
	b := make([]byte, n)
	if r.err == nil {
		_, r.err = io.ReadFull(r.r, b)
	}
	return b
}

func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.read(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.read(8)) }
func (r *reader) str() string {
	n := r.u64()
	if n > 1<<20 {
		r.err = fmt.Errorf("string of %d bytes", n)
		return ""
	}
	return string(r.read(int(n)))
}

func (r *reader) scalar(t uint32) any {
	switch t {
	case gvUint8:
		return r.read(1)[0]
	case gvInt8:
		return int8(r.read(1)[0])
	case gvUint16:
		return binary.LittleEndian.Uint16(r.read(2))
	case gvInt16:
		return int16(binary.LittleEndian.Uint16(r.read(2)))
	case gvUint32:
		return r.u32()
	case gvInt32:
		return int32(r.u32())
	case gvFloat32:
		return math.Float32frombits(r.u32())
	case gvBool:
		return r.read(1)[0] != 0
	case gvString:
		return r.str()
	case gvUint64:
		return r.u64()
	case gvInt64:
		return int64(r.u64())
	case gvFloat64:
		return math.Float64frombits(r.u64())
	}
	r.err = fmt.Errorf("unknown value type %d", t)
	return nil
}

func (r *reader) value() any {
	t := r.u32()
	if t != gvArray {
		return r.scalar(t)
	}
	et, n := r.u32(), r.u64()
	switch et {
	case gvString:
		v := make([]string, n)
		for i := range v {
			v[i] = r.str()
		}
		return v
	case gvFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(r.u32())
		}
		return v
	case gvInt32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(r.u32())
		}
		return v
	}
	r.err = fmt.Errorf("array of type %d not handled by the test reader", et)
	return nil
}

func parseGGUF(b []byte) (*parsed, error) {
	r := &reader{r: bytes.NewReader(b)}
	if string(r.read(4)) != ggufMagic {
		return nil, fmt.Errorf("bad magic")
	}
	p := &parsed{version: r.u32(), meta: map[string]any{}}
	nt, nkv := r.u64(), r.u64()
	for range nkv {
		k := r.str()
		p.keys = append(p.keys, k)
		p.meta[k] = r.value()
	}
	for range nt {
		t := tensorInfo{name: r.str()}
		nd := r.u32()
		for range nd {
			t.dims = append(t.dims, r.u64())
		}
		t.typ = ggmlType(r.u32())
		t.offset = r.u64()
		p.tensors = append(p.tensors, t)
	}
	if r.err != nil {
		return nil, r.err
	}
	pos := int64(len(b)) - int64(r.r.Len())
	p.dataStart = align(pos)
	if p.dataStart > int64(len(b)) {
		return nil, fmt.Errorf("data section starts past the end")
	}
	p.data = b[p.dataStart:]
	return p, nil
}

// tensorData returns a tensor's bytes, its size computed from its dims and
// type (independently of the writer's layout).
func (p *parsed) tensorData(name string) ([]byte, tensorInfo, error) {
	for _, t := range p.tensors {
		if t.name != name {
			continue
		}
		size, err := t.typ.rowBytes(int64(t.dims[0]))
		if err != nil {
			return nil, t, err
		}
		for _, d := range t.dims[1:] {
			size *= int64(d)
		}
		if t.offset%ggufAlignment != 0 || int64(t.offset)+size > int64(len(p.data)) {
			return nil, t, fmt.Errorf("tensor %q: offset %d size %d in %d data bytes", name, t.offset, size, len(p.data))
		}
		return p.data[t.offset : int64(t.offset)+size], t, nil
	}
	return nil, tensorInfo{}, fmt.Errorf("no tensor %q", name)
}
