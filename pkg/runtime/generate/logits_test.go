package generate

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestArgmax(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name string
		in   []float32
		want int
	}{
		{"empty", nil, -1},
		{"single", []float32{3}, 0},
		{"first on ties", []float32{1, 5, 5, 2}, 1},
		{"negative", []float32{-3, -1, -2}, 1},
		{"skips NaN", []float32{nan, 1, 2}, 2},
		{"-Inf only", []float32{float32(math.Inf(-1))}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Argmax(tc.in); got != tc.want {
				t.Errorf("Argmax(%v) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestPenaltiesAndBias(t *testing.T) {
	for _, tc := range []struct {
		name  string
		apply func(l []float32)
		want  []float32
	}{
		{"logit bias, out-of-range ids ignored", func(l []float32) {
			ApplyLogitBias(l, map[int]float32{0: -100, 2: 1.5, 9: 3, -1: 3})
		}, []float32{-99, 2, 4.5, -1}},
		{"presence and frequency over generated counts", func(l []float32) {
			counts := []int32{2, 0, 1, 0}
			ApplyPenalties(l, []int{0, 2}, counts, 0.5, 0.25)
		}, []float32{1 - 0.5 - 0.5, 2, 3 - 0.5 - 0.25, -1}},
		{"no penalties is a no-op", func(l []float32) {
			ApplyPenalties(l, []int{0, 1}, []int32{1, 1, 0, 0}, 0, 0)
		}, []float32{1, 2, 3, -1}},
		{"repetition penalty divides positive, multiplies negative", func(l []float32) {
			ApplyRepetitionPenalty(l, []int{1, 3}, 2)
		}, []float32{1, 1, 3, -2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := []float32{1, 2, 3, -1}
			tc.apply(l)
			if d := cmp.Diff(tc.want, l); d != "" {
				t.Errorf("logits (-want +got):\n%s", d)
			}
		})
	}
}

func TestSoftmaxAtAndLogSumExp(t *testing.T) {
	logits := []float32{0, float32(math.Log(3)), 5}
	probs := make([]float32, 2)
	SoftmaxAt(probs, logits, []int{0, 1}, 1)
	if !almostEqual(float64(probs[0]), 0.25) || !almostEqual(float64(probs[1]), 0.75) {
		t.Errorf("softmax = %v, want [0.25 0.75]", probs)
	}
	// Temperature 2 halves the log-odds: weights 1 and sqrt(3).
	SoftmaxAt(probs, logits, []int{0, 1}, 2)
	want := 1 / (1 + math.Sqrt(3))
	if !almostEqual(float64(probs[0]), want) {
		t.Errorf("softmax at T=2 = %v, want %v first", probs, want)
	}
	if got, want := LogSumExp([]float32{0, 0}), math.Log(2); !almostEqual(got, want) {
		t.Errorf("LogSumExp = %v, want %v", got, want)
	}
	if got := LogSumExp([]float32{1000, 1000}); !almostEqual(got, 1000+math.Log(2)) {
		t.Errorf("LogSumExp overflowed: %v", got)
	}
}

func TestSelectTopKMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 5, 33, 100, 1000} {
		logits := make([]float32, n)
		for i := range logits {
			logits[i] = float32(r.IntN(50)) // many ties
		}
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool { return logits[want[a]] > logits[want[b]] })
		for _, k := range []int{1, 2, 10, 40, n} {
			if k > n {
				continue
			}
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			got := SelectTopK(logits, idx, k)
			if d := cmp.Diff(want[:k], got); d != "" {
				t.Errorf("n=%d k=%d (-want +got):\n%s", n, k, d)
			}
		}
	}
}

func TestTopPCut(t *testing.T) {
	probs := []float32{0.5, 0.3, 0.15, 0.05}
	for _, tc := range []struct {
		p    float64
		want int
	}{{0, 4}, {1, 4}, {0.4, 1}, {0.5, 1}, {0.6, 2}, {0.8, 2}, {0.81, 3}, {0.99, 4}} {
		if got := TopPCut(probs, tc.p); got != tc.want {
			t.Errorf("TopPCut(p=%v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

func TestSampleIndex(t *testing.T) {
	probs := []float32{0.25, 0, 0.75}
	for _, tc := range []struct {
		r    float64
		want int
	}{{0, 0}, {0.2499, 0}, {0.25, 2}, {0.9999, 2}} {
		if got := SampleIndex(probs, tc.r); got != tc.want {
			t.Errorf("SampleIndex(r=%v) = %d, want %d", tc.r, got, tc.want)
		}
	}
}
