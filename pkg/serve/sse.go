package serve

import (
	"net/http"
	"sync"
	"time"

	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// sseWriter writes server-sent events from several goroutines (one per
// choice) and sends ": ping" comments whenever nothing was written for the
// keep-alive interval, so clients with read timeouts survive a long CPU
// prefill.
type sseWriter struct {
	mu   sync.Mutex
	w    http.ResponseWriter
	rc   *http.ResponseController
	last time.Time
	err  error
	done chan struct{}
	wg   sync.WaitGroup
}

func startSSE(w http.ResponseWriter, keepAlive time.Duration) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sseWriter{w: w, rc: http.NewResponseController(w), last: time.Now(), done: make(chan struct{})}
	_ = s.rc.Flush()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(keepAlive / 3)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-tick.C:
				s.mu.Lock()
				if time.Since(s.last) >= keepAlive {
					s.writeLocked(openai.KeepAlive)
				}
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// writeTimeout bounds one event write: a client that stops reading (but
// keeps the connection open) ends its generation instead of holding a
// slot forever.
const writeTimeout = time.Minute

func (s *sseWriter) writeLocked(b []byte) error {
	if s.err != nil {
		return s.err
	}
	_ = s.rc.SetWriteDeadline(time.Now().Add(writeTimeout)) // unsupported writers keep none
	if _, err := s.w.Write(b); err != nil {
		s.err = err
		return err
	}
	s.err = s.rc.Flush()
	s.last = time.Now()
	return s.err
}

// raw writes one already-encoded event.
func (s *sseWriter) raw(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(b)
}

// send encodes v as one data event.
func (s *sseWriter) send(v any) error {
	b, err := openai.Event(v)
	if err != nil {
		return err
	}
	return s.raw(b)
}

// close stops the keep-alive goroutine; nothing is written afterwards.
func (s *sseWriter) close() {
	close(s.done)
	s.wg.Wait()
	_ = s.rc.SetWriteDeadline(time.Time{}) // the connection may serve another request
}
