package llama

import (
	"context"
	"math"
	"testing"
)

// int8Agreement runs run.c's 200-token greedy path through q8 and f32
// (teacher forcing: both models see the same tokens) and reports on how
// many steps their top-1 tokens agree, the largest |logit difference|, and
// how many of run.c's ids a free-running greedy decode of q8 reproduces
// before its first divergence.
func int8Agreement(t *testing.T, f32, q8 *Model, want storiesExpect) (agree int, worst float64, prefix int) {
	t.Helper()
	sf, sq := f32.NewSession(256), q8.NewSession(256)
	ctx := context.Background()
	path := append([]int{1}, want.greedy...)
	for step := range 200 {
		lf, err := sf.Forward(ctx, path[step:step+1])
		if err != nil {
			t.Fatal(err)
		}
		lq, err := sq.Forward(ctx, path[step:step+1])
		if err != nil {
			t.Fatal(err)
		}
		if argmax(lq) == argmax(lf) {
			agree++
		}
		for i := range lf {
			worst = math.Max(worst, math.Abs(float64(lq[i]-lf[i])))
		}
	}
	for i, id := range greedy(t, q8.NewSession(256), []int{1}, 200) {
		if id != want.greedy[i] {
			break
		}
		prefix++
	}
	return agree, worst, prefix
}

// TestStories260KInt8AgreesWithF32 checks Quantize "int8" against fp32 on
// every kernel set the CPU runs.
//
// Measured (avx512vnni; variants built by hand in this package, teacher-
// forced top-1 agreement / free-running prefix / max |logit diff|):
//
//	every linear layer and the head int8 (the old default)  181  0  3.07
//	head kept fp32                                          181  0  3.07
//	head and layers 0 and 4 down_proj fp32                  182  0  3.27
//	per-block scale searched for least squared error        181  0  3.07 (never beats max/127 at 8 bits)
//	layer 0 kept fp32 (the default)                         192 13  1.61
//	layer 0 and the head fp32                               192 13  1.59
//	layers 0 and 1 fp32                                     191  1  0.94
//
// Quantizing one matrix at a time shows why: each layer-0 matrix alone
// moves the logits by 0.75-1.45, each later one by 0.09-0.7 and the head by
// 0.42; layer 0's error passes through every later layer.
//
// Tolerance: the measured max |logit diff| is 1.61 at logits up to ~12;
// the bound 2.5 leaves room for the summation order of other kernel sets
// and still fails the old all-int8 conversion (3.07) and any wrong kernel
// (differences of the order of the logits themselves). Top-1 agreement is
// noisy by a few steps (10% of the steps on this path have a top-1/top-2
// gap below 0.16), so the logit bound is the finer check.
func TestStories260KInt8AgreesWithF32(t *testing.T) {
	dir, want := loadStoriesExpect(t)
	for _, set := range kernelSets {
		t.Run(set, func(t *testing.T) {
			f32 := loadKernels(t, dir, Options{Threads: 2}, set)
			q8 := loadKernels(t, dir, Options{Threads: 2, Quantize: "int8"}, set)
			if q8.Stats().Format != "int8" {
				t.Fatalf("format %q, want int8", q8.Stats().Format)
			}
			agree, worst, prefix := int8Agreement(t, f32, q8, want)
			t.Logf("int8 vs fp32 over 200 steps: top-1 agreement %d/200, max |logit diff| %.3g; free-running greedy matches run.c's first %d ids",
				agree, worst, prefix)
			if agree < 190 {
				t.Errorf("int8 top-1 agrees with fp32 on %d/200 steps, want >= 190 (95%%; measured 192)", agree)
			}
			if worst > 2.5 {
				t.Errorf("int8 logits differ from fp32 by up to %.3g, want <= 2.5 (measured 1.61)", worst)
			}
		})
	}
}
