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
// A Model serialises its forward passes (they share one worker pool and one
// set of scratch buffers); ForwardBatch advances several sessions by one
// token each with one read of the weights, for continuous batching.
package llama
