package safetensors

import (
	"os"
	"unsafe"
)

func writeBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }

func ptr(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }
