//go:build !linux

package llama

func releasePages([]byte)  {}
func populatePages([]byte) {}
