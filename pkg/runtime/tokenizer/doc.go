// Package tokenizer implements the parts of Hugging Face tokenizers'
// tokenizer.json that Llama-family (SentencePiece-style BPE with byte
// fallback) and GPT-2-family (byte-level BPE, ChatML special tokens,
// Llama-3/Qwen2 split regexes) models use, with the same ids and the same
// decoded text as the reference implementation.
//
// The pipeline follows the reference: added tokens are split out first
// (leftmost-longest, honouring lstrip/rstrip/single_word/normalized), each
// remaining segment is normalized, pre-tokenized and run through the BPE
// model, and the post-processor adds template tokens such as BOS. Decoding
// runs the decoder chain over token strings; [StreamDecoder] emits text
// incrementally, holding back text a later id could still change (split
// UTF-8 characters, open byte-fallback runs), so the pieces add up to Decode.
//
// Components the package does not implement are rejected at load time with
// an error naming the component's path inside the JSON document, for example
//
//	tokenizer: pre_tokenizer.pretokenizers[1]: unsupported type "Whitespace"
//
// The split regexes of GPT-2, Llama-3 and Qwen2 run on hand-written linear
// scanners; any other Split or Replace regex runs on github.com/dlclark/regexp2
// (backtracking, with the look-ahead support Oniguruma has), so a
// pathological pattern in a tokenizer.json can be slow. Known differences
// from HF: Lowercase does not apply Rust's final-sigma rule, and regexp2's
// (?i) does not fold ſ (the built-in scanners do).
//
// A *Tokenizer is safe for concurrent use once loaded.
package tokenizer
