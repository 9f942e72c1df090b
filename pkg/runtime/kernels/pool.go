package kernels

import "sync"

// A Task is work split by index range; Pool.Run calls Run on disjoint
// sub-ranges from several goroutines.
type Task interface {
	Run(lo, hi int)
}

type funcTask func(lo, hi int)

func (f funcTask) Run(lo, hi int) { f(lo, hi) }

// A Pool runs row-parallel work on a fixed set of goroutines started once.
// It is safe for use by one caller at a time (the model serialises its
// forward passes); it also owns the scratch space of the products it runs
// (the quantized activations of int8 matrices), so running a product
// allocates nothing once the scratch has grown to size.
type Pool struct {
	workers int
	impl    *impl
	work    chan poolTask
	wg      sync.WaitGroup
	done    sync.WaitGroup

	mul mulTask // reused by the matrix products
	act q8Act   // quantized activations for int8 matrices
	glu gluTask
}

type poolTask struct {
	t      Task
	lo, hi int
}

// NewPool starts a pool with the given number of workers (at least 1), the
// caller's goroutine counted as one. It uses the fastest kernels the CPU
// supports (AVX2+FMA assembly on amd64, portable Go otherwise).
func NewPool(workers int) *Pool { return newPool(workers, native) }

// NewPortablePool is NewPool with the portable Go kernels, whatever the CPU.
// Tests use it to check the assembly against the reference code.
func NewPortablePool(workers int) *Pool { return newPool(workers, portable) }

func newPool(workers int, k *impl) *Pool {
	if workers < 1 {
		workers = 1
	}
	p := &Pool{workers: workers, impl: k, work: make(chan poolTask, workers)}
	for i := 1; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for t := range p.work {
				t.t.Run(t.lo, t.hi)
				p.done.Done()
			}
		}()
	}
	return p
}

// Workers reports how many goroutines share the work, the caller's included.
func (p *Pool) Workers() int { return p.workers }

// Kernels names the kernel set in use: "avx2" or "portable".
func (p *Pool) Kernels() string { return p.kernels().name }

func (p *Pool) kernels() *impl {
	if p == nil {
		return native
	}
	return p.impl
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	close(p.work)
	p.wg.Wait()
}

// Run splits [0,n) into one contiguous chunk per worker and calls t.Run on
// each; the calling goroutine runs the first chunk itself. It returns when all
// chunks are done. Run itself does not allocate.
func (p *Pool) Run(n int, t Task) {
	if p == nil || p.workers == 1 || n < 2 {
		t.Run(0, n)
		return
	}
	parts := min(p.workers, n)
	p.done.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.work <- poolTask{t: t, lo: n * i / parts, hi: n * (i + 1) / parts}
	}
	t.Run(0, n/parts)
	p.done.Wait()
}

// For is Run for a function. A closure that captures variables is
// allocated by the caller; hot loops use Run with a reused Task.
func (p *Pool) For(n int, fn func(lo, hi int)) { p.Run(n, funcTask(fn)) }
