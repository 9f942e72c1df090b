// Package template renders Hugging Face chat templates the way transformers
// does (apply_chat_template): Jinja with trim_blocks and lstrip_blocks, loop
// controls, raise_exception, strftime_now, a tojson that neither escapes
// non-ASCII nor HTML characters and keeps key order, namespace() and the
// Python string methods templates use.
//
// The Jinja engine is github.com/ardanlabs/jinja v1.8.0 behind a fix layer,
// because on its own it differs from Python Jinja in ways that change
// prompts. Compile transpiles the template for it:
//
//   - lexer.go lexes the template as Jinja's lexer does: trim_blocks,
//     lstrip_blocks (only when the tag starts its line; the engine strips
//     before every block tag), the "-" and "+" modifiers, comments,
//     {% raw %}, CRLF and the dropped final newline; all literal text is
//     re-emitted as string expressions so the engine has nothing to trim.
//   - jexpr.go and stmt.go parse the expressions of {{ }}, if, elif, for and
//     set (Python string escapes, 1e16, adjacent strings, tuples) and
//     re-emit them with arithmetic, ~, x.attr, x[key], tests, tuple
//     unpacking and the string methods split, startswith, endswith,
//     capitalize and join routed to ops.go, tests.go and methods.go, which
//     follow Python: undefined + x, undefined.attr and undefined[k] raise
//     UndefinedError, 'abc'['x'] is undefined, 'a' + 1 raises TypeError, ints
//     stay ints (2 ** 3, 7 // -2, -7 % 3), str % args formats, ~ and {{ }}
//     print None as "None" and 1.0 as "1.0".
//   - tojson is transformers' (pyjson.go), strftime_now and raise_exception
//     are supplied per render, range is capped.
//
// What remains the engine's: comparisons and "in" as operators, and/or/not,
// filters other than tojson and capitalize, method calls other than the
// five above, and statements other than if/elif/for/set (macro, call,
// filter blocks) which only get the string and filter rewrites. Known
// differences left: tuples print as lists; d.items without a call reads the
// key "items"; an undefined operand of < or > does not raise. A tag the
// parser cannot read is passed to the engine with only the string and
// filter rewrites, so it behaves as plain ardanlabs/jinja would.
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
