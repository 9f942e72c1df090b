package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// errNoChunks means the registry does not take chunked uploads the way the
// distribution spec describes; the caller falls back to one streaming PATCH.
var errNoChunks = errors.New("registry: chunked upload not supported")

// chunkedOK reports whether host is known to handle chunked uploads. GHCR,
// Google Artifact Registry/GCR and ECR do not (oci-format.md §6.2), so they
// get a monolithic upload.
func chunkedOK(host string) bool {
	h := strings.ToLower(host)
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	for _, bad := range []string{"ghcr.io", "gcr.io", "pkg.dev", "amazonaws.com"} {
		if h == bad || strings.HasSuffix(h, "."+bad) {
			return false
		}
	}
	return true
}

// blobExists HEADs a blob.
func (c *client) blobExists(ctx context.Context, digest string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.url("blobs", digest), nil)
	if err != nil {
		return false, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("registry: checking blob %s: %w", digest, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, c.checkStatus(resp, "blob "+digest)
}

// uploadChunked uploads l in chunks of c.o.ChunkSize bytes. After a failure
// it asks the registry how much of the upload it holds (GET on the upload
// URL) and continues from there, so a multi-GB blob is not restarted from
// byte 0. It returns errNoChunks when the registry answers in a way that
// shows it does not do chunked uploads.
func (c *client) uploadChunked(ctx context.Context, l *fileLayer) error {
	f, err := os.Open(l.path)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != l.size {
		return fmt.Errorf("registry: %s changed since it was hashed; push again", l.name)
	}
	loc, err := c.startUpload(ctx)
	if err != nil {
		return err
	}
	l.opened.Add(1)
	c.o.emit(Event{Kind: EventStart, Path: l.name, Size: l.size})
	var off int64
	for attempt := 1; off < l.size; attempt++ {
		n := min(c.o.ChunkSize, l.size-off)
		next, end, err := c.patchChunk(ctx, loc, io.NewSectionReader(f, off, n), off, n, l)
		if err == nil {
			loc, off = next, end
			attempt = 0 // attempts count failures in a row
			continue
		}
		if errors.Is(err, errNoChunks) || !transient(err) {
			return err
		}
		if attempt >= c.o.Retry.Attempts {
			return err
		}
		c.o.emit(Event{Kind: EventRetry, Path: l.name, Size: l.size, Done: off, Err: err})
		if err := sleepCtx(ctx, c.o.Retry.wait(attempt)); err != nil {
			return err
		}
		// Ask where the upload stands; start a new one if it is gone.
		before := off
		if loc2, got, serr := c.uploadStatus(ctx, loc); serr == nil && got <= l.size {
			loc, off = loc2, got
		} else if loc, err = c.startUpload(ctx); err != nil {
			return err
		} else {
			off = 0
		}
		if off > before {
			attempt = 1
		}
	}
	err = c.finishUpload(ctx, loc, l.digest.String())
	if err != nil {
		// The commit may have landed and only its answer got lost.
		if ok, herr := c.blobExists(ctx, l.digest.String()); herr == nil && ok {
			return nil
		}
	}
	return err
}

func (c *client) resolve(base, loc string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u, err := b.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("registry: bad upload location %q: %w", loc, err)
	}
	return u.String(), nil
}

func (c *client) startUpload(ctx context.Context) (string, error) {
	u := c.url("blobs", "uploads/")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("registry: starting upload: %w", err)
	}
	resp.Body.Close()
	if err := c.checkStatus(resp, "upload to "+c.repo.RepositoryStr(), http.StatusAccepted); err != nil {
		return "", err
	}
	return c.resolve(u, resp.Header.Get("Location"))
}

// patchChunk sends bytes [off, off+n) and returns the next upload location
// and the offset the registry confirms.
func (c *client) patchChunk(ctx context.Context, loc string, body io.Reader, off, n int64, l *fileLayer) (string, int64, error) {
	cr := &countingReader{rc: io.NopCloser(body), ev: Event{Kind: EventProgress, Path: l.name, Size: l.size, Done: off}, o: c.o}
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, loc, cr)
	if err != nil {
		return "", 0, err
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Range", fmt.Sprintf("%d-%d", off, off+n-1))
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("registry: uploading %s: %w", l.name, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusAccepted:
	case http.StatusRequestedRangeNotSatisfiable, http.StatusCreated, http.StatusBadRequest:
		return "", 0, errNoChunks
	default:
		return "", 0, c.checkStatus(resp, "upload of "+l.name)
	}
	next, err := c.resolve(loc, resp.Header.Get("Location"))
	if err != nil {
		return "", 0, err
	}
	end, ok := rangeEnd(resp.Header.Get("Range"))
	if !ok {
		return next, off + n, nil
	}
	if end != off+n {
		return "", 0, errNoChunks // the registry did not append where we wrote
	}
	return next, end, nil
}

// uploadStatus asks how many bytes an upload holds.
func (c *client) uploadStatus(ctx context.Context, loc string) (string, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return "", 0, &statusError{code: resp.StatusCode, what: "upload status"}
	}
	end, ok := rangeEnd(resp.Header.Get("Range"))
	if !ok {
		return "", 0, errNoChunks
	}
	next := loc
	if h := resp.Header.Get("Location"); h != "" {
		if next, err = c.resolve(loc, h); err != nil {
			return "", 0, err
		}
	}
	return next, end, nil
}

func (c *client) finishUpload(ctx context.Context, loc, digest string) error {
	u, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("registry: bad upload location %q: %w", loc, err)
	}
	q := u.Query()
	q.Set("digest", digest)
	u.RawQuery = q.Encode()
	return c.retry(ctx, "commit", func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("registry: committing blob %s: %w", digest, err)
		}
		resp.Body.Close()
		return c.checkStatus(resp, "commit of blob "+digest, http.StatusCreated)
	})
}

// rangeEnd parses a "0-N" Range header into N+1, the next offset.
func rangeEnd(h string) (int64, bool) {
	h = strings.TrimPrefix(h, "bytes=")
	_, e, ok := strings.Cut(h, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return 0, false
	}
	return n + 1, true
}
