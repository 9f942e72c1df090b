//go:build !linux

package flavor

// renameNoReplace renames oldpath to newpath, failing with an error matching
// fs.ErrExist when newpath exists. Without renameat2 the check and the
// rename are two steps; see renameNoReplaceFallback for the window left.
func renameNoReplace(oldpath, newpath string) error {
	return renameNoReplaceFallback(oldpath, newpath)
}

// exchange swaps oldpath and newpath with three renames (see exchangeFallback).
func exchange(oldpath, newpath string) error { return exchangeFallback(oldpath, newpath) }
