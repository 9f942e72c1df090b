package llama

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// refModel is an independent, deliberately plain float64 implementation of
// the transformers Llama/Mistral/Qwen2 forward pass: no cache, no batching,
// every position recomputed from scratch. It shares no code with the
// package except ParseConfig.
type refModel struct {
	cfg *Config
	w   map[string][]float64
}

func loadRef(t *testing.T, dir string) *refModel {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	set, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	r := &refModel{cfg: cfg, w: map[string][]float64{}}
	for _, name := range set.Names() {
		tn, _ := set.Tensor(name)
		f, err := tn.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		d := make([]float64, len(f))
		for i, v := range f {
			d[i] = float64(v)
		}
		r.w[name] = d
	}
	return r
}

// linear returns W·x (+ b), W stored [out][in].
func (r *refModel) linear(name string, x []float64) []float64 {
	w := r.w[name+".weight"]
	out := make([]float64, len(w)/len(x))
	for i := range out {
		for j, v := range x {
			out[i] += w[i*len(x)+j] * v
		}
	}
	if b, ok := r.w[name+".bias"]; ok {
		for i := range out {
			out[i] += b[i]
		}
	}
	return out
}

func (r *refModel) rmsnorm(name string, x []float64) []float64 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	s := 1 / math.Sqrt(ss/float64(len(x))+r.cfg.RMSNormEps)
	w := r.w[name]
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * s * w[i]
	}
	return out
}

// rope applies rotate_half rotary embeddings to one head at position pos:
// x·cos + rotate_half(x)·sin with rotate_half(x) = [-x2, x1].
func (r *refModel) rope(x []float64, pos int) {
	c := r.cfg
	d := len(x)
	half := d / 2
	rot := make([]float64, d)
	for i := 0; i < half; i++ {
		rot[i] = -x[i+half]
		rot[i+half] = x[i]
	}
	for i := 0; i < d; i++ {
		j := i % half
		f := 1 / math.Pow(c.RopeTheta, float64(2*j)/float64(d))
		if s := c.RopeScaling; s != nil {
			switch s.Type {
			case "linear":
				f /= s.Factor
			case "llama3":
				// transformers' _compute_llama3_parameters, written out.
				wavelen := 2 * math.Pi / f
				lowWavelen := float64(s.OriginalMaxPositionEmbeddings) / s.LowFreqFactor
				highWavelen := float64(s.OriginalMaxPositionEmbeddings) / s.HighFreqFactor
				if wavelen > lowWavelen {
					f /= s.Factor
				} else if wavelen >= highWavelen {
					smooth := (float64(s.OriginalMaxPositionEmbeddings)/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
					f = (1-smooth)*f/s.Factor + smooth*f
				}
			}
		}
		a := float64(pos) * f
		x[i] = x[i]*math.Cos(a) + rot[i]*math.Sin(a)
	}
}

// logits runs the whole sequence and returns the logits at every position.
func (r *refModel) logits(tokens []int) [][]float64 {
	c := r.cfg
	H, hd := c.HiddenSize, c.HeadDim
	xs := make([][]float64, len(tokens))
	emb := r.w["model.embed_tokens.weight"]
	for p, tok := range tokens {
		xs[p] = append([]float64(nil), emb[tok*H:(tok+1)*H]...)
	}
	for l := 0; l < c.NumHiddenLayers; l++ {
		pre := fmt.Sprintf("model.layers.%d.", l)
		qs, ks, vs := make([][]float64, len(xs)), make([][]float64, len(xs)), make([][]float64, len(xs))
		for p, x := range xs {
			xn := r.rmsnorm(pre+"input_layernorm.weight", x)
			qs[p] = r.linear(pre+"self_attn.q_proj", xn)
			ks[p] = r.linear(pre+"self_attn.k_proj", xn)
			vs[p] = r.linear(pre+"self_attn.v_proj", xn)
			for h := 0; h < c.NumAttentionHeads; h++ {
				r.rope(qs[p][h*hd:(h+1)*hd], p)
			}
			for h := 0; h < c.NumKeyValueHeads; h++ {
				r.rope(ks[p][h*hd:(h+1)*hd], p)
			}
		}
		rep := c.NumAttentionHeads / c.NumKeyValueHeads
		for p := range xs {
			att := make([]float64, c.NumAttentionHeads*hd)
			for h := 0; h < c.NumAttentionHeads; h++ {
				kvh := h / rep // repeat_kv: query head h reads kv head h // n_rep
				var sc []float64
				var idx []int
				for j := 0; j <= p; j++ {
					if c.SlidingWindow > 0 && p-j >= c.SlidingWindow {
						continue
					}
					var d float64
					for i := 0; i < hd; i++ {
						d += qs[p][h*hd+i] * ks[j][kvh*hd+i]
					}
					sc = append(sc, d/math.Sqrt(float64(hd)))
					idx = append(idx, j)
				}
				m := math.Inf(-1)
				for _, v := range sc {
					m = math.Max(m, v)
				}
				var sum float64
				for i, v := range sc {
					sc[i] = math.Exp(v - m)
					sum += sc[i]
				}
				for i, j := range idx {
					for k := 0; k < hd; k++ {
						att[h*hd+k] += sc[i] / sum * vs[j][kvh*hd+k]
					}
				}
			}
			o := r.linear(pre+"self_attn.o_proj", att)
			for i := range xs[p] {
				xs[p][i] += o[i]
			}
			xn := r.rmsnorm(pre+"post_attention_layernorm.weight", xs[p])
			g, u := r.linear(pre+"mlp.gate_proj", xn), r.linear(pre+"mlp.up_proj", xn)
			for i := range g {
				g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
			}
			d := r.linear(pre+"mlp.down_proj", g)
			for i := range xs[p] {
				xs[p][i] += d[i]
			}
		}
	}
	head := "lm_head"
	if _, ok := r.w["lm_head.weight"]; !ok || c.TieWordEmbeddings {
		head = "model.embed_tokens"
	}
	out := make([][]float64, len(xs))
	for p, x := range xs {
		out[p] = r.linear(head, r.rmsnorm("model.norm.weight", x))
	}
	return out
}
