// Package task does what MLflow's transformers pyfunc wrapper does around a
// text-generation pipeline, for the three tasks MLflow supports:
// "text-generation" (strings in, strings out, the prompt included),
// "llm/v1/chat" (messages → chat template → chat.completion objects) and
// "llm/v1/completions" (prompt → text_completion objects).
//
// The pieces, all usable without HTTP:
//
//   - [ParseInput] decodes every MLflow input shape (the unified LLM dict
//     with messages/prompt, dataframe_split, dataframe_records, instances,
//     inputs, plus params) into an [Input]; [Wrap] gives the body the scoring
//     server returns for it.
//   - [Engine.Predict] validates an Input against the bundle's signature,
//     merges generation parameters (generation_config.json <
//     python_function.config < request) and returns exactly what MLflow's
//     predict returns: a list of [ChatCompletion] or [Completion] objects, or a
//     list of strings.
//   - [Engine.Prepare] and [Engine.Generate] are the lower layer the
//     OpenAI-compatible server uses: render and tokenize a request (checking
//     the context window before anything is streamed), then generate with
//     OpenAI-style [generate.Params] and a streaming callback.
//
// # Where mlpack differs from MLflow, and why
//
//   - Stop sequences are matched on the decoded text (also across token
//     boundaries) and removed from the output, as the OpenAI API does. MLflow
//     compares token ids of the stop string re-tokenized by a slow tokenizer
//     downloaded at request time, which misses most matches, and keeps the
//     stop text.
//   - finish_reason is "length" exactly when generation hit the token limit
//     or the context window, "stop" otherwise. MLflow guesses from token
//     counts and reports "stop" when the generation_config limit was hit.
//   - usage counts what the model was fed: prompt_tokens includes the BOS
//     token the tokenizer adds, completion_tokens the generated tokens
//     (including the final EOS). MLflow counts the prompt without special
//     tokens and attributes the BOS to the completion.
//   - The prompt is never given a second BOS token: when the rendered chat
//     prompt already starts with the tokenizer's BOS text (Llama-2 style
//     templates), it is tokenized without adding special tokens.
//     Hugging Face's pipeline adds another.
//   - n greater than 1 and stream are accepted and ignored (one choice is
//     returned), as MLflow returns one; MLflow may instead fail with
//     "model_kwargs are not used". presence_penalty and frequency_penalty
//     (late chat schema) are honoured.
//   - Sampling follows Hugging Face semantics on this path: without
//     do_sample=true (from generation_config.json, python_function.config or
//     the request) decoding is greedy and temperature/top_p/top_k are
//     ignored, with a logged warning.
package task
