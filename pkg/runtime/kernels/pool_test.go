package kernels

import (
	"sync/atomic"
	"testing"
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
