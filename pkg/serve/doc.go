// Package serve is the HTTP server of `mlpack serve`: MLflow's scoring
// protocol (/ping, /health, /version, /invocations) and an OpenAI-compatible
// API (/v1/chat/completions, /v1/completions, /v1/models, with SSE
// streaming) over one loaded model, plus /metrics, /tokenize, /detokenize
// and /apply-template.
//
// One model copy serves every request. A single scheduler goroutine owns
// the model: it batches the decode steps of all running sequences into one
// forward pass (continuous batching: a new request joins between steps) and
// interleaves the chunked prefill of new prompts. Requests beyond the
// running slots wait in a bounded queue; beyond that they get 429 with
// Retry-After. A client that disconnects cancels its generation.
//
// The server reaches the model through the small [Backend] and [Engine]
// interfaces; package runtime provides the real implementation.
package serve
