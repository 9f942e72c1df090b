package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/kernels"
	"github.com/mlpack-go/mlpack/pkg/runtime/llama"
)

type result struct {
	Format            string             `json:"format"`
	Kernels           string             `json:"kernels"`
	LoadSeconds       float64            `json:"load_s"`
	QuantizeSeconds   float64            `json:"quantize_s"`
	FirstTokenSeconds float64            `json:"first_token_s"`
	PromptTokS        map[string]float64 `json:"prompt_tok_s"`
	DecodeTokS        float64            `json:"decode_tok_s"`
	DecodeCPUPerTok   float64            `json:"decode_cpu_s_per_token"`
	Batch4TokS        float64            `json:"batch4_tok_s"`
	WeightBytes       int64              `json:"weight_bytes"`
	PeakRSS           int64              `json:"peak_rss_bytes"`
	// PairedBW and PairedTokS are a bandwidth measurement and a decode run
	// made back to back (the pair with the best ratio of -repeat pairs):
	// on a shared machine the bandwidth available changes from minute to
	// minute, so the share of the ceiling is computed within one window.
	PairedBW   float64 `json:"paired_bandwidth"`
	PairedTokS float64 `json:"paired_decode_tok_s"`
}

func measure(format, dir, kernelSet string, threads int, prompts []int, decode, repeat int) (*result, error) {
	opts := llama.Options{Threads: threads, Kernels: kernelSet}
	if format == "int8" {
		opts.Quantize = "int8"
	}
	start := time.Now()
	m, err := llama.Load(dir, opts)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	st := m.Stats()
	r := &result{Format: st.Format, Kernels: st.Kernels, LoadSeconds: time.Since(start).Seconds(),
		QuantizeSeconds: st.Quantize.Seconds(), WeightBytes: st.WeightBytes, PromptTokS: map[string]float64{}}
	maxP := 0
	for _, p := range prompts {
		maxP = max(maxP, p)
	}
	ctx := context.Background()
	s := m.NewSession(max(maxP, 16+decode) + 1)
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := m.Config().VocabSize
	// The first token touches every weight page once (the mapping is lazy).
	start = time.Now()
	if _, err := s.Forward(ctx, []int{1}); err != nil {
		return nil, err
	}
	r.FirstTokenSeconds = time.Since(start).Seconds()
	for _, p := range prompts {
		toks := make([]int, p)
		for i := range toks {
			toks[i] = 3 + rng.IntN(vocab-3)
		}
		for range repeat {
			s.Truncate(0)
			start = time.Now()
			if _, err := s.Forward(ctx, toks); err != nil {
				return nil, err
			}
			r.PromptTokS[strconv.Itoa(p)] = max(r.PromptTokS[strconv.Itoa(p)], float64(p)/time.Since(start).Seconds())
		}
	}
	prompt := make([]int, 16)
	for i := range prompt {
		prompt[i] = 3 + rng.IntN(vocab-3)
	}
	for range repeat {
		s.Truncate(0)
		logits, err := s.Forward(ctx, prompt)
		if err != nil {
			return nil, err
		}
		next := []int{0}
		cpu0 := cpuSeconds()
		start = time.Now()
		for range decode {
			next[0] = argmax(logits)
			if logits, err = s.Forward(ctx, next); err != nil {
				return nil, err
			}
		}
		if tps := float64(decode) / time.Since(start).Seconds(); tps > r.DecodeTokS {
			r.DecodeTokS = tps
			r.DecodeCPUPerTok = (cpuSeconds() - cpu0) / float64(decode)
		}
	}

	// Four streams advanced together by ForwardBatch (the server's
	// continuous batching): aggregate tokens per second.
	const streams = 4
	var ss []*llama.Session
	for range streams {
		st := m.NewSession(16 + decode + 1)
		ss = append(ss, st)
	}
	toks := make([]int, streams)
	for range repeat {
		for _, st := range ss {
			st.Truncate(0)
			if _, err := st.Forward(ctx, prompt); err != nil {
				return nil, err
			}
		}
		start = time.Now()
		for range decode {
			if _, err := m.ForwardBatch(ctx, ss, toks); err != nil {
				return nil, err
			}
		}
		r.Batch4TokS = max(r.Batch4TokS, float64(streams*decode)/time.Since(start).Seconds())
	}
	r.PeakRSS = peakRSS()

	// After peak RSS is taken: bandwidth and decode measured back to back.
	probe := newBWProbe(512 << 20)
	best := 0.0
	for range repeat {
		bw := probe.measure(threads, 3)
		s.Truncate(0)
		logits, err := s.Forward(ctx, prompt)
		if err != nil {
			return nil, err
		}
		next := []int{0}
		start = time.Now()
		for range decode {
			next[0] = argmax(logits)
			if logits, err = s.Forward(ctx, next); err != nil {
				return nil, err
			}
		}
		tps := float64(decode) / time.Since(start).Seconds()
		if ratio := tps * float64(r.WeightBytes) / bw; ratio > best {
			best, r.PairedBW, r.PairedTokS = ratio, bw, tps
		}
		// The paired runs are decode runs too: the column reports the best.
		r.DecodeTokS = max(r.DecodeTokS, tps)
	}
	return r, nil
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

// peakRSS reads VmHWM from /proc/self/status (0 where unavailable).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// bwProbe measures read bandwidth over a large array split across g
// goroutines, each summing its part through the same dot kernel the matvec
// uses against a small vector that stays in L1.
type bwProbe struct{ data, ones []float32 }

func newBWProbe(bytes int) *bwProbe {
	p := &bwProbe{data: make([]float32, bytes/4), ones: make([]float32, 8192)}
	for i := range p.data {
		p.data[i] = 1
	}
	for i := range p.ones {
		p.ones[i] = 1
	}
	return p
}

// measure returns the best of passes full reads, in bytes per second.
func (p *bwProbe) measure(g, passes int) float64 {
	n := len(p.data)
	best := 0.0
	sink := make([]float32, g)
	for range passes {
		var wg sync.WaitGroup
		start := time.Now()
		for w := range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				part := p.data[n*w/g : n*(w+1)/g]
				var s float32
				for len(part) >= len(p.ones) {
					s += kernels.Dot(part[:len(p.ones)], p.ones)
					part = part[len(p.ones):]
				}
				sink[w] = s
			}()
		}
		wg.Wait()
		best = max(best, float64(n*4)/time.Since(start).Seconds())
	}
	if sink[0] == 0 {
		fmt.Fprintln(os.Stderr, "bandwidth: unexpected zero sum")
	}
	return best
}

// bandwidth is the best of 10 reads of 1 GiB.
func bandwidth(g int) float64 { return newBWProbe(1<<30).measure(g, 10) }

// cpuSeconds is the CPU time (user + system) used by the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
