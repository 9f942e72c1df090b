package generate

import (
	"context"
	"math"
	"math/rand/v2"
)

// scripted is a fake Model whose logits at each position favour the next id
// of a script (logit 10) over a fixed random background in [0, 1). Position
// = number of tokens fed so far, so prompt length shifts the script.
type scripted struct {
	vocab, ctxSize int
	script         []int // script[i] is favoured after i generated tokens
	n, promptLen   int
	logits         []float32
	flat           bool // no favourite: background only (for sampling tests)
}

func newScripted(vocab, ctxSize int, script ...int) *scripted {
	return &scripted{vocab: vocab, ctxSize: ctxSize, script: script, logits: make([]float32, vocab)}
}

func (m *scripted) Forward(ctx context.Context, tokens []int) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.n == 0 {
		m.promptLen = len(tokens)
	}
	m.n += len(tokens)
	step := m.n - m.promptLen
	r := rand.New(rand.NewPCG(uint64(step), 7))
	for i := range m.logits {
		m.logits[i] = r.Float32()
	}
	if !m.flat && step < len(m.script) {
		m.logits[m.script[step]] = 10
	}
	return m.logits, nil
}

func (m *scripted) Len() int         { return m.n }
func (m *scripted) ContextSize() int { return m.ctxSize }

// pieces is a fake Decoder: token id i decodes to words[i].
type pieces struct{ words []string }

func (d *pieces) Next(id int) string {
	if id < len(d.words) {
		return d.words[id]
	}
	return "?"
}
func (d *pieces) Flush() string { return "" }

func almostEqual(a, b float64) bool { return math.Abs(a-b) < 1e-5 }
