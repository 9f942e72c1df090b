package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// routes mounts every endpoint behind the middleware chain:
// logging → CORS → auth → body limit → mux.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", s.handleHealth)
	mux.HandleFunc("GET /health", s.handleHealth)
	mux.HandleFunc("GET /v1/health", s.handleHealth)
	mux.HandleFunc("GET /version", s.handleVersion)
	mux.HandleFunc("POST /invocations", s.handleInvocations)
	for _, p := range []string{"", "/v1"} {
		mux.HandleFunc("POST "+p+"/chat/completions", s.handleChat)
		mux.HandleFunc("POST "+p+"/completions", s.handleCompletions)
		mux.HandleFunc("GET "+p+"/models", s.handleModels)
		mux.HandleFunc("GET "+p+"/models/{id...}", s.handleModel)
	}
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("POST /tokenize", s.handleTokenize)
	mux.HandleFunc("POST /detokenize", s.handleDetokenize)
	mux.HandleFunc("POST /apply-template", s.handleApplyTemplate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(r.URL.Path); allow != "" {
			w.Header().Set("Allow", allow)
			writeOpenAIError(w, &openai.Error{Status: http.StatusMethodNotAllowed, Type: openai.TypeInvalidRequest,
				Message: fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, allow)})
			return
		}
		writeOpenAIError(w, openai.NotFound("no route %s %s; see /v1/models, /v1/chat/completions, /v1/completions, /invocations", r.Method, r.URL.Path))
	})
	var h http.Handler = mux
	h = s.limitBody(h)
	h = s.auth(h)
	h = s.cors(h)
	h = s.logRequests(h)
	h = s.track(h)
	return h
}

// track counts the requests being handled, for Wait.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.active.Add(1)
		defer s.active.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// allowedMethods names the methods a known path accepts ("" if unknown).
func allowedMethods(path string) string {
	p := strings.TrimPrefix(path, "/v1")
	switch {
	case p == "/chat/completions", p == "/completions", path == "/invocations", path == "/tokenize",
		path == "/detokenize", path == "/apply-template":
		return "POST"
	case p == "/models", strings.HasPrefix(p, "/models/"), path == "/ping", p == "/health", path == "/version", path == "/metrics":
		return "GET"
	}
	return ""
}

// publicPaths need no API key: load balancers probe them.
var publicPaths = map[string]bool{"/ping": true, "/health": true, "/v1/health": true}

// auth checks the API key (Authorization: Bearer KEY or X-Api-Key: KEY) in
// constant time. Without configured keys every request passes (the OpenAI
// SDK always sends some key).
func (s *Server) auth(next http.Handler) http.Handler {
	if len(s.cfg.APIKeys) == 0 {
		return next
	}
	sums := make([][32]byte, len(s.cfg.APIKeys))
	for i, k := range s.cfg.APIKeys {
		sums[i] = sha256.Sum256([]byte(k))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if publicPaths[r.URL.Path] || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("X-Api-Key")
		if a := r.Header.Get("Authorization"); key == "" && len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			key = strings.TrimSpace(a[7:])
		}
		got := sha256.Sum256([]byte(key))
		ok := 0
		for _, want := range sums {
			ok |= subtle.ConstantTimeCompare(got[:], want[:])
		}
		if key == "" || ok != 1 {
			if r.URL.Path == "/invocations" {
				writeMLflowError(w, openaiToMLflow(openai.Unauthorized()))
				return
			}
			writeOpenAIError(w, openai.Unauthorized())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cors answers preflights and marks responses for allowed origins. The
// requested headers are reflected so the OpenAI SDK's x-stainless-*
// headers pass.
//
// A preflight from an origin that is not allowed (or when --cors-origins
// is not set) gets 403 with a message saying so and no
// Access-Control-Allow-* headers, so the browser blocks the call; it is
// never routed on to the 405 of a POST-only route.
func (s *Server) cors(next http.Handler) http.Handler {
	any := slices.Contains(s.cfg.CORSOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" || !(any || slices.Contains(s.cfg.CORSOrigins, origin)) {
			if preflight {
				msg := fmt.Sprintf("cross-origin requests from %q are not allowed; start the server with --cors-origins %s (or '*') to allow them", origin, origin)
				if len(s.cfg.CORSOrigins) > 0 {
					msg = fmt.Sprintf("cross-origin requests from %q are not allowed: it is not in --cors-origins (%s)", origin, strings.Join(s.cfg.CORSOrigins, ", "))
				}
				writeOpenAIError(w, &openai.Error{Status: http.StatusForbidden, Type: openai.TypePermission, Code: "cors_origin_not_allowed", Message: msg})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "600")
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// readBody reads the limited body; a body over the limit is a 413.
func readBody(r *http.Request) ([]byte, *openai.Error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &openai.Error{Status: http.StatusRequestEntityTooLarge, Type: openai.TypeInvalidRequest,
				Message: "the request body is larger than the server's limit of " + formatBytes(mbe.Limit)}
		}
		return nil, openai.BadRequest("", "reading the request body: %v", clientText(err))
	}
	return b, nil
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// statusWriter records the status and size for the request log and
// /metrics. Unwrap lets http.ResponseController reach Flush.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming working for callers that type-assert http.Flusher.
func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			id = newID("req-")
		}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "other"
		}
		s.stats.observeRequest(route, sw.status)
		s.log.Info("request", "id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr,
			"canceled", r.Context().Err() != nil)
	})
}

// writeJSON writes v with status; HTML is not escaped.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeOpenAIError writes e in the OpenAI envelope, with Retry-After on
// 429/503 and x-should-retry: false on non-transient 500s.
func writeOpenAIError(w http.ResponseWriter, e *openai.Error) {
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	if e.Status == http.StatusInternalServerError {
		w.Header().Set("X-Should-Retry", "false")
	}
	writeJSON(w, e.Status, e.Body())
}
