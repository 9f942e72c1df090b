package registry

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

type tarEntry struct {
	name, body string
	typ        byte
	link       string
}

func makeTar(t *testing.T, gz bool, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if !gz {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

func TestPullExtractsTarLayersOfOtherTools(t *testing.T) {
	host := registrytest.Memory(t)
	cfg := []byte(`{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":[]}}`)
	layers := []rawLayer{
		// modctl --raw=false: one file per tar, header name = the path.
		{mt: "application/vnd.cncf.model.weight.v1.tar", path: "model.safetensors", data: makeTar(t, false, tarEntry{name: "model.safetensors", body: "weights"})},
		// KitOps: a folder per layer, gzip-compressed.
		{mt: "application/vnd.cncf.model.weight.config.v1.tar+gzip", path: "tokenizer", data: makeTar(t, true,
			tarEntry{name: "tokenizer/", typ: tar.TypeDir},
			tarEntry{name: "tokenizer/tokenizer.json", body: "{}"},
			tarEntry{name: "./tokenizer/vocab.txt", body: "a\nb\n"})},
		{mt: MediaTypeWeightConfig, path: "config.json", data: []byte(`{"model_type":"llama"}`)},
	}
	ref := pushHandmade(t, host, "kit/model", cfg, layers, nil)
	out := filepath.Join(t.TempDir(), "out")
	res := pull(t, ref, PullOptions{Dir: out})
	want := map[string][]byte{
		"model.safetensors":        []byte("weights"),
		"tokenizer/tokenizer.json": []byte("{}"),
		"tokenizer/vocab.txt":      []byte("a\nb\n"),
		"config.json":              []byte(`{"model_type":"llama"}`),
	}
	if diff := cmp.Diff(want, treeFiles(t, out)); diff != "" {
		t.Errorf("pulled files (-want +got):\n%s", diff)
	}
	if res.HasMLmodel {
		t.Error("HasMLmodel = true")
	}
}

func TestPullRefusesHostileTarLayers(t *testing.T) {
	host := registrytest.Memory(t)
	cfg := []byte(`{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":[]}}`)
	const mt = "application/vnd.cncf.model.weight.v1.tar"
	outside := t.TempDir()
	tests := []struct {
		name   string
		layers []rawLayer
		msg    string
	}{
		{"dot-dot entry", []rawLayer{{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: "../escape", body: "x"})}}, ".."},
		{"absolute entry", []rawLayer{{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: filepath.Join(outside, "abs"), body: "x"})}}, "absolute"},
		{"symlink entry", []rawLayer{{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: "link", typ: tar.TypeSymlink, link: outside})}}, "links"},
		{"hard link entry", []rawLayer{{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: "a", body: "x"}, tarEntry{name: "b", typ: tar.TypeLink, link: "a"})}}, "links"},
		{"duplicate entry", []rawLayer{{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: "a", body: "x"}, tarEntry{name: "a", body: "y"})}}, "twice"},
		{"entry duplicates a raw layer", []rawLayer{
			{mt: MediaTypeWeightConfig, path: "config.json", data: []byte("{}")},
			{mt: mt, path: "x", data: makeTar(t, false, tarEntry{name: "config.json", body: "evil"})},
		}, "twice"},
		{"not a tar", []rawLayer{{mt: mt + "+gzip", path: "x", data: []byte("plain bytes")}}, "gzip"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := pushHandmade(t, host, "badtar"+string(rune('a'+i)), cfg, tt.layers, nil)
			parent := t.TempDir()
			target := filepath.Join(parent, "out")
			_, err := Pull(context.Background(), ref, PullOptions{Dir: target, Options: Options{Retry: fastRetry}})
			wantErr(t, err, ErrInvalidArtifact)
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if got := treeNames(t, parent); len(got) != 0 {
				t.Errorf("refused pull left %v", got)
			}
			if got := treeNames(t, outside); len(got) != 0 {
				t.Errorf("files written outside the target: %v", got)
			}
		})
	}
}
