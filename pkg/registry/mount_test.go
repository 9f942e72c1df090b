package registry

import (
	"path/filepath"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// TestDistributionMountsAcrossRepositories: a bundle already in one
// repository of a registry goes to another repository without uploading
// its files again, whether the first repository was pushed or pulled.
func TestDistributionMountsAcrossRepositories(t *testing.T) {
	proxy := registrytest.NewProxy(t, distribution(t))
	host := proxy.Host
	dir := testBundle(t, 2<<20)
	var total int64
	first := push(t, dir, host+"/mount/a:v1", PushOptions{Options: Options{CacheDir: t.TempDir()}})
	for _, f := range first.Files {
		total += f.Size
	}

	tests := []struct {
		name  string
		setup func(t *testing.T, cache string) // what the cache learns first
		want  int64                            // mounted bytes
	}{
		{"after a push", func(t *testing.T, cache string) {
			push(t, dir, host+"/mount/a:v1", PushOptions{Options: Options{CacheDir: cache}})
		}, total},
		{"after a pull", func(t *testing.T, cache string) {
			pull(t, host+"/mount/a:v1", PullOptions{Dir: filepath.Join(t.TempDir(), "p"), Options: Options{CacheDir: cache}})
		}, total},
		{"nothing known", func(*testing.T, string) {}, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := t.TempDir()
			tt.setup(t, cache)
			ref := host + "/mount/b" + string(rune('0'+i)) + ":v1"
			before := proxy.UploadedBytes()
			res := push(t, dir, ref, PushOptions{Options: Options{CacheDir: cache}})
			sent := proxy.UploadedBytes() - before
			if res.MountedBytes != tt.want || res.UploadedBytes != total-tt.want || res.SkippedBytes != 0 {
				t.Errorf("mounted %d, uploaded %d, skipped %d bytes; want %d mounted of %d", res.MountedBytes, res.UploadedBytes, res.SkippedBytes, tt.want, total)
			}
			// Mounting sends no file bytes: only the config and manifest.
			if tt.want == total && sent > 8<<10 {
				t.Errorf("a push that mounts everything sent %d bytes", sent)
			}
			if tt.want == 0 && sent < total {
				t.Errorf("a push with nothing to mount sent %d bytes of %d", sent, total)
			}
			out := filepath.Join(t.TempDir(), "out")
			pull(t, ref, PullOptions{Dir: out})
			assertSameTree(t, dir, out)
		})
	}
}

func TestMountCache(t *testing.T) {
	mc := mountCache{t.TempDir()}
	d := "sha256:" + "ab12000000000000000000000000000000000000000000000000000000000000"
	mc.record("reg:5000", "team/a", []string{d})
	mc.record("reg:5000", "team/b", []string{d})
	mc.record("reg:5000", "Bad?Name", []string{d})
	mc.record("other:5000", "team/c", []string{d})
	if got := mc.sources("reg:5000", d, "team/x"); len(got) != 2 || got[0] != "team/b" || got[1] != "team/a" {
		t.Errorf("sources = %q, want [team/b team/a] (most recent first, invalid names dropped)", got)
	}
	if got := mc.sources("reg:5000", d, "team/b"); len(got) != 1 || got[0] != "team/a" {
		t.Errorf("sources without the target = %q, want [team/a]", got)
	}
	for i := range 10 {
		mc.record("reg:5000", "r/"+string(rune('a'+i)), []string{d})
	}
	if got := mc.sources("reg:5000", d, ""); len(got) != maxMountSources {
		t.Errorf("%d sources remembered, want at most %d", len(got), maxMountSources)
	}
	if got := (mountCache{}).sources("reg:5000", d, ""); got != nil {
		t.Errorf("a disabled cache returned %q", got)
	}
}
