package llama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/pkg/runtime/testmodel"
)

func smallSpec(arch string) testmodel.Spec {
	return testmodel.Spec{
		Arch: arch, Hidden: 64, Intermediate: 96, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 16,
		Vocab: 400, MaxPositions: 128, DType: "float32", RopeTheta: 10000, RMSNormEps: 1e-5, Seed: 7, Shards: 1,
	}
}

// writeModel generates spec into a temporary folder, applying edits to its
// config.json (fields testmodel does not expose, such as sliding_window).
func writeModel(t *testing.T, spec testmodel.Spec, edits map[string]any) string {
	t.Helper()
	dir := t.TempDir()
	if err := testmodel.Write(dir, spec); err != nil {
		t.Fatal(err)
	}
	if len(edits) > 0 {
		path := filepath.Join(dir, "config.json")
		var cfg map[string]any
		readJSON(t, path, &cfg)
		for k, v := range edits {
			cfg[k] = v
		}
		b, _ := json.Marshal(cfg)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, dir string, opts Options) *Model {
	t.Helper()
	m, err := Load(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// maxDiff returns max |a-b| and max |b|.
func maxDiff(a []float32, b []float64) (diff, scale float64) {
	for i := range b {
		diff = math.Max(diff, math.Abs(float64(a[i])-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	return diff, scale
}

var refTokens = []int{1, 17, 250, 3, 99, 42, 42, 7, 128, 399, 5, 64, 300, 2, 77, 77, 77, 150, 11, 12,
	260, 33, 48, 91, 5, 6, 390, 8, 199, 20}

func TestForwardMatchesNaiveReference(t *testing.T) {
	llamaScaled := smallSpec(testmodel.Llama)
	llamaScaled.RopeScaling = map[string]any{"type": "linear", "factor": 2.0}
	qwen := smallSpec(testmodel.Qwen2)
	qwen.QKVBias, qwen.TiedEmbeddings, qwen.KVHeads, qwen.RopeTheta = true, true, 1, 1e6
	llama3 := smallSpec(testmodel.Llama)
	llama3.RopeScaling = map[string]any{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
		"high_freq_factor": 4.0, "original_max_position_embeddings": 64}
	mistral := smallSpec(testmodel.Mistral)
	mistral.Heads, mistral.KVHeads, mistral.HeadDim = 8, 2, 8
	// head_dim 64 takes the outer-product attention tiles where the kernels
	// have them (AVX-512).
	wide := smallSpec(testmodel.Llama)
	wide.Heads, wide.KVHeads, wide.HeadDim = 4, 2, 64
	wideMistral := smallSpec(testmodel.Mistral)
	wideMistral.Heads, wideMistral.KVHeads, wideMistral.HeadDim = 2, 1, 64
	tests := []struct {
		name  string
		spec  testmodel.Spec
		edits map[string]any
	}{
		{"llama gqa untied head_dim!=hidden/heads rope linear", llamaScaled, nil},
		{"llama rope llama3 scaling", llama3, nil},
		{"mistral sliding window 5", mistral, map[string]any{"sliding_window": 5}},
		{"qwen2 qkv bias tied mqa", qwen, nil},
		{"llama head_dim 64", wide, nil},
		{"mistral head_dim 64 sliding window 5", wideMistral, map[string]any{"sliding_window": 5}},
	}
	for _, tc := range tests {
		dir := writeModel(t, tc.spec, tc.edits)
		want := loadRef(t, dir).logits(refTokens)
		for _, set := range kernelSets {
			// A short prompt runs one attention block; a long one several,
			// the later ones starting past the sliding window.
			for _, prompt := range []int{7, 26} {
				t.Run(fmt.Sprintf("%s/%s/prompt%d", tc.name, set, prompt), func(t *testing.T) {
					m := loadKernels(t, dir, Options{Threads: 2}, set)
					s := m.NewSession(64)
					logits, err := s.Forward(context.Background(), refTokens[:prompt])
					if err != nil {
						t.Fatal(err)
					}
					for p := prompt - 1; p < len(refTokens); p++ {
						if p >= prompt {
							if logits, err = s.Forward(context.Background(), refTokens[p:p+1]); err != nil {
								t.Fatal(err)
							}
						}
						// fp32 against float64: the error is rounding only, ~1e-6
						// relative; 1e-4 relative catches any wrong formula.
						if d, scale := maxDiff(logits, want[p]); d > 1e-4*math.Max(1, scale) {
							t.Errorf("position %d: max |logit - reference| = %.3g (scale %.3g)", p, d, scale)
						}
					}
				})
			}
		}
	}
}

func TestHalfPrecisionCopiesAgreeWithF32(t *testing.T) {
	spec := smallSpec(testmodel.Llama)
	spec.Vocab = 512
	run := func(dtype string) (ids []int, logits [][]float32) {
		sp := spec
		sp.DType = dtype
		m := load(t, writeModel(t, sp, nil), Options{Threads: 2})
		s := m.NewSession(80)
		l, err := s.Forward(context.Background(), []int{1})
		if err != nil {
			t.Fatal(err)
		}
		for range 64 {
			logits = append(logits, append([]float32(nil), l...))
			next := argmax(l)
			ids = append(ids, next)
			if l, err = s.Forward(context.Background(), []int{next}); err != nil {
				t.Fatal(err)
			}
		}
		return ids, logits
	}
	// testmodel draws every weight on the bfloat16 grid, so the float32,
	// bfloat16 and float16 files of one seed hold the same numbers (float16
	// except values below 2^-14, which it stores as subnormals with fewer
	// bits). The runtime widens half weights exactly and computes in fp32, so:
	// - bf16 vs f32: identical weights, identical fp32 arithmetic; the only
	//   possible difference is summation order between the bf16 and f32
	//   kernels. Tolerance 1e-5·max(1,|logit|) (fp32 epsilon is 1.2e-7).
	// - f16 vs f32: f16 is widened as it is read, by its own kernels (another
	//   summation order), and the handful of subnormal-rounded weights move
	//   logits by ~1e-6. Tolerance 1e-4·max(1,|logit|).
	// The measured differences are logged.
	wantIDs, wantLogits := run("float32")
	for _, tc := range []struct {
		dtype string
		tol   float64
	}{{"bfloat16", 1e-5}, {"float16", 1e-4}} {
		t.Run(tc.dtype, func(t *testing.T) {
			ids, logits := run(tc.dtype)
			if d := cmp.Diff(wantIDs, ids); d != "" {
				t.Errorf("greedy ids differ from float32 (-f32 +%s):\n%s", tc.dtype, d)
			}
			worst := 0.0
			for step := range logits {
				for i, v := range logits[step] {
					w := float64(wantLogits[step][i])
					d := math.Abs(float64(v) - w)
					worst = math.Max(worst, d)
					if d > tc.tol*math.Max(1, math.Abs(w)) {
						t.Fatalf("step %d logit %d: %g, float32 model %g", step, i, v, w)
					}
				}
			}
			t.Logf("%s vs float32: max |logit diff| over 64 steps = %.3g", tc.dtype, worst)
		})
	}
}

// A prompt through bf16 weights multiplies bf16 by bf16: the products round
// their inputs to bfloat16 (8 significant bits, relative error ≤ 2⁻⁹), as
// PyTorch's bfloat16 matmul and llama.cpp do, so its logits move from the
// float32 model's by about that rounding carried through the layers; the
// tolerance is 4× the measured 2-layer difference. Every kernel set rounds
// the same way (AVX512_BF16 with vdpbf16ps, the others by widening the
// rounded inputs), so they agree with each other to fp32 summation order.
func TestBF16PromptAgreesWithF32(t *testing.T) {
	spec := smallSpec(testmodel.Llama)
	prompt := refTokens[:26]
	run := func(dtype, set string) []float32 {
		sp := spec
		sp.DType = dtype
		m := loadKernels(t, writeModel(t, sp, nil), Options{Threads: 2}, set)
		l, err := m.NewSession(64).Forward(context.Background(), prompt)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), l...)
	}
	want := run("float32", "portable")
	var first []float32
	for _, set := range kernelSets {
		t.Run(set, func(t *testing.T) {
			got := run("bfloat16", set)
			d, scale := maxDiff(got, toF64(want))
			t.Logf("bf16 prompt vs float32: max |logit diff| %.3g (scale %.3g)", d, scale)
			if d > 0.02*math.Max(1, scale) {
				t.Errorf("bf16 prompt logits differ from float32 by %.3g (scale %.3g)", d, scale)
			}
			if first == nil {
				first = got
				return
			}
			if d, scale := maxDiff(got, toF64(first)); d > 1e-5*math.Max(1, scale) {
				t.Errorf("%s bf16 prompt logits differ from %s by %.3g: kernel sets must round alike", set, kernelSets[0], d)
			}
		})
	}
}

func TestForwardBatchMatchesSingleSessions(t *testing.T) {
	dir := writeModel(t, smallSpec(testmodel.Llama), nil)
	m := load(t, dir, Options{Threads: 2})
	prompts := [][]int{{1, 5, 9}, {1, 200}, {1, 7, 7, 7, 7, 30}}
	next := []int{11, 12, 13}
	var want [][]float32
	for i, p := range prompts {
		s := m.NewSession(32)
		if _, err := s.Forward(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		l, err := s.Forward(context.Background(), next[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, append([]float32(nil), l...))
	}
	var sessions []*Session
	for _, p := range prompts {
		s := m.NewSession(32)
		if _, err := s.Forward(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	got, err := m.ForwardBatch(context.Background(), sessions, next)
	if err != nil {
		t.Fatal(err)
	}
	for i := range prompts {
		if sessions[i].Len() != len(prompts[i])+1 {
			t.Errorf("session %d: Len %d, want %d", i, sessions[i].Len(), len(prompts[i])+1)
		}
		for j, w := range want[i] {
			if math.Abs(float64(got[i][j]-w)) > 1e-4*math.Max(1, math.Abs(float64(w))) {
				t.Fatalf("session %d logit %d: batched %g, alone %g", i, j, got[i][j], w)
			}
		}
	}
	if _, err := m.ForwardBatch(context.Background(), []*Session{sessions[0], sessions[0]}, []int{1, 2}); err == nil {
		t.Error("ForwardBatch accepted the same session twice")
	}
}

func TestForwardDoesNotAllocate(t *testing.T) {
	dir := writeModel(t, smallSpec(testmodel.Llama), nil)
	for _, opts := range []Options{{Threads: 1}, {Threads: 2}, {Threads: 2, Quantize: "int8"}} {
		m := load(t, dir, opts)
		s := m.NewSession(64)
		ctx := context.Background()
		tok := []int{5}
		if _, err := s.Forward(ctx, []int{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			s.Truncate(3)
			if _, err := s.Forward(ctx, tok); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%+v: %v allocations per generated token, want 0", opts, allocs)
		}
	}
}

func TestSessionLimitsAndErrors(t *testing.T) {
	dir := writeModel(t, smallSpec(testmodel.Llama), nil)
	m := load(t, dir, Options{})
	s := m.NewSession(4)
	if s.ContextSize() != 4 {
		t.Fatalf("ContextSize %d, want 4", s.ContextSize())
	}
	if _, err := s.Forward(context.Background(), []int{1, 2, 3, 4, 5}); !errors.Is(err, ErrContextFull) {
		t.Errorf("5 tokens in a context of 4: error %v, want ErrContextFull", err)
	}
	if _, err := s.Forward(context.Background(), []int{400}); err == nil {
		t.Error("token outside the vocabulary accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Forward(ctx, []int{1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
	if got := m.NewSession(1 << 20).ContextSize(); got != 128 {
		t.Errorf("NewSession clamps to max_position_embeddings: got %d, want 128", got)
	}
	s.Truncate(10)
	if s.Len() != 0 {
		t.Errorf("Truncate past the end changed Len to %d", s.Len())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := writeModel(t, smallSpec(testmodel.Llama), map[string]any{"architectures": []string{"GPTNeoXForCausalLM"}})
	if _, err := Load(dir, Options{}); !errors.Is(err, ErrUnsupportedArchitecture) {
		t.Errorf("GPT-NeoX: error %v, want ErrUnsupportedArchitecture", err)
	}
	dir = writeModel(t, smallSpec(testmodel.Llama), map[string]any{"hidden_size": 32})
	if _, err := Load(dir, Options{}); !errors.Is(err, ErrWeights) {
		t.Errorf("wrong hidden_size: error %v, want ErrWeights", err)
	}
	dir = writeModel(t, smallSpec(testmodel.Llama), nil)
	if _, err := Load(dir, Options{Quantize: "int4"}); err == nil {
		t.Error("int4 quantization accepted")
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}
