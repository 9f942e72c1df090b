package registry

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fileLayer is an uncompressed, file-backed v1.Layer: digest == diffID ==
// sha256 of the file. The file is opened on every Compressed call, so
// go-containerregistry can retry an upload from byte 0; each open reports
// progress afresh.
type fileLayer struct {
	path    string // on disk
	name    string // bundle-relative, for progress
	mt      types.MediaType
	digest  v1.Hash
	size    int64
	o       Options
	opened  atomic.Int32 // how many times the upload opened the file
	mounted atomic.Bool  // the registry mounted it from another repository
}

func newFileLayer(dir string, f File, o Options) (*fileLayer, error) {
	h, err := v1.NewHash(f.Digest)
	if err != nil {
		return nil, fmt.Errorf("registry: digest of %s: %w", f.Path, err)
	}
	return &fileLayer{path: joinBundle(dir, f.Path), name: f.Path, mt: types.MediaType(f.MediaType), digest: h, size: f.Size, o: o}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return l.mt, nil }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	return os.Open(l.path)
}

func (l *fileLayer) Compressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.Size() != l.size {
		f.Close()
		return nil, fmt.Errorf("registry: %s changed since it was hashed; push again", l.name)
	}
	if l.opened.Add(1) == 1 {
		l.o.emit(Event{Kind: EventStart, Path: l.name, Size: l.size})
	} else {
		l.o.emit(Event{Kind: EventRetry, Path: l.name, Size: l.size})
	}
	return &countingReader{rc: f, ev: Event{Kind: EventProgress, Path: l.name, Size: l.size}, o: l.o}, nil
}

// countingReader reports bytes read as progress events.
type countingReader struct {
	rc io.ReadCloser
	ev Event
	o  Options
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 {
		c.ev.Done += int64(n)
		c.o.emit(c.ev)
	}
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }

// rawManifest is a manifest pushed byte-for-byte.
type rawManifest struct{ b []byte }

func (m rawManifest) RawManifest() ([]byte, error)        { return m.b, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
