// Package safetensors reads and writes Hugging Face safetensors files: an
// 8-byte little-endian header length N, N bytes of JSON describing each
// tensor (dtype, shape, data_offsets relative to the data section) plus an
// optional "__metadata__" object of strings, then the raw little-endian data.
//
// Reading treats the file as hostile. [ReadHeader] checks every number before
// using it, following the format's own rules: the header length is at least
// 2 bytes, at most 100 MB and inside the file; the header is UTF-8 JSON
// starting with '{' (trailing whitespace allowed) with no duplicate keys;
// every dtype is known; every shape dimension is non-negative and the element
// count times the dtype size equals the tensor's byte range without overflow;
// and the byte ranges tile the data section exactly — sorted by offset they
// are contiguous, never overlap and end at the end of the file (the format
// forbids holes so that a file cannot hide a second payload). Any failure is
// an error wrapping [ErrInvalid], never a panic, and the largest allocation is
// bounded by the header length.
//
// [Open] memory-maps one file (read into memory on platforms without mmap);
// [OpenDir] opens a model folder holding model.safetensors or a sharded
// checkpoint (model.safetensors.index.json + model-0000N-of-0000M.safetensors).
// [Tensor.Float32s] and [Tensor.Uint16s] give typed views, zero-copy when the
// data is aligned. [WriteFile] and [WriteShards] write files the way Hugging
// Face does, atomically.
package safetensors
