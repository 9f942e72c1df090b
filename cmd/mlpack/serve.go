package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/serve"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// serveOptions are the inputs of runServe, free of cli types.
type serveOptions struct {
	Model           string
	Host            string
	Port            int
	Timeout         time.Duration
	Workers         int
	APIKeys         []string
	CORSOrigins     []string
	Parallel        int
	MaxQueue        int
	MaxN            int
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	KeepAlive       time.Duration
	PlainHTTP       bool
	StrictModel     bool
	Threads         int
	Quantize        string // "" (exact weights) or "int8"

	// ready, when set, receives the listening address (tests).
	ready func(addr string)
}

func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "serve a bundle over MLflow's scoring protocol and an OpenAI-compatible API",
		ArgsUsage: "-m BUNDLE",
		Description: "serve loads the bundle once and answers, on one port:\n" +
			"  MLflow scoring protocol (drop-in for `mlflow models serve`):\n" +
			"    GET /ping, GET /health (503 while loading), GET /version, POST /invocations\n" +
			"    (application/json in every MLflow input shape, or text/csv)\n" +
			"  OpenAI-compatible API (point an OpenAI SDK's base_url at http://HOST:PORT/v1):\n" +
			"    POST /v1/chat/completions, POST /v1/completions (with \"stream\": true for SSE),\n" +
			"    GET /v1/models, GET /v1/models/{id} (also without the /v1 prefix)\n" +
			"  Operations: GET /metrics (Prometheus), POST /tokenize, /detokenize, /apply-template.\n\n" +
			"One process holds one copy of the model and serves every request: a scheduler\n" +
			"batches the decode steps of up to --parallel running sequences into one pass over\n" +
			"the weights; up to --max-queue more wait, and beyond that requests get 429 with\n" +
			"Retry-After. A client that disconnects stops its generation. SIGTERM or SIGINT\n" +
			"stops admitting requests while the port keeps answering (/health and /ping turn\n" +
			"503, new generation requests get 503 with Retry-After), lets running ones finish\n" +
			"for up to --shutdown-timeout, then cancels the rest (a stream gets a\n" +
			"data: {\"error\":...} event with code \"shutting_down\", a non-streamed request a 503)\n" +
			"and exits 0: a graceful drain is a successful exit.\n\n" +
			"Examples:\n" +
			"  mlpack serve -m ./tinyllama\n" +
			"  curl -N http://127.0.0.1:5000/v1/chat/completions -H 'Content-Type: application/json' \\\n" +
			"    -d '{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}'\n" +
			"  mlpack serve -m ./tinyllama --host 0.0.0.0 --port 8080 --api-key \"$KEY\" --cors-origins '*'\n\n" +
			"Logs (one line per request) go to stderr. Exit codes: 3 when the bundle is invalid,\n" +
			"1 when the address cannot be bound.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model-uri", Aliases: []string{"m"}, Usage: "bundle `DIR` to serve, or REGISTRY/REPO:TAG to pull into the user cache first (required)"},
			&cli.BoolFlag{Name: "plain-http", Usage: "pull over HTTP instead of HTTPS (loopback registries use HTTP anyway)"},
			&cli.StringFlag{Name: "host", Aliases: []string{"H"}, Value: "127.0.0.1", Usage: "`ADDRESS` to listen on (0.0.0.0 for every interface)"},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Value: 5000, Usage: "`PORT` to listen on (0 picks a free one)"},
			&cli.IntFlag{Name: "timeout", Aliases: []string{"t"}, Value: 60, Usage: "`SECONDS` a non-streamed request may take before 504, as MLflow's --timeout (0: no limit; streams are not limited)"},
			&cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Value: 1, Usage: "worker processes (`N`) in mlflow models serve; accepted for compatibility and ignored: one process with one model copy serves all requests (see --parallel)"},
			&cli.StringSliceFlag{Name: "api-key", EnvVars: []string{"MLPACK_API_KEY"}, Usage: "require `KEY` as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY' on every route but /ping and /health; repeatable"},
			&cli.StringSliceFlag{Name: "cors-origins", Usage: "browser `ORIGIN`s allowed to call the API ('*' for any; requested headers are reflected); repeatable or comma-separated"},
			&cli.IntFlag{Name: "parallel", Value: 4, Usage: "`N` sequences generating at once, their decode steps batched (a request with n choices uses n)"},
			&cli.IntFlag{Name: "max-queue", Value: 64, Usage: "`N` requests waiting for a slot; more get 429 with Retry-After"},
			&cli.IntFlag{Name: "max-n", Value: 4, Usage: "largest `N` for the OpenAI 'n' parameter"},
			&cli.Int64Flag{Name: "max-body-bytes", Value: 8 << 20, Usage: "largest request body in `BYTES` (413 beyond; /invocations answers 413 with error_code REQUEST_LIMIT_EXCEEDED)"},
			&cli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, Usage: "how long running requests may finish after SIGTERM/SIGINT (`DURATION`)"},
			&cli.BoolFlag{Name: "strict-model", Usage: "answer 404 when a request's \"model\" is not the served model's id (by default any name is served by the one model and replies carry its id, as llama.cpp does)"},
			&cli.IntFlag{Name: "threads", Usage: "worker threads for the model (0: all cores)"},
			&cli.StringFlag{Name: "quantize", Usage: "convert weights at load time: int8 (blocks of 32 with a scale; faster, lossy; conversion time is logged). Default: the exact weights"},
			&cli.DurationFlag{Name: "keep-alive", Value: 15 * time.Second, Usage: "`DURATION` between SSE ': ping' comments while a stream is silent"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("serve takes no arguments, got %q; pass the bundle with -m", c.Args().First())
			}
			opts := serveOptions{
				Model: c.String("model-uri"), Host: c.String("host"), Port: c.Int("port"),
				Timeout: time.Duration(c.Int("timeout")) * time.Second, Workers: c.Int("workers"),
				APIKeys: c.StringSlice("api-key"), CORSOrigins: splitList(c.StringSlice("cors-origins")),
				Parallel: c.Int("parallel"), MaxQueue: c.Int("max-queue"), MaxN: c.Int("max-n"),
				MaxBodyBytes: c.Int64("max-body-bytes"), ShutdownTimeout: c.Duration("shutdown-timeout"),
				KeepAlive: c.Duration("keep-alive"), PlainHTTP: c.Bool("plain-http"), StrictModel: c.Bool("strict-model"),
				Threads: c.Int("threads"), Quantize: c.String("quantize"),
			}
			if opts.Quantize != "" && opts.Quantize != "int8" {
				return usageErrorf("--quantize %q: the only lossy format is int8 (leave it out for the exact weights)", opts.Quantize)
			}
			if opts.Threads < 0 {
				return usageErrorf("--threads must be 0 or more, got %d", opts.Threads)
			}
			return runServe(c.Context, e, opts)
		},
	}
}

func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (o serveOptions) validate() error {
	switch {
	case o.Model == "":
		return usageErrorf("serve needs the bundle to serve: -m BUNDLE")
	case o.Port < 0 || o.Port > 65535:
		return usageErrorf("--port must be between 0 and 65535, got %d", o.Port)
	case o.Timeout < 0:
		return usageErrorf("--timeout must not be negative")
	case o.Parallel < 1:
		return usageErrorf("--parallel must be at least 1, got %d", o.Parallel)
	case o.MaxQueue < 0:
		return usageErrorf("--max-queue must not be negative, got %d", o.MaxQueue)
	case o.MaxN < 1:
		return usageErrorf("--max-n must be at least 1, got %d", o.MaxN)
	case o.MaxBodyBytes < 1:
		return usageErrorf("--max-body-bytes must be positive")
	case o.KeepAlive <= 0:
		return usageErrorf("--keep-alive must be positive")
	}
	for _, k := range o.APIKeys {
		if k == "" {
			return usageErrorf("--api-key must not be empty")
		}
	}
	return nil
}

// runServe listens first (so /health can say 503 while the model loads),
// loads the bundle, serves until ctx ends (SIGTERM/SIGINT), then drains.
func runServe(ctx context.Context, e *env, o serveOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.Workers > 1 {
		e.Log.Warn("--workers is accepted for compatibility and ignored: one process with one model copy serves all requests; use --parallel", "workers", o.Workers)
	}
	reqLog := slog.New(slog.NewJSONHandler(e.Stderr, nil))
	maxQueue := o.MaxQueue
	if maxQueue == 0 {
		maxQueue = -1 // serve.Config: negative means no queue
	}
	srv := serve.New(serve.Config{
		Version: versionString(readBuildInfo()), APIKeys: o.APIKeys, CORSOrigins: o.CORSOrigins,
		MaxBodyBytes: o.MaxBodyBytes, Parallel: o.Parallel, MaxQueue: maxQueue, Timeout: o.Timeout,
		KeepAlive: o.KeepAlive, Limits: openai.Limits{MaxN: o.MaxN}, Logger: reqLog, StrictModel: o.StrictModel,
	})
	ln, err := net.Listen("tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		return fmt.Errorf("serve: listening on %s:%d: %w", o.Host, o.Port, err)
	}
	// No ReadTimeout: its deadline would also end the body-less wait that
	// detects a client leaving mid-stream.
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	addr := ln.Addr().String()
	fmt.Fprintf(e.Stderr, "mlpack serve: listening on http://%s (loading %s)\n", addr, o.Model)

	start := time.Now()
	backend, closeBackend, err := loadServeBackend(ctx, o.Model, e.Log, o.PlainHTTP, runtime.Options{Threads: o.Threads, Quantize: o.Quantize})
	if err != nil {
		_ = hs.Close()
		return err
	}
	defer closeBackend()
	srv.SetBackend(backend)
	fmt.Fprintf(e.Stderr, "mlpack serve: model %q ready in %s; OpenAI base_url http://%s/v1\n",
		backend.Info().ID, time.Since(start).Round(time.Millisecond), addr)
	if o.ready != nil {
		o.ready(addr)
	}

	select {
	case err := <-served:
		srv.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintf(e.Stderr, "mlpack serve: shutting down: draining running requests for up to %s\n", o.ShutdownTimeout)
	drainServe(srv, hs, o.ShutdownTimeout, e.Stderr)
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// shutdownGrace is how long, after the drain deadline cancelled the
// requests still running, their error replies may take to go out before
// the connections are closed. Exit comes at most this long (plus the
// scheduler's current step) after --shutdown-timeout.
const shutdownGrace = 250 * time.Millisecond

// drainServe is the graceful shutdown: the listener keeps serving (so
// /health and /ping answer 503 and new generation requests get 503 with
// Retry-After) while running requests finish, for up to timeout. Then the
// requests still running are cancelled — a stream ends with a
// data: {"error":...} event, a non-streamed request gets a 503 body — and
// after a short grace for those replies the http.Server is shut down.
func drainServe(srv *serve.Server, hs *http.Server, timeout time.Duration, stderr io.Writer) {
	srv.Drain()
	dctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Wait(dctx); err != nil {
		srv.Close()
		gctx, gcancel := context.WithTimeout(context.Background(), shutdownGrace)
		_ = srv.Wait(gctx)
		gcancel()
		fmt.Fprintf(stderr, "mlpack serve: drain deadline passed; cancelled the requests still running\n")
	}
	srv.Close()
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
}
