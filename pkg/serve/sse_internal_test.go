package serve

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedRecorder lets the test read what the keep-alive goroutine wrote.
type lockedRecorder struct {
	mu sync.Mutex
	*httptest.ResponseRecorder
}

func (r *lockedRecorder) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ResponseRecorder.Write(b)
}

func (r *lockedRecorder) body() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Body.String()
}

func TestSSEKeepAlive(t *testing.T) {
	rec := &lockedRecorder{ResponseRecorder: httptest.NewRecorder()}
	s := startSSE(rec, 30*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(rec.body(), ": ping\n\n") {
		if time.Now().After(deadline) {
			t.Fatal("no keep-alive comment while the stream was silent")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.send(map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	s.close()
	got := rec.body()
	if !strings.HasSuffix(got, "data: {\"a\":1}\n\n") || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Errorf("stream %q, headers %v", got, rec.Header())
	}
	for _, ev := range strings.Split(strings.TrimSuffix(got, "\n\n"), "\n\n") {
		if ev != ": ping" && !strings.HasPrefix(ev, "data: ") {
			t.Errorf("malformed event %q", ev)
		}
	}
}
