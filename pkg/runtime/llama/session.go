package llama

import (
	"context"
	"errors"
	"fmt"
)

// ErrContextFull is wrapped by the error Forward returns when the tokens do
// not fit in the session's remaining context.
var ErrContextFull = errors.New("context window is full")

// prefillChunk is the number of prompt tokens run through the layers
// together: each weight row is read once per chunk.
const prefillChunk = 96

// Session is one sequence being decoded: its KV cache and position. A
// session is used by one goroutine at a time.
type Session struct {
	m      *Model
	maxLen int
	n      int
	// k and v are [layer][kv_head][position][head_dim].
	k, v   []float32
	logits []float32
	rows   []row // scratch for Forward: one entry per chunk row
}

// NewSession returns a session with room for maxLen tokens (clamped to
// [1, max_position_embeddings]); its KV cache is allocated now.
func (m *Model) NewSession(maxLen int) *Session {
	c := m.cfg
	maxLen = max(1, min(maxLen, c.MaxPositionEmbeddings))
	size := c.NumHiddenLayers * c.NumKeyValueHeads * maxLen * c.HeadDim
	s := &Session{
		m: m, maxLen: maxLen,
		k: make([]float32, size), v: make([]float32, size),
		logits: make([]float32, c.VocabSize),
		rows:   make([]row, min(prefillChunk, maxLen)),
	}
	m.mu.Lock()
	m.growRope(maxLen)
	m.sc.grow(c, min(prefillChunk, maxLen), maxLen)
	m.mu.Unlock()
	return s
}

// Len returns the number of tokens in the session's cache.
func (s *Session) Len() int { return s.n }

// ContextSize returns the most tokens the session can hold.
func (s *Session) ContextSize() int { return s.maxLen }

// Truncate forgets every token from position n on (n is clamped to
// [0, Len()]), so decoding can resume from an earlier point, for example to
// reuse a shared prompt prefix.
func (s *Session) Truncate(n int) { s.n = max(0, min(n, s.n)) }

// Forward appends tokens at positions Len()... and returns the logits of the
// last one (len vocab_size), valid until the next call on this session.
// Several tokens (a prompt) are processed in batches that read each weight
// once. A single-token call does not allocate. When ctx is cancelled during
// a long prompt, the batches already processed stay in the cache (Len
// counts them; Truncate drops them).
func (s *Session) Forward(ctx context.Context, tokens []int) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, errors.New("llama: Forward needs at least one token")
	}
	if s.n+len(tokens) > s.maxLen {
		return nil, fmt.Errorf("llama: %w: %d tokens in the cache + %d new > context size %d", ErrContextFull, s.n, len(tokens), s.maxLen)
	}
	if err := s.m.checkTokens(tokens); err != nil {
		return nil, err
	}
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pool == nil {
		return nil, errors.New("llama: model is closed")
	}
	for len(tokens) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("llama: forward interrupted at position %d: %w", s.n, err)
		}
		b := min(len(tokens), len(s.rows))
		rows := s.rows[:b]
		for i := range rows {
			rows[i] = row{s: s, pos: s.n + i, token: tokens[i]}
		}
		last := b == len(tokens)
		m.forward(rows, last)
		s.n += b
		tokens = tokens[b:]
	}
	return s.logits, nil
}

// ForwardBatch advances each session by one token (tokens[i] for
// sessions[i]) with one pass over the weights, and returns each session's
// logits (the slices Forward would return; the outer slice is reused by the
// next ForwardBatch). Sessions must be distinct and belong to m.
func (m *Model) ForwardBatch(ctx context.Context, sessions []*Session, tokens []int) ([][]float32, error) {
	if len(sessions) != len(tokens) {
		return nil, fmt.Errorf("llama: ForwardBatch got %d sessions and %d tokens", len(sessions), len(tokens))
	}
	if len(sessions) == 0 {
		return nil, nil
	}
	if err := m.checkTokens(tokens); err != nil {
		return nil, err
	}
	for i, s := range sessions {
		if s.m != m {
			return nil, fmt.Errorf("llama: ForwardBatch: session %d belongs to another model", i)
		}
		if s.n+1 > s.maxLen {
			return nil, fmt.Errorf("llama: session %d: %w: %d tokens in a context of %d", i, ErrContextFull, s.n, s.maxLen)
		}
		for j := range i {
			if sessions[j] == s {
				return nil, fmt.Errorf("llama: ForwardBatch: session %d is also session %d", i, j)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("llama: forward interrupted: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pool == nil {
		return nil, errors.New("llama: model is closed")
	}
	ctxMax := 0
	for _, s := range sessions {
		ctxMax = max(ctxMax, s.maxLen)
	}
	m.sc.grow(m.cfg, len(sessions), ctxMax)
	if cap(m.sc.batch) < len(sessions) {
		m.sc.batch = make([]row, len(sessions))
	}
	rows := m.sc.batch[:len(sessions)]
	for i, s := range sessions {
		rows[i] = row{s: s, pos: s.n, token: tokens[i]}
	}
	m.forward(rows, true)
	out := m.sc.outs[:0]
	for _, s := range sessions {
		s.n++
		out = append(out, s.logits)
	}
	m.sc.outs = out
	return out, nil
}

func (m *Model) checkTokens(tokens []int) error {
	for i, t := range tokens {
		if t < 0 || t >= m.cfg.VocabSize {
			return fmt.Errorf("llama: token %d at index %d is outside the vocabulary [0, %d)", t, i, m.cfg.VocabSize)
		}
	}
	return nil
}

func (m *Model) growRope(n int) {
	if m.rope == nil || m.rope.n < n {
		m.rope = newRopeTable(m.freq, n)
	}
}
