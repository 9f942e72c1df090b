// Package testmodel writes small Hugging Face-format Llama-family models
// with seeded random weights, for tests and benchmarks: config.json,
// generation_config.json, model.safetensors (or shards and an index),
// tokenizer.json, tokenizer_config.json and special_tokens_map.json, laid out
// exactly as transformers saves them.
//
// The tokenizer uses the same pipeline as Llama 2 and TinyLlama (Prepend and
// Replace normalizers, byte-fallback BPE, the matching decoder and a
// TemplateProcessing that adds <s>), with a small vocabulary learned by BPE,
// deterministically, on an embedded English corpus.
//
// The same Spec always produces the same bytes. [TinyChat] is the model
// committed under testdata/tiny-chat; [TinyLlama11B] has the full shape of
// TinyLlama-1.1B for benchmarks and is written tensor by tensor, never held in
// memory.
package testmodel
