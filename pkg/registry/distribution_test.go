package registry

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// End-to-end tests against Docker Distribution 2.8 (Debian docker-registry).

func TestDistributionRoundTripAndSchema(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 256<<10)
	ref := host + "/team/tiny-chat:v1"
	first := push(t, dir, ref, PushOptions{Tags: []string{"latest"}})
	second := push(t, dir, ref, PushOptions{})
	if second.Digest != first.Digest || second.UploadedBytes != 0 {
		t.Errorf("re-push: digest %s (first %s), uploaded %d bytes, want the same digest and 0", second.Digest, first.Digest, second.UploadedBytes)
	}

	// The stored manifest is byte-identical to what Build makes and is a
	// valid ModelPack artifact.
	art, err := Build(context.Background(), dir, BuildOptions{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := ParseReference(ref, false)
	c, err := newClient(context.Background(), r, Options{Retry: fastRetry}, false)
	if err != nil {
		t.Fatal(err)
	}
	manifest, digest, err := c.fetchManifest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(manifest) != string(art.Manifest) || digest != first.Digest {
		t.Errorf("registry manifest differs from the built one:\n%s", cmp.Diff(string(art.Manifest), string(manifest)))
	}
	layers, cfgDesc, err := parseModelManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.fetchSmallBlob(context.Background(), cfgDesc, maxConfigSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateArtifact(manifest, cfg); err != nil {
		t.Errorf("ValidateArtifact: %v", err)
	}
	if len(layers) != len(art.Files) {
		t.Errorf("%d layers, %d files", len(layers), len(art.Files))
	}

	for _, rr := range []string{ref, host + "/team/tiny-chat:latest", first.Ref} {
		out := filepath.Join(t.TempDir(), "out")
		res := pull(t, rr, PullOptions{Dir: out, Options: Options{Jobs: 2}})
		assertSameTree(t, dir, out)
		if res.Digest != first.Digest || !res.HasMLmodel {
			t.Errorf("pull %s: digest %s, HasMLmodel %v", rr, res.Digest, res.HasMLmodel)
		}
	}
}

func TestDistributionAuth(t *testing.T) {
	host := registrytest.Distribution(t, registrytest.DistributionOptions{Htpasswd: registrytest.Htpasswd(t, "alice", "s3cret")})
	dir := testBundle(t, 4096)
	ref := host + "/private/model:v1"
	cfgDir := t.TempDir()
	ctx := context.Background()

	_, err := Push(ctx, dir, ref, PushOptions{Options: Options{ConfigDir: cfgDir, Retry: fastRetry}})
	wantErr(t, err, ErrUnauthorized)
	if !strings.Contains(err.Error(), "mlpack login "+host) {
		t.Errorf("401 message does not say how to fix it: %v", err)
	}

	err = Login(ctx, host, "alice", "wrong", LoginOptions{ConfigDir: cfgDir})
	wantErr(t, err, ErrUnauthorized)
	if _, err := os.Stat(filepath.Join(cfgDir, "config.json")); err == nil {
		t.Error("a failed login wrote config.json")
	}
	// A pasted URL works: the scheme is stripped, http:// means plain HTTP.
	if err := Login(ctx, "http://"+host+"/", "alice", "s3cret", LoginOptions{ConfigDir: cfgDir}); err != nil {
		t.Fatalf("Login: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(cfgDir, "config.json"))
	if err != nil || !strings.Contains(string(b), `"`+host+`"`) || strings.Contains(string(b), "http://") {
		t.Fatalf("config.json after login: %q, %v", b, err)
	}

	push(t, dir, ref, PushOptions{Options: Options{ConfigDir: cfgDir}})
	out := filepath.Join(t.TempDir(), "out")
	pull(t, ref, PullOptions{Dir: out, Options: Options{ConfigDir: cfgDir}})
	assertSameTree(t, dir, out)

	if err := Logout(host, LoginOptions{ConfigDir: cfgDir}); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	_, err = Pull(ctx, ref, PullOptions{Dir: t.TempDir(), Options: Options{ConfigDir: cfgDir, Retry: fastRetry}})
	wantErr(t, err, ErrUnauthorized)
	wantErr(t, Logout(host, LoginOptions{ConfigDir: cfgDir}), ErrNotLoggedIn)
}

func TestDistributionPullSurvivesFaults(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 3<<20)
	push(t, dir, host+"/faults/pull:v1", PushOptions{})

	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodGet, PathContains: "/manifests/", Times: 1, Status: http.StatusServiceUnavailable},
		&registrytest.Fault{Method: http.MethodGet, PathContains: "/blobs/sha256:", Times: 1, Status: http.StatusBadGateway},
		&registrytest.Fault{Method: http.MethodGet, PathContains: "/blobs/sha256:", Times: 2, CutAfter: 1 << 20},
	)
	out := filepath.Join(t.TempDir(), "out")
	res := pull(t, proxy.Host+"/faults/pull:v1", PullOptions{Dir: out, Options: Options{Jobs: 1}})
	assertSameTree(t, dir, out)
	if diff := cmp.Diff([]int{1, 1, 2}, proxy.Fired()); diff != "" {
		t.Errorf("faults fired (-want +got):\n%s", diff)
	}
	if !res.HasMLmodel {
		t.Error("HasMLmodel = false")
	}
}

func TestDistributionPushSurvivesFaults(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 3<<20)
	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodPatch, PathContains: "/blobs/uploads/", Times: 2, CutAfter: 1 << 20},
		&registrytest.Fault{Method: http.MethodPost, PathContains: "/blobs/uploads/", Times: 1, Status: http.StatusServiceUnavailable},
		&registrytest.Fault{Method: http.MethodPut, PathContains: "/manifests/", Times: 1, Status: http.StatusInternalServerError},
	)
	res := push(t, dir, proxy.Host+"/faults/push:v1", PushOptions{Options: Options{Jobs: 2}})
	if diff := cmp.Diff([]int{2, 1, 1}, proxy.Fired()); diff != "" {
		t.Errorf("faults fired (-want +got):\n%s", diff)
	}
	out := filepath.Join(t.TempDir(), "out")
	got := pull(t, host+"/faults/push:v1", PullOptions{Dir: out})
	assertSameTree(t, dir, out)
	if got.Digest != res.Digest {
		t.Errorf("pulled %s, pushed %s", got.Digest, res.Digest)
	}
}

func TestDistributionInterruptedPullResumes(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 4<<20)
	push(t, dir, host+"/resume/m:v1", PushOptions{})

	// The weights download is cut after 1 MiB, then the registry fails
	// until the pull gives up.
	art, err := Build(context.Background(), dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	weights := art.Files[0]
	out := filepath.Join(t.TempDir(), "out")
	kept := interruptPull(t, host, "resume/m:v1", weights.Digest, out)

	// The second pull asks for the rest only, and gets only the rest.
	rec := registrytest.NewProxy(t, host)
	res := pull(t, rec.Host+"/resume/m:v1", PullOptions{Dir: out})
	assertSameTree(t, dir, out)
	got := servedFor(rec, "/blobs/"+weights.Digest)
	want := []registrytest.Served{{Path: "/v2/resume/m/blobs/" + weights.Digest, Range: fmt.Sprintf("bytes=%d-", kept), Status: http.StatusPartialContent, Bytes: weights.Size - kept}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("weights GETs on resume (-want +got):\n%s", diff)
	}
	if res.ResumedBytes < kept {
		t.Errorf("ResumedBytes = %d, want at least the %d bytes kept from the interrupted pull", res.ResumedBytes, kept)
	}
	st := map[string]string{}
	for _, f := range res.Files {
		st[f.Path] = f.Status
	}
	if st["model/model.safetensors"] != "resumed" {
		t.Errorf("weights status %q, want resumed", st["model/model.safetensors"])
	}
}

func TestDistributionFailedPushLeavesNoManifest(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 2<<20)
	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodPatch, PathContains: "/blobs/uploads/", Times: 1000, CutAfter: 64 << 10})
	_, err := Push(context.Background(), dir, proxy.Host+"/failed/push:v1", PushOptions{Options: Options{Retry: Retry{Attempts: 2, Initial: fastRetry.Initial}}})
	if err == nil {
		t.Fatal("push through a proxy that always cuts succeeded")
	}
	_, err = Pull(context.Background(), host+"/failed/push:v1", PullOptions{Dir: t.TempDir(), Options: Options{Retry: fastRetry}})
	wantErr(t, err, ErrNotFound)
}

func TestOrasPullsMlpackArtifact(t *testing.T) {
	oras, err := exec.LookPath("oras")
	if err != nil {
		if p := filepath.Join(os.Getenv("HOME"), "go", "bin", "oras"); fileExists(p) {
			oras = p
		} else {
			testenv.MissingPeer(t, "the oras CLI is not installed (go install oras.land/oras/cmd/oras@v1.3.6)")
		}
	}
	host := distribution(t)
	dir := testBundle(t, 64<<10)
	push(t, dir, host+"/interop/tiny:v1", PushOptions{})
	out := t.TempDir()
	cmd := exec.Command(oras, "pull", "--plain-http", "-o", out, host+"/interop/tiny:v1")
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oras pull: %v\n%s", err, b)
	}
	assertSameTree(t, dir, out)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func TestDistributionPullRefusesCorruptBlob(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 64<<10)
	push(t, dir, host+"/corrupt/m:v1", PushOptions{})
	art, err := Build(context.Background(), dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	weights := art.Files[0] // the weights layer comes first
	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodGet, PathContains: "/blobs/" + weights.Digest, Times: 1000, Corrupt: true})
	parent := t.TempDir()
	_, err = Pull(context.Background(), proxy.Host+"/corrupt/m:v1", PullOptions{Dir: filepath.Join(parent, "out"), Options: Options{Retry: fastRetry}})
	wantErr(t, err, ErrInvalidArtifact)
	if !strings.Contains(err.Error(), "digest") {
		t.Errorf("error does not name the digest mismatch: %v", err)
	}
	if got := treeNames(t, parent); len(got) != 0 {
		t.Errorf("a pull with a corrupt blob left %v", got)
	}
	if proxy.Fired()[0] == 0 {
		t.Error("the corrupting fault never fired")
	}
}

func TestDistributionPullKeepsGoingWhileBytesArrive(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 4<<20)
	push(t, dir, host+"/flaky/m:v1", PushOptions{})
	// Every response is cut after 512 KiB: more failures than attempts,
	// but each one makes progress.
	proxy := registrytest.NewProxy(t, host,
		&registrytest.Fault{Method: http.MethodGet, PathContains: "/blobs/sha256:", Times: 1000, CutAfter: 512 << 10})
	out := filepath.Join(t.TempDir(), "out")
	pull(t, proxy.Host+"/flaky/m:v1", PullOptions{Dir: out, Options: Options{Jobs: 1, Retry: Retry{Attempts: 2, Initial: fastRetry.Initial}}})
	assertSameTree(t, dir, out)
	if n := proxy.Fired()[0]; n < 8 {
		t.Errorf("only %d cuts fired; the test expects the 4 MiB blob to need 8+", n)
	}
}

func TestDistributionChunkedPushResumesAfterCuts(t *testing.T) {
	host := distribution(t)
	dir := testBundle(t, 3<<20)
	art, err := Build(context.Background(), dir, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range art.Files {
		total += f.Size
	}
	proxy := registrytest.NewProxy(t, host,
		// Cut three chunks in the middle of the 3 MiB weights, then refuse one.
		&registrytest.Fault{Method: http.MethodPatch, PathContains: "/blobs/uploads/", Skip: 6, Times: 3, CutAfter: 100 << 10},
		&registrytest.Fault{Method: http.MethodPatch, PathContains: "/blobs/uploads/", Times: 1, Status: http.StatusServiceUnavailable},
	)
	res := push(t, dir, proxy.Host+"/chunked/m:v1", PushOptions{Options: Options{ChunkSize: 256 << 10, Jobs: 1, Retry: Retry{Attempts: 6, Initial: fastRetry.Initial, Max: fastRetry.Max}}})
	if diff := cmp.Diff([]int{3, 1}, proxy.Fired()); diff != "" {
		t.Errorf("faults fired (-want +got):\n%s", diff)
	}
	// Resuming re-sends only what the faults swallowed (three 100 KiB cuts,
	// one refused 256 KiB chunk) plus the manifest; restarting the weights
	// would re-send the 1.5 MiB before the first cut.
	if sent, limit := proxy.UploadedBytes(), total+3*(100<<10)+(256<<10)+(64<<10); sent > limit {
		t.Errorf("sent %d bytes for %d bytes of files; a resumed upload sends at most %d", sent, total, limit)
	}
	out := filepath.Join(t.TempDir(), "out")
	got := pull(t, host+"/chunked/m:v1", PullOptions{Dir: out})
	assertSameTree(t, dir, out)
	if got.Digest != res.Digest {
		t.Errorf("pulled %s, pushed %s", got.Digest, res.Digest)
	}
}

func TestDistributionCredentialHelper(t *testing.T) {
	host := registrytest.Distribution(t, registrytest.DistributionOptions{Htpasswd: registrytest.Htpasswd(t, "carol", "p4ss")})
	// A docker credential helper is a program docker-credential-NAME that
	// answers "get" with JSON on stdout.
	bin := t.TempDir()
	helper := "#!/bin/sh\nread server\n[ \"$1\" = get ] && printf '{\"ServerURL\":\"%s\",\"Username\":\"carol\",\"Secret\":\"p4ss\"}' \"$server\"\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-mlpacktest"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cfgDir := t.TempDir()
	cfg := `{"credHelpers":{"` + host + `":"mlpacktest"}}`
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := testBundle(t, 4096)
	push(t, dir, host+"/helper/m:v1", PushOptions{Options: Options{ConfigDir: cfgDir}})
	out := filepath.Join(t.TempDir(), "out")
	pull(t, host+"/helper/m:v1", PullOptions{Dir: out, Options: Options{ConfigDir: cfgDir}})
	assertSameTree(t, dir, out)
	// Without the helper's answer the registry refuses.
	_, err := Pull(context.Background(), host+"/helper/m:v1", PullOptions{Dir: t.TempDir(), Options: Options{ConfigDir: t.TempDir(), Retry: fastRetry}})
	wantErr(t, err, ErrUnauthorized)
}
