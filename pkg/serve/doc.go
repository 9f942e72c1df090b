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
// A single-model server answers any "model" name with its model and puts
// the served id in replies (Config.StrictModel restores the 404). Shutdown
// is Drain (the port keeps answering: /health, /ping and new generation
// work get 503 with Retry-After), Wait for running requests up to a
// deadline, then Close: a stream still running ends with a
// data: {"error":...} event coded "shutting_down", a non-streamed request
// gets a 503 that says the server is shutting down. Error messages sent to
// clients drop the chain of internal package prefixes; the server log
// keeps it.
//
// The server reaches the model through the small [Backend] and [Engine]
// interfaces; package runtime provides the real implementation.
package serve
