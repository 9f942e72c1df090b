package registry

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PushOptions configure Push.
type PushOptions struct {
	Options
	// Tags are extra tags for the same manifest; they cost one manifest PUT
	// each, no blob upload.
	Tags []string
}

// PushResult reports what Push did.
type PushResult struct {
	// Ref is the pushed reference pinned to the manifest digest,
	// REF@sha256:....
	Ref           string       `json:"ref"`
	Digest        string       `json:"digest"`
	Tags          []string     `json:"tags,omitempty"`
	Files         []PushedFile `json:"files"`
	UploadedBytes int64        `json:"uploaded_bytes"`
	// MountedBytes were not uploaded: the registry mounted the blobs from
	// another of its repositories that an earlier push or pull used.
	MountedBytes int64 `json:"mounted_bytes"`
	// SkippedBytes were not uploaded because the repository had the blob.
	SkippedBytes int64 `json:"skipped_bytes"`
}

// PushedFile is one layer of a push.
type PushedFile struct {
	File
	Uploaded bool `json:"uploaded"`
	Mounted  bool `json:"mounted,omitempty"`
}

// Push validates the bundle in dir, builds its ModelPack artifact and
// uploads it to ref: blobs the repository already has are skipped, blobs
// that another repository of the registry holds (as remembered under
// CacheDir from earlier pushes and pulls) are mounted from it, the rest go
// up Jobs at a time with retries, then the config, the manifest and any
// extra tags.
func Push(ctx context.Context, dir, ref string, o PushOptions) (*PushResult, error) {
	r, err := ParseReference(ref, o.PlainHTTP)
	if err != nil {
		return nil, err
	}
	for _, t := range o.Tags {
		if _, err := ParseReference(r.Context().String()+":"+t, o.PlainHTTP); err != nil {
			return nil, err
		}
	}
	art, err := Build(ctx, dir, BuildOptions{Jobs: o.jobs(), CacheDir: o.CacheDir})
	if err != nil {
		return nil, err
	}
	host, repo := r.Context().RegistryStr(), r.Context().RepositoryStr()
	digests := []string{sha256Digest(art.Config)}
	for _, f := range art.Files {
		if !slices.Contains(digests, f.Digest) {
			digests = append(digests, f.Digest)
		}
	}
	mc := mountCache{o.CacheDir}
	mountFrom, srcRepos := mc.mountSources(host, repo, digests[1:])
	c, err := newClient(ctx, r, o.Options, true, srcRepos...)
	if err != nil {
		return nil, err
	}
	pusher, err := remote.NewPusher(c.remoteOptions(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}

	// Upload each distinct blob once.
	res := &PushResult{Digest: art.Digest}
	layers := map[string]*fileLayer{}
	var order []*fileLayer
	for _, f := range art.Files {
		if _, ok := layers[f.Digest]; ok {
			continue
		}
		l, err := newFileLayer(dir, f, c.o)
		if err != nil {
			return nil, err
		}
		layers[f.Digest] = l
		order = append(order, l)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.o.jobs())
	var mu sync.Mutex
	for _, l := range order {
		g.Go(func() error {
			if srcs := mountFrom[l.digest.String()]; len(srcs) > 0 {
				if c.mountOrHave(gctx, l, srcs) {
					c.o.emit(Event{Kind: EventSkip, Path: l.name, Size: l.size, Done: l.size})
					return nil
				}
			}
			done, err := c.maybeChunked(gctx, l)
			if err == nil && !done {
				err = pusher.Upload(gctx, c.repo, l)
			}
			if err != nil {
				return classifyHTTP(fmt.Errorf("registry: uploading %s: %w", l.name, err), host, c.repo.RepositoryStr())
			}
			mu.Lock()
			defer mu.Unlock()
			if l.opened.Load() == 0 {
				c.o.emit(Event{Kind: EventSkip, Path: l.name, Size: l.size, Done: l.size})
			} else {
				c.o.emit(Event{Kind: EventDone, Path: l.name, Size: l.size, Done: l.size})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, f := range art.Files {
		l := layers[f.Digest]
		up := l.opened.Load() > 0 && l.name == f.Path
		mounted := l.mounted.Load() && l.name == f.Path
		res.Files = append(res.Files, PushedFile{File: f, Uploaded: up, Mounted: mounted})
		switch {
		case up:
			res.UploadedBytes += f.Size
		case mounted:
			res.MountedBytes += f.Size
		default:
			res.SkippedBytes += f.Size
		}
	}

	cfg := static.NewLayer(art.Config, types.MediaType(MediaTypeModelConfig))
	if err := pusher.Upload(ctx, c.repo, cfg); err != nil {
		return nil, classifyHTTP(fmt.Errorf("registry: uploading config: %w", err), host, c.repo.RepositoryStr())
	}
	m := rawManifest{art.Manifest}
	if err := pusher.Put(ctx, r, m); err != nil {
		return nil, classifyHTTP(fmt.Errorf("registry: putting manifest %s: %w", r, err), host, r.String())
	}
	for _, t := range o.Tags {
		tag := c.repo.Tag(t)
		if err := pusher.Put(ctx, tag, m); err != nil {
			return nil, classifyHTTP(fmt.Errorf("registry: tagging %s: %w", tag, err), host, tag.String())
		}
		res.Tags = append(res.Tags, tag.String())
	}
	mc.record(host, repo, digests)
	res.Ref = ref + "@" + art.Digest
	if _, err := ParseReference(res.Ref, o.PlainHTTP); err != nil {
		res.Ref = c.repo.String() + "@" + art.Digest
	}
	return res, nil
}

// joinBundle turns a bundle-relative slash path into a path under dir.
func joinBundle(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

// maybeChunked uploads a blob larger than ChunkSize in resumable chunks when
// the registry is known to take them. It reports whether the blob is now in
// the registry; false means "use the monolithic upload".
func (c *client) maybeChunked(ctx context.Context, l *fileLayer) (bool, error) {
	if c.o.ChunkSize <= 0 || l.size <= c.o.ChunkSize || !chunkedOK(c.repo.RegistryStr()) {
		return false, nil
	}
	var exists bool
	err := c.retry(ctx, "blob check", func() error {
		var err error
		exists, err = c.blobExists(ctx, l.digest.String())
		return err
	})
	if err != nil || exists {
		return exists, err
	}
	err = c.uploadChunked(ctx, l)
	if errors.Is(err, errNoChunks) {
		c.o.log().Debug("registry: falling back to a monolithic upload", "file", l.name)
		return false, nil
	}
	return err == nil, err
}

// mountOrHave makes sure l's blob is in c.repo without uploading it: it is
// there already, or the registry mounts it from one of srcs. false means
// "upload it".
func (c *client) mountOrHave(ctx context.Context, l *fileLayer, srcs []string) bool {
	d := l.digest.String()
	if ok, err := c.blobExists(ctx, d); err == nil && ok {
		return true
	}
	if c.tryMount(ctx, d, srcs) {
		l.mounted.Store(true)
		return true
	}
	return false
}
