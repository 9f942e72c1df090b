package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlpack-go/mlpack/pkg/registry"
	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/serve"
)

// loadServeBackend loads the bundle at uri for serving. A uri that is not
// a local folder but reads as REGISTRY/REPO:TAG (or @sha256:...) is pulled
// first into the user cache (mlpack/models/<hash of the reference>), which
// later runs reuse: files already there with the right digest are kept.
func loadServeBackend(ctx context.Context, uri string, log *slog.Logger, plainHTTP bool) (serve.Backend, func(), error) {
	dir := uri
	if _, err := os.Stat(uri); err != nil && looksLikeReference(uri) {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, nil, fmt.Errorf("serve: finding a cache folder to pull %s into: %w", uri, err)
		}
		sum := sha256.Sum256([]byte(uri))
		dir = filepath.Join(cache, "mlpack", "models", hex.EncodeToString(sum[:8]))
		cfgDir := os.Getenv("DOCKER_CONFIG")
		if cfgDir == "" {
			if home, err := os.UserHomeDir(); err == nil {
				cfgDir = filepath.Join(home, ".docker")
			}
		}
		res, err := registry.Pull(ctx, uri, registry.PullOptions{Dir: dir, Force: true,
			Options: registry.Options{ConfigDir: cfgDir, PlainHTTP: plainHTTP, Log: log}})
		if err != nil {
			return nil, nil, fmt.Errorf("serve: pulling %s: %w", uri, err)
		}
		if !res.HasMLmodel {
			return nil, nil, fmt.Errorf("serve: %s has no MLmodel, so it is not an mlpack bundle; pull it and run `mlpack save` on it", uri)
		}
		dir = res.Dir
	}
	eng, err := runtime.Load(ctx, dir, runtime.Options{Log: log})
	if err != nil {
		return nil, nil, fmt.Errorf("serve: loading %s: %w", dir, err)
	}
	return serve.FromRuntime(eng), func() { _ = eng.Close() }, nil
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
