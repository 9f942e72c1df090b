package flavor

import (
	"fmt"
	"io/fs"
	"os"
)

func renameErr(oldpath, newpath string, err error) error {
	if err == nil {
		return nil
	}
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
}

// renameNoReplaceFallback checks that newpath is absent, then renames. The
// window between the two steps is narrow, and rename(2) itself still refuses
// to replace a non-empty directory (ENOTEMPTY/EEXIST, which match
// fs.ErrExist), so a concurrent save's bundle is never replaced; only an
// empty directory created in that window could be.
func renameNoReplaceFallback(oldpath, newpath string) error {
	if _, err := os.Lstat(newpath); err == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrExist}
	}
	return os.Rename(oldpath, newpath)
}

// exchangeFallback swaps two directories with three renames: newpath goes
// aside, oldpath takes its place, and the old one takes oldpath's name. A
// reader may find newpath absent for a moment, never half-written; on
// failure the old one is put back.
func exchangeFallback(oldpath, newpath string) error {
	aside := oldpath + ".swap"
	if err := os.Rename(newpath, aside); err != nil {
		return err
	}
	if err := os.Rename(oldpath, newpath); err != nil {
		if rerr := os.Rename(aside, newpath); rerr != nil {
			return fmt.Errorf("%w (and putting the old one back from %s failed: %v)", err, aside, rerr)
		}
		return err
	}
	return os.Rename(aside, oldpath)
}
