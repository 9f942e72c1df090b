package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/serve/mlflow"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// ErrInvalidInput is matched by Backend.Invoke errors that are the
// caller's fault (HTTP 400 BAD_REQUEST).
var ErrInvalidInput = errors.New("serve: invalid input")

// handleInvocations is MLflow's scoring endpoint: application/json (every
// MLflow input shape) or text/csv, 415 otherwise, replies and errors in
// MLflow's shapes.
func (s *Server) handleInvocations(w http.ResponseWriter, r *http.Request) {
	b, sched, e := s.current()
	if e != nil {
		s.retryAfter(w, e.Status)
		writeMLflowError(w, openaiToMLflow(e))
		return
	}
	f, err := mlflow.ParseContentType(r.Header.Get("Content-Type"))
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		_, _ = w.Write([]byte(err.(*mlflow.ContentTypeError).Message))
		return
	}
	body, e := readBody(r)
	if e != nil {
		if e.Status == http.StatusRequestEntityTooLarge {
			// MLflow has no 413 code; REQUEST_LIMIT_EXCEEDED is its nearest
			// (its table maps it to 429), sent with the 413 the /v1 routes use.
			writeMLflowJSON(w, http.StatusRequestEntityTooLarge, mlflow.Errorf(mlflow.RequestLimitExceeded, "%s", e.Message))
			return
		}
		writeMLflowError(w, openaiToMLflow(e))
		return
	}
	if f == mlflow.FormatCSV {
		if body, err = mlflow.CSVToDataframeSplit(body); err != nil {
			writeMLflowError(w, err.(*mlflow.Error))
			return
		}
	}
	if err := checkJSON(body); err != nil {
		writeMLflowError(w, mlflow.InvalidJSON(err))
		return
	}
	ctx, cancel := s.requestContext(r, s.cfg.Timeout)
	defer cancel()
	release, e := s.acquire(ctx, 1) // MLflow rows are generated one after another
	if e != nil {
		if e.Status == http.StatusGatewayTimeout {
			writeMLflowTimeout(w)
			return
		}
		s.retryAfter(w, e.Status)
		writeMLflowError(w, openaiToMLflow(e))
		return
	}
	defer release()
	gen := func(ctx context.Context, prompt []int, p generate.Params, cb func(generate.Event) error) (*generate.Result, error) {
		j, e := plan(b.Info(), prompt, p, openai.Sampling{})
		if e != nil {
			return nil, &generate.ContextError{PromptTokens: len(prompt), ContextSize: b.Info().ContextSize}
		}
		res, err := s.runJobs(ctx, sched, b, []job{j}, time.Now(), func(_ int, ev generate.Event) error {
			if cb != nil {
				return cb(ev)
			}
			return nil
		}, nil)
		if err != nil {
			return nil, err
		}
		return res[0], nil
	}
	out, err := b.Invoke(ctx, body, gen)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			writeMLflowTimeout(w)
		case s.shuttingDown() && (errors.Is(err, context.Canceled) || errors.Is(err, ErrSchedulerStopped)):
			writeMLflowError(w, mlflow.Errorf(mlflow.TemporarilyUnavailable, "%s", openai.ShuttingDown().Message))
		default:
			me := invokeError(err, body)
			if me.Status() >= 500 || me.Code == mlflow.TemporarilyUnavailable {
				s.log.Warn("invocation failed", "path", r.URL.Path, "error", err.Error())
			} else {
				s.log.Info("invocation rejected", "path", r.URL.Path, "error", err.Error())
			}
			writeMLflowError(w, me)
		}
		return
	}
	writeMLflowJSON(w, http.StatusOK, out)
}

// writeMLflowJSON writes v as MLflow's server does: json.dumps layout, no
// trailing newline.
func writeMLflowJSON(w http.ResponseWriter, status int, v any) {
	b, err := mlflow.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = mlflow.Marshal(mlflow.Errorf(mlflow.InternalError, "encoding the reply: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeMLflowTimeout is MLflow 3.x's reply past the request timeout.
func writeMLflowTimeout(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusGatewayTimeout)
	_, _ = w.Write([]byte(mlflow.TimeoutBody))
}

// checkJSON reports why body is not one JSON value.
func checkJSON(body []byte) error {
	var v any
	return json.Unmarshal(body, &v)
}

// invokeError maps a predict error to MLflow's envelope.
func invokeError(err error, body []byte) *mlflow.Error {
	var me *mlflow.Error
	var ce *generate.ContextError
	switch {
	case errors.As(err, &me):
		return me
	case errors.Is(err, signature.ErrInvalidInput):
		return mlflow.Errorf(mlflow.InvalidParameterValue, "%s", clientText(err))
	case errors.Is(err, ErrInvalidInput), errors.As(err, &ce), errors.Is(err, generate.ErrInvalidParams):
		return mlflow.Errorf(mlflow.BadRequest, "%s", clientText(err))
	case errors.Is(err, context.Canceled), errors.Is(err, ErrSchedulerStopped):
		return mlflow.Errorf(mlflow.TemporarilyUnavailable, "the request was cancelled before it finished (the client went away)")
	}
	return mlflow.Errorf(mlflow.InternalError, "%s", clientText(err))
}

// openaiToMLflow re-expresses a server-level error in MLflow's envelope.
func openaiToMLflow(e *openai.Error) *mlflow.Error {
	code := mlflow.InternalError
	switch e.Status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		code = mlflow.BadRequest
	case http.StatusUnauthorized:
		code = mlflow.Unauthenticated
	case http.StatusNotFound:
		code = mlflow.NotFound
	case http.StatusTooManyRequests:
		code = mlflow.RequestLimitExceeded
	case http.StatusServiceUnavailable:
		code = mlflow.TemporarilyUnavailable
	case http.StatusGatewayTimeout:
		code = mlflow.DeadlineExceeded
	}
	return mlflow.Errorf(code, "%s", e.Message)
}

func writeMLflowError(w http.ResponseWriter, e *mlflow.Error) {
	status := e.Status()
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "1")
		}
	}
	writeMLflowJSON(w, status, e)
}
