package registry

import (
	"log/slog"
	"net/http"
	"time"
)

// Options are the transport settings shared by Push and Pull.
type Options struct {
	// ConfigDir is the docker config directory whose config.json (and
	// credential helpers) supply credentials. Empty means anonymous.
	ConfigDir string
	// PlainHTTP talks HTTP instead of HTTPS. Loopback and private
	// addresses use HTTP without it.
	PlainHTTP bool
	// CacheDir holds the file digest cache (Push and Pull use it to avoid
	// re-reading unchanged files, Pull records what it wrote) and the blob
	// mount cache (which repositories of a registry hold which blobs, from
	// earlier pushes and pulls, so Push mounts instead of uploading). Empty
	// disables both.
	CacheDir string
	// ChunkSize, when > 0, uploads blobs larger than this in chunks that a
	// failed push resumes instead of restarting (not for registries known
	// to refuse chunked uploads: GHCR, GCR/Artifact Registry, ECR).
	ChunkSize int64
	// Jobs is how many blobs move at once (default 4).
	Jobs int
	// Retry sets attempts and backoff for transient failures.
	Retry Retry
	// Progress receives transfer events; nil means none. It is called from
	// several goroutines.
	Progress Progress
	// Transport replaces the base HTTP transport (tests, proxies).
	Transport http.RoundTripper
	// UserAgent is sent with every request.
	UserAgent string
	// Log receives debug messages; nil means silent.
	Log *slog.Logger
}

// Retry is exponential backoff for transient failures (connection resets,
// 5xx, 429). The default, 6 attempts waiting 2 s, 4 s, ... up to 60 s, rides
// out registry restarts during multi-GB transfers.
type Retry struct {
	Attempts int
	Initial  time.Duration
	Max      time.Duration
}

func (o Options) jobs() int {
	if o.Jobs <= 0 {
		return 4
	}
	return o.Jobs
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 6
	}
	if r.Initial <= 0 {
		r.Initial = 2 * time.Second
	}
	if r.Max <= 0 {
		r.Max = 60 * time.Second
	}
	return r
}

// wait returns the pause before attempt n (n >= 1 is the first retry).
func (r Retry) wait(n int) time.Duration {
	d := r.Initial
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	return min(d, r.Max)
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// EventKind says what happened to a file in transfer.
type EventKind int

const (
	// EventStart: the transfer of Path (Size bytes) begins at Done.
	EventStart EventKind = iota
	// EventProgress: Done bytes of Path have moved.
	EventProgress
	// EventRetry: the transfer failed with Err and restarts from Done.
	EventRetry
	// EventSkip: Path was not transferred (the registry or the target
	// already had it).
	EventSkip
	// EventDone: Path is complete.
	EventDone
)

// Event is one progress report.
type Event struct {
	Kind EventKind
	Path string
	Size int64
	Done int64
	Err  error
}

// Progress receives transfer events.
type Progress func(Event)

func (o Options) emit(e Event) {
	if o.Progress != nil {
		o.Progress(e)
	}
}
