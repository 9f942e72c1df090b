package kernels

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type countTask struct{ hits []atomic.Int32 }

func (c *countTask) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func TestPoolRunCoversEachIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		p := NewPool(workers)
		for _, n := range []int{0, 1, 2, 3, 7, 31, 64, 100, 1000, 4099} {
			for rep := 0; rep < 50; rep++ {
				c := &countTask{hits: make([]atomic.Int32, n)}
				p.Run(n, c)
				for i := range c.hits {
					if h := c.hits[i].Load(); h != 1 {
						t.Fatalf("workers=%d n=%d: index %d run %d times", workers, n, i, h)
					}
				}
			}
		}
		p.Close()
	}
}

func TestNewPoolKernels(t *testing.T) {
	sets := KernelSets()
	if sets[0] != "portable" {
		t.Fatalf("KernelSets() = %v, want portable first", sets)
	}
	if got, want := NewPool(1).Kernels(), sets[len(sets)-1]; got != want {
		t.Errorf("NewPool runs %q, want the fastest set %q", got, want)
	}
	for _, name := range sets {
		p, err := NewPoolKernels(2, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Kernels() != name {
			t.Errorf("NewPoolKernels(%q) runs %q", name, p.Kernels())
		}
		a := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
		if got := p.Dot(a, a); got != 285 {
			t.Errorf("%s: Dot = %g, want 285", name, got)
		}
		y := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
		p.Axpy(y, 2, a)
		if d := cmp.Diff([]float32{3, 5, 7, 9, 11, 13, 15, 17, 19}, y); d != "" {
			t.Errorf("%s: Axpy (-want +got):\n%s", name, d)
		}
		p.Close()
	}
	if _, err := NewPoolKernels(1, "sse9"); !errors.Is(err, ErrKernels) {
		t.Errorf("NewPoolKernels(sse9) error %v, want ErrKernels", err)
	}
}
