package registry

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// interruptPull pulls ref from host into out through a proxy that cuts the
// blob download of digest after 1 MiB and then fails until the pull gives
// up. It returns the size of the partial blob left in the staging folder.
func interruptPull(t *testing.T, host, repo, digest, out string) int64 {
	t.Helper()
	blob := "/blobs/" + digest
	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodGet, PathContains: blob, Times: 1, CutAfter: 1 << 20},
		&registrytest.Fault{Method: http.MethodGet, PathContains: blob, Times: 1000, Status: http.StatusServiceUnavailable})
	_, err := Pull(context.Background(), proxy.Host+"/"+repo, PullOptions{Dir: out, Options: Options{Jobs: 1, Retry: Retry{Attempts: 2, Initial: fastRetry.Initial}}})
	if err == nil {
		t.Fatal("pull through a proxy that always cuts succeeded")
	}
	for _, n := range treeNames(t, out) {
		if !strings.HasPrefix(n, stagingDir) {
			t.Errorf("failed pull left %s outside the staging folder", n)
		}
	}
	st, err := os.Stat(filepath.Join(out, stagingDir, strings.TrimPrefix(digest, "sha256:")+".part"))
	if err != nil {
		t.Fatalf("interrupted pull left no partial blob: %v", err)
	}
	if st.Size() == 0 {
		t.Fatal("interrupted pull left an empty partial blob")
	}
	return st.Size()
}

// servedFor returns the GETs of path the proxy forwarded.
func servedFor(p *registrytest.Proxy, path string) []registrytest.Served {
	var out []registrytest.Served
	for _, s := range p.Served() {
		if strings.HasSuffix(s.Path, path) {
			out = append(out, s)
		}
	}
	return out
}

// A registry that ignores Range answers 200 with the whole blob: the pull
// starts that blob over, and must not report the discarded bytes as resumed.
func TestPullFromRegistryIgnoringRangeRestarts(t *testing.T) {
	mem := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Range")
		mem.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	dir := testBundle(t, 4<<20)
	push(t, dir, host+"/norange/m:v1", PushOptions{})
	art, err := Build(context.Background(), dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	weights := art.Files[0]
	out := filepath.Join(t.TempDir(), "out")
	kept := interruptPull(t, host, "norange/m:v1", weights.Digest, out)

	rec := registrytest.NewProxy(t, host)
	res := pull(t, rec.Host+"/norange/m:v1", PullOptions{Dir: out})
	assertSameTree(t, dir, out)

	got := servedFor(rec, "/blobs/"+weights.Digest)
	want := []registrytest.Served{{Path: "/v2/norange/m/blobs/" + weights.Digest, Range: fmt.Sprintf("bytes=%d-", kept), Status: http.StatusOK, Bytes: weights.Size}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("weights GETs (-want +got):\n%s", diff)
	}
	if res.ResumedBytes != 0 {
		t.Errorf("ResumedBytes = %d after the registry ignored Range, want 0", res.ResumedBytes)
	}
	if res.DownloadedBytes < weights.Size {
		t.Errorf("DownloadedBytes = %d, want at least the %d-byte weights", res.DownloadedBytes, weights.Size)
	}
	for _, f := range res.Files {
		if f.Path == weights.Path && f.Status != "downloaded" {
			t.Errorf("weights status %q, want downloaded", f.Status)
		}
	}
}
