package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/half"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// decode turns a tensor's GGUF bytes back into float32.
func decode(t *testing.T, b []byte, typ ggmlType) []float32 {
	t.Helper()
	var out []float32
	switch typ {
	case typeF32:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
	case typeBF16:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, half.BF16ToF32(binary.LittleEndian.Uint16(b[i:])))
		}
	case typeF16:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, half.F16ToF32(binary.LittleEndian.Uint16(b[i:])))
		}
	case typeQ8_0:
		out = dequantizeQ8(nil, b)
	default:
		t.Fatalf("cannot decode %s", typ)
	}
	return out
}

func TestConvertTinyChat(t *testing.T) {
	dir := testenv.Testdata(t, "tiny-chat")
	st, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// tiny-chat: hidden 64, intermediate 172, 4 layers, 8 heads, 4 kv
	// heads, head_dim 8, vocab 512, tied embeddings (no output tensor).
	var wantNames []string
	wantNames = append(wantNames, "token_embd.weight")
	for l := range 4 {
		for _, n := range []string{"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"} {
			wantNames = append(wantNames, fmt.Sprintf("blk.%d.%s.weight", l, n))
		}
	}
	wantNames = append(wantNames, "output_norm.weight")
	hfName := map[string]string{"token_embd": "model.embed_tokens", "output_norm": "model.norm",
		"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
		"attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}

	for _, tc := range []struct {
		typ   ggmlType
		ftype uint32
	}{{typeF32, 0}, {typeBF16, 32}, {typeQ8_0, 7}} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.gguf")
			if err := convert(dir, tc.typ, path); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := parseGGUF(b)
			if err != nil {
				t.Fatal(err)
			}
			if p.version != 3 {
				t.Errorf("version %d, want 3", p.version)
			}
			wantMeta := map[string]any{
				"general.architecture": "llama", "general.file_type": tc.ftype, "general.alignment": uint32(32),
				"llama.context_length": uint32(2048), "llama.embedding_length": uint32(64), "llama.block_count": uint32(4),
				"llama.feed_forward_length": uint32(172), "llama.rope.dimension_count": uint32(8),
				"llama.attention.head_count": uint32(8), "llama.attention.head_count_kv": uint32(4),
				"llama.attention.layer_norm_rms_epsilon": float32(1e-5), "llama.rope.freq_base": float32(10000),
				"tokenizer.ggml.model": "llama", "tokenizer.ggml.bos_token_id": uint32(1), "tokenizer.ggml.eos_token_id": uint32(2),
				"tokenizer.ggml.unknown_token_id": uint32(0),
			}
			gotMeta := map[string]any{}
			for k := range wantMeta {
				gotMeta[k] = p.meta[k]
			}
			if d := cmp.Diff(wantMeta, gotMeta); d != "" {
				t.Errorf("metadata (-want +got):\n%s", d)
			}
			toks, _ := p.meta["tokenizer.ggml.tokens"].([]string)
			types, _ := p.meta["tokenizer.ggml.token_type"].([]int32)
			scores, _ := p.meta["tokenizer.ggml.scores"].([]float32)
			if len(toks) != 512 || len(types) != 512 || len(scores) != 512 {
				t.Fatalf("vocab arrays of %d, %d, %d entries, want 512", len(toks), len(types), len(scores))
			}
			if d := cmp.Diff([]string{"<unk>", "<s>", "</s>", "<0x00>", "<0x0A>"}, []string{toks[0], toks[1], toks[2], toks[3], toks[13]}); d != "" {
				t.Errorf("tokens (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]int32{2, 3, 3, 6, 1}, []int32{types[0], types[1], types[2], types[3], types[300]}); d != "" {
				t.Errorf("token types of ids 0,1,2,3,300 (-want +got):\n%s", d)
			}

			var gotNames []string
			for _, ti := range p.tensors {
				gotNames = append(gotNames, ti.name)
			}
			if d := cmp.Diff(wantNames, gotNames); d != "" {
				t.Fatalf("tensor names (-want +got):\n%s", d)
			}
			last := p.tensors[len(p.tensors)-1]
			lastData, _, err := p.tensorData(last.name)
			if err != nil {
				t.Fatal(err)
			}
			if want := p.dataStart + align(int64(last.offset)+int64(len(lastData))); int64(len(b)) != want {
				t.Errorf("file is %d bytes, want %d (data start %d + aligned tensors)", len(b), want, p.dataStart)
			}

			for _, name := range wantNames {
				data, ti, err := p.tensorData(name)
				if err != nil {
					t.Fatal(err)
				}
				short := strings.TrimSuffix(name, ".weight")
				hf := hfName[short]
				if i := strings.Index(short, "."); strings.HasPrefix(short, "blk.") {
					j := strings.Index(short[i+1:], ".")
					hf = "model.layers." + short[i+1:i+1+j] + "." + hfName[short[i+2+j:]]
				}
				src, ok := st.Tensor(hf + ".weight")
				if !ok {
					t.Fatalf("%s: no HF tensor %s", name, hf)
				}
				var wantDims []uint64
				for i := len(src.Shape) - 1; i >= 0; i-- {
					wantDims = append(wantDims, uint64(src.Shape[i]))
				}
				if d := cmp.Diff(wantDims, ti.dims); d != "" {
					t.Errorf("%s dims (-want +got):\n%s", name, d)
				}
				wantType := tc.typ
				switch {
				case len(src.Shape) == 1:
					wantType = typeF32
				case tc.typ == typeQ8_0 && strings.HasSuffix(short, "ffn_down"): // 172 columns: no Q8_0 blocks
					wantType = typeF16
				}
				if ti.typ != wantType {
					t.Errorf("%s: type %s, want %s", name, ti.typ, wantType)
				}
				x, err := src.Float32s()
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case strings.HasSuffix(short, "attn_q"):
					x = ropePermute(x, 8, 64)
				case strings.HasSuffix(short, "attn_k"):
					x = ropePermute(x, 4, 64)
				}
				got := decode(t, data, ti.typ)
				if len(got) != len(x) {
					t.Fatalf("%s: %d values, want %d", name, len(got), len(x))
				}
				checkClose(t, name, x, got, ti.typ)
			}
		})
	}
}

// checkClose compares decoded values with the source within the type's
// rounding: exact for F32, half an ulp for BF16/F16, the Q8_0 bound.
func checkClose(t *testing.T, name string, want, got []float32, typ ggmlType) {
	t.Helper()
	for i := range want {
		w, g := float64(want[i]), float64(got[i])
		var tol float64
		switch typ {
		case typeBF16:
			tol = math.Abs(w) * 0x1p-8
		case typeF16:
			tol = math.Abs(w)*0x1p-11 + 0x1p-25
		case typeQ8_0:
			tol = q8Bound(want[i/q8Block*q8Block : i/q8Block*q8Block+q8Block])
		}
		if math.Abs(w-g) > tol {
			t.Fatalf("%s[%d] = %g, want %g (tolerance %g)", name, i, g, w, tol)
		}
	}
}

// q8Bound is the largest error Q8_0 may make on a block: half a step from
// rounding x/d, plus up to 127 quanta times the f16 rounding of d (half an
// ulp: relative 2^-11 for normal halves, 2^-25 absolute for subnormal ones).
func q8Bound(b []float32) float64 {
	var amax float64
	for _, v := range b {
		amax = max(amax, math.Abs(float64(v)))
	}
	d := amax / 127
	return d*0.5 + 127*max(d*0x1p-11, 0x1p-25) + 1e-12
}

// TestRopePermuteMatchesRotateHalf checks the meaning of the permutation: a
// q vector produced by the permuted weights and rotated the way llama.cpp
// rotates (adjacent pairs) equals the permuted Hugging Face rotation
// (rotate-half: element i paired with i+hd/2).
func TestRopePermuteMatchesRotateHalf(t *testing.T) {
	const heads, hd, theta = 3, 8, 10000.0
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([]float32, heads*hd)
	for i := range q {
		q[i] = rng.Float32()*2 - 1
	}
	for _, pos := range []int{0, 1, 7, 100} {
		t.Run(fmt.Sprint("pos", pos), func(t *testing.T) {
			hf := make([]float32, len(q))
			for h := range heads {
				for i := range hd / 2 {
					a := float64(pos) * math.Pow(theta, -2*float64(i)/hd)
					c, s := float32(math.Cos(a)), float32(math.Sin(a))
					x, y := q[h*hd+i], q[h*hd+i+hd/2]
					hf[h*hd+i], hf[h*hd+i+hd/2] = x*c-y*s, y*c+x*s
				}
			}
			want := ropePermute(hf, heads, 1)
			pq := ropePermute(q, heads, 1)
			got := make([]float32, len(q))
			for h := range heads {
				for i := range hd / 2 {
					a := float64(pos) * math.Pow(theta, -2*float64(i)/hd)
					c, s := float32(math.Cos(a)), float32(math.Sin(a))
					x, y := pq[h*hd+2*i], pq[h*hd+2*i+1]
					got[h*hd+2*i], got[h*hd+2*i+1] = x*c-y*s, y*c+x*s
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("interleaved rope of permuted q != permuted rotate-half rope (-want +got):\n%s", d)
			}
		})
	}
	// Row order for one head of 4 with a row of 2: rows 0,2,1,3.
	if d := cmp.Diff([]float32{0, 1, 4, 5, 2, 3, 6, 7}, ropePermute([]float32{0, 1, 2, 3, 4, 5, 6, 7}, 1, 2)); d != "" {
		t.Errorf("ropePermute rows (-want +got):\n%s", d)
	}
}

func TestQuantizeQ8(t *testing.T) {
	block := func(f func(i int) float32) []float32 {
		b := make([]float32, q8Block)
		for i := range b {
			b[i] = f(i)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		x    []float32
		want []byte // the block's 34 bytes
	}{
		{"zeros", block(func(int) float32 { return 0 }), make([]byte, q8BlockBytes)},
		{"unit scale, halves away from zero", block(func(i int) float32 {
			return []float32{127, -127, 0.5, -2.5, 1.49, -0.49}[min(i, 5)]
		}), append([]byte{0x00, 0x3c, 127, 0x81, 1, 0xfd, 1}, bytes.Repeat([]byte{0}, 27)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, quantizeQ8(nil, tc.x)); d != "" {
				t.Errorf("block bytes (-want +got):\n%s", d)
			}
		})
	}
	t.Run("error bound", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		x := make([]float32, 64*q8Block)
		for i := range x {
			x[i] = float32(rng.NormFloat64()) * float32(math.Pow(10, float64(i/q8Block%6-4)))
		}
		q := quantizeQ8(nil, x)
		if len(q) != 64*q8BlockBytes {
			t.Fatalf("%d bytes, want %d", len(q), 64*q8BlockBytes)
		}
		checkClose(t, "q8", x, dequantizeQ8(nil, q), typeQ8_0)
	})
}

func TestWriterErrors(t *testing.T) {
	if _, err := layout([]tensorInfo{{name: "w", dims: []uint64{31, 2}, typ: typeQ8_0}}); err == nil || !strings.Contains(err.Error(), "multiple of 32") {
		t.Errorf("layout of a Q8_0 row of 31: err %v, want a multiple-of-32 error", err)
	}
	ts := []tensorInfo{{name: "w", dims: []uint64{4}, typ: typeF32}}
	if _, err := layout(ts); err != nil {
		t.Fatal(err)
	}
	err := writeGGUF(io.Discard, nil, ts, func(int, io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "wrote 0 bytes, expected 16") {
		t.Errorf("short tensor data: err %v, want a size error", err)
	}
	if err := writeGGUF(io.Discard, []kv{{"k", 1.5}}, nil, nil); err == nil {
		t.Error("float64 metadata: no error")
	}
}

func TestReadConfigRefuses(t *testing.T) {
	for _, tc := range []struct{ name, config, want string }{
		{"qwen2", `{"architectures":["Qwen2ForCausalLM"],"hidden_size":64}`, "only LlamaForCausalLM"},
		{"rope scaling", `{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_hidden_layers":1,"num_attention_heads":8,"vocab_size":10,"rope_scaling":{"type":"linear","factor":2}}`, "rope_scaling"},
		{"zero layers", `{"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_attention_heads":8,"vocab_size":10}`, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.config), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readConfig(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestConvertLeavesNoFileOnError(t *testing.T) {
	dir := t.TempDir()
	src := testenv.Testdata(t, "tiny-chat")
	for _, f := range []string{"config.json", "tokenizer.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A checkpoint without the layers: conversion must fail before writing.
	err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), []safetensors.WriteTensor{
		{Name: "model.embed_tokens.weight", DType: safetensors.F32, Shape: []int64{512, 64}, Data: make([]byte, 512*64*4)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "m.gguf")
	if err := convert(dir, typeF32, out); err == nil || !strings.Contains(err.Error(), "input_layernorm") {
		t.Errorf("err %v, want a missing-tensor error", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}
