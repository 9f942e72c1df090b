// Package template renders Hugging Face chat templates the way transformers
// does (apply_chat_template): Jinja with trim_blocks and lstrip_blocks, loop
// controls, raise_exception, strftime_now, a tojson that neither escapes
// non-ASCII nor HTML characters and keeps key order, namespace() and the
// Python string methods templates use.
//
// The Jinja engine is github.com/ardanlabs/jinja; this package supplies the
// parts transformers defines itself (raise_exception, strftime_now, tojson)
// and the Python-compatible conversion of input values, so that the result
// is byte-equal to transformers' render.
//
// A chat template usually decides whether the prompt starts with the BOS
// text. When the rendered prompt already begins with it (Llama-2, Mistral,
// Llama-3 templates emit bos_token), the tokenizer must encode it without
// adding its own BOS, or BOS is doubled; when it does not (TinyLlama), the
// tokenizer's post-processor BOS is wanted. See StartsWithBOS.
//
// Config and LoadConfig read a model folder's tokenizer_config.json and
// chat_template.jinja. Compile once per model; a *Template is safe for
// concurrent Render calls.
package template
