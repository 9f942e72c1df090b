// Package openai holds the OpenAI-compatible wire format of mlpack serve: the
// request and response types of /v1/chat/completions, /v1/completions and
// /v1/models, strict request decoding that names every field it cannot honour
// (a 400, never a silent drop), the exact server-sent-event chunk sequence the
// official SDKs expect, the {"error":{...}} envelope, and llama.cpp's
// /tokenize, /detokenize and /apply-template shapes.
//
// Everything here is pure: no HTTP, no model. The server in package serve
// decodes with these functions, runs the model, and encodes the results.
package openai
