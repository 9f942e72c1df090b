package serve

import (
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the server's counters, written in Prometheus text format by
// hand (no client library needed for a dozen series).
type metrics struct {
	running, queued         atomic.Int64
	promptTokens, genTokens atomic.Int64
	rejected, cancelled     atomic.Int64
	decodeSteps, decodeSeqs atomic.Int64
	decodeNanos             atomic.Int64
	gatherTimeouts          atomic.Int64
	maxBatch                atomic.Int64
	mu                      sync.Mutex
	requests                map[string]int64 // "route code" → count
	ttft                    histogram
	tps                     histogram
	started                 time.Time
}

var ttftBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
var tpsBuckets = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500}

type histogram struct {
	bounds []float64
	counts []int64
	sum    float64
	n      int64
}

func newHistogram(b []float64) histogram {
	return histogram{bounds: b, counts: make([]int64, len(b))}
}

func (h *histogram) observe(v float64) {
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.n++
}

func newMetrics() *metrics {
	return &metrics{requests: map[string]int64{}, ttft: newHistogram(ttftBuckets), tps: newHistogram(tpsBuckets), started: time.Now()}
}

func (m *metrics) observeStep(batch int, d time.Duration) {
	m.decodeSteps.Add(1)
	m.decodeSeqs.Add(int64(batch))
	m.decodeNanos.Add(int64(d))
	for {
		cur := m.maxBatch.Load()
		if int64(batch) <= cur || m.maxBatch.CompareAndSwap(cur, int64(batch)) {
			return
		}
	}
}

func (m *metrics) observeRequest(route string, code int) {
	m.mu.Lock()
	m.requests[fmt.Sprintf("%s\x00%d", route, code)]++
	m.mu.Unlock()
}

func (m *metrics) observeTTFT(d time.Duration) {
	m.mu.Lock()
	m.ttft.observe(d.Seconds())
	m.mu.Unlock()
}

func (m *metrics) observeGeneration(prompt, completion int, decode time.Duration) {
	m.promptTokens.Add(int64(prompt))
	m.genTokens.Add(int64(completion))
	if decode > 0 && completion > 1 {
		m.mu.Lock()
		m.tps.observe(float64(completion-1) / decode.Seconds())
		m.mu.Unlock()
	}
}

// write emits every series in the Prometheus text exposition format.
func (m *metrics) write(w io.Writer) {
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, num(v))
	}
	counter := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %s\n", name, help, name, name, num(v))
	}
	gauge("mlpack_requests_running", "Generation requests holding a slot.", float64(m.running.Load()))
	gauge("mlpack_requests_queued", "Requests waiting for a slot.", float64(m.queued.Load()))
	counter("mlpack_prompt_tokens_total", "Prompt tokens processed.", float64(m.promptTokens.Load()))
	counter("mlpack_completion_tokens_total", "Tokens generated.", float64(m.genTokens.Load()))
	counter("mlpack_requests_rejected_total", "Requests refused because the queue was full or the server was not ready.", float64(m.rejected.Load()))
	counter("mlpack_requests_cancelled_total", "Generations stopped because the client went away.", float64(m.cancelled.Load()))
	counter("mlpack_decode_steps_total", "Batched decode steps run.", float64(m.decodeSteps.Load()))
	counter("mlpack_decode_sequences_total", "Sequence-steps decoded (sum of batch sizes).", float64(m.decodeSeqs.Load()))
	counter("mlpack_decode_seconds_total", "Time spent in batched decode steps.", float64(m.decodeNanos.Load())/1e9)
	gauge("mlpack_decode_batch_max", "Largest number of sequences decoded in one step so far.", float64(m.maxBatch.Load()))
	counter("mlpack_scheduler_wait_timeouts_total", "Decode steps that started without a sequence that did not ask for its next token in time.", float64(m.gatherTimeouts.Load()))
	gauge("mlpack_uptime_seconds", "Seconds since the server started.", time.Since(m.started).Seconds())

	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP mlpack_http_requests_total HTTP requests by route and status.\n# TYPE mlpack_http_requests_total counter\n")
	keys := make([]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var route string
		var code int
		for i := range k {
			if k[i] == 0 {
				route = k[:i]
				fmt.Sscan(k[i+1:], &code)
				break
			}
		}
		fmt.Fprintf(w, "mlpack_http_requests_total{route=%q,code=\"%d\"} %d\n", route, code, m.requests[k])
	}
	writeHistogram(w, "mlpack_time_to_first_token_seconds", "Time from request arrival to the first generated token.", &m.ttft)
	writeHistogram(w, "mlpack_decode_tokens_per_second", "Per-request decode speed after the first token.", &m.tps)
}

func writeHistogram(w io.Writer, name, help string, h *histogram) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	for i, b := range h.bounds {
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", name, num(b), h.counts[i])
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %s\n%s_count %d\n", name, h.n, name, num(h.sum), name, h.n)
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", v)
}
