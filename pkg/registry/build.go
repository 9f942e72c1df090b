package registry

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Artifact is a bundle laid out as a ModelPack v1 artifact, ready to push.
// Its bytes depend only on the bundle's file contents and paths.
type Artifact struct {
	Manifest []byte // the manifest exactly as pushed
	Config   []byte // the ModelPack config blob
	Digest   string // sha256 of Manifest
	Files    []File // one per layer, in layer order
	// HashedBytes were read to compute digests; the rest came from the
	// digest cache.
	HashedBytes int64

	dir string
}

// BuildOptions configure Build.
type BuildOptions struct {
	// Jobs is how many files are hashed at once (default 4).
	Jobs int
	// CacheDir holds the file digest cache; empty disables it.
	CacheDir string
}

// File is one bundle file and its layer.
type File struct {
	Path      string `json:"path"` // bundle-relative, slash-separated
	MediaType string `json:"media_type"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

// Build validates the bundle in dir, hashes every file (or finds its digest
// in the cache) and assembles the manifest and config.
func Build(ctx context.Context, dir string, o BuildOptions) (*Artifact, error) {
	info, err := loadBundle(dir)
	if err != nil {
		return nil, err
	}
	files := info.files
	hashed, err := hashFiles(ctx, dir, files, max(o.Jobs, 1), digestCache{o.CacheDir})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b File) int {
		if c := cmp.Compare(layerRank(a.MediaType), layerRank(b.MediaType)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})

	cfg := ModelConfig{
		Descriptor: Descriptor{Name: info.name, Family: info.family, Revision: info.revision},
		Config: ModelInfo{
			Architecture: "transformer",
			Format:       "safetensors",
			Capabilities: &Capabilities{InputTypes: []string{"text"}, OutputTypes: []string{"text"}},
		},
		ModelFS: ModelFS{Type: "layers"},
	}
	if info.name != "" && strings.Count(info.name, "/") == 1 {
		cfg.Descriptor.SourceURL = "https://huggingface.co/" + info.name
	}
	var ws weightSummary
	for _, f := range files {
		cfg.ModelFS.DiffIDs = append(cfg.ModelFS.DiffIDs, f.Digest)
		if strings.HasSuffix(f.Path, ".safetensors") {
			if err := ws.add(joinBundle(dir, f.Path)); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalidBundle, f.Path, err)
			}
		}
	}
	cfg.Config.ParamSize = formatParamSize(info.params)
	cfg.Config.Precision = formatPrecision(ws.dtypes)
	cfgBytes, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("registry: encoding config: %w", err)
	}

	m := ociManifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		ArtifactType:  ArtifactTypeModel,
		Config:        ociDescriptor{MediaType: MediaTypeModelConfig, Digest: sha256Digest(cfgBytes), Size: int64(len(cfgBytes))},
		Layers:        []ociDescriptor{},
	}
	for _, f := range files {
		meta, err := json.Marshal(fileMetadata{Name: f.Path, Mode: 0o644, Size: f.Size, ModTime: time.Time{}})
		if err != nil {
			return nil, fmt.Errorf("registry: encoding file metadata: %w", err)
		}
		m.Layers = append(m.Layers, ociDescriptor{
			MediaType: f.MediaType, Digest: f.Digest, Size: f.Size,
			Annotations: map[string]string{
				AnnotationFilepath:     f.Path,
				AnnotationFileMetadata: string(meta),
				AnnotationTitle:        f.Path,
			},
		})
		if f.Path == "MLmodel" {
			m.Annotations = map[string]string{AnnotationMLmodelDigest: f.Digest}
		}
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("registry: encoding manifest: %w", err)
	}
	if len(mb) > MaxManifestSize {
		return nil, fmt.Errorf("%w: the manifest for %d files is %d bytes, over the %d registries accept", ErrInvalidBundle, len(files), len(mb), MaxManifestSize)
	}
	if err := ValidateArtifact(mb, cfgBytes); err != nil {
		return nil, fmt.Errorf("registry: the artifact built from %s fails the ModelPack check (a bug): %w", dir, err)
	}
	return &Artifact{Manifest: mb, Config: cfgBytes, Digest: sha256Digest(mb), Files: files, HashedBytes: hashed, dir: dir}, nil
}

// hashFiles fills in the sha256 digest of every file and returns how many
// bytes it had to read (cache misses).
func hashFiles(ctx context.Context, dir string, files []File, jobs int, cache digestCache) (int64, error) {
	var hashed atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i := range files {
		g.Go(func() error {
			p := joinBundle(dir, files[i].Path)
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("registry: hashing %s: %w", files[i].Path, err)
			}
			defer f.Close()
			before, err := f.Stat()
			if err != nil {
				return fmt.Errorf("registry: hashing %s: %w", files[i].Path, err)
			}
			if d, ok := cache.get(p, before); ok {
				files[i].Digest, files[i].Size = d, before.Size()
				return nil
			}
			h, n, err := v1.SHA256(ctxReader{ctx, f})
			if err != nil {
				return fmt.Errorf("registry: hashing %s: %w", files[i].Path, err)
			}
			hashed.Add(n)
			after, err := os.Stat(p)
			if err != nil || n != files[i].Size || after.Size() != n || !after.ModTime().Equal(before.ModTime()) {
				return fmt.Errorf("registry: %s changed while it was hashed; push again when it is complete", files[i].Path)
			}
			files[i].Digest = h.String()
			cache.put(p, before, files[i].Digest)
			return nil
		})
	}
	err := g.Wait()
	return hashed.Load(), err
}

// ctxReader stops a long read when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
