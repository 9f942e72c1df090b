// Command registry writes the bundle bench/registry.sh pushes and pulls: the
// small test bundle of pkg/registry/registrytest with model.safetensors
// replaced by a seeded random file of -size bytes, written in 1 MiB pieces.
//
//	go run ./bench/registry -o /tmp/bundle -size 2147483648
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

func main() {
	out := flag.String("o", "", "bundle folder to create")
	size := flag.Int64("size", 2<<30, "bytes of weights")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: registry -o DIR [-size BYTES]")
		os.Exit(2)
	}
	if err := registrytest.WriteBundleFiles(*out, 64, 1); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := registrytest.WriteLargeWeights(filepath.Join(*out, "model", "model.safetensors"), *size, 7); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
