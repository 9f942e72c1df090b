package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// bundleInfo is what Build needs from a validated bundle.
type bundleInfo struct {
	name, family, revision string
	// params is the parameter count as `mlpack inspect` reports it
	// (flavor: a stored lm_head.weight tied to the embeddings counts once).
	params int64
	// files is the bundle's file set, exactly as `mlpack inspect` lists it
	// (flavor.Bundle.Files): every regular file, sorted by path.
	files []File
}

// loadBundle validates the bundle in dir and returns descriptor facts and
// its files. Beyond flavor.Load (MLmodel, the model and tokenizer folders)
// it reads the model the way predict does (flavor.Bundle.ReadModel: every
// weight file that config/index names exists and has a valid safetensors
// header, tokenizer.json is present), and refuses symlinks, devices and a
// leftover pull staging folder, so what is pushed is exactly what inspect
// lists and nothing outside dir is read.
func loadBundle(dir string) (bundleInfo, error) {
	// The folder named on the command line may itself be a symlink; only
	// links inside it are refused.
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
	}
	b, err := flavor.Load(dir)
	if err != nil {
		if errors.Is(err, flavor.ErrInvalidBundle) {
			return bundleInfo{}, fmt.Errorf("%w: %w", ErrInvalidBundle, err)
		}
		return bundleInfo{}, fmt.Errorf("registry: loading bundle: %w", err)
	}
	src, err := b.ReadModel()
	if err != nil {
		return bundleInfo{}, fmt.Errorf("%w: %s: %w", ErrInvalidBundle, dir, err)
	}
	if err := checkTree(dir); err != nil {
		return bundleInfo{}, err
	}
	ff, err := b.Files()
	if err != nil {
		return bundleInfo{}, fmt.Errorf("registry: %w", err)
	}
	info := bundleInfo{name: b.SourceModelName(), params: src.ParameterCount}
	for _, f := range ff {
		info.files = append(info.files, File{Path: f.Path, MediaType: classify(f.Path), Size: f.Size})
	}
	if tf := b.Model.Flavors.Transformers; tf != nil {
		info.revision = tf.SourceModelRevision
	}
	info.family = src.ModelType
	return info, nil
}

// checkTree refuses what cannot be pushed safely: symlinks (one could point
// anywhere on the host, e.g. /etc), devices, sockets, and the staging folder
// of an unfinished pull.
func checkTree(dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			return fmt.Errorf("%w: %s is a symlink (to %s); push does not follow symlinks: replace it with a copy of the file (cp -L) or remove it", ErrInvalidBundle, rel, target)
		case d.IsDir() && d.Name() == stagingDir:
			return fmt.Errorf("%w: %s is the staging folder of an unfinished pull; run the pull again to finish it, or delete the folder", ErrInvalidBundle, rel)
		case d.IsDir(), t.IsRegular():
			return nil
		default:
			return fmt.Errorf("%w: %s is not a regular file (%s); remove it from the bundle", ErrInvalidBundle, rel, t)
		}
	})
	if err != nil && !errors.Is(err, ErrInvalidBundle) {
		return fmt.Errorf("registry: listing bundle %s: %w", dir, err)
	}
	return err
}
