package generate

import (
	"math"
	"math/rand/v2"
)

// TokenLogprob is the log-probability of one generated token and, when
// asked for, of the most likely alternatives at that step. Log-probabilities
// are taken after logit bias and penalties, before temperature, top-k and
// top-p (as vLLM reports them).
type TokenLogprob struct {
	ID      int
	Logprob float32
	Top     []TopLogprob // most likely first; nil unless TopLogprobs > 0
}

// TopLogprob is one alternative at a step.
type TopLogprob struct {
	ID      int
	Logprob float32
}

// A Sampler picks the next token from logits according to Params. It keeps
// the state penalties need (tokens seen so far) and scratch buffers sized to
// the vocabulary, so sampling a token does not allocate (except the
// TopLogprobs slice when alternatives are requested). A Sampler is not safe
// for concurrent use.
type Sampler struct {
	p   Params
	rng *rand.Rand

	work  []float32 // processed logits
	probs []float32
	sel   []float32
	idx   []int

	counts  []int32 // occurrences of each id among generated tokens
	genIDs  []int   // distinct generated ids
	inCtx   []bool  // id appears in prompt or generated tokens
	ctxIDs  []int   // distinct ids in prompt and generated tokens
	pending []int   // prompt ids seen before the vocabulary size was known
}

// NewSampler returns a sampler for p. With p.Seed nil it draws a random seed.
func NewSampler(p Params) *Sampler {
	seed := rand.Uint64()
	if p.Seed != nil {
		seed = *p.Seed
	}
	return &Sampler{p: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (s *Sampler) ensure(vocab int) {
	if len(s.work) == vocab {
		return
	}
	s.work = make([]float32, vocab)
	s.probs = make([]float32, vocab)
	s.sel = make([]float32, vocab)
	s.idx = make([]int, vocab)
	s.counts = make([]int32, vocab)
	s.inCtx = make([]bool, vocab)
	s.genIDs = s.genIDs[:0]
	s.ctxIDs = s.ctxIDs[:0]
	pend := s.pending
	s.pending = nil
	for _, id := range pend {
		s.markContext(id)
	}
}

// ObservePrompt records prompt tokens for the repetition penalty.
func (s *Sampler) ObservePrompt(ids []int) {
	if s.p.RepetitionPenalty == 0 || s.p.RepetitionPenalty == 1 {
		return
	}
	if s.inCtx == nil {
		s.pending = append(s.pending, ids...)
		return
	}
	for _, id := range ids {
		s.markContext(id)
	}
}

func (s *Sampler) markContext(id int) {
	if id >= 0 && id < len(s.inCtx) && !s.inCtx[id] {
		s.inCtx[id] = true
		s.ctxIDs = append(s.ctxIDs, id)
	}
}

// Accept records a generated token for the penalties.
func (s *Sampler) Accept(id int) {
	if id < 0 || id >= len(s.counts) {
		return
	}
	if s.counts[id] == 0 {
		s.genIDs = append(s.genIDs, id)
	}
	s.counts[id]++
	if s.p.RepetitionPenalty != 0 && s.p.RepetitionPenalty != 1 {
		s.markContext(id)
	}
}

// Sample picks the next token from logits (which it does not modify). When
// Params.Logprobs is set it also returns the token's log-probability.
func (s *Sampler) Sample(logits []float32) (int, *TokenLogprob) {
	s.ensure(len(logits))
	w := s.work
	copy(w, logits)
	ApplyLogitBias(w, s.p.LogitBias)
	ApplyRepetitionPenalty(w, s.ctxIDs, s.p.RepetitionPenalty)
	ApplyPenalties(w, s.genIDs, s.counts, s.p.PresencePenalty, s.p.FrequencyPenalty)

	id := s.choose(w)
	if !s.p.Logprobs {
		return id, nil
	}
	return id, s.logprob(w, id)
}

func (s *Sampler) choose(w []float32) int {
	if s.p.Temperature == 0 || s.p.TopK == 1 {
		return Argmax(w)
	}
	idx := s.idx
	for i := range idx {
		idx[i] = i
	}
	cand := idx
	if s.p.TopK > 0 && s.p.TopK < len(w) {
		// Top-k first, then top-p over the renormalised top-k distribution,
		// as Hugging Face's warpers do.
		cand = SelectTopK(w, idx, s.p.TopK)
	}
	probs := s.probs[:len(cand)]
	SoftmaxAt(probs, w, cand, s.p.Temperature)
	if s.p.TopP > 0 && s.p.TopP < 1 {
		if len(cand) == len(w) {
			// Tokens below (1-p)/(n-1) can never be in the nucleus
			// (llama2.c's observation): keep only the others.
			cut := float32((1 - s.p.TopP) / float64(len(cand)-1))
			n := 0
			for i, id := range cand {
				if probs[i] >= cut {
					cand[n] = id
					n++
				}
			}
			if n == 0 {
				return Argmax(w)
			}
			// probs is indexed by id (cand was the identity before the
			// filter). Sort only as many of the best candidates as the
			// nucleus needs: 64, then twice as many until they reach p.
			cand = cand[:n]
			m := min(64, n)
			for {
				top := SelectTopK(w, cand, m)
				var cum float64
				for _, id := range top {
					cum += float64(probs[id])
				}
				if cum >= s.p.TopP || m == n {
					cand = top
					break
				}
				m = min(2*m, n)
			}
			sel := s.sel[:len(cand)]
			for i, id := range cand {
				sel[i] = probs[id]
			}
			probs = sel
		}
		k := TopPCut(probs, s.p.TopP)
		cand, probs = cand[:k], probs[:k]
	}
	return cand[SampleIndex(probs, s.rng.Float64())]
}

func (s *Sampler) logprob(w []float32, id int) *TokenLogprob {
	lse := LogSumExp(w)
	tl := &TokenLogprob{ID: id, Logprob: float32(float64(w[id]) - lse)}
	if n := s.p.TopLogprobs; n > 0 {
		if n > len(w) {
			n = len(w)
		}
		idx := s.idx
		for i := range idx {
			idx[i] = i
		}
		top := SelectTopK(w, idx, n)
		tl.Top = make([]TopLogprob, n)
		for i, t := range top {
			tl.Top[i] = TopLogprob{ID: t, Logprob: float32(float64(w[t]) - lse)}
		}
	}
	if math.IsNaN(float64(tl.Logprob)) {
		tl.Logprob = float32(math.Inf(-1))
	}
	return tl
}
