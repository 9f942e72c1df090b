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
//   - jexpr.go, jprimary.go and stmt.go parse the expressions of {{ }}, if,
//     elif, for and set (Python string escapes, 1e16, adjacent strings,
//     tuples, comparison chains) and re-emit them with every operator,
//     x.attr, x[key], slices, tests and tuple unpacking routed to ops.go and
//     tests.go, and string methods to methods.go, strmethods.go and
//     format.go (split, startswith, endswith, capitalize, title, join,
//     format, and the rfind, index, is*, zfill, center, ljust, rjust,
//     splitlines, rsplit, partition and swapcase the engine lacks). They
//     follow Python: undefined + x, undefined.attr and undefined[k] raise
//     UndefinedError, 'abc'['x'] is undefined, 'a' + 1 raises TypeError,
//     ints stay ints (2 ** 3, 7 // -2, -7 % 3), str % args formats, ~ and
//     {{ }} print None as "None" and 1.0 as "1.0", mutating methods
//     (append, update, ...) raise as in transformers' immutable sandbox.
//     An expression that does not parse is a compile error.
//   - filters.go and pyjson.go replace the filters whose engine versions
//     differ (tojson as transformers defines it, capitalize, first, last,
//     list, round, string, lower, upper, title, trim, join, abs, length,
//     count, int, float, reverse, map, select, reject, selectattr,
//     rejectattr); strftime_now and raise_exception are supplied per
//     render, range is capped.
//
// What remains the engine's: and/or/not, the remaining filters (items,
// default, unique, sort, dictsort, ...; unknown ones such as truncate,
// center or groupby are errors), method calls not listed above (strip,
// replace, upper, items, get, ...), loop variables, and statements other
// than if/elif/for/set, which get only the string and filter rewrites. Known differences left: tuples print as lists and
// "%s" % (a, b) cannot tell a tuple from a list; d.items without a call
// reads the key "items"; reverse gives a list where Python gives an
// iterator (only visible when printed). Checked against Python Jinja2 with
// transformers' settings: the 30 shared cases, 81 feature cases
// (testdata/features.jsonl), 459 real-template renders (TestCorpus) and
// 9000 random expressions (about 1.5% differ, all in the cases above or
// in constructs no template uses, such as slicing an int literal).
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
