package kernels

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

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
//
// Run cuts the range into a few chunks per worker that the caller and the
// workers claim one at a time, so when the machine is shared and a worker's
// thread is not running, the others take its share instead of waiting.
type Pool struct {
	workers  int
	impl     *impl
	wake     chan struct{}
	finished chan struct{}
	wg       sync.WaitGroup
	job      job

	mul mulTask  // reused by the matrix products
	act prepared // converted inputs of the matrix products
	glu gluTask
}

// job is the range being run. state packs a generation (so a late worker
// cannot claim a chunk of a later run), the chunk count and the next chunk.
type job struct {
	state atomic.Uint64 // gen<<40 | parts<<20 | next
	done  atomic.Int32
	t     Task
	n     int
	align int
}

const (
	chunksPerWorker = 4
	fieldBits       = 20
	fieldMask       = 1<<fieldBits - 1
)

// NewPool starts a pool with the given number of workers (at least 1), the
// caller's goroutine counted as one. It uses the fastest kernels the CPU
// supports (AVX2+FMA assembly on amd64, portable Go otherwise).
func NewPool(workers int) *Pool { return newPool(workers, native) }

// NewPortablePool is NewPool with the portable Go kernels, whatever the CPU.
// Tests use it to check the assembly against the reference code.
func NewPortablePool(workers int) *Pool { return newPool(workers, portable) }

// KernelSets names the kernel sets this CPU can run, slowest first:
// "portable", then "avx2", "avx512vnni" and "avx512bf16" where supported.
// NewPool uses
// the last one.
func KernelSets() []string {
	names := []string{portable.name}
	for _, k := range accelerated() {
		names = append(names, k.name)
	}
	return names
}

// NewPoolKernels is NewPool with the named kernel set (one of
// [KernelSets]), so that every set the CPU supports can be tested and
// compared on the same machine. A set the CPU cannot run is an
// [ErrKernels] error.
func NewPoolKernels(workers int, name string) (*Pool, error) {
	for _, k := range append([]*impl{portable}, accelerated()...) {
		if k.name == name {
			return newPool(workers, k), nil
		}
	}
	return nil, fmt.Errorf("kernels: %w: %q (this CPU runs %s)", ErrKernels, name, strings.Join(KernelSets(), ", "))
}

// ErrKernels is wrapped by NewPoolKernels for a kernel set that does not
// exist or that the CPU does not support.
var ErrKernels = errors.New("kernel set not available")

// Dot is [Dot] with the pool's kernel set.
func (p *Pool) Dot(a, b []float32) float32 { return p.kernels().dotF32(a, b[:len(a)]) }

// Axpy is [Axpy] with the pool's kernel set.
func (p *Pool) Axpy(y []float32, a float32, x []float32) { p.kernels().axpy(y, a, x) }

func newPool(workers int, k *impl) *Pool {
	workers = max(1, min(workers, 1024))
	p := &Pool{workers: workers, impl: k, wake: make(chan struct{}, workers), finished: make(chan struct{}, 1)}
	for i := 1; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for range p.wake {
				p.help()
				p.linger()
			}
		}()
	}
	return p
}

// Workers reports how many goroutines share the work, the caller's included.
func (p *Pool) Workers() int { return p.workers }

// Kernels names the kernel set in use: "portable", "avx2", "avx512vnni" or "avx512bf16".
func (p *Pool) Kernels() string { return p.kernels().name }

func (p *Pool) kernels() *impl {
	if p == nil {
		return native
	}
	return p.impl
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	close(p.wake)
	p.wg.Wait()
}

// Run splits [0,n) into contiguous chunks and calls t.Run on each, from the
// calling goroutine and the workers; it returns when all chunks are done.
// Chunk bounds are multiples of 4 when n is large (the products work on
// 4-row tiles). Run itself does not allocate.
func (p *Pool) Run(n int, t Task) {
	if p == nil || p.workers == 1 || n < 2 {
		t.Run(0, n)
		return
	}
	parts := min(n, p.workers*chunksPerWorker)
	j := &p.job
	j.t, j.n, j.align = t, n, 1
	if n >= 16*parts {
		j.align = 4
	}
	j.done.Store(0)
	gen := (j.state.Load()>>(2*fieldBits) + 1) & (1<<24 - 1)
	j.state.Store(gen<<(2*fieldBits) | uint64(parts)<<fieldBits) // publishes t, n, align
	for i := 1; i < p.workers; i++ {
		select {
		case p.wake <- struct{}{}:
		default: // that worker has a wake-up pending already
		}
	}
	p.help()
	<-p.finished
	j.t = nil
}

// lingerFor is how long a worker keeps polling for the next product before
// it blocks: a decode step runs products back to back, microseconds apart,
// and a blocked goroutine takes tens of microseconds to wake.
const lingerFor = 50 * time.Microsecond

// linger polls for new chunks for lingerFor after the last one it ran.
func (p *Pool) linger() {
	start := time.Now()
	for i := 1; ; i++ {
		s := p.job.state.Load()
		if int(s)&fieldMask < int(s>>fieldBits)&fieldMask {
			p.help()
			start = time.Now()
			continue
		}
		if i%64 == 0 {
			if time.Since(start) > lingerFor {
				return
			}
			runtime.Gosched()
		}
	}
}

// help claims and runs chunks of the current job until none is left.
func (p *Pool) help() {
	j := &p.job
	for {
		s := j.state.Load()
		parts := int(s>>fieldBits) & fieldMask
		next := int(s) & fieldMask
		if next >= parts {
			return
		}
		if !j.state.CompareAndSwap(s, s+1) {
			continue
		}
		// The claim succeeded for this generation, so t, n and align are
		// this job's, and they stay so until every chunk is done.
		j.t.Run(j.bound(next, parts), j.bound(next+1, parts))
		if int(j.done.Add(1)) == parts {
			p.finished <- struct{}{}
		}
	}
}

func (j *job) bound(i, parts int) int {
	if i >= parts {
		return j.n
	}
	return (j.n * i / parts) &^ (j.align - 1)
}

// For is Run for a function. A closure that captures variables is
// allocated by the caller; hot loops use Run with a reused Task.
func (p *Pool) For(n int, fn func(lo, hi int)) { p.Run(n, funcTask(fn)) }
