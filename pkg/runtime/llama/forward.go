package llama

import (
	"math"

	"github.com/mlpack-go/mlpack/pkg/runtime/kernels"
)

// row is one token being run through the layers: which session it belongs
// to and at which position.
type row struct {
	s     *Session
	pos   int
	token int
}

// scratch holds the activations of up to rows tokens; it grows on demand and
// is shared by every forward pass of a model (they are serialised).
type scratch struct {
	rows, ctx  int
	x, xb, tmp []float32 // rows × hidden
	q, att     []float32 // rows × heads·head_dim
	k, v       []float32 // rows × kv_heads·head_dim
	h, u       []float32 // rows × intermediate
	scores     []float32 // heads × ctx
	block      []float32 // heads × attnBlock × width: prompt-path scores
	tr         []float32 // kv_heads × head_dim × width: transposed keys or values
	logits     []float32 // rows × vocab
	batch      []row
	outs       [][]float32
	qkvOut     [][]float32
	attn       attnTask
}

func (sc *scratch) grow(c *Config, rows, ctx int) {
	if rows <= sc.rows && ctx <= sc.ctx {
		return
	}
	rows, ctx = max(rows, sc.rows), max(ctx, sc.ctx)
	qd, kd := c.NumAttentionHeads*c.HeadDim, c.NumKeyValueHeads*c.HeadDim
	*sc = scratch{
		rows: rows, ctx: ctx, batch: sc.batch, outs: sc.outs,
		x: make([]float32, rows*c.HiddenSize), xb: make([]float32, rows*c.HiddenSize), tmp: make([]float32, rows*c.HiddenSize),
		q: make([]float32, rows*qd), att: make([]float32, rows*qd),
		k: make([]float32, rows*kd), v: make([]float32, rows*kd),
		h: make([]float32, rows*c.IntermediateSize), u: make([]float32, rows*c.IntermediateSize),
		scores: make([]float32, c.NumAttentionHeads*ctx),
		logits: make([]float32, rows*c.VocabSize),
		qkvOut: make([][]float32, 3),
	}
}

// forward runs rows through the model, writes their K/V into their
// sessions' caches and, when logits is set, the logits of the last row of
// each session into that session's logits buffer. Callers hold m.mu.
func (m *Model) forward(rows []row, logits bool) {
	c, sc, p := m.cfg, &m.sc, m.pool
	n := len(rows)
	hd := c.HiddenSize
	qd, kd := c.NumAttentionHeads*c.HeadDim, c.NumKeyValueHeads*c.HeadDim
	eps := float32(c.RMSNormEps)
	x := sc.x[:n*hd]
	for i, r := range rows {
		m.embed.Row(x[i*hd:(i+1)*hd], r.token)
	}
	for li := range m.layers {
		l := &m.layers[li]
		for i := range n {
			kernels.RMSNorm(sc.xb[i*hd:(i+1)*hd], x[i*hd:(i+1)*hd], l.attnNorm, eps)
		}
		sc.qkvOut[0], sc.qkvOut[1], sc.qkvOut[2] = sc.q[:n*qd], sc.k[:n*kd], sc.v[:n*kd]
		kernels.MatMulShared(p, sc.xb[:n*hd], n, l.qkv, sc.qkvOut)
		for i, r := range rows {
			q, k, v := sc.q[i*qd:(i+1)*qd], sc.k[i*kd:(i+1)*kd], sc.v[i*kd:(i+1)*kd]
			addBias(q, l.qkvBias[0])
			addBias(k, l.qkvBias[1])
			addBias(v, l.qkvBias[2])
			m.rope.rotate(q, c.NumAttentionHeads, r.pos)
			m.rope.rotate(k, c.NumKeyValueHeads, r.pos)
			r.s.store(li, r.pos, k, v)
		}
		m.attention(li, rows)
		kernels.MatMul(p, l.o, sc.tmp[:n*hd], sc.att[:n*qd], n)
		for i := range n {
			addBias(sc.tmp[i*hd:(i+1)*hd], l.oBias)
		}
		kernels.Add(x, sc.tmp[:n*hd])
		for i := range n {
			kernels.RMSNorm(sc.xb[i*hd:(i+1)*hd], x[i*hd:(i+1)*hd], l.mlpNorm, eps)
		}
		inter := c.IntermediateSize
		kernels.SwiGLU(p, l.gate, l.up, sc.h[:n*inter], sc.u[:n*inter], sc.xb[:n*hd], n)
		kernels.MatMul(p, l.down, sc.tmp[:n*hd], sc.h[:n*inter], n)
		kernels.Add(x, sc.tmp[:n*hd])
	}
	if !logits {
		return
	}
	// Logits for the last row of each session: every row of a batch, the
	// final row of a prompt chunk.
	out := 0
	for i, r := range rows {
		if i+1 < n && rows[i+1].s == r.s {
			continue
		}
		kernels.RMSNorm(sc.xb[out*hd:(out+1)*hd], x[i*hd:(i+1)*hd], m.norm, eps)
		out++
	}
	V := c.VocabSize
	kernels.MatMul(p, m.head, sc.logits[:out*V], sc.xb[:out*hd], out)
	out = 0
	for i, r := range rows {
		if i+1 < n && rows[i+1].s == r.s {
			continue
		}
		copy(r.s.logits, sc.logits[out*V:(out+1)*V])
		out++
	}
}

func addBias(x, b []float32) {
	if b != nil {
		kernels.Add(x, b)
	}
}

// store writes one position's keys and values into the cache.
func (s *Session) store(layer, pos int, k, v []float32) {
	c := s.m.cfg
	hd := c.HeadDim
	for h := 0; h < c.NumKeyValueHeads; h++ {
		off := s.cacheOffset(layer, h) + pos*hd
		copy(s.k[off:off+hd], k[h*hd:(h+1)*hd])
		copy(s.v[off:off+hd], v[h*hd:(h+1)*hd])
	}
}

// cacheOffset is where head h of layer starts in k and v.
func (s *Session) cacheOffset(layer, h int) int {
	c := s.m.cfg
	return (layer*c.NumKeyValueHeads + h) * s.maxLen * c.HeadDim
}

// attnTask computes causal attention for every row, split by query head.
type attnTask struct {
	m     *Model
	layer int
	rows  []row
	// block is set when the rows are consecutive positions of one session
	// (a prompt chunk): queries are then scored attnBlock at a time.
	block bool
	// outer is set for blocks when the kernels have MulNN's outer-product
	// tiles and head_dim is a multiple of 64: the keys are transposed into
	// sc.tr and scores and outputs are MulNN tiles. Otherwise the values
	// are transposed and both products are MulT.
	outer bool
	width int // row length of sc.tr and of a block's scores
}

// attnBlock is the number of a prompt chunk's queries scored together
// against the keys: one MulT over a block reads each key once per block
// instead of once per query.
const attnBlock = 12

func (m *Model) attention(layer int, rows []row) {
	t := &m.sc.attn
	t.m, t.layer, t.rows = m, layer, rows
	t.block = len(rows) >= 4 && consecutive(rows)
	if t.block {
		t.outer = m.pool.HasMulNN() && m.cfg.HeadDim%64 == 0
		m.transposeCache(layer, rows, t)
	}
	work := 0
	for _, r := range rows {
		work += r.pos + 1
	}
	if work*m.cfg.NumAttentionHeads*m.cfg.HeadDim < 1<<14 {
		t.Run(0, m.cfg.NumAttentionHeads)
	} else {
		m.pool.Run(m.cfg.NumAttentionHeads, t)
	}
	t.rows = nil
}

// consecutive reports whether rows are positions p, p+1, ... of one session.
func consecutive(rows []row) bool {
	for i := 1; i < len(rows); i++ {
		if rows[i].s != rows[0].s || rows[i].pos != rows[0].pos+i {
			return false
		}
	}
	return true
}

// keyRange is the first cached position a query at pos attends to (the
// sliding window's start, or 0) and one past the last.
func (m *Model) keyRange(pos int) (int, int) {
	if w := m.cfg.SlidingWindow; w > 0 {
		return max(0, pos-w+1), pos + 1
	}
	return 0, pos + 1
}

// transposeCache copies the keys (t.outer) or values the block's queries
// attend to into sc.tr as head_dim rows of t.width positions each, so that
// scores (keys) or outputs (values) are products of untransposed operands.
// It also sizes the block scores. With keys, the width has 64 positions to
// spare so that a block's last 64-key tile stays inside.
func (m *Model) transposeCache(layer int, rows []row, t *attnTask) {
	c, sc := m.cfg, &m.sc
	hd, s := c.HeadDim, rows[0].s
	lo, _ := m.keyRange(rows[0].pos)
	_, L := m.keyRange(rows[len(rows)-1].pos)
	src, W := s.v, L
	if t.outer {
		src, W = s.k, L+64
	}
	t.width = W
	sc.tr = grow(sc.tr, c.NumKeyValueHeads*hd*W)
	sc.block = grow(sc.block, c.NumAttentionHeads*attnBlock*W)
	for h := 0; h < c.NumKeyValueHeads; h++ {
		from := src[s.cacheOffset(layer, h):]
		to := sc.tr[h*hd*W : (h+1)*hd*W]
		for j := lo; j < L; j++ {
			for d, x := range from[j*hd : (j+1)*hd] {
				to[d*W+j] = x
			}
		}
	}
}

// grow returns s with at least n elements, reallocated when too small.
func grow(s []float32, n int) []float32 {
	if len(s) < n {
		return make([]float32, n)
	}
	return s
}

func (t *attnTask) Run(lo, hi int) {
	if t.block {
		t.runBlocks(lo, hi)
		return
	}
	m := t.m
	c, sc := m.cfg, &m.sc
	hd := c.HeadDim
	qd := c.NumAttentionHeads * hd
	group := c.NumAttentionHeads / c.NumKeyValueHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	for h := lo; h < hi; h++ {
		scores := sc.scores[h*sc.ctx : (h+1)*sc.ctx]
		for i, r := range t.rows {
			s := r.s
			q := sc.q[i*qd+h*hd : i*qd+(h+1)*hd]
			out := sc.att[i*qd+h*hd : i*qd+(h+1)*hd]
			base := s.cacheOffset(t.layer, h/group)
			start := 0
			if c.SlidingWindow > 0 {
				start = max(0, r.pos-c.SlidingWindow+1)
			}
			sc := scores[start : r.pos+1]
			keys := s.k[base+start*hd : base+(r.pos+1)*hd]
			for j := range sc {
				sc[j] = m.pool.Dot(q, keys[j*hd:(j+1)*hd]) * scale
			}
			m.pool.Softmax(sc)
			clear(out)
			vals := s.v[base+start*hd : base+(r.pos+1)*hd]
			for j, w := range sc {
				m.pool.Axpy(out, w, vals[j*hd:(j+1)*hd])
			}
		}
	}
}

// runBlocks is Run for a prompt chunk: per query head, attnBlock queries at
// a time are scored against the keys they can see in one product, each row
// is scaled, masked and soft-maxed, and the probabilities times the values
// give the outputs in a second product (see attnTask.outer for which).
func (t *attnTask) runBlocks(lo, hi int) {
	m := t.m
	c, sc, p := m.cfg, &m.sc, m.pool
	hd, W := c.HeadDim, t.width
	qd := c.NumAttentionHeads * hd
	group := c.NumAttentionHeads / c.NumKeyValueHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	s := t.rows[0].s
	for h := lo; h < hi; h++ {
		kv := s.cacheOffset(t.layer, h/group)
		keys, vals := s.k[kv:], s.v[kv:]
		tr := sc.tr[(h/group)*hd*W : (h/group+1)*hd*W]
		buf := sc.block[h*attnBlock*W : (h+1)*attnBlock*W]
		for i0 := 0; i0 < len(t.rows); i0 += attnBlock {
			i1 := min(i0+attnBlock, len(t.rows))
			nr := i1 - i0
			kmin, _ := m.keyRange(t.rows[i0].pos)
			_, kend := m.keyRange(t.rows[i1-1].pos)
			nk := kend - kmin
			q, out := sc.q[i0*qd+h*hd:], sc.att[i0*qd+h*hd:]
			tiled := t.outer && nr%6 == 0
			ld := nk
			if tiled {
				ld = (nk + 63) &^ 63
				p.MulNN(buf, ld, q, qd, nr, tr[kmin:], W, hd, ld)
			} else {
				p.MulT(buf, ld, keys[kmin*hd:], hd, nk, q, qd, nr, hd)
			}
			for r := range nr {
				start, end := m.keyRange(t.rows[i0+r].pos)
				pr := buf[r*ld : r*ld+nk]
				seen := pr[start-kmin : end-kmin]
				for j := range seen {
					seen[j] *= scale
				}
				p.Softmax(seen)
				clear(pr[:start-kmin])
				clear(pr[end-kmin:])
			}
			switch {
			case tiled:
				p.MulNN(out, qd, buf, ld, nr, vals[kmin*hd:], hd, nk, hd)
			case t.outer: // fewer than 6 queries left; the values are untransposed
				for r := range nr {
					o := out[r*qd : r*qd+hd]
					clear(o)
					for j, w := range buf[r*ld : r*ld+nk] {
						p.Axpy(o, w, vals[(kmin+j)*hd:(kmin+j+1)*hd])
					}
				}
			default:
				p.MulT(out, qd, tr[kmin:], W, hd, buf, ld, nr, nk)
			}
		}
	}
}
