package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

type rawLayer struct {
	mt, path string
	data     []byte
	annos    map[string]string
}

// pushHandmade pushes blobs and a manifest assembled by the test, bypassing
// Build, and returns the reference.
func pushHandmade(t *testing.T, host, repo string, cfg []byte, layers []rawLayer, mutate func(*ociManifest)) string {
	t.Helper()
	r, err := ParseReference(host+"/"+repo+":v1", false)
	if err != nil {
		t.Fatal(err)
	}
	m := ociManifest{SchemaVersion: 2, MediaType: MediaTypeManifest, ArtifactType: ArtifactTypeModel,
		Config: ociDescriptor{MediaType: MediaTypeModelConfig, Digest: sha256Digest(cfg), Size: int64(len(cfg))}}
	if err := remote.WriteLayer(r.Context(), static.NewLayer(cfg, types.MediaType(MediaTypeModelConfig))); err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		if err := remote.WriteLayer(r.Context(), static.NewLayer(l.data, types.MediaType(l.mt))); err != nil {
			t.Fatal(err)
		}
		annos := map[string]string{AnnotationFilepath: l.path}
		if l.annos != nil {
			annos = l.annos
		}
		m.Layers = append(m.Layers, ociDescriptor{MediaType: l.mt, Digest: sha256Digest(l.data), Size: int64(len(l.data)), Annotations: annos})
	}
	if mutate != nil {
		mutate(&m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawManifest{b}); err != nil {
		t.Fatal(err)
	}
	return r.String()
}

func TestPullRefusesHostileArtifacts(t *testing.T) {
	host := registrytest.Memory(t)
	goodCfg := []byte(`{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":[]}}`)
	file := func(p string) rawLayer {
		return rawLayer{mt: MediaTypeWeightConfig, path: p, data: []byte("pwned " + p)}
	}
	outside := t.TempDir() // must stay empty

	tests := []struct {
		name    string
		cfg     []byte
		layers  []rawLayer
		mutate  func(*ociManifest)
		prepare func(target string) // state of the target before the pull
		msg     string
	}{
		{name: "absolute path", layers: []rawLayer{file("ok.txt"), file(filepath.Join(outside, "abs"))}, msg: "absolute"},
		{name: "dot-dot", layers: []rawLayer{file("../escape")}, msg: ".."},
		{name: "nested dot-dot", layers: []rawLayer{file("a/../../escape")}, msg: ".."},
		{name: "backslash", layers: []rawLayer{file(`..\escape`)}, msg: "backslash"},
		{name: "legacy annotation dot-dot", layers: []rawLayer{{mt: MediaTypeWeightConfig, data: []byte("x"), annos: map[string]string{legacyAnnotationFilepath: "../legacy"}}}, msg: ".."},
		{name: "staging folder", layers: []rawLayer{file(".mlpack-pull/x")}, msg: "staging"},
		{name: "duplicate path", layers: []rawLayer{file("a.txt"), {mt: MediaTypeWeightConfig, path: "a.txt", data: []byte("other")}}, msg: "twice"},
		{name: "file and folder", layers: []rawLayer{file("a"), file("a/b")}, msg: "folder"},
		{name: "no path", layers: []rawLayer{{mt: MediaTypeWeightConfig, data: []byte("x"), annos: map[string]string{"x": "y"}}}, msg: "names no file"},
		{name: "unknown layer media type", layers: []rawLayer{file("ok.txt"), {mt: "application/vnd.evil.payload", path: "evil.bin", data: []byte("x")}}, msg: "not a ModelPack layer type"},
		{name: "manifest over 4 MiB", layers: []rawLayer{file("ok.txt")}, mutate: func(m *ociManifest) {
			m.Annotations = map[string]string{"pad": strings.Repeat("x", MaxManifestSize)}
		}, msg: "limit"},
		{name: "config not JSON", cfg: []byte("{not json"), layers: []rawLayer{file("ok.txt")}, msg: "not valid JSON"},
		{name: "config over 4 MiB", cfg: []byte(`{"pad":"` + strings.Repeat("x", maxConfigSize) + `"}`), layers: []rawLayer{file("ok.txt")}, msg: "limit"},
		{name: "layer digest not sha256", layers: []rawLayer{file("ok.txt")}, mutate: func(m *ociManifest) {
			m.Layers[0].Digest = "sha512:" + strings.Repeat("ab", 64)
		}, msg: "not a sha256 digest"},
		{name: "negative layer size", layers: []rawLayer{file("ok.txt")}, mutate: func(m *ociManifest) { m.Layers[0].Size = -1 }, msg: "negative"},
		{name: "not a ModelPack artifact", layers: []rawLayer{file("ok.txt")}, mutate: func(m *ociManifest) {
			m.ArtifactType, m.Config.MediaType = "application/vnd.unknown.artifact.v1", "application/vnd.oci.image.config.v1+json"
		}, msg: "not a ModelPack"},
		{name: "path through a symlink", layers: []rawLayer{file("ok.txt"), file("link/pwned")}, prepare: func(target string) {
			os.MkdirAll(target, 0o755)
			if err := os.Symlink(outside, filepath.Join(target, "link")); err != nil {
				t.Fatal(err)
			}
		}, msg: "symlink"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg == nil {
				cfg = goodCfg
			}
			ref := pushHandmade(t, host, "hostile"+string(rune('a'+i)), cfg, tt.layers, tt.mutate)
			parent := t.TempDir()
			target := filepath.Join(parent, "out")
			if tt.prepare != nil {
				tt.prepare(target)
			}
			before := treeNames(t, parent)
			_, err := Pull(context.Background(), ref, PullOptions{Dir: target, Options: Options{Retry: fastRetry}})
			wantErr(t, err, ErrInvalidArtifact)
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if diff := cmp.Diff(before, treeNames(t, parent)); diff != "" {
				t.Errorf("the refused pull changed the target's folder (-before +after):\n%s", diff)
			}
			if got := treeNames(t, outside); len(got) != 0 {
				t.Errorf("files written outside the target: %v", got)
			}
		})
	}
}

func TestPullAcceptsOtherToolsArtifacts(t *testing.T) {
	host := registrytest.Memory(t)
	cfg := []byte(`{"descriptor":{"name":"m"},"config":{"format":"safetensors"},"modelfs":{"type":"layers","diffIds":[]}}`)
	layers := []rawLayer{
		{mt: "application/vnd.cnai.model.weight.v1.raw", data: []byte("weights"), annos: map[string]string{legacyAnnotationFilepath: "model.safetensors"}},
		{mt: MediaTypeWeightConfig, data: []byte("{}"), annos: map[string]string{AnnotationFilepath: "config.json"}},
		{mt: MediaTypeDoc, data: []byte("# hi"), annos: map[string]string{AnnotationTitle: "docs/README.md"}},
	}
	ref := pushHandmade(t, host, "modctl/model", cfg, layers, func(m *ociManifest) { m.ArtifactType = "" })
	out := filepath.Join(t.TempDir(), "out")
	res := pull(t, ref, PullOptions{Dir: out})
	want := map[string][]byte{"model.safetensors": []byte("weights"), "config.json": []byte("{}"), "docs/README.md": []byte("# hi")}
	if diff := cmp.Diff(want, treeFiles(t, out)); diff != "" {
		t.Errorf("pulled files (-want +got):\n%s", diff)
	}
	if res.HasMLmodel {
		t.Error("HasMLmodel = true for an artifact without MLmodel")
	}
}

// indexManifest is a Taggable that PUTs an image index.
type indexManifest struct{ b []byte }

func (m indexManifest) RawManifest() ([]byte, error)        { return m.b, nil }
func (m indexManifest) MediaType() (types.MediaType, error) { return types.OCIImageIndex, nil }

func TestPullRefusesImageIndex(t *testing.T) {
	host := registrytest.Memory(t)
	r, err := ParseReference(host+"/index/m:v1", false)
	if err != nil {
		t.Fatal(err)
	}
	idx := []byte(`{"schemaVersion":2,"mediaType":"` + MediaTypeIndex + `","manifests":[]}`)
	if err := remote.Put(r, indexManifest{idx}); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	_, err = Pull(context.Background(), r.String(), PullOptions{Dir: filepath.Join(parent, "out"), Options: Options{Retry: fastRetry}})
	wantErr(t, err, ErrInvalidArtifact)
	if !strings.Contains(err.Error(), "image index") {
		t.Errorf("error %q does not say it is an index", err)
	}
	if got := treeNames(t, parent); len(got) != 0 {
		t.Errorf("refused pull left %v", got)
	}
}
