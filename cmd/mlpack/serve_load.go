package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mlpack-go/mlpack/internal/atomicfile"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/registry"
	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/serve"
)

// loadServeBackend loads the bundle at uri for serving. A uri that is not
// a local folder but reads as REGISTRY/REPO:TAG (or @sha256:...) is pulled
// first into the user cache (mlpack/models/<hash of the reference>), which
// later runs reuse: files already there with the right digest are kept.
// opts carries the model options (threads, quantization); its Log is set here.
func loadServeBackend(ctx context.Context, uri string, log *slog.Logger, plainHTTP bool, opts runtime.Options) (serve.Backend, func(), error) {
	dir := uri
	if _, err := os.Stat(uri); err != nil && looksLikeReference(uri) {
		if dir, err = cachedPull(ctx, uri, log, plainHTTP); err != nil {
			return nil, nil, err
		}
	}
	opts.Log = log
	eng, err := runtime.Load(ctx, dir, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: loading %s: %w", dir, err)
	}
	st := eng.Model.Stats()
	log.Info("model loaded", "path", dir, "weights", st.Format, "kernels", st.Kernels,
		"load_seconds", eng.LoadTime.Seconds(), "int8_conversion_seconds", st.Quantize.Seconds())
	return serve.FromRuntime(eng), func() { _ = eng.Close() }, nil
}

// pullRecord is written next to a cached bundle once a pull completed
// (<hash>.pulled.json): its presence means the folder holds the whole
// artifact.
type pullRecord struct {
	Ref    string                `json:"ref"`
	Digest string                `json:"digest"`
	Files  []registry.PulledFile `json:"files"`
}

// registryProbeTimeout bounds the check that the registry is reachable
// before a pull, so a start with the registry down falls back to the
// cache at once.
const registryProbeTimeout = 2 * time.Second

// cachedPull returns the cache folder holding ref's bundle. A digest
// reference already in the cache is used without contacting the registry.
// A tag is pulled (unchanged files are kept); when the registry cannot be
// reached and the cache holds a complete earlier pull, that copy is used
// with a warning that updates could not be checked. Authentication and
// not-found answers are errors, never a silent fallback.
func cachedPull(ctx context.Context, ref string, log *slog.Logger, plainHTTP bool) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("serve: finding a cache folder to pull %s into: %w", ref, err)
	}
	sum := sha256.Sum256([]byte(ref))
	dir := filepath.Join(cache, "mlpack", "models", hex.EncodeToString(sum[:8]))
	recPath := dir + ".pulled.json"
	rec, cached := readPullRecord(recPath, dir)
	if cached && strings.Contains(ref, "@sha256:") {
		log.Info("serving the cached copy of a digest reference; the registry is not contacted", "ref", ref, "dir", dir)
		return dir, nil
	}
	if cached && !registryReachable(ctx, ref, plainHTTP) {
		log.Warn("could not reach the registry to check for updates; serving the cached copy", "ref", ref, "digest", rec.Digest, "dir", dir)
		return dir, nil
	}
	cfgDir := os.Getenv("DOCKER_CONFIG")
	if cfgDir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cfgDir = filepath.Join(home, ".docker")
		}
	}
	res, err := registry.Pull(ctx, ref, registry.PullOptions{Dir: dir, Force: true,
		Options: registry.Options{ConfigDir: cfgDir, PlainHTTP: plainHTTP, Log: log}})
	if err != nil {
		refused := errors.Is(err, registry.ErrUnauthorized) || errors.Is(err, registry.ErrNotFound) ||
			errors.Is(err, registry.ErrNotLoggedIn) || errors.Is(err, registry.ErrInvalidReference)
		if cached && !refused && ctx.Err() == nil {
			if _, ok := readPullRecord(recPath, dir); ok {
				log.Warn("could not reach the registry to check for updates; serving the cached copy", "ref", ref, "error", err.Error(), "dir", dir)
				return dir, nil
			}
		}
		return "", fmt.Errorf("serve: pulling %s: %w", ref, err)
	}
	if !res.HasMLmodel {
		return "", fmt.Errorf("serve: %s has no MLmodel, so it is not an mlpack bundle; pull it and run `mlpack save` on it", ref)
	}
	if err := writePullRecord(recPath, pullRecord{Ref: ref, Digest: res.Digest, Files: res.Files}); err != nil {
		log.Warn("could not record the completed pull; the next start needs the registry", "error", err.Error())
	}
	return res.Dir, nil
}

// readPullRecord reads the record of a completed pull and checks that
// every recorded file is still in dir with its size.
func readPullRecord(path, dir string) (pullRecord, bool) {
	var rec pullRecord
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &rec) != nil || len(rec.Files) == 0 {
		return rec, false
	}
	for _, f := range rec.Files {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil || st.Size() != f.Size {
			return rec, false
		}
	}
	return rec, true
}

// writePullRecord writes rec through a synced temporary file and a rename.
func writePullRecord(path string, rec pullRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, b)
}

// registryReachable reports whether a TCP connection to ref's registry
// opens within registryProbeTimeout.
func registryReachable(ctx context.Context, ref string, plainHTTP bool) bool {
	host, _, _ := strings.Cut(ref, "/")
	if _, _, err := net.SplitHostPort(host); err != nil {
		port := "443"
		if plainHTTP || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "127.") {
			port = "80"
		}
		host = net.JoinHostPort(host, port)
	}
	d := net.Dialer{Timeout: registryProbeTimeout}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// looksLikeReference: a registry host (with a dot, a colon or localhost)
// then a repository path.
func looksLikeReference(s string) bool {
	host, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") {
		return false
	}
	return strings.ContainsAny(host, ".:") || host == "localhost"
}
