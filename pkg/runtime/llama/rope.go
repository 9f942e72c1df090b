package llama

import "math"

// invFreq returns the rotary inverse frequencies for head_dim d (one per
// rotated pair), with rope_scaling applied the way transformers'
// ROPE_INIT_FUNCTIONS do.
func invFreq(c *Config) []float64 {
	d := c.HeadDim
	f := make([]float64, d/2)
	for i := range f {
		f[i] = 1 / math.Pow(c.RopeTheta, float64(2*i)/float64(d))
	}
	s := c.RopeScaling
	if s == nil {
		return f
	}
	switch s.Type {
	case "linear":
		for i := range f {
			f[i] /= s.Factor
		}
	case "llama3":
		old := float64(s.OriginalMaxPositionEmbeddings)
		lowWavelen := old / s.LowFreqFactor
		highWavelen := old / s.HighFreqFactor
		for i, v := range f {
			wavelen := 2 * math.Pi / v
			switch {
			case wavelen < highWavelen:
			case wavelen > lowWavelen:
				f[i] = v / s.Factor
			default:
				smooth := (old/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
				f[i] = (1-smooth)*v/s.Factor + smooth*v
			}
		}
	}
	return f
}

// ropeTable holds cos and sin for positions [0, n): cos[p*half+i].
type ropeTable struct {
	half     int
	n        int
	cos, sin []float32
}

func newRopeTable(freq []float64, n int) *ropeTable {
	half := len(freq)
	t := &ropeTable{half: half, n: n, cos: make([]float32, n*half), sin: make([]float32, n*half)}
	for p := 0; p < n; p++ {
		for i, f := range freq {
			s, c := math.Sincos(float64(p) * f)
			t.cos[p*half+i] = float32(c)
			t.sin[p*half+i] = float32(s)
		}
	}
	return t
}

// rotate applies rotary embeddings at position pos to each head of x
// (heads×headDim), in the Hugging Face rotate_half convention: element i is
// paired with element i+headDim/2.
func (t *ropeTable) rotate(x []float32, heads, pos int) {
	half := t.half
	cos := t.cos[pos*half : (pos+1)*half]
	sin := t.sin[pos*half : (pos+1)*half]
	for h := 0; h < heads; h++ {
		v := x[h*2*half : (h+1)*2*half]
		a, b := v[:half], v[half:2*half]
		for i := range a {
			x0, x1 := a[i], b[i]
			a[i] = x0*cos[i] - x1*sin[i]
			b[i] = x1*cos[i] + x0*sin[i]
		}
	}
}
