// Package kernels holds the numeric hot loops of the runtime: matrix-vector
// and matrix-matrix products over fp32, bf16 and int8 (Q8) weights, RMSNorm,
// softmax and the SwiGLU activation, plus the persistent worker pool that
// splits every product by rows.
//
// Every weight format implements [Matrix], so the model code is written once:
//
//	w := kernels.NewF32(rows, cols, data)
//	w.MatVec(pool, y, x) // y = W·x, rows split across the pool's workers
//
// Arithmetic is fp32 throughout: half-precision weights are widened as they
// are read, never the activations rounded down.
package kernels
