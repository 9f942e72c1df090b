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
// incrementally without splitting UTF-8 characters.
//
// Components the package does not implement are rejected at load time with
// an error naming the component's path inside the JSON document, for example
//
//	tokenizer: pre_tokenizer.pretokenizers[1]: unsupported type "Whitespace"
//
// A *Tokenizer is safe for concurrent use once loaded.
package tokenizer
