package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ardanlabs/jinja"
)

// RaiseError is the error a template raises with raise_exception(message).
// Its Error() is the template's message verbatim, so that it reaches the
// user as the model's authors wrote it.
type RaiseError struct {
	Message string
}

func (e *RaiseError) Error() string { return e.Message }

// errPanic marks a panic of the engine turned into an error.
var errPanic = errors.New("internal error in the template engine")

// A Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	tmpl  *jinja.Template
	fixed map[string]jinja.Value // overrides bound in every render; read-only
}

// Options are the variables transformers passes to a chat template besides
// messages.
type Options struct {
	// AddGenerationPrompt asks the template to end with the assistant's
	// header, ready for generation.
	AddGenerationPrompt bool
	// BOSToken and EOSToken are the special tokens' texts (bos_token,
	// eos_token); empty leaves the variable undefined, as transformers does
	// for a tokenizer without that token.
	BOSToken, EOSToken string
	// Extra holds further template variables: tools, documents,
	// date_string, enable_thinking, unk_token, ... They override the
	// defaults (tools and documents are None unless given). Values are Go
	// data as encoding/json produces it; pass json.RawMessage to keep the
	// key order of objects (which tojson writes out).
	Extra map[string]any
	// Now is the clock strftime_now reads; nil means time.Now.
	Now func() time.Time
}

// Compile parses a chat template once. The result renders the way
// transformers' apply_chat_template does.
func Compile(src string) (*Template, error) {
	src, err := prepare(normalizeSource(src))
	if err != nil {
		return nil, fmt.Errorf("template: compiling chat template: %w", err)
	}
	t, err := compileEngine(src)
	if err != nil {
		return nil, fmt.Errorf("template: compiling chat template: %w", err)
	}
	return &Template{tmpl: t, fixed: overrideFuncs()}, nil
}

// compileEngine guards against a panic in the engine on malformed input:
// bad templates must give errors.
func compileEngine(src string) (t *jinja.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("malformed template (%w: %v)", errPanic, r)
		}
	}()
	return jinja.Compile(src)
}

// normalizeSource applies what Jinja's lexer does to the source before
// anything else: "\r\n" and "\r" become "\n", and a single trailing newline
// is dropped (keep_trailing_newline=False).
func normalizeSource(src string) string {
	if strings.Contains(src, "\r") {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	return strings.TrimSuffix(src, "\n")
}

// Render renders the template for messages. A raise_exception in the
// template returns a *RaiseError.
func (t *Template) Render(messages []map[string]any, opts Options) (string, error) {
	msgs := make([]any, len(messages))
	for i, m := range messages {
		msgs[i] = m
	}
	mv, err := toValue(msgs)
	if err != nil {
		return "", fmt.Errorf("template: messages: %w", err)
	}
	return t.render(mv, opts)
}

// RenderJSON is Render for messages given as a JSON array; objects keep
// their key order, as in Python.
func (t *Template) RenderJSON(messages json.RawMessage, opts Options) (string, error) {
	mv, err := rawValue(messages)
	if err != nil {
		return "", fmt.Errorf("template: messages: %w", err)
	}
	if !mv.IsList() {
		return "", fmt.Errorf("template: messages must be a JSON array")
	}
	return t.render(mv, opts)
}

func (t *Template) render(messages jinja.Value, opts Options) (out string, err error) {
	data := make(map[string]jinja.Value, len(t.fixed)+len(opts.Extra)+8)
	data["messages"] = messages
	data["add_generation_prompt"] = jinja.NewBool(opts.AddGenerationPrompt)
	data["tools"] = jinja.None()
	data["documents"] = jinja.None()
	if opts.BOSToken != "" {
		data["bos_token"] = jinja.NewString(opts.BOSToken)
	}
	if opts.EOSToken != "" {
		data["eos_token"] = jinja.NewString(opts.EOSToken)
	}
	for k, v := range opts.Extra {
		jv, err := toValue(v)
		if err != nil {
			return "", fmt.Errorf("template: variable %q: %w", k, err)
		}
		data[k] = jv
	}
	var raised *RaiseError
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	data["raise_exception"] = jinja.NewCallable("raise_exception", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		msg := ""
		if len(args) > 0 {
			msg = pyStr(args[0])
		}
		raised = &RaiseError{Message: msg}
		return jinja.Value{}, raised
	})
	data["strftime_now"] = jinja.NewCallable("strftime_now", func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) != 1 || !args[0].IsString() {
			return jinja.Value{}, fmt.Errorf("strftime_now takes one format string")
		}
		return jinja.NewString(strftime(args[0].AsString(), now())), nil
	})
	for k, v := range t.fixed {
		data[k] = v
	}

	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("template: rendering chat template: %w: %v", errPanic, r)
		}
	}()
	out, err = t.tmpl.RenderValues(data)
	if err != nil {
		if raised != nil {
			return "", raised
		}
		var re *RaiseError
		if errors.As(err, &re) {
			return "", re
		}
		return "", fmt.Errorf("template: rendering chat template: %w", err)
	}
	return out, nil
}

// StartsWithBOS reports whether a rendered prompt already begins with the
// BOS text, in which case the tokenizer must not add its own BOS.
func StartsWithBOS(prompt, bos string) bool {
	return bos != "" && strings.HasPrefix(prompt, bos)
}
