package kernels

import "sync"

// A Pool runs row-parallel work on a fixed set of goroutines. It is safe for
// use by one caller at a time; the model serialises its forward passes.
type Pool struct {
	workers int
	work    chan poolTask
	wg      sync.WaitGroup
}

type poolTask struct {
	fn     func(lo, hi int)
	lo, hi int
	done   *sync.WaitGroup
}

// NewPool starts a pool with the given number of workers (at least 1).
func NewPool(workers int) *Pool {
	if workers < 1 {
		workers = 1
	}
	p := &Pool{workers: workers, work: make(chan poolTask, workers)}
	for i := 1; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for t := range p.work {
				t.fn(t.lo, t.hi)
				t.done.Done()
			}
		}()
	}
	return p
}

// Workers reports how many goroutines share the work, the caller's included.
func (p *Pool) Workers() int { return p.workers }

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	close(p.work)
	p.wg.Wait()
}

// For splits [0,n) into one contiguous chunk per worker and calls fn on each;
// the calling goroutine runs the first chunk itself. It returns when all
// chunks are done.
func (p *Pool) For(n int, fn func(lo, hi int)) {
	if p == nil || p.workers == 1 || n < 2 {
		fn(0, n)
		return
	}
	parts := min(p.workers, n)
	var done sync.WaitGroup
	done.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.work <- poolTask{fn: fn, lo: n * i / parts, hi: n * (i + 1) / parts, done: &done}
	}
	fn(0, n/parts)
	done.Wait()
}
