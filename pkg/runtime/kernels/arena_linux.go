package kernels

import "golang.org/x/sys/unix"

// hugeThreshold is the size from which weight arrays are mapped with
// transparent huge pages: streaming a gigabyte of weights per token through
// 4 KiB pages costs a TLB miss every 4 KiB.
const hugeThreshold = 4 << 20

// allocBytes returns zeroed memory for weights and a function that frees it.
// Large arrays are anonymous mappings advised to use huge pages (the Go heap
// does not ask for them); small ones, and any mapping failure, use the heap.
func allocBytes(n int) ([]byte, func()) {
	if n < hugeThreshold {
		return make([]byte, n), func() {}
	}
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return make([]byte, n), func() {}
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // advice only
	return b, func() { _ = unix.Munmap(b) }
}
