package registrytest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Fault is one misbehaviour of a Proxy. It fires on the first Times
// requests (after Skip) that match Method (any when empty) and whose path
// contains PathContains. A fault with no action only counts requests.
type Fault struct {
	Method       string
	PathContains string
	Times        int
	// Status, when set, answers with this status without forwarding.
	Status int
	// CutAfter, when > 0, forwards the request but drops the connection
	// after this many body bytes: of the response for GET, of the request
	// for uploads (PATCH, PUT, POST).
	CutAfter int64
	// Corrupt forwards the response with its first body byte flipped.
	Corrupt bool
	// Skip lets the first Skip matching requests through untouched.
	Skip int

	fired, skipped int
}

// Proxy is a reverse proxy on 127.0.0.1 in front of a registry that
// injects faults.
type Proxy struct {
	Host string // host:port of the proxy

	mu       sync.Mutex
	faults   []*Fault
	uploaded int64
	served   []*Served
}

// Served records one GET the proxy forwarded upstream: the request path,
// its Range header, the upstream status and how many response body bytes
// the proxy passed on to the client (after any cut).
type Served struct {
	Path   string
	Range  string
	Status int
	Bytes  int64
}

// Served returns a copy of the GETs forwarded so far, in order of their
// responses. Requests answered by a Status fault are not included.
func (p *Proxy) Served() []Served {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Served, len(p.served))
	for i, s := range p.served {
		out[i] = *s
	}
	return out
}

// servedBody counts response body bytes into a Served record.
type servedBody struct {
	rc io.ReadCloser
	s  *Served
	p  *Proxy
}

func (b *servedBody) Read(buf []byte) (int, error) {
	n, err := b.rc.Read(buf)
	b.p.mu.Lock()
	b.s.Bytes += int64(n)
	b.p.mu.Unlock()
	return n, err
}

func (b *servedBody) Close() error { return b.rc.Close() }

// UploadedBytes is how many request body bytes of PATCH and PUT requests
// reached the proxy, forwarded or cut.
func (p *Proxy) UploadedBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.uploaded
}

func (p *Proxy) countUpload(n int64) {
	p.mu.Lock()
	p.uploaded += n
	p.mu.Unlock()
}

// countingBody counts request body bytes into the proxy.
type countingBody struct {
	rc io.ReadCloser
	p  *Proxy
}

func (c *countingBody) Read(b []byte) (int, error) {
	n, err := c.rc.Read(b)
	c.p.countUpload(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return c.rc.Close() }

// NewProxy starts a fault-injecting proxy for the registry at upstream
// (host:port).
func NewProxy(tb testing.TB, upstream string, faults ...*Fault) *Proxy {
	tb.Helper()
	target := &url.URL{Scheme: "http", Host: upstream}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &Proxy{faults: faults}
	rp.ModifyResponse = func(resp *http.Response) error {
		if n, ok := resp.Request.Context().Value(cutKey{}).(int64); ok {
			resp.Body = &cutReader{rc: resp.Body, left: n}
		}
		if resp.Request.Context().Value(corruptKey{}) != nil {
			resp.Body = &flipReader{rc: resp.Body}
		}
		if resp.Request.Method == http.MethodGet {
			rec := &Served{Path: resp.Request.URL.Path, Range: resp.Request.Header.Get("Range"), Status: resp.StatusCode}
			p.mu.Lock()
			p.served = append(p.served, rec)
			p.mu.Unlock()
			resp.Body = &servedBody{rc: resp.Body, s: rec, p: p}
		}
		return nil
	}
	rp.ErrorLog = nil
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch || r.Method == http.MethodPut {
			r.Body = &countingBody{rc: r.Body, p: p}
		}
		f := p.match(r)
		switch {
		case f == nil:
		case f.Status != 0:
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(f.Status)
			return
		case f.CutAfter > 0 && (r.Method == http.MethodPatch || r.Method == http.MethodPut || r.Method == http.MethodPost):
			io.CopyN(io.Discard, r.Body, f.CutAfter)
			panic(http.ErrAbortHandler) // drop the connection mid-upload
		case f.CutAfter > 0:
			r = r.WithContext(contextWithCut(r, f.CutAfter))
		case f.Corrupt:
			r = r.WithContext(context.WithValue(r.Context(), corruptKey{}, true))
		}
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

func (p *Proxy) match(r *http.Request) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.faults {
		if f.fired >= f.Times || (f.Method != "" && f.Method != r.Method) || !strings.Contains(r.URL.Path, f.PathContains) {
			continue
		}
		if f.skipped < f.Skip {
			f.skipped++
			return nil
		}
		f.fired++
		return f
	}
	return nil
}

// Fired reports how often each fault fired, in order.
func (p *Proxy) Fired() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int, len(p.faults))
	for i, f := range p.faults {
		out[i] = f.fired
	}
	return out
}

type (
	cutKey     struct{}
	corruptKey struct{}
)

// flipReader inverts the first byte of a body.
type flipReader struct {
	rc      io.ReadCloser
	flipped bool
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.rc.Read(p)
	if n > 0 && !f.flipped {
		p[0] ^= 0xff
		f.flipped = true
	}
	return n, err
}

func (f *flipReader) Close() error { return f.rc.Close() }

// cutReader ends the body with an error after left bytes, which makes the
// reverse proxy abort the client connection.
type cutReader struct {
	rc   io.ReadCloser
	left int64
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("registrytest: connection cut")
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cutReader) Close() error { return c.rc.Close() }

func contextWithCut(r *http.Request, n int64) context.Context {
	return context.WithValue(r.Context(), cutKey{}, n)
}
