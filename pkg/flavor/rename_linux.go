package flavor

import (
	"errors"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames oldpath to newpath, failing with an error matching
// fs.ErrExist when newpath exists. renameat2(RENAME_NOREPLACE) makes the
// check and the rename one atomic step; on a filesystem without it the
// portable fallback is used.
func renameNoReplace(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return renameNoReplaceFallback(oldpath, newpath)
	}
	return renameErr(oldpath, newpath, err)
}

// exchange swaps oldpath and newpath in one atomic step
// (renameat2(RENAME_EXCHANGE)), falling back to three renames where the
// filesystem does not support it. Both must exist.
func exchange(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return exchangeFallback(oldpath, newpath)
	}
	return renameErr(oldpath, newpath, err)
}
