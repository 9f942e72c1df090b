package flavor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// checkPaths refuses an output that overlaps the source, and an existing
// output that Save may not take: without force anything at out; with force
// anything but a bundle (a directory holding an MLmodel file) or an empty
// directory. publish enforces the same rules again at the moment of the
// rename; this early check only saves the user the copying.
func checkPaths(src, out string, force bool) error {
	as, err1 := resolve(src)
	ao, err2 := resolve(out)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("flavor: resolving paths: %w", err)
	}
	sep := string(filepath.Separator)
	switch {
	case as == ao:
		return newErr(ErrInvalidModel, "output %s is the source folder %s: choose an output outside it", out, src)
	case strings.HasPrefix(ao, strings.TrimSuffix(as, sep)+sep):
		return newErr(ErrInvalidModel, "output %s is inside the source folder %s: choose an output outside it", out, src)
	case strings.HasPrefix(as, strings.TrimSuffix(ao, sep)+sep):
		return newErr(ErrInvalidModel, "the source folder %s is inside the output %s: choose another output", src, out)
	}
	if _, err := os.Lstat(out); err != nil {
		return nil
	}
	if !force {
		return newErr(ErrExists, "output %s already exists: use --force to replace a bundle there, or choose another output", out)
	}
	return replaceable(out)
}

// resolve returns the absolute path of p with symbolic links in its existing
// part resolved, so that two spellings of one folder compare equal.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// replaceable reports whether Force may replace what is at path: a real
// directory (not a symlink) that is empty or holds an MLmodel file. Anything
// else is an ErrExists error saying why not, so that --force never deletes
// a folder of the user's that is not a bundle.
func replaceable(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("flavor: checking output %s: %w", path, err)
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return newErr(ErrExists, "output %s is a symbolic link, which --force does not replace: remove it yourself or choose another output", path)
	case !st.IsDir():
		return newErr(ErrExists, "output %s is a file, not a bundle folder; --force replaces only a bundle (a folder with an MLmodel file) or an empty folder: remove it yourself or choose another output", path)
	}
	if isFile(filepath.Join(path, MLmodelFile)) {
		return nil
	}
	d, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("flavor: checking output %s: %w", path, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if len(names) == 0 && errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("flavor: checking output %s: %w", path, err)
	}
	return newErr(ErrExists, "output %s is a folder that is not a bundle (no MLmodel file) and not empty; --force replaces only a bundle or an empty folder, so nothing was changed: remove it yourself or choose another output", path)
}

// publish moves the finished bundle tmp to out. Without force it never
// replaces anything: the rename itself fails when out exists (see
// renameNoReplace), so of two concurrent saves exactly one wins and the
// other gets ErrExists. With force, out (if any) must be replaceable; it is
// exchanged with tmp in one step where the platform allows, so out always
// holds a complete bundle, and the old one (now at tmp) is removed after.
func publish(tmp, out string, force bool) error {
	if !force {
		if err := renameNoReplace(tmp, out); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return newErr(ErrExists, "output %s already exists (another save may have created it meanwhile): use --force to replace a bundle there, or choose another output", out)
			}
			return fmt.Errorf("flavor: renaming the bundle into place at %s: %w", out, err)
		}
		return syncDir(filepath.Dir(filepath.Clean(out)))
	}
	for range 3 { // out may come or go between the attempts
		if err := renameNoReplace(tmp, out); err == nil {
			return syncDir(filepath.Dir(filepath.Clean(out)))
		} else if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("flavor: renaming the bundle into place at %s: %w", out, err)
		}
		if err := replaceable(out); err != nil {
			return err
		}
		err := exchange(tmp, out)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("flavor: replacing %s: %w", out, err)
		}
		// tmp now holds what was at out. Check it again: it may have been
		// swapped for something else after replaceable looked at it.
		if err := replaceable(tmp); err != nil {
			if xerr := exchange(tmp, out); xerr != nil {
				return fmt.Errorf("flavor: %s changed while it was being replaced and could not be put back (it is at %s): %w", out, tmp, xerr)
			}
			return err
		}
		if err := syncDir(filepath.Dir(filepath.Clean(out))); err != nil {
			return err
		}
		if err := os.RemoveAll(tmp); err != nil {
			return fmt.Errorf("flavor: removing the old bundle (moved to %s): %w", tmp, err)
		}
		return nil
	}
	return newErr(ErrExists, "output %s keeps changing while it is being replaced: stop the other writer and retry", out)
}
