//go:build !amd64

package kernels

var native = portable
