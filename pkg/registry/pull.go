package registry

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// PullOptions configure Pull.
type PullOptions struct {
	Options
	// Dir is the target folder; empty means the repository's last path
	// element in the working directory.
	Dir string
	// Include limits the pull to files whose path (or, for a pattern
	// without "/", base name) matches one of these globs.
	Include []string
	// Force overwrites files in Dir that differ from the artifact's.
	Force bool
}

// PullResult reports what Pull did.
type PullResult struct {
	Ref             string       `json:"ref"`
	Digest          string       `json:"digest"`
	Dir             string       `json:"dir"`
	Files           []PulledFile `json:"files"`
	DownloadedBytes int64        `json:"downloadedBytes"`
	// ResumedBytes were kept from an interrupted earlier pull.
	ResumedBytes int64 `json:"resumedBytes"`
	// HasMLmodel is false for artifacts without an MLmodel (made by other
	// tools, or a partial pull): the folder is then not an mlpack bundle
	// (run `mlpack save` on a complete Hugging Face folder).
	HasMLmodel bool `json:"hasMLmodel"`
}

// PulledFile is one file of a pull.
type PulledFile struct {
	Path   string `json:"path"`
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
	// Status is "downloaded", "resumed" or "present" (already in Dir with
	// the right digest).
	Status string `json:"status"`
}

// pullLayer is a manifest layer that passed the safety checks.
type pullLayer struct {
	ociDescriptor
	path string
}

// Pull fetches the ModelPack artifact at ref into o.Dir. See the package
// documentation for the guarantees.
func Pull(ctx context.Context, ref string, o PullOptions) (*PullResult, error) {
	r, err := ParseReference(ref, o.PlainHTTP)
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, r, o.Options, false)
	if err != nil {
		return nil, err
	}
	manifest, digest, err := c.fetchManifest(ctx)
	if err != nil {
		return nil, err
	}
	layers, cfgDesc, err := parseModelManifest(manifest)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, ref)
	}
	cfg, err := c.fetchSmallBlob(ctx, cfgDesc, maxConfigSize)
	if err != nil {
		return nil, err
	}
	if !json.Valid(cfg) {
		return nil, fmt.Errorf("%w: the config blob of %s is not valid JSON", ErrInvalidArtifact, ref)
	}

	var selected []pullLayer
	for _, l := range layers {
		if matchInclude(o.Include, l.path) {
			selected = append(selected, l)
		}
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("%w: no file of %s matches %s", ErrNotFound, ref, strings.Join(o.Include, ", "))
	}
	dir := o.Dir
	if dir == "" {
		dir = path.Base(c.repo.RepositoryStr())
	}
	res := &PullResult{Ref: c.repo.String() + "@" + digest, Digest: digest, Dir: dir}

	// Check the target before writing anything.
	var todo []pullLayer
	for _, l := range selected {
		if l.path == "MLmodel" {
			res.HasMLmodel = true
		}
		st, err := checkNoSymlink(dir, l.path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
		}
		if st != nil {
			if st.Size() == l.Size {
				if got, err := fileDigest(joinBundle(dir, l.path)); err == nil && got == l.Digest {
					res.Files = append(res.Files, PulledFile{Path: l.path, Digest: l.Digest, Size: l.Size, Status: "present"})
					c.o.emit(Event{Kind: EventSkip, Path: l.path, Size: l.Size, Done: l.Size})
					continue
				}
			}
			if !o.Force {
				return nil, fmt.Errorf("%w: %s differs from the artifact's %s; use --force to overwrite", ErrExists, joinBundle(dir, l.path), l.path)
			}
		}
		todo = append(todo, l)
	}
	if len(todo) == 0 {
		return res, nil
	}

	staging := filepath.Join(dir, stagingDir)
	if st, err := os.Lstat(staging); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder (a symlink?); remove it", ErrInvalidArtifact, staging)
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return nil, fmt.Errorf("registry: creating %s: %w", staging, err)
	}
	// Download each distinct blob once.
	blobs := map[string]string{}
	resumed := map[string]int64{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.o.jobs())
	seen := map[string]bool{}
	for _, l := range todo {
		if seen[l.Digest] {
			continue
		}
		seen[l.Digest] = true
		g.Go(func() error {
			p, kept, err := c.download(gctx, staging, l.ociDescriptor, l.path)
			if err != nil {
				return fmt.Errorf("registry: pulling %s: %w", l.path, err)
			}
			mu.Lock()
			defer mu.Unlock()
			blobs[l.Digest], resumed[l.Digest] = p, kept
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, classifyHTTP(err, c.repo.RegistryStr(), ref)
	}

	// Move the verified blobs into place, MLmodel last, so the folder only
	// looks like a bundle once every other file is there.
	slices.SortStableFunc(todo, func(a, b pullLayer) int {
		return cmp.Compare(boolInt(a.path == "MLmodel"), boolInt(b.path == "MLmodel"))
	})
	uses := map[string]int{}
	for _, l := range todo {
		uses[l.Digest]++
	}
	for _, l := range todo {
		uses[l.Digest]--
		if err := place(dir, l.path, blobs[l.Digest], uses[l.Digest] > 0); err != nil {
			return nil, err
		}
		st := "downloaded"
		if resumed[l.Digest] > 0 {
			st = "resumed"
			res.ResumedBytes += resumed[l.Digest]
		}
		res.DownloadedBytes += l.Size - resumed[l.Digest]
		resumed[l.Digest] = 0
		res.Files = append(res.Files, PulledFile{Path: l.path, Digest: l.Digest, Size: l.Size, Status: st})
	}
	if err := os.RemoveAll(staging); err != nil {
		return nil, fmt.Errorf("registry: removing %s: %w", staging, err)
	}
	slices.SortFunc(res.Files, func(a, b PulledFile) int { return strings.Compare(a.Path, b.Path) })
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// place moves (or, when the blob is needed again, copies) a verified blob
// to dir/rel, re-checking that no component is a symlink.
func place(dir, rel, blob string, keep bool) error {
	if _, err := checkNoSymlink(dir, rel); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}
	dst := joinBundle(dir, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("registry: creating folder for %s: %w", rel, err)
	}
	if _, err := checkNoSymlink(dir, rel); err != nil { // a folder raced in as a symlink
		return fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}
	if !keep {
		if err := os.Rename(blob, dst); err != nil {
			return fmt.Errorf("registry: placing %s: %w", rel, err)
		}
		return nil
	}
	return copyFile(blob, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer in.Close()
	tmp := dst + ".mlpack-tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("registry: writing %s: %w", dst, err)
	}
	return nil
}

// parseModelManifest decodes a manifest and refuses anything that is not a
// safe ModelPack artifact mlpack can extract.
func parseModelManifest(b []byte) ([]pullLayer, ociDescriptor, error) {
	var probe struct {
		MediaType string          `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest is not valid JSON: %v", ErrInvalidArtifact, err)
	}
	if probe.MediaType == MediaTypeIndex || probe.Manifests != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the reference names an image index, not a model manifest; pull one of its manifests by digest", ErrInvalidArtifact)
	}
	var m ociManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest does not decode: %v", ErrInvalidArtifact, err)
	}
	modelPack := m.ArtifactType == ArtifactTypeModel || m.ArtifactType == legacyArtifactType ||
		m.Config.MediaType == MediaTypeModelConfig || m.Config.MediaType == legacyConfigType
	if !modelPack {
		return nil, ociDescriptor{}, fmt.Errorf("%w: not a ModelPack model artifact (artifactType %q, config %q)", ErrInvalidArtifact, m.ArtifactType, m.Config.MediaType)
	}
	if m.MediaType != "" && m.MediaType != MediaTypeManifest {
		return nil, ociDescriptor{}, fmt.Errorf("%w: manifest mediaType %q is not an OCI image manifest", ErrInvalidArtifact, m.MediaType)
	}
	if !digestRE.MatchString(m.Config.Digest) {
		return nil, ociDescriptor{}, fmt.Errorf("%w: config digest %q is not a sha256 digest", ErrInvalidArtifact, m.Config.Digest)
	}
	var out []pullLayer
	var paths []string
	for i, l := range m.Layers {
		format, ok := parseLayerMediaType(l.MediaType)
		if !ok {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d has media type %q, which is not a ModelPack layer type", ErrInvalidArtifact, i, l.MediaType)
		}
		if format != formatRaw {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d is %q; mlpack extracts .raw ModelPack layers only", ErrInvalidArtifact, i, l.MediaType)
		}
		if !digestRE.MatchString(l.Digest) {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d digest %q is not a sha256 digest", ErrInvalidArtifact, i, l.Digest)
		}
		if l.Size < 0 {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d has negative size", ErrInvalidArtifact, i)
		}
		p := cmp.Or(l.Annotations[AnnotationFilepath], l.Annotations[legacyAnnotationFilepath], l.Annotations[AnnotationTitle])
		if p == "" {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d (%s) names no file (%s)", ErrInvalidArtifact, i, l.Digest, AnnotationFilepath)
		}
		if err := checkPath(p); err != nil {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d: %v", ErrInvalidArtifact, i, err)
		}
		out = append(out, pullLayer{ociDescriptor: l, path: p})
		paths = append(paths, p)
	}
	if len(out) == 0 {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest has no layers", ErrInvalidArtifact)
	}
	if err := checkPathSet(paths); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}
	return out, m.Config, nil
}
