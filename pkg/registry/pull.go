package registry

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	DownloadedBytes int64        `json:"downloaded_bytes"`
	// ResumedBytes were kept from an interrupted earlier pull.
	ResumedBytes int64 `json:"resumed_bytes"`
	// HasMLmodel is false for artifacts without an MLmodel (made by other
	// tools, or a partial pull): the folder is then not an mlpack bundle
	// (run `mlpack save` on a complete Hugging Face folder).
	HasMLmodel bool `json:"has_mlmodel"`
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
	path   string
	format layerFormat
}

// Pull fetches the ModelPack artifact at ref into o.Dir. See the package
// documentation for the guarantees.
func Pull(ctx context.Context, ref string, o PullOptions) (*PullResult, error) {
	r, err := ParseReference(ref, o.PlainHTTP)
	if err != nil {
		return nil, err
	}
	if o.Dir != "" {
		if err := checkTargetDir(o.Dir); err != nil {
			return nil, err
		}
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
		return nil, noMatch(ref, o.Include, layers)
	}
	dir := o.Dir
	if dir == "" {
		dir = path.Base(c.repo.RepositoryStr())
	}
	if err := checkTargetDir(dir); err != nil {
		return nil, err
	}
	res := &PullResult{Ref: c.repo.String() + "@" + digest, Digest: digest, Dir: dir}

	// Check the target before writing anything. Tar layers are checked
	// file by file once unpacked.
	var todo []pullLayer
	for _, l := range selected {
		if l.format != formatRaw {
			todo = append(todo, l)
			continue
		}
		present, err := checkTarget(dir, l.path, l.Digest, l.Size, o.Force, digestCache{o.CacheDir})
		if err != nil {
			return nil, err
		}
		if present {
			res.Files = append(res.Files, PulledFile{Path: l.path, Digest: l.Digest, Size: l.Size, Status: "present"})
			c.o.emit(Event{Kind: EventSkip, Path: l.path, Size: l.Size, Done: l.Size})
			continue
		}
		todo = append(todo, l)
	}
	if len(todo) > 0 {
		_, statErr := os.Lstat(dir)
		if err := c.fetchInto(ctx, dir, todo, o.Force, res); err != nil {
			if errors.Is(err, ErrInvalidArtifact) {
				// A refused artifact leaves nothing behind, not even
				// its blobs; a network failure keeps them for resuming.
				os.RemoveAll(filepath.Join(dir, stagingDir))
				if statErr != nil {
					os.Remove(dir) // only succeeds if still empty
				}
			}
			return nil, err
		}
	}
	for _, f := range res.Files {
		if f.Path == "MLmodel" {
			res.HasMLmodel = true
		}
	}
	// Remember that this repository holds these blobs, so a push of the
	// same files to another repository of the registry mounts them.
	held := []string{cfgDesc.Digest}
	for _, l := range layers {
		held = append(held, l.Digest)
	}
	mountCache{o.CacheDir}.record(c.repo.RegistryStr(), c.repo.RepositoryStr(), held)
	slices.SortFunc(res.Files, func(a, b PulledFile) int { return strings.Compare(a.Path, b.Path) })
	return res, nil
}

// placement is one verified file waiting in the staging folder.
type placement struct {
	src  string
	keep bool // the blob is needed again: copy instead of rename
	file PulledFile
}

// fetchInto downloads the layers into dir's staging folder, unpacks tar
// layers, and moves every file into place, MLmodel last.
func (c *client) fetchInto(ctx context.Context, dir string, todo []pullLayer, force bool, res *PullResult) error {
	cache := digestCache{c.o.CacheDir}
	staging := filepath.Join(dir, stagingDir)
	if st, err := os.Lstat(staging); err == nil && !st.IsDir() {
		return fmt.Errorf("%w: %s is not a folder (a symlink?); remove it", ErrInvalidArtifact, staging)
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return fmt.Errorf("registry: creating %s: %w", staging, err)
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
		return classifyHTTP(err, c.repo.RegistryStr(), c.ref.String())
	}

	var places []placement
	uses := map[string]int{}
	for _, l := range todo {
		if l.format == formatRaw {
			uses[l.Digest]++
		}
	}
	paths := map[string]bool{}
	for _, f := range res.Files {
		paths[f.Path] = true
	}
	for _, l := range todo {
		status := "downloaded"
		if resumed[l.Digest] > 0 {
			status = "resumed"
		}
		res.ResumedBytes += resumed[l.Digest]
		res.DownloadedBytes += l.Size - resumed[l.Digest]
		resumed[l.Digest] = l.Size // count a shared blob once
		if l.format == formatRaw {
			uses[l.Digest]--
			places = append(places, placement{src: blobs[l.Digest], keep: uses[l.Digest] > 0,
				file: PulledFile{Path: l.path, Digest: l.Digest, Size: l.Size, Status: status}})
			paths[l.path] = true
			continue
		}
		unpacked := blobs[l.Digest] + ".d"
		os.RemoveAll(unpacked)
		files, err := extractTar(blobs[l.Digest], l.format, l.Size, unpacked)
		if err != nil {
			return fmt.Errorf("%w (layer %s, %s)", err, l.Digest, l.path)
		}
		for _, rel := range files {
			if paths[rel] {
				return fmt.Errorf("%w: path %q appears twice", ErrInvalidArtifact, rel)
			}
			paths[rel] = true
			if _, err := checkTarget(dir, rel, "", 0, force, digestCache{}); err != nil {
				return err
			}
			src := joinBundle(unpacked, rel)
			st, err := os.Stat(src)
			if err != nil {
				return fmt.Errorf("registry: %w", err)
			}
			places = append(places, placement{src: src, file: PulledFile{Path: rel, Size: st.Size(), Status: "extracted"}})
		}
	}
	var list []string
	for p := range paths {
		list = append(list, p)
	}
	if err := checkPathSet(list); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}

	// Move the verified files into place, MLmodel last, so the folder only
	// looks like a bundle once every other file is there.
	slices.SortStableFunc(places, func(a, b placement) int {
		return cmp.Compare(boolInt(a.file.Path == "MLmodel"), boolInt(b.file.Path == "MLmodel"))
	})
	for _, pl := range places {
		if err := place(dir, pl.file.Path, pl.src, pl.keep); err != nil {
			return err
		}
		if pl.file.Digest != "" {
			p := joinBundle(dir, pl.file.Path)
			if st, err := os.Stat(p); err == nil {
				cache.put(p, st, pl.file.Digest)
			}
		}
		res.Files = append(res.Files, pl.file)
	}
	if err := os.RemoveAll(staging); err != nil {
		return fmt.Errorf("registry: removing %s: %w", staging, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// noMatch explains an --include that selects nothing, with a few of the
// artifact's paths to pick from.
func noMatch(ref string, include []string, layers []pullLayer) error {
	var some []string
	for _, l := range layers {
		if len(some) == 6 {
			some = append(some, "...")
			break
		}
		some = append(some, l.path)
	}
	return fmt.Errorf("%w: no file of %s matches --include %s; its %d files include %s",
		ErrNoMatch, ref, strings.Join(include, ", "), len(layers), strings.Join(some, ", "))
}
