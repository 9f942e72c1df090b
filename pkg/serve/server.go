package serve

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// Config sets up a Server. Zero fields take the defaults noted.
type Config struct {
	Version      string        // reported by /version (MLflow reports its own version there)
	APIKeys      []string      // when set, every route but /ping and /health needs one
	CORSOrigins  []string      // allowed browser origins; "*" allows any (reflected)
	MaxBodyBytes int64         // request body limit (default 8 MiB)
	Parallel     int           // sequences generating at once (default 4); a request with n choices takes n
	MaxQueue     int           // requests waiting for a slot before 429 (default 64)
	Timeout      time.Duration // limit for non-streamed requests, 504 after it (0: none)
	KeepAlive    time.Duration // SSE ": ping" interval while nothing else is sent (default 15s)
	RetryAfter   time.Duration // Retry-After on 429/503 (default 1s)
	StrictModel  bool          // 404 for a "model" other than the served id (default: any name gets the served model)
	Limits       openai.Limits // n, stop and prompt-count limits
	Logger       *slog.Logger  // request logs (default: discard)
}

func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 8 << 20
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	if c.MaxQueue < 0 {
		c.MaxQueue = 0
	} else if c.MaxQueue == 0 {
		c.MaxQueue = 64
	}
	if c.KeepAlive <= 0 {
		c.KeepAlive = 15 * time.Second
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// Server serves one model. Create it with New, hand it the loaded model
// with SetBackend (until then /health answers 503), and mount Handler.
type Server struct {
	cfg   Config
	log   *slog.Logger
	stats *metrics
	slots *semaphore.Weighted

	mu       sync.Mutex
	backend  Backend
	sched    *scheduler
	ready    atomic.Bool
	draining atomic.Bool
	active   atomic.Int64 // requests being handled (Wait)

	hardStop context.Context // cancelled by Close: ends every generation
	cancel   context.CancelFunc
	handler  http.Handler
}

// New returns a server that is not ready yet.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Logger, stats: newMetrics(), slots: semaphore.NewWeighted(int64(cfg.Parallel)),
		hardStop: ctx, cancel: cancel}
	s.handler = s.routes()
	return s
}

// SetBackend makes the server ready with a loaded model.
func (s *Server) SetBackend(b Backend) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.backend = b
	s.sched = newScheduler(b.Engine(), s.stats)
	s.ready.Store(true)
}

// Handler is the HTTP handler with every route and middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Drain stops admitting work: /health and /ping turn 503 and new
// generation requests get 503 with Retry-After, while running ones finish.
// Keep the listener serving during the drain (so probes see the 503), wait
// with Wait, then Close and shut the http.Server down.
func (s *Server) Drain() { s.draining.Store(true) }

// Wait blocks until no request is being handled or ctx ends (then it
// returns ctx's error).
func (s *Server) Wait(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for s.active.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// shuttingDown reports whether Close has cancelled the generations.
func (s *Server) shuttingDown() bool { return s.hardStop.Err() != nil }

// Close cancels every running generation and stops the scheduler. Call it
// when the drain deadline passes: a running stream then ends with a
// data: {"error":...} event (code "shutting_down") and a non-streamed
// request gets a 503; Wait a moment for those replies to go out before
// closing the connections.
func (s *Server) Close() {
	s.draining.Store(true)
	s.cancel()
	s.mu.Lock()
	sched := s.sched
	s.mu.Unlock()
	if sched != nil {
		sched.close()
	}
}

// current returns the backend and scheduler, or a 503 while loading or
// draining.
func (s *Server) current() (Backend, *scheduler, *openai.Error) {
	if s.draining.Load() {
		return nil, nil, openai.Overloaded(http.StatusServiceUnavailable, "the server is shutting down")
	}
	if !s.ready.Load() {
		return nil, nil, openai.Overloaded(http.StatusServiceUnavailable, "the model is still loading")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backend, s.sched, nil
}

// acquire takes n generation slots (one per sequence), waiting in the
// bounded queue. It fails with 429 when the queue is full, 400 when n can
// never fit, and 503 when the request ends while waiting.
func (s *Server) acquire(ctx context.Context, n int) (func(), *openai.Error) {
	if n > s.cfg.Parallel {
		return nil, openai.BadRequest("n", "the request needs %d sequences (prompts × n) but the server runs at most %d at once (--parallel)", n, s.cfg.Parallel)
	}
	release := func() {
		s.slots.Release(int64(n))
		s.stats.running.Add(-1)
	}
	if s.slots.TryAcquire(int64(n)) {
		s.stats.running.Add(1)
		return release, nil
	}
	if s.stats.queued.Add(1) > int64(s.cfg.MaxQueue) {
		s.stats.queued.Add(-1)
		s.stats.rejected.Add(1)
		return nil, openai.Overloaded(http.StatusTooManyRequests,
			"the server is busy: all generation slots are taken and the queue is full; retry later")
	}
	defer s.stats.queued.Add(-1)
	if err := s.slots.Acquire(ctx, int64(n)); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, generationError(err, s.cfg.Timeout)
		}
		if s.shuttingDown() {
			return nil, openai.ShuttingDown()
		}
		return nil, openai.Overloaded(http.StatusServiceUnavailable, "the request ended while waiting for a slot")
	}
	s.stats.running.Add(1)
	return release, nil
}

// requestContext is r's context, also cancelled by Close (and after the
// timeout for non-streamed work when timeout > 0).
func (s *Server) requestContext(r *http.Request, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.hardStop, cancel)
	if timeout > 0 {
		var tcancel context.CancelFunc
		ctx, tcancel = context.WithTimeout(ctx, timeout)
		return ctx, func() { tcancel(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

func (s *Server) retryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		secs := int(s.cfg.RetryAfter.Round(time.Second) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
}
