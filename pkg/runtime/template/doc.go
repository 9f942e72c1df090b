// Package template renders Hugging Face chat templates the way transformers
// does (apply_chat_template): Jinja with trim_blocks and lstrip_blocks, loop
// controls, raise_exception, strftime_now, a tojson that neither escapes
// non-ASCII nor HTML characters and keeps key order, namespace() and the
// Python string methods templates use.
//
// The Jinja engine is github.com/ardanlabs/jinja v1.8.0, behind a small
// fix layer. Compile first lexes the template as Jinja's own lexer does
// (lexer.go): it applies trim_blocks, lstrip_blocks and the "-"/"+"
// modifiers itself (the engine strips whitespace before every block tag,
// even mid-line, and ignores "+"), drops comments, expands {% raw %}, and
// re-emits all literal text as string expressions so the engine has no
// whitespace left to trim. Inside tags it decodes string literals with
// Python's escapes (the engine knows only \n \t \\ \' \"), expands number
// literals the engine cannot parse (1e16, 1_000), and routes the pieces
// the engine gets wrong to this package: the tojson and capitalize filters,
// the str methods split (maxsplit), startswith/endswith (tuples),
// capitalize and join, and printing ({{ none }} is "None", {{ 1.0 }} is
// "1.0", lists print as Python reprs). raise_exception, strftime_now and
// range are supplied per render.
//
// Known differences from Python Jinja that remain (the engine is lenient
// where Python raises, so a template relying on an error still renders):
// attribute or item access on an undefined value and arithmetic with one
// give "" instead of an UndefinedError; indexing a string with a string key
// ('abc'['x']) gives 'a'; 'a' + 1 concatenates; x ~ none appends "" (Python
// "None"); int ** int is a float; tuples print as lists; a nested dict
// literal closing with "}}" inside {{ }} fails to compile. String
// %-formatting is refused at compile time rather than rendered wrong. None
// of the 30 reference templates' cases depend on these.
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
