// Command gguf converts a Hugging Face Llama folder (config.json,
// safetensors weights, tokenizer.json) into a GGUF v3 file llama.cpp loads,
// for the head-to-head benchmark in bench/llamacpp.sh. Matrices are written
// as F32, BF16 or Q8_0 (blocks of 32 int8 with an f16 scale, as ggml's
// reference quantizer computes them, token embedding and output head
// included); norms stay F32. The q and k projections get the same row
// permutation llama.cpp's convert_hf_to_gguf.py applies, so the GGUF
// computes the same function as the folder.
//
//	go run ./bench/llamacpp/gguf -model DIR -type q8_0 -o model-q8_0.gguf
package main

import (
	"flag"
	"fmt"
	"github.com/mlpack-go/mlpack/internal/atomicfile"
	"io"
	"os"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

func main() {
	model := flag.String("model", "", "Hugging Face Llama folder to convert")
	typ := flag.String("type", "f32", "matrix type: f32, bf16 or q8_0")
	out := flag.String("o", "", "GGUF file to write")
	flag.Parse()
	if *model == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gguf -model DIR -type f32|bf16|q8_0 -o FILE.gguf")
		os.Exit(2)
	}
	t, err := parseType(*typ)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gguf:", err)
		os.Exit(2)
	}
	start := time.Now()
	if err := convert(*model, t, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gguf:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gguf: wrote %s (%s) in %s\n", *out, t, time.Since(start).Round(10*time.Millisecond))
}

// convert writes the GGUF of the folder dir with matrices of type out to
// path, through a temporary file that is synced and renamed into place.
func convert(dir string, out ggmlType, path string) error {
	c, err := readConfig(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	tokens, scores, types, err := vocab(dir, c.Vocab)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	st, err := safetensors.OpenDir(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	defer st.Close()
	srcs, err := plan(c, st, out)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	infos := make([]tensorInfo, len(srcs))
	for i, s := range srcs {
		infos[i] = s.info
	}
	if _, err := layout(infos); err != nil {
		return err
	}
	meta := metadata(c, out, tokens, scores, types)
	return atomicfile.Write(path, func(w io.Writer) error {
		if err := writeGGUF(w, meta, infos, func(i int, w io.Writer) error { return encode(w, srcs[i]) }); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
}
