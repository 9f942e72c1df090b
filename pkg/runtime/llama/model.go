package llama

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/kernels"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// ErrWeights is wrapped by the errors Load returns for checkpoints whose
// tensors are missing or do not match the config.
var ErrWeights = errors.New("model weights do not match the config")

// Options tune Load.
type Options struct {
	// Threads is the number of goroutines a product is split over; 0 means
	// GOMAXPROCS.
	Threads int
	// Quantize is "" (compute on the checkpoint's weights, fp32 arithmetic)
	// or "int8" (convert the linear layers of every decoder layer but the
	// first, and the LM head, to Q8 blocks of 32 with an fp32 scale at load
	// time; faster and lossy; the first layer and the embedding table stay
	// in the checkpoint's format).
	Quantize string
	// PortableKernels uses the pure-Go kernels even where assembly ones
	// exist (for tests and for comparing results across machines); it is
	// Kernels: "portable".
	PortableKernels bool
	// Kernels names the kernel set (one of kernels.KernelSets(): "portable",
	// "avx2", "avx512vnni", "avx512bf16"); "" means the fastest the CPU supports. A set
	// the CPU cannot run makes Load fail with kernels.ErrKernels.
	Kernels string
}

// LoadStats reports what Load did.
type LoadStats struct {
	// WeightBytes is the size in memory of the weights a decode step reads.
	WeightBytes int64
	// Format is "f32", "bf16", "f16" or "int8".
	Format string
	// Quantize is the time spent converting weights to int8 (0 without).
	Quantize time.Duration
	// Kernels names the kernel set: "portable", "avx2", "avx512vnni" or "avx512bf16".
	Kernels string
}

// Model is a loaded causal language model.
type Model struct {
	cfg   *Config
	set   *safetensors.Set
	pool  *kernels.Pool
	stats LoadStats

	embed  kernels.Matrix
	head   kernels.Matrix
	norm   []float32
	layers []layer
	freq   []float64

	// src maps each weight matrix to the mapped bytes it reads, so the
	// pages of matrices replaced by int8 copies can be given back.
	src map[kernels.Matrix][]byte
	// owned are the int8 copies made at load, freed by Close.
	owned []*kernels.Q8

	mu   sync.Mutex // serialises forward passes: pool, scratch and rope
	rope *ropeTable
	sc   scratch
}

type layer struct {
	attnNorm, mlpNorm []float32
	qkv               []kernels.Matrix // q, k, v projections (shared input)
	qkvBias           [3][]float32     // nil where absent
	o                 kernels.Matrix
	oBias             []float32
	gate, up, down    kernels.Matrix
}

// Load reads config.json and the safetensors weights in dir. Weight
// matrices (F32, BF16 or F16) are used in place from the memory mapping;
// only the small vectors (norms, biases) are copied.
func Load(dir string, opts Options) (*Model, error) {
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("llama: reading config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("llama: %s: %w", filepath.Join(dir, "config.json"), err)
	}
	switch opts.Quantize {
	case "", "int8":
	default:
		return nil, fmt.Errorf("llama: quantization %q is not supported (use \"\" or \"int8\")", opts.Quantize)
	}
	set, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("llama: opening weights in %q: %w", dir, err)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	var pool *kernels.Pool
	switch {
	case opts.PortableKernels:
		pool = kernels.NewPortablePool(threads)
	case opts.Kernels != "":
		if pool, err = kernels.NewPoolKernels(threads, opts.Kernels); err != nil {
			set.Close()
			return nil, fmt.Errorf("llama: %w", err)
		}
	default:
		pool = kernels.NewPool(threads)
	}
	m := &Model{cfg: cfg, set: set, pool: pool, freq: invFreq(cfg)}
	if err := m.loadWeights(); err != nil {
		m.Close()
		return nil, err
	}
	if opts.Quantize == "int8" {
		m.quantize()
	}
	m.populate()
	m.stats.Kernels = m.pool.Kernels()
	m.stats.WeightBytes = m.head.Bytes()
	for _, l := range m.layers {
		for _, w := range append(l.qkv, l.o, l.gate, l.up, l.down) {
			m.stats.WeightBytes += w.Bytes()
		}
	}
	return m, nil
}

// Config returns the parsed config.json.
func (m *Model) Config() *Config { return m.cfg }

// Stats reports the weight format, size and conversion time.
func (m *Model) Stats() LoadStats { return m.stats }

// Close releases the worker pool and the weight mapping. Sessions of the
// model must not be used afterwards.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
	for _, q := range m.owned {
		q.Release()
	}
	m.owned = nil
	if m.set != nil {
		err := m.set.Close()
		m.set = nil
		if err != nil {
			return fmt.Errorf("llama: closing weights: %w", err)
		}
	}
	return nil
}

// populate maps the pages of every matrix a forward pass reads from the
// file mapping now, as part of Load: the first pass would otherwise take
// them as a million separate page faults. On the 1.1B shape (warm page
// cache, 2 cores) bf16 went from a 0.16 s load and a 1.41 s first token to
// 0.16 s and 0.04 s, f32 from 0.00 s and 5.2 s to 0.27 s and 0.07-0.10 s.
// MAP_POPULATE on the whole file did as well for those but mapped the
// checkpoint's copies of int8-converted matrices too (int8 peak RSS 1.26 →
// 2.21 GB); they are skipped here, as is the embedding table (a lookup
// reads one row).
func (m *Model) populate() {
	ws := []kernels.Matrix{m.head}
	for _, l := range m.layers {
		ws = append(append(ws, l.qkv...), l.o, l.gate, l.up, l.down)
	}
	for _, w := range ws {
		if b, ok := m.src[w]; ok {
			populatePages(b)
		}
	}
}

func (m *Model) quantize() {
	start := time.Now()
	q := func(w kernels.Matrix) kernels.Matrix {
		out := kernels.QuantizeQ8(m.pool, w)
		m.owned = append(m.owned, out)
		if w != m.embed {
			// The int8 copy replaces w: drop its pages from the process
			// (they stay in the page cache), so RSS is the int8 size.
			releasePages(m.src[w])
		}
		return out
	}
	// The first decoder layer keeps the checkpoint's precision: its
	// rounding error passes through every later layer, and on stories260K
	// it alone moves the logits as much as the other four layers together
	// (see TestStories260KInt8AgreesWithF32). On TinyLlama it is 1/22 of
	// the layer weights, about 4 % more bytes per token in bf16.
	for i := range m.layers {
		if i == 0 {
			continue
		}
		l := &m.layers[i]
		for j := range l.qkv {
			l.qkv[j] = q(l.qkv[j])
		}
		l.o, l.gate, l.up, l.down = q(l.o), q(l.gate), q(l.up), q(l.down)
	}
	// The embedding table keeps its format: a lookup reads one row.
	m.head = q(m.head)
	m.stats.Quantize = time.Since(start)
	m.stats.Format = "int8"
}

func (m *Model) loadWeights() error {
	c := m.cfg
	h, kv, qd := c.HiddenSize, c.NumKeyValueHeads*c.HeadDim, c.NumAttentionHeads*c.HeadDim
	var err error
	if m.embed, err = m.matrix("model.embed_tokens.weight", c.VocabSize, h); err != nil {
		return err
	}
	m.stats.Format = m.format("model.embed_tokens.weight")
	if m.norm, err = m.vector("model.norm.weight", h); err != nil {
		return err
	}
	if _, ok := m.set.Tensor("lm_head.weight"); ok && !c.TieWordEmbeddings {
		if m.head, err = m.matrix("lm_head.weight", c.VocabSize, h); err != nil {
			return err
		}
	} else if c.TieWordEmbeddings {
		m.head = m.embed
	} else {
		return fmt.Errorf("llama: %w: lm_head.weight is missing and tie_word_embeddings is false", ErrWeights)
	}
	m.layers = make([]layer, c.NumHiddenLayers)
	for i := range m.layers {
		l := &m.layers[i]
		p := fmt.Sprintf("model.layers.%d.", i)
		if l.attnNorm, err = m.vector(p+"input_layernorm.weight", h); err != nil {
			return err
		}
		if l.mlpNorm, err = m.vector(p+"post_attention_layernorm.weight", h); err != nil {
			return err
		}
		l.qkv = make([]kernels.Matrix, 3)
		for j, s := range []struct {
			name string
			rows int
		}{{"q_proj", qd}, {"k_proj", kv}, {"v_proj", kv}} {
			if l.qkv[j], err = m.matrix(p+"self_attn."+s.name+".weight", s.rows, h); err != nil {
				return err
			}
			if l.qkvBias[j], err = m.optionalVector(p+"self_attn."+s.name+".bias", s.rows); err != nil {
				return err
			}
		}
		if l.o, err = m.matrix(p+"self_attn.o_proj.weight", h, qd); err != nil {
			return err
		}
		if l.oBias, err = m.optionalVector(p+"self_attn.o_proj.bias", h); err != nil {
			return err
		}
		if l.gate, err = m.matrix(p+"mlp.gate_proj.weight", c.IntermediateSize, h); err != nil {
			return err
		}
		if l.up, err = m.matrix(p+"mlp.up_proj.weight", c.IntermediateSize, h); err != nil {
			return err
		}
		if l.down, err = m.matrix(p+"mlp.down_proj.weight", h, c.IntermediateSize); err != nil {
			return err
		}
		for _, b := range []string{"gate_proj", "up_proj", "down_proj"} {
			if _, ok := m.set.Tensor(p + "mlp." + b + ".bias"); ok {
				return fmt.Errorf("llama: %w: %s has a bias (mlp_bias), which this runtime does not support", ErrWeights, p+"mlp."+b)
			}
		}
	}
	return nil
}

func (m *Model) format(name string) string {
	t, _ := m.set.Tensor(name)
	switch t.DType {
	case safetensors.BF16:
		return "bf16"
	case safetensors.F16:
		return "f16"
	}
	return "f32"
}

func (m *Model) tensor(name string, shape ...int) (safetensors.Tensor, error) {
	t, ok := m.set.Tensor(name)
	if !ok {
		return t, fmt.Errorf("llama: %w: tensor %q is missing", ErrWeights, name)
	}
	if len(t.Shape) != len(shape) {
		return t, fmt.Errorf("llama: %w: tensor %q has shape %v, want %v", ErrWeights, name, t.Shape, shape)
	}
	for i, d := range shape {
		if t.Shape[i] != int64(d) {
			return t, fmt.Errorf("llama: %w: tensor %q has shape %v, want %v", ErrWeights, name, t.Shape, shape)
		}
	}
	return t, nil
}

// matrix wraps a rows×cols weight in place (F32, BF16 or F16; half
// precision is widened to fp32 as it is read).
func (m *Model) matrix(name string, rows, cols int) (kernels.Matrix, error) {
	t, err := m.tensor(name, rows, cols)
	if err != nil {
		return nil, err
	}
	var w kernels.Matrix
	switch t.DType {
	case safetensors.BF16, safetensors.F16:
		u, err2 := t.Uint16s()
		if err2 != nil {
			return nil, fmt.Errorf("llama: reading %q: %w", name, err2)
		}
		if t.DType == safetensors.BF16 {
			w, err = kernels.NewBF16(rows, cols, u)
		} else {
			w, err = kernels.NewF16(rows, cols, u)
		}
	default:
		f, err2 := t.Float32s()
		if err2 != nil {
			return nil, fmt.Errorf("llama: reading %q: %w", name, err2)
		}
		w, err = kernels.NewF32(rows, cols, f)
	}
	if err != nil {
		return nil, fmt.Errorf("llama: %q: %w", name, err)
	}
	if m.src == nil {
		m.src = map[kernels.Matrix][]byte{}
	}
	m.src[w] = t.Data
	return w, nil
}

func (m *Model) vector(name string, n int) ([]float32, error) {
	t, err := m.tensor(name, n)
	if err != nil {
		return nil, err
	}
	f, err := t.Float32s()
	if err != nil {
		return nil, fmt.Errorf("llama: reading %q: %w", name, err)
	}
	return f, nil
}

func (m *Model) optionalVector(name string, n int) ([]float32, error) {
	if _, ok := m.set.Tensor(name); !ok {
		return nil, nil
	}
	return m.vector(name, n)
}
