package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxMountSources caps how many repositories are remembered per blob and
// tried per push.
const maxMountSources = 4

// maxMountScopes caps how many source repositories one push asks pull
// access for (each is a scope in the token request).
const maxMountScopes = 8

// mountCache remembers, per registry host and blob digest, repositories
// that hold the blob (from earlier pushes and pulls), so pushing the same
// files to another repository of that registry mounts them
// (POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<repo>) instead of
// uploading them again. It lives in Options.CacheDir/mounts and is best
// effort: a wrong entry costs one failed mount request, then a normal
// upload.
type mountCache struct{ dir string }

func (m mountCache) file(host, digest string) string {
	if m.dir == "" || !digestRE.MatchString(digest) {
		return ""
	}
	h := sha256.Sum256([]byte(strings.ToLower(host)))
	return filepath.Join(m.dir, "mounts", hex.EncodeToString(h[:8]), strings.TrimPrefix(digest, "sha256:"))
}

// sources returns repositories of host known to hold digest, most recent
// first, without except.
func (m mountCache) sources(host, digest, except string) []string {
	p := m.file(host, digest)
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range strings.Fields(string(b)) {
		if r != except && validRepo(r) && len(out) < maxMountSources {
			out = append(out, r)
		}
	}
	return out
}

// record notes that repo on host holds every blob in digests.
func (m mountCache) record(host, repo string, digests []string) {
	if !validRepo(repo) {
		return
	}
	for _, d := range digests {
		p := m.file(host, d)
		if p == "" {
			continue
		}
		repos := append([]string{repo}, m.sources(host, d, repo)...)
		if len(repos) > maxMountSources {
			repos = repos[:maxMountSources]
		}
		if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
			return
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp*")
		if err != nil {
			return
		}
		_, err = tmp.WriteString(strings.Join(repos, "\n") + "\n")
		if cerr := tmp.Close(); err != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
			os.Remove(tmp.Name())
		}
	}
}

// validRepo accepts repository names as the distribution spec writes them
// (lower-case path components), so a cache file cannot smuggle a query.
func validRepo(r string) bool {
	if r == "" || len(r) > 255 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("._-/", c)) {
			return false
		}
	}
	return true
}

// mountSources lists, for each digest, the repositories to try mounting it
// from, and all of them together (for the token's pull scopes).
func (m mountCache) mountSources(host, repo string, digests []string) (map[string][]string, []string) {
	by := map[string][]string{}
	var all []string
	for _, d := range digests {
		srcs := m.sources(host, d, repo)
		if len(srcs) == 0 {
			continue
		}
		var kept []string
		for _, s := range srcs {
			if !slices.Contains(all, s) && len(all) < maxMountScopes {
				all = append(all, s)
			}
			if slices.Contains(all, s) {
				kept = append(kept, s)
			}
		}
		if len(kept) > 0 {
			by[d] = kept
		}
	}
	return by, all
}

// tryMount asks the registry to mount digest from one of srcs into c.repo.
// It reports whether the blob is now in c.repo. Any refusal (the source no
// longer has the blob, no pull access, mounting not supported) is not an
// error: the caller uploads instead.
func (c *client) tryMount(ctx context.Context, digest string, srcs []string) bool {
	for _, src := range srcs {
		u := c.url("blobs", "uploads/") + "?" + url.Values{"mount": {digest}, "from": {src}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
		if err != nil {
			return false
		}
		resp, err := c.http.Do(req)
		if err != nil {
			c.o.log().Debug("registry: mount failed", "digest", digest, "from", src, "err", err)
			return false
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			return true
		case http.StatusAccepted:
			// Not mounted; the registry opened an upload session instead.
			// Cancel it (best effort) and try the next source.
			if loc, err := c.resolve(u, resp.Header.Get("Location")); err == nil && loc != "" {
				if del, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc, nil); err == nil {
					if r, err := c.http.Do(del); err == nil {
						r.Body.Close()
					}
				}
			}
		}
		c.o.log().Debug("registry: mount refused", "digest", digest, "from", src, "status", resp.StatusCode)
	}
	return false
}
