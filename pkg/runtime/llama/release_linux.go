package llama

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// wholePages returns the whole pages inside b (nil when there are none):
// madvise takes page-aligned ranges.
func wholePages(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (start + page - 1) &^ (page - 1)
	hi := (start + uintptr(len(b))) &^ (page - 1)
	if hi <= lo {
		return nil
	}
	return b[lo-start : hi-start]
}

// releasePages tells the kernel the process no longer needs the whole pages
// inside b, a read-only file mapping: they leave the resident set and are
// faulted back from the page cache if read again. Errors are ignored (the
// advice is only an optimisation).
func releasePages(b []byte) {
	if p := wholePages(b); p != nil {
		_ = unix.Madvise(p, unix.MADV_DONTNEED)
	}
}

// populatePages maps the whole pages inside b, a read-only file mapping,
// now (MADV_POPULATE_READ, Linux 5.14 on; older kernels refuse the advice
// and the pages are mapped as they are first read). Errors are ignored.
func populatePages(b []byte) {
	if p := wholePages(b); p != nil {
		_ = unix.Madvise(p, unix.MADV_POPULATE_READ)
	}
}
