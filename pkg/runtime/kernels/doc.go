// Package kernels holds the numeric hot loops of the runtime: matrix-vector
// and matrix-matrix products over fp32, bf16, f16 and int8 (Q8) weights, RMSNorm,
// softmax and the SwiGLU activation, plus the persistent worker pool that
// splits every product by rows.
//
// Every weight format implements [Matrix], so the model code is written once:
//
//	w, err := kernels.NewF32(rows, cols, data)
//	w.MatVec(pool, y, x)           // y = W·x, rows split across the pool's workers
//	w.MatMul(pool, Y, X, n)        // n tokens at once: 4×3 register-tiled GEMM
//	kernels.SwiGLU(pool, gate, up, h, u, x, n) // both products + silu·mul in one pass
//
// Arithmetic is fp32 throughout: half-precision weights are widened as they
// are read, never the activations rounded down. [Q8] matrices (blocks of 32
// int8 weights with an fp32 scale, converted with [QuantizeQ8]) are the one
// lossy format: their products quantize the input the same way once per call
// and accumulate int8·int8 products exactly in int32.
//
// On amd64 with AVX2 and FMA (checked with golang.org/x/sys/cpu) the inner
// loops are Go assembly: fp32, bf16 and f16 (F16C) dot products and 4×3
// GEMM micro-kernels, a 4-row Q8 dot kernel (vpsignb/vpmaddubsw/vpmaddwd) and
// axpy. Where the CPU also has AVX-512 (F, BW, VL) and VNNI, the fp32 and
// bf16 dot products run 512 bits wide and the int8 kernel uses vpdpbusd.
// Elsewhere, or with [NewPortablePool], the portable Go versions run;
// [NewPoolKernels] picks any set in [KernelSets] (so model-level tests can
// run the AVX2 set on an AVX-512 machine). The tests run every set the CPU
// supports and compare them with exact or float64 references.
package kernels
