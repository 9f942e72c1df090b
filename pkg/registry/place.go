package registry

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// This file puts verified blobs into the target folder: the checks on what
// is already there and the moves or copies out of the staging folder.

// checkTargetDir refuses a target folder path that is, or lies under, a
// regular file.
func checkTargetDir(dir string) error {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%w: %s is a file, not a folder: give -o a folder path (new or existing)", ErrExists, p)
			}
			return nil
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// checkTarget reports whether dir/rel already holds the blob, refusing a
// path through a symlink and, without force, a different existing file.
func checkTarget(dir, rel, digest string, size int64, force bool, cache digestCache) (bool, error) {
	st, err := checkNoSymlink(dir, rel)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}
	if st == nil {
		return false, nil
	}
	if digest != "" && st.Size() == size {
		p := joinBundle(dir, rel)
		if got, ok := cache.get(p, st); ok && got == digest {
			return true, nil
		}
		if got, err := fileDigest(p); err == nil && got == digest {
			cache.put(p, st, got)
			return true, nil
		}
	}
	if !force {
		return false, fmt.Errorf("%w: %s differs from the artifact's %s; use --force to overwrite", ErrExists, joinBundle(dir, rel), rel)
	}
	return false, nil
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
