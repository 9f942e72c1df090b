package serve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
)

// ErrSchedulerStopped is returned to sequences still running when the
// scheduler stops.
var ErrSchedulerStopped = errors.New("serve: scheduler stopped")

// scheduler owns the Engine. Request goroutines run generate.Run on a
// seqModel whose Forward hands the work to the scheduler and waits: a
// one-token Forward joins the next batched decode step, a longer one is a
// prefill, fed in chunks between decode steps so that running streams keep
// flowing. A step starts when every sequence the previous step served has
// asked for its next token (or said it is done), or maxWait after that, so
// one slow client does not hold back the others.
type scheduler struct {
	eng          Engine
	ops          chan *op
	maxWait      time.Duration
	prefillChunk int
	stats        *metrics

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

type op struct {
	ctx    context.Context
	seq    *seqModel
	tokens []int // remaining tokens to feed; len 1 on a fed sequence = decode
	leave  bool  // the sequence is finished: do not wait for it
	reply  chan opResult
}

type opResult struct {
	logits []float32
	err    error
}

func newScheduler(eng Engine, stats *metrics) *scheduler {
	s := &scheduler{eng: eng, ops: make(chan *op, 1024), maxWait: 3 * time.Millisecond, prefillChunk: 48,
		stats: stats, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

// close stops the loop; ops still queued get ErrSchedulerStopped.
func (s *scheduler) close() {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
}

// loop is the only goroutine that calls the Engine. expected holds the
// sequences served by the last step: they are about to ask for their next
// token, so a step waits for them (at most maxWait, so a sequence whose
// client reads slowly, or that finished without saying so, does not hold
// back the others).
func (s *scheduler) loop() {
	defer close(s.done)
	var decodes, prefills []*op
	expected := map[*seqModel]bool{}
	asked := map[*seqModel]bool{}
	fail := func(ops []*op, err error) {
		for _, o := range ops {
			o.reply <- opResult{err: err}
		}
	}
	defer func() {
		fail(decodes, ErrSchedulerStopped)
		fail(prefills, ErrSchedulerStopped)
		for {
			select {
			case o := <-s.ops:
				if !o.leave {
					o.reply <- opResult{err: ErrSchedulerStopped}
				}
			default:
				return
			}
		}
	}()
	add := func(o *op) {
		switch {
		case o.leave:
			delete(expected, o.seq)
		case len(o.tokens) == 1 && o.seq.seq.Len() > 0:
			decodes = append(decodes, o)
			asked[o.seq] = true
		default:
			prefills = append(prefills, o)
			asked[o.seq] = true
		}
	}
	waiting := func() bool {
		for m := range expected {
			if !asked[m] {
				return true
			}
		}
		return false
	}
	for {
		if len(decodes) == 0 && len(prefills) == 0 {
			select {
			case o := <-s.ops:
				add(o)
				continue
			case <-s.stop:
				return
			}
		}
		if waiting() {
			deadline := time.NewTimer(s.maxWait)
		gather:
			for waiting() {
				select {
				case o := <-s.ops:
					add(o)
				case <-deadline.C:
					s.stats.gatherTimeouts.Add(1)
					break gather
				case <-s.stop:
					deadline.Stop()
					return
				}
			}
			deadline.Stop()
		}
	drain:
		for {
			select {
			case o := <-s.ops:
				add(o)
			default:
				break drain
			}
		}
		clear(expected)
		clear(asked)
		var served []*seqModel
		decodes, served = s.decodeStep(decodes, served)
		prefills, served = s.prefillStep(prefills, served)
		for _, m := range served {
			expected[m] = true
		}
		for _, o := range prefills { // still prefilling: not waited for
			asked[o.seq] = true
		}
	}
}

// decodeStep runs one batched decode over every op whose context is live.
func (s *scheduler) decodeStep(ops []*op, served []*seqModel) ([]*op, []*seqModel) {
	if len(ops) == 0 {
		return ops, served
	}
	live := ops[:0]
	for _, o := range ops {
		if err := o.ctx.Err(); err != nil {
			o.reply <- opResult{err: err}
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return ops[:0], served
	}
	seqs := make([]Sequence, len(live))
	toks := make([]int, len(live))
	for i, o := range live {
		seqs[i], toks[i] = o.seq.seq, o.tokens[0]
	}
	start := time.Now()
	logits, err := s.eng.DecodeBatch(context.Background(), seqs, toks)
	s.stats.observeStep(len(live), time.Since(start))
	for i, o := range live {
		if err != nil {
			o.reply <- opResult{err: fmt.Errorf("serve: decode step: %w", err)}
			continue
		}
		o.reply <- opResult{logits: o.seq.keep(logits[i])}
		served = append(served, o.seq)
	}
	return ops[:0], served
}

// prefillStep feeds the next chunk of the oldest prefill and answers it
// when its prompt is all in.
func (s *scheduler) prefillStep(ops []*op, served []*seqModel) ([]*op, []*seqModel) {
	for len(ops) > 0 {
		o := ops[0]
		if err := o.ctx.Err(); err != nil {
			o.reply <- opResult{err: err}
			ops = ops[1:]
			continue
		}
		n := min(len(o.tokens), s.prefillChunk)
		logits, err := s.eng.Prefill(o.ctx, o.seq.seq, o.tokens[:n])
		o.tokens = o.tokens[n:]
		switch {
		case err != nil:
			o.reply <- opResult{err: fmt.Errorf("serve: prefill: %w", err)}
		case len(o.tokens) == 0:
			o.reply <- opResult{logits: o.seq.keep(logits)}
			served = append(served, o.seq)
		default:
			return ops, served // more chunks next round
		}
		return ops[1:], served
	}
	return ops, served
}

// generate runs one generation on a new sequence of at most maxLen tokens.
func (s *scheduler) generate(ctx context.Context, dec generate.Decoder, prompt []int, maxLen int, p generate.Params, cb func(generate.Event) error) (*generate.Result, error) {
	seq, err := s.newSequence(maxLen)
	if err != nil {
		return nil, err
	}
	defer seq.leave()
	return generate.Run(ctx, seq, dec, prompt, p, cb)
}

// newSequence allocates a sequence. Allocation happens on the caller's
// goroutine: it only reserves memory and does not touch the weights.
func (s *scheduler) newSequence(maxLen int) (*seqModel, error) {
	seq, err := s.eng.NewSequence(maxLen)
	if err != nil {
		return nil, fmt.Errorf("serve: allocating a sequence of %d tokens: %w", maxLen, err)
	}
	return &seqModel{s: s, seq: seq, maxLen: maxLen, reply: make(chan opResult, 1)}, nil
}

// seqModel is a generate.Model whose forward passes run on the scheduler.
type seqModel struct {
	s      *scheduler
	seq    Sequence
	maxLen int
	reply  chan opResult
	buf    []float32 // private copy of the last logits
}

func (m *seqModel) keep(l []float32) []float32 {
	if cap(m.buf) < len(l) {
		m.buf = make([]float32, len(l))
	}
	m.buf = m.buf[:len(l)]
	copy(m.buf, l)
	return m.buf
}

func (m *seqModel) Forward(ctx context.Context, tokens []int) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := &op{ctx: ctx, seq: m, tokens: tokens, reply: m.reply}
	select {
	case m.s.ops <- o:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-m.s.stop:
		return nil, ErrSchedulerStopped
	}
	// The scheduler always answers an op it took, so wait for the reply
	// even when ctx ends: the reply channel is reused by the next call.
	var r opResult
	select {
	case r = <-m.reply:
	case <-m.s.done:
		return nil, ErrSchedulerStopped
	}
	if r.err != nil {
		return nil, r.err
	}
	return r.logits, nil
}

// leave tells the scheduler not to wait for this sequence any more.
func (m *seqModel) leave() {
	select {
	case m.s.ops <- &op{seq: m, leave: true}:
	case <-m.s.stop:
	}
}

func (m *seqModel) Len() int         { return m.seq.Len() }
func (m *seqModel) ContextSize() int { return m.maxLen }
