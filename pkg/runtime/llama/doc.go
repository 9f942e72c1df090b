// Package llama runs the forward pass of Hugging Face Llama-family causal
// language models (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM) on
// the CPU, in fp32 arithmetic over fp32, bf16 or f16 weights, or over int8
// (Q8) weights when asked to quantize at load time.
//
//	m, err := llama.Load(dir, llama.Options{})
//	s := m.NewSession(2048)
//	logits, err := s.Forward(ctx, promptIDs) // prefill: the prompt as one batch
//	logits, err = s.Forward(ctx, []int{next}) // one decode step, no allocation
//
// The layout follows transformers exactly: RMSNorm with eps from the config,
// rotary embeddings in the rotate_half convention (element i paired with
// i+head_dim/2) with rope_theta and rope_scaling (linear, llama3),
// grouped-query attention over a preallocated KV cache laid out
// [layer][kv_head][position][head_dim] so one head's keys are contiguous,
// SwiGLU MLP, and a tied or untied LM head. Mistral's sliding window limits
// attention to the last sliding_window positions.
//
// Quantize "int8" converts, at load time, the q/k/v/o and gate/up/down
// projections of every decoder layer but the first, and the LM head, to Q8
// blocks of 32 with an fp32 scale. The first layer stays in the
// checkpoint's format: its rounding error passes through every later
// layer. On stories260K keeping it lifts top-1 agreement with fp32 on
// run.c's 200 greedy steps from 181 to 192 and halves the max |logit diff|
// (3.07 → 1.61); over ten 200-step paths agreement goes from 88.5 % to
// 93.7 %. On TinyLlama-1.1B it costs about 4 % more weight bytes per token
// and about 4 % of decode speed (bf16 layer 0; bench/decode/README.md).
// Keeping the LM head in source precision instead, as llama.cpp does, did
// not improve agreement on stories260K and would cost about 6 %.
//
// Options.Kernels picks a kernel set ("portable", "avx2", "avx512vnni", "avx512bf16")
// instead of the fastest the CPU runs, so that every set can be tested on
// one machine.
//
// A Model serialises its forward passes (they share one worker pool and one
// set of scratch buffers); ForwardBatch advances several sessions by one
// token each with one read of the weights, for continuous batching.
package llama
