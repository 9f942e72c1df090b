package testmodel

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"

	"github.com/mlpack-go/mlpack/internal/half"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

func dtypeOf(torch string) (safetensors.DType, bool) {
	switch torch {
	case "float32":
		return safetensors.F32, true
	case "bfloat16":
		return safetensors.BF16, true
	case "float16":
		return safetensors.F16, true
	}
	return "", false
}

// init kinds: how a tensor's values are drawn.
type initKind int

const (
	initLinear initKind = iota // N(0, 1/fan_in): unit-variance outputs
	initEmbed                  // N(0, (3/sqrt(hidden))²): logits of std ≈ 3 through a tied head
	initNorm                   // 1 + N(0, 0.1²): near one, but not all equal
	initBias                   // N(0, 0.02²)
)

// tensorSpec is one weight tensor of the model.
type tensorSpec struct {
	name  string
	shape []int64
	kind  initKind
}

// tensors lists the model's weights in the order transformers' state dict
// holds them.
func (s Spec) tensors() []tensorSpec {
	h, hd := int64(s.Hidden), int64(s.headDim())
	q, kv, in, v := int64(s.Heads)*hd, int64(s.KVHeads)*hd, int64(s.Intermediate), int64(s.Vocab)
	ts := []tensorSpec{{"model.embed_tokens.weight", []int64{v, h}, initEmbed}}
	for i := range s.Layers {
		p := fmt.Sprintf("model.layers.%d.", i)
		ts = append(ts,
			tensorSpec{p + "self_attn.q_proj.weight", []int64{q, h}, initLinear},
			tensorSpec{p + "self_attn.k_proj.weight", []int64{kv, h}, initLinear},
			tensorSpec{p + "self_attn.v_proj.weight", []int64{kv, h}, initLinear},
		)
		if s.QKVBias {
			ts = append(ts,
				tensorSpec{p + "self_attn.q_proj.bias", []int64{q}, initBias},
				tensorSpec{p + "self_attn.k_proj.bias", []int64{kv}, initBias},
				tensorSpec{p + "self_attn.v_proj.bias", []int64{kv}, initBias},
			)
		}
		ts = append(ts,
			tensorSpec{p + "self_attn.o_proj.weight", []int64{h, q}, initLinear},
			tensorSpec{p + "mlp.gate_proj.weight", []int64{in, h}, initLinear},
			tensorSpec{p + "mlp.up_proj.weight", []int64{in, h}, initLinear},
			tensorSpec{p + "mlp.down_proj.weight", []int64{h, in}, initLinear},
			tensorSpec{p + "input_layernorm.weight", []int64{h}, initNorm},
			tensorSpec{p + "post_attention_layernorm.weight", []int64{h}, initNorm},
		)
	}
	ts = append(ts, tensorSpec{"model.norm.weight", []int64{h}, initNorm})
	if !s.TiedEmbeddings {
		ts = append(ts, tensorSpec{"lm_head.weight", []int64{v, h}, initLinear})
	}
	return ts
}

// rng returns the tensor's own random stream: it depends only on the seed
// and the tensor's name, so tensors can be generated in any order.
func (s Spec) rng(name string) *rand.Rand {
	f := fnv.New64a()
	f.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(s.Seed), f.Sum64()))
}

// fill returns a writer of the tensor's values in the given dtype, drawn in
// chunks so that no tensor is held in memory whole. Every value is rounded
// to the bfloat16 grid first, so float32, bfloat16 and float16 models of the
// same seed hold the same numbers (float16 exactly for |x| ≥ 2^-14, its
// normal range; smaller values lose low bits as float16 subnormals).
func (s Spec) fill(t tensorSpec, dt safetensors.DType) func(io.Writer) error {
	return func(w io.Writer) error {
		r := s.rng(t.name)
		n := int64(1)
		for _, d := range t.shape {
			n *= d
		}
		var std, mean float64
		switch t.kind {
		case initLinear:
			std = 1 / math.Sqrt(float64(t.shape[len(t.shape)-1]))
		case initEmbed:
			std = 3 / math.Sqrt(float64(s.Hidden))
		case initNorm:
			mean, std = 1, 0.1
		case initBias:
			std = 0.02
		}
		const chunk = 1 << 14
		buf := make([]byte, 0, chunk*dt.Size())
		for n > 0 {
			m := min(n, chunk)
			buf = buf[:0]
			for range m {
				bits := half.F32ToBF16(float32(mean + std*r.NormFloat64()))
				switch dt {
				case safetensors.F32:
					buf = binary.LittleEndian.AppendUint32(buf, uint32(bits)<<16)
				case safetensors.BF16:
					buf = binary.LittleEndian.AppendUint16(buf, bits)
				case safetensors.F16:
					buf = binary.LittleEndian.AppendUint16(buf, half.F32ToF16(half.BF16ToF32(bits)))
				}
			}
			if _, err := w.Write(buf); err != nil {
				return err
			}
			n -= m
		}
		return nil
	}
}
