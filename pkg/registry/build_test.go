package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBuildIsDeterministicAndValid(t *testing.T) {
	dir := testBundle(t, 4096)
	a1, err := Build(context.Background(), dir, BuildOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	// The same content elsewhere, with other modes and times, gives the
	// same digest.
	other := testBundle(t, 4096)
	future := time.Now().Add(48 * time.Hour)
	os.Chtimes(filepath.Join(other, "MLmodel"), future, future)
	os.Chmod(filepath.Join(other, "README.md"), 0o600)
	a2, err := Build(context.Background(), other, BuildOptions{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a1.Digest != a2.Digest {
		t.Errorf("digests differ for identical bundles: %s vs %s\n%s", a1.Digest, a2.Digest, cmp.Diff(string(a1.Manifest), string(a2.Manifest)))
	}
	if err := ValidateArtifact(a1.Manifest, a1.Config); err != nil {
		t.Errorf("ValidateArtifact: %v\nmanifest: %s\nconfig: %s", err, a1.Manifest, a1.Config)
	}

	var m ociManifest
	if err := json.Unmarshal(a1.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range m.Layers {
		got = append(got, strings.TrimPrefix(l.MediaType, "application/vnd.cncf.model.")+" "+l.Annotations[AnnotationFilepath])
		if l.Annotations[AnnotationTitle] != l.Annotations[AnnotationFilepath] {
			t.Errorf("layer %s: title %q differs from filepath", l.Digest, l.Annotations[AnnotationTitle])
		}
	}
	want := []string{
		"weight.v1.raw model/model.safetensors",
		"weight.config.v1.raw MLmodel",
		"weight.config.v1.raw components/tokenizer/tokenizer.json",
		"weight.config.v1.raw components/tokenizer/tokenizer_config.json",
		"weight.config.v1.raw model/config.json",
		"weight.config.v1.raw model/generation_config.json",
		"weight.config.v1.raw requirements.txt",
		"doc.v1.raw README.md",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layers (-want +got):\n%s", diff)
	}
	var cfg ModelConfig
	if err := json.Unmarshal(a1.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	wantInfo := ModelInfo{Architecture: "transformer", Format: "safetensors", ParamSize: "1K", Precision: "float32",
		Capabilities: &Capabilities{InputTypes: []string{"text"}, OutputTypes: []string{"text"}}}
	if diff := cmp.Diff(wantInfo, cfg.Config); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Descriptor{Name: "tiny/llama-test", Family: "llama", SourceURL: "https://huggingface.co/tiny/llama-test"}, cfg.Descriptor); diff != "" {
		t.Errorf("descriptor (-want +got):\n%s", diff)
	}
	if m.Annotations[AnnotationMLmodelDigest] != m.Layers[1].Digest {
		t.Errorf("MLmodel digest annotation %q, MLmodel layer %s", m.Annotations[AnnotationMLmodelDigest], m.Layers[1].Digest)
	}
}

func TestBuildRefusesNonBundles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string)
	}{
		{"no MLmodel", func(dir string) { os.Remove(filepath.Join(dir, "MLmodel")) }},
		{"MLmodel without transformers flavor", func(dir string) {
			os.WriteFile(filepath.Join(dir, "MLmodel"), []byte("flavors: {}\n"), 0o644)
		}},
		{"no model config", func(dir string) { os.Remove(filepath.Join(dir, "model", "config.json")) }},
		{"bad safetensors", func(dir string) {
			os.WriteFile(filepath.Join(dir, "model", "model.safetensors"), []byte("xx"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testBundle(t, 64)
			tt.setup(dir)
			_, err := Build(context.Background(), dir, BuildOptions{Jobs: 1})
			wantErr(t, err, ErrInvalidBundle)
		})
	}
}

func TestValidateConfigRefusesSchemaViolations(t *testing.T) {
	const ok = `{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`
	if err := ValidateConfig([]byte(ok)); err != nil {
		t.Fatalf("minimal valid config refused: %v", err)
	}
	tests := map[string]string{
		"unknown top-level key": `{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]},"mlmodel":"x"}`,
		"unknown config key":    `{"descriptor":{},"config":{"flavor":"x"},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"missing modelfs":       `{"descriptor":{},"config":{}}`,
		"missing descriptor":    `{"config":{},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"wrong modelfs type":    `{"descriptor":{},"config":{},"modelfs":{"type":"tar","diffIds":["sha256:` + hex64 + `"]}}`,
		"no diffIds":            `{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":[]}}`,
		"bad paramSize":         `{"descriptor":{},"config":{"paramSize":"1.25B"},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"short precision name":  `{"descriptor":{},"config":{"precision":"bf16"},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"bad capability":        `{"descriptor":{},"config":{"capabilities":{"inputTypes":["smell"]}},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"empty name":            `{"descriptor":{"name":""},"config":{},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"createdAt not RFC3339": `{"descriptor":{"createdAt":"yesterday"},"config":{},"modelfs":{"type":"layers","diffIds":["sha256:` + hex64 + `"]}}`,
		"not JSON":              `{"descriptor":`,
		"diffId not sha256":     `{"descriptor":{},"config":{},"modelfs":{"type":"layers","diffIds":["md5:abc"]}}`,
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			if err := ValidateConfig([]byte(cfg)); err == nil {
				t.Errorf("ValidateConfig accepted %s", cfg)
			}
		})
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestFormatParamSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, ""}, {7, "0.1K"}, {260, "0.3K"}, {1000, "1K"}, {1024, "1K"}, {124_439_808, "124.4M"},
		{999_960_000, "1B"}, {1_100_048_384, "1.1B"}, {6_738_415_616, "6.7B"}, {70_553_706_496, "70.6B"},
	}
	for _, tt := range tests {
		got := formatParamSize(tt.n)
		if got != tt.want {
			t.Errorf("formatParamSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
		if got != "" && !paramSizeRE.MatchString(got) {
			t.Errorf("formatParamSize(%d) = %q does not match the spec pattern", tt.n, got)
		}
	}
}

func TestFormatPrecision(t *testing.T) {
	got := formatPrecision(map[string]int64{"BF16": 1000, "F32": 10, "I64": 10, "X9": 5})
	if want := "bfloat16,float32,int64"; got != want {
		t.Errorf("formatPrecision = %q, want %q", got, want)
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]string{
		"model/model-00001-of-00002.safetensors": MediaTypeWeight,
		"MLmodel":                                MediaTypeWeightConfig,
		"model/config.json":                      MediaTypeWeightConfig,
		"components/tokenizer/tokenizer.model":   MediaTypeWeightConfig,
		"README.md":                              MediaTypeDoc,
		"LICENSE":                                MediaTypeDoc,
		"code/helper.py":                         MediaTypeCode,
		"conda.yaml":                             MediaTypeWeightConfig,
	}
	for p, want := range tests {
		if got := classify(p); got != want {
			t.Errorf("classify(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestBuildDigestCacheSkipsUnchangedFiles(t *testing.T) {
	dir := testBundle(t, 64<<10)
	o := BuildOptions{Jobs: 2, CacheDir: t.TempDir()}
	first, err := Build(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range first.Files {
		total += f.Size
	}
	if first.HashedBytes != total {
		t.Errorf("cold build hashed %d bytes, want all %d", first.HashedBytes, total)
	}
	second, err := Build(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if second.HashedBytes != 0 || second.Digest != first.Digest {
		t.Errorf("warm build hashed %d bytes (want 0), digest %s (want %s)", second.HashedBytes, second.Digest, first.Digest)
	}
	// Rewriting a file (new mtime) invalidates its entry only.
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# changed\n"), 0o644)
	later := time.Now().Add(time.Hour)
	os.Chtimes(readme, later, later)
	third, err := Build(context.Background(), dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if third.HashedBytes != int64(len("# changed\n")) || third.Digest == first.Digest {
		t.Errorf("after editing README.md: hashed %d bytes, digest changed %v", third.HashedBytes, third.Digest != first.Digest)
	}
}
