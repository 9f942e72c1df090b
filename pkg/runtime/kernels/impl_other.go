//go:build !amd64

package kernels

var native = portable

func accelerated() []*impl { return nil }
