package registry

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func TestPushPullRoundTripMemoryRegistry(t *testing.T) {
	host := registrytest.Memory(t)
	dir := testBundle(t, 64<<10)
	ref := host + "/team/tiny:v1"

	var mu sync.Mutex // Progress is called from several goroutines
	var events []Event
	first := push(t, dir, ref, PushOptions{Options: Options{Jobs: 3, Progress: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind != EventProgress {
			events = append(events, e)
		}
	}}, Tags: []string{"latest", "stable"}})
	if first.SkippedBytes != 0 || first.UploadedBytes == 0 {
		t.Errorf("first push: uploaded %d, skipped %d", first.UploadedBytes, first.SkippedBytes)
	}
	if want := ref + "@" + first.Digest; first.Ref != want {
		t.Errorf("Ref = %q, want %q", first.Ref, want)
	}
	if len(events) == 0 {
		t.Error("no progress events")
	}

	second := push(t, dir, ref, PushOptions{})
	if second.Digest != first.Digest {
		t.Errorf("re-push digest %s, first %s", second.Digest, first.Digest)
	}
	if second.UploadedBytes != 0 {
		t.Errorf("re-push uploaded %d bytes, want 0", second.UploadedBytes)
	}
	if second.SkippedBytes != first.UploadedBytes {
		t.Errorf("re-push skipped %d bytes, want %d", second.SkippedBytes, first.UploadedBytes)
	}

	for _, r := range []string{ref, host + "/team/tiny:stable", first.Ref} {
		t.Run(r, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			res := pull(t, r, PullOptions{Dir: out})
			assertSameTree(t, dir, out)
			if !res.HasMLmodel {
				t.Error("HasMLmodel = false")
			}
			if res.Digest != first.Digest {
				t.Errorf("pulled digest %s, pushed %s", res.Digest, first.Digest)
			}
		})
	}
}

func TestPullIncludeAndPresentFiles(t *testing.T) {
	host := registrytest.Memory(t)
	dir := testBundle(t, 4096)
	ref := host + "/m:v1"
	push(t, dir, ref, PushOptions{})

	out := filepath.Join(t.TempDir(), "out")
	res := pull(t, ref, PullOptions{Dir: out, Include: []string{"tokenizer*"}})
	want := []string{"components", "components/tokenizer", "components/tokenizer/tokenizer.json", "components/tokenizer/tokenizer_config.json"}
	if diff := cmp.Diff(want, treeNames(t, out)); diff != "" {
		t.Errorf("partial pull wrote (-want +got):\n%s", diff)
	}
	if res.HasMLmodel {
		t.Error("HasMLmodel = true for a pull without MLmodel")
	}

	// A full pull then downloads only what is missing.
	res = pull(t, ref, PullOptions{Dir: out})
	status := map[string]string{}
	for _, f := range res.Files {
		status[f.Path] = f.Status
	}
	if status["components/tokenizer/tokenizer.json"] != "present" || status["MLmodel"] != "downloaded" {
		t.Errorf("statuses = %v", status)
	}
	assertSameTree(t, dir, out)

	// A differing file is not overwritten without Force.
	os.WriteFile(filepath.Join(out, "README.md"), []byte("local edit\n"), 0o644)
	_, err := Pull(context.Background(), ref, PullOptions{Dir: out, Options: Options{Retry: fastRetry}})
	wantErr(t, err, ErrExists)
	pull(t, ref, PullOptions{Dir: out, Force: true})
	assertSameTree(t, dir, out)
}

func TestRegistryErrors(t *testing.T) {
	host := registrytest.Memory(t)
	_, err := Pull(context.Background(), host+"/nothing:here", PullOptions{Dir: t.TempDir(), Options: Options{Retry: fastRetry}})
	wantErr(t, err, ErrNotFound)
	_, err = Pull(context.Background(), "Not A Ref!!", PullOptions{Dir: t.TempDir()})
	wantErr(t, err, ErrInvalidReference)
}

func TestPullRecordsDigestsForPush(t *testing.T) {
	host := registrytest.Memory(t)
	cache := t.TempDir()
	dir := testBundle(t, 32<<10)
	push(t, dir, host+"/m:v1", PushOptions{})
	out := filepath.Join(t.TempDir(), "out")
	pull(t, host+"/m:v1", PullOptions{Dir: out, Options: Options{CacheDir: cache}})
	// Pushing the pulled folder needs no hashing: pull recorded every digest.
	art, err := Build(context.Background(), out, BuildOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if art.HashedBytes != 0 {
		t.Errorf("build after pull hashed %d bytes, want 0", art.HashedBytes)
	}
}

func TestPullSameContentAtTwoPaths(t *testing.T) {
	host := registrytest.Memory(t)
	cfg := []byte(`{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":[]}}`)
	same := []byte(`{"shared":true}`)
	ref := pushHandmade(t, host, "dup/content", cfg, []rawLayer{
		{mt: MediaTypeWeightConfig, path: "a/tokenizer.json", data: same},
		{mt: MediaTypeWeightConfig, path: "b/tokenizer.json", data: same},
	}, nil)
	out := filepath.Join(t.TempDir(), "out")
	pull(t, ref, PullOptions{Dir: out})
	want := map[string][]byte{"a/tokenizer.json": same, "b/tokenizer.json": same}
	if diff := cmp.Diff(want, treeFiles(t, out)); diff != "" {
		t.Errorf("pulled files (-want +got):\n%s", diff)
	}
}

func TestChunkedPushMemoryRegistry(t *testing.T) {
	host := registrytest.Memory(t)
	dir := testBundle(t, 1<<20)
	patches := &registrytest.Fault{Method: http.MethodPatch, Times: 1000} // counts only
	proxy := registrytest.NewProxy(t, host, patches)
	push(t, dir, proxy.Host+"/chunked:v1", PushOptions{Options: Options{ChunkSize: 100 << 10}})
	if n := proxy.Fired()[0]; n < 10 {
		t.Errorf("%d PATCH requests for a 1 MiB blob in 100 KiB chunks, want at least 10", n)
	}
	out := filepath.Join(t.TempDir(), "out")
	pull(t, host+"/chunked:v1", PullOptions{Dir: out})
	assertSameTree(t, dir, out)
}
