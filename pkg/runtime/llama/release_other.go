//go:build !linux

package llama

func releasePages([]byte) {}
