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
//	layers 0 and 1 fp32                                     191  1  0.94 (188 on avx2, 190 portable)
//
// The default reaches 192 (avx2: 191, portable: 192) and free-runs 13 of
// run.c's ids; free-running, every variant above leaves run.c's path
// within its first 13 steps (step 0 is itself a near tie: 9.49 against
// 9.38 in fp32).
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

// TestStories260KInt8AgreesWithF32Broadly repeats the comparison on ten
// greedy paths of 200 steps (fp32's continuations of BOS and of BOS plus
// one of nine tokens), because agreement on one path moves by a few steps
// with the summation order of a kernel set (near ties flip either way).
//
// Measured on avx512vnni over the 2000 steps, top-1 agreement / mean over
// steps of the step's max |logit diff| / max: everything int8 88.5% / 0.98 /
// 4.23; layer 0 kept (the default) 93.7% / 0.63 / 2.78; layers 0 and 1 kept
// 95.0% / 0.40 / 1.82 (but 188-191/200 on run.c's path depending on the
// kernel set, so not the default). The bounds fail the all-int8 conversion.
func TestStories260KInt8AgreesWithF32Broadly(t *testing.T) {
	dir, _ := loadStoriesExpect(t)
	for _, set := range kernelSets {
		t.Run(set, func(t *testing.T) {
			f32 := loadKernels(t, dir, Options{Threads: 2}, set)
			q8 := loadKernels(t, dir, Options{Threads: 2, Quantize: "int8"}, set)
			ctx := context.Background()
			agree, total, worst, sum := 0, 0, 0.0, 0.0
			for _, start := range []int{0, 30, 77, 100, 123, 200, 256, 300, 400, 450} {
				prompt := []int{1}
				if start != 0 {
					prompt = append(prompt, start)
				}
				path := append(prompt, greedy(t, f32.NewSession(256), prompt, 200)...)
				sf, sq := f32.NewSession(256), q8.NewSession(256)
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
					total++
					w := 0.0
					for i := range lf {
						w = math.Max(w, math.Abs(float64(lq[i]-lf[i])))
					}
					worst, sum = math.Max(worst, w), sum+w
				}
			}
			mean := sum / float64(total)
			t.Logf("int8 vs fp32 over %d steps: top-1 agreement %.1f%%, mean per-step max |logit diff| %.3f, max %.3f",
				total, 100*float64(agree)/float64(total), mean, worst)
			if agree < total*92/100 {
				t.Errorf("top-1 agreement %d/%d, want >= 92%% (measured 93.7%%; all-int8 88.5%%)", agree, total)
			}
			if mean > 0.75 || worst > 3.5 {
				t.Errorf("mean per-step max |logit diff| %.3f, max %.3f; want <= 0.75 and <= 3.5 (measured 0.63 and 2.78; all-int8 0.98 and 4.23)", mean, worst)
			}
		})
	}
}
