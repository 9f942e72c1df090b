package main

import (
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/registry"
)

// dockerConfigDir is where credentials live: $DOCKER_CONFIG, else
// ~/.docker, the folder docker login writes.
func dockerConfigDir() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".docker")
}

// digestCacheDir is where push remembers file digests: the user cache
// folder ($XDG_CACHE_HOME or ~/.cache) under mlpack/. Empty disables it.
func digestCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "mlpack")
}

// registryFlags are the transport flags push and pull share.
func registryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: 4, Usage: "transfer `N` files at once"},
		&cli.BoolFlag{Name: "plain-http", Usage: "talk HTTP instead of HTTPS (loopback and private addresses do so automatically)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress on stderr"},
		&cli.BoolFlag{Name: "json", Usage: "print a JSON report on stdout"},
	}
}

func registryOptions(c *cli.Context, e *env, prog *transferProgress) (registry.Options, error) {
	if c.Int("jobs") < 1 {
		return registry.Options{}, usageErrorf("--jobs must be at least 1 (got %d)", c.Int("jobs"))
	}
	return registry.Options{
		ConfigDir: dockerConfigDir(),
		CacheDir:  digestCacheDir(),
		PlainHTTP: c.Bool("plain-http"),
		Jobs:      c.Int("jobs"),
		Progress:  prog.event,
		UserAgent: "mlpack/" + versionString(readBuildInfo()),
		Log:       e.Log,
	}, nil
}
