package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

func (c *client) url(kind, id string) string {
	return fmt.Sprintf("%s://%s/v2/%s/%s/%s", c.repo.Registry.Scheme(), c.repo.RegistryStr(), c.repo.RepositoryStr(), kind, id)
}

// fetchManifest GETs the manifest of c.ref, refusing one over
// MaxManifestSize and checking the digest when the reference pins one.
func (c *client) fetchManifest(ctx context.Context) ([]byte, string, error) {
	var body []byte
	err := c.retry(ctx, "manifest", func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("manifests", c.ref.Identifier()), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", ociManifestAccept)
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("registry: fetching manifest %s: %w", c.ref, err)
		}
		defer resp.Body.Close()
		if err := c.checkStatus(resp, "manifest "+c.ref.String(), http.StatusOK); err != nil {
			return err
		}
		if resp.ContentLength > MaxManifestSize {
			return fmt.Errorf("%w: manifest of %s is %d bytes, over the %d-byte limit", ErrInvalidArtifact, c.ref, resp.ContentLength, MaxManifestSize)
		}
		body, err = io.ReadAll(io.LimitReader(resp.Body, MaxManifestSize+1))
		if err != nil {
			return fmt.Errorf("registry: reading manifest %s: %w", c.ref, err)
		}
		if len(body) > MaxManifestSize {
			return fmt.Errorf("%w: manifest of %s is over the %d-byte limit", ErrInvalidArtifact, c.ref, MaxManifestSize)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	dig := sha256Digest(body)
	if d, ok := c.ref.(name.Digest); ok && d.DigestStr() != dig {
		return nil, "", fmt.Errorf("%w: manifest digest is %s, the reference pins %s", ErrInvalidArtifact, dig, d.DigestStr())
	}
	return body, dig, nil
}

// fetchSmallBlob reads a blob of at most limit bytes into memory, verified.
func (c *client) fetchSmallBlob(ctx context.Context, d ociDescriptor, limit int64) ([]byte, error) {
	if d.Size > limit || d.Size < 0 {
		return nil, fmt.Errorf("%w: blob %s claims %d bytes (limit %d)", ErrInvalidArtifact, d.Digest, d.Size, limit)
	}
	var body []byte
	err := c.retry(ctx, "blob", func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("blobs", d.Digest), nil)
		if err != nil {
			return err
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("registry: fetching blob %s: %w", d.Digest, err)
		}
		defer resp.Body.Close()
		if err := c.checkStatus(resp, "blob "+d.Digest, http.StatusOK); err != nil {
			return err
		}
		body, err = io.ReadAll(io.LimitReader(resp.Body, d.Size+1))
		if err != nil {
			return fmt.Errorf("registry: reading blob %s: %w", d.Digest, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if int64(len(body)) != d.Size || sha256Digest(body) != d.Digest {
		return nil, fmt.Errorf("%w: blob %s does not match its descriptor (size or digest)", ErrInvalidArtifact, d.Digest)
	}
	return body, nil
}

// download streams blob d into staging/<hex>, resuming a partial file left
// by an earlier run with an HTTP Range request and retrying transient
// failures from the byte reached. It returns the path of the verified blob
// and how many bytes were already on disk.
func (c *client) download(ctx context.Context, staging string, d ociDescriptor, label string) (string, int64, error) {
	hexd := strings.TrimPrefix(d.Digest, "sha256:")
	final := filepath.Join(staging, hexd)
	part := final + ".part"
	if st, err := os.Stat(final); err == nil && st.Size() == d.Size {
		if got, err := fileDigest(final); err == nil && got == d.Digest {
			c.o.emit(Event{Kind: EventSkip, Path: label, Size: d.Size, Done: d.Size})
			return final, d.Size, nil
		}
		os.Remove(final)
	}
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return "", 0, fmt.Errorf("registry: creating %s: %w", part, err)
	}
	defer f.Close()
	h := sha256.New()
	off, err := hashPrefix(f, h, d.Size)
	if err != nil {
		return "", 0, fmt.Errorf("registry: reading partial %s: %w", part, err)
	}
	resumed := off
	c.o.emit(Event{Kind: EventStart, Path: label, Size: d.Size, Done: off})
	restarted := false
	for attempt := 1; ; attempt++ {
		err = nil
		if off < d.Size {
			before := off
			var fromZero bool
			fromZero, err = c.fetchRange(ctx, d, f, h, &off, label)
			if fromZero {
				// The registry ignored Range (or refused it) and the
				// partial file was discarded: nothing was resumed.
				resumed = 0
			}
			if err != nil && off > before {
				// Attempts count failures without progress: a multi-GB
				// blob on a flaky link keeps going while bytes arrive.
				attempt = 1
			}
		}
		if err == nil {
			if off != d.Size {
				err = fmt.Errorf("%w: blob %s is %d bytes, the manifest says %d", ErrInvalidArtifact, d.Digest, off, d.Size)
			} else if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != d.Digest {
				err = fmt.Errorf("%w: blob %s has digest %s", ErrInvalidArtifact, d.Digest, got)
			}
			if err != nil && resumed > 0 && !restarted {
				// The bytes kept from an earlier run may be what is wrong:
				// start this blob over once.
				restarted, resumed = true, 0
				if off, err = 0, resetPartial(f, h); err != nil {
					return "", 0, err
				}
				c.o.emit(Event{Kind: EventRetry, Path: label, Size: d.Size})
				continue
			}
		}
		if err == nil {
			break
		}
		if errors.Is(err, ErrInvalidArtifact) {
			f.Close()
			os.Remove(part)
			return "", 0, err
		}
		if !transient(err) || attempt >= c.o.Retry.Attempts {
			return "", 0, err // keep the partial file for the next run
		}
		c.o.emit(Event{Kind: EventRetry, Path: label, Size: d.Size, Done: off, Err: err})
		if err := sleepCtx(ctx, c.o.Retry.wait(attempt)); err != nil {
			return "", 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("registry: syncing %s: %w", part, err)
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("registry: closing %s: %w", part, err)
	}
	if err := os.Rename(part, final); err != nil {
		return "", 0, fmt.Errorf("registry: %w", err)
	}
	c.o.emit(Event{Kind: EventDone, Path: label, Size: d.Size, Done: d.Size})
	return final, resumed, nil
}

// fetchRange GETs the blob from *off onwards and appends it to f and h,
// advancing *off as bytes arrive. A registry that ignores Range (200) or
// refuses it (416) makes the download start over; fromZero reports that the
// bytes kept before the call were discarded.
func (c *client) fetchRange(ctx context.Context, d ociDescriptor, f *os.File, h hash.Hash, off *int64, label string) (fromZero bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("blobs", d.Digest), nil)
	if err != nil {
		return false, err
	}
	if *off > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", *off))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("registry: fetching blob %s: %w", d.Digest, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && *off > 0:
		start, ok := rangeStart(resp.Header.Get("Content-Range"))
		if !ok || start != *off {
			return false, fmt.Errorf("registry: blob %s: registry answered range %q for bytes=%d-", d.Digest, resp.Header.Get("Content-Range"), *off)
		}
	case resp.StatusCode == http.StatusOK:
		if *off > 0 {
			if err := resetPartial(f, h); err != nil {
				return false, err
			}
			*off, fromZero = 0, true
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		if err := resetPartial(f, h); err != nil {
			return false, err
		}
		*off = 0
		return true, &statusError{code: http.StatusServiceUnavailable, what: "blob range not satisfiable; restarting"}
	default:
		return false, c.checkStatus(resp, "blob "+d.Digest)
	}
	w := &progressWriter{w: io.MultiWriter(f, h), off: off, c: c, ev: Event{Kind: EventProgress, Path: label, Size: d.Size}}
	// Read at most one byte more than expected, so an oversized blob is
	// noticed without filling the disk.
	_, err = io.Copy(w, io.LimitReader(resp.Body, d.Size-*off+1))
	if err != nil {
		return fromZero, fmt.Errorf("registry: downloading blob %s: %w", d.Digest, err)
	}
	return fromZero, nil
}

type progressWriter struct {
	w   io.Writer
	off *int64
	c   *client
	ev  Event
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	*p.off += int64(n)
	p.ev.Done = *p.off
	p.c.o.emit(p.ev)
	return n, err
}

func rangeStart(cr string) (int64, bool) {
	s, ok := strings.CutPrefix(cr, "bytes ")
	if !ok {
		return 0, false
	}
	s, _, ok = strings.Cut(s, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// hashPrefix hashes the bytes already in f (at most size) and leaves the
// offset at their end, truncating anything beyond size.
func hashPrefix(f *os.File, h hash.Hash, size int64) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	n := st.Size()
	if n > size {
		if err := f.Truncate(0); err != nil {
			return 0, err
		}
		n = 0
	}
	if _, err := io.Copy(h, io.LimitReader(f, n)); err != nil {
		return 0, err
	}
	_, err = f.Seek(n, io.SeekStart)
	return n, err
}

func resetPartial(f *os.File, h hash.Hash) error {
	h.Reset()
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("registry: truncating partial blob: %w", err)
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

func fileDigest(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
