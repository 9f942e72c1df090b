package llama

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/runtime/kernels"
)

type storiesExpect struct {
	greedy []int
	inputs []int
	logits [][]float64
}

func loadStoriesExpect(t *testing.T) (dir string, e storiesExpect) {
	t.Helper()
	dir = testenv.Shared(t, "stories260k")
	var g struct {
		PromptIDs    []int `json:"prompt_ids"`
		GeneratedIDs []int `json:"generated_ids"`
	}
	readJSON(t, dir+"/expected_greedy_from_bos.json", &g)
	var l struct {
		InputIDs []int       `json:"input_ids"`
		Logits   [][]float64 `json:"logits"`
	}
	readJSON(t, dir+"/expected_logits.json", &l)
	if len(g.GeneratedIDs) != 200 || len(l.Logits) != 8 {
		t.Fatalf("unexpected fixture sizes: %d ids, %d logit rows", len(g.GeneratedIDs), len(l.Logits))
	}
	return dir, storiesExpect{greedy: g.GeneratedIDs, inputs: l.InputIDs, logits: l.Logits}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// greedy decodes steps tokens after prompt, one Forward per token.
func greedy(t *testing.T, s *Session, prompt []int, steps int) []int {
	t.Helper()
	logits, err := s.Forward(context.Background(), prompt)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for range steps {
		next := argmax(logits)
		out = append(out, next)
		if logits, err = s.Forward(context.Background(), []int{next}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// kernelSets are every kernel set the runtime has; loadKernels skips the
// ones this CPU lacks.
var kernelSets = []string{"portable", "avx2", "avx512vnni", "avx512bf16"}

// loadKernels loads dir with opts on the named kernel set, skipping the
// test with a message when the CPU cannot run that set.
func loadKernels(t *testing.T, dir string, opts Options, set string) *Model {
	t.Helper()
	if !slices.Contains(kernels.KernelSets(), set) {
		t.Skipf("this CPU cannot run the %s kernels (it runs %v)", set, kernels.KernelSets())
	}
	opts.Kernels = set
	m := load(t, dir, opts)
	if got := m.Stats().Kernels; got != set {
		t.Fatalf("Load with Kernels %q runs %q", set, got)
	}
	return m
}

func TestStories260KGreedyMatchesRunC(t *testing.T) {
	dir, want := loadStoriesExpect(t)
	for _, set := range kernelSets {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/%d threads", set, threads), func(t *testing.T) {
				m := loadKernels(t, dir, Options{Threads: threads}, set)
				got := greedy(t, m.NewSession(512), []int{1}, 200)
				if d := cmp.Diff(want.greedy, got); d != "" {
					t.Errorf("greedy ids differ from run.c (-want +got):\n%s", d)
				}
			})
		}
	}
}

func TestStories260KLogitsMatchRunC(t *testing.T) {
	dir, want := loadStoriesExpect(t)
	for _, tc := range []struct {
		mode string
		opts Options
	}{
		{"token by token", Options{Threads: 2}},
		{"prefill", Options{Threads: 2}},
		{"prefill portable kernels", Options{Threads: 2, PortableKernels: true}},
		{"prefill avx2 kernels", Options{Threads: 2, Kernels: "avx2"}},
	} {
		mode := tc.mode
		t.Run(mode, func(t *testing.T) {
			if tc.opts.Kernels != "" && !slices.Contains(kernels.KernelSets(), tc.opts.Kernels) {
				t.Skipf("this CPU cannot run the %s kernels", tc.opts.Kernels)
			}
			m := load(t, dir, tc.opts)
			s := m.NewSession(64)
			for pos := range want.logits {
				var logits []float32
				var err error
				if mode != "token by token" {
					// Prefill the prefix in one batch, then compare its last row.
					s.Truncate(0)
					logits, err = s.Forward(context.Background(), want.inputs[:pos+1])
				} else {
					logits, err = s.Forward(context.Background(), want.inputs[pos:pos+1])
				}
				if err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for i, w := range want.logits[pos] {
					worst = math.Max(worst, math.Abs(float64(logits[i])-w))
				}
				if worst > 1e-4 {
					t.Errorf("position %d: max |logit - run.c| = %.3g, want <= 1e-4", pos, worst)
				}
			}
		})
	}
}
