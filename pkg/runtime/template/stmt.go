package template

import (
	"errors"
	"fmt"
	"strings"
)

// errNotStatement reports a statement whose expressions transpileStmt does
// not parse (endfor, macro, call, filter, block set, ...).
var errNotStatement = errors.New("statement left to the engine")

// transpileTag rewrites the body of a {{ }} tag (expr true) or a {% %} tag.
// The expressions of output tags and of if, elif, for and set statements
// are parsed and re-emitted (jexpr.go), and one that does not parse is an
// error, as in Jinja. Other statements get the token-level rewrite only,
// leaving the engine to judge them.
func transpileTag(body string, expr bool) (string, error) {
	if expr {
		out, err := transpileExpr(body)
		if err != nil {
			return "", fmt.Errorf("expression %q: %w", strings.TrimSpace(body), err)
		}
		return " " + out + " ", nil
	}
	out, err := transpileStmt(body)
	switch {
	case errors.Is(err, errNotStatement):
		return rewriteExpr(body)
	case err != nil:
		return "", fmt.Errorf("statement %q: %w", strings.TrimSpace(body), err)
	}
	return out, nil
}

func transpileStmt(body string) (string, error) {
	s := strings.TrimSpace(body)
	kw := s
	if i := strings.IndexFunc(s, func(r rune) bool { return r > 127 || !isIdent(byte(r)) }); i >= 0 {
		kw = s[:i]
	}
	rest := s[len(kw):]
	switch kw {
	case "if", "elif": // Jinja reads no conditional expression here
		toks, err := lexExpr(rest)
		if err != nil {
			return "", err
		}
		p := &parser{toks: toks}
		x, err := p.expr(false)
		if err == nil && p.peek().kind != tkEOF {
			err = fmt.Errorf("unexpected %q at the end of %s", p.peek().val, kw)
		}
		if err != nil {
			return "", err
		}
		return " " + kw + " " + x + " ", nil
	case "for":
		return transpileFor(rest)
	case "set":
		return transpileSet(rest)
	}
	return "", errNotStatement
}

// transpileFor handles "for TARGET in ITER [if COND] [recursive]".
func transpileFor(rest string) (string, error) {
	toks, err := lexExpr(rest)
	if err != nil {
		return "", err
	}
	p := &parser{toks: toks}
	target, err := p.target("in")
	if err != nil {
		return "", err
	}
	p.pos++ // "in"
	iter, err := p.expr(false)
	if err != nil {
		return "", err
	}
	out := " for " + target + " in " + iter
	if p.isName("if") {
		p.pos++
		cond, err := p.expr(true)
		if err != nil {
			return "", err
		}
		out += " if " + cond
	}
	if p.isName("recursive") {
		p.pos++
		out += " recursive"
	}
	if p.peek().kind != tkEOF {
		return "", fmt.Errorf("unexpected %q in for", p.peek().val)
	}
	return out + " ", nil
}

// transpileSet handles "set TARGET = EXPR"; the block form is left alone.
func transpileSet(rest string) (string, error) {
	toks, err := lexExpr(rest)
	if err != nil {
		return "", err
	}
	p := &parser{toks: toks}
	target, err := p.target("=")
	if err != nil {
		return "", errNotStatement // the block form: {% set x %}...{% endset %}
	}
	p.pos++ // "="
	x, err := transpileRest(p)
	if err != nil {
		return "", err
	}
	names := strings.Split(strings.Trim(target, "()"), ", ")
	if len(names) == 1 {
		return " set " + target + " = " + x + " ", nil
	}
	// The engine cannot unpack: assign a checked list, then each name.
	out := fmt.Sprintf(" set mlpack_unpack_tmp_ = mlpack_unpack_(%s, %d) %%}", x, len(names))
	for i, n := range names {
		out += fmt.Sprintf("{%% set %s = mlpack_unpack_tmp_[%d] %%}", n, i)
	}
	return strings.TrimSuffix(strings.TrimSuffix(out, " %}"), "%}") + " ", nil
}

// transpileRest parses the remaining tokens as one expression (a tuple
// becomes a list).
func transpileRest(p *parser) (string, error) {
	x, err := p.expr(true)
	if err != nil {
		return "", err
	}
	if p.isOp(",") {
		items := []string{x}
		for p.isOp(",") {
			p.pos++
			if p.peek().kind == tkEOF {
				break
			}
			y, err := p.expr(true)
			if err != nil {
				return "", err
			}
			items = append(items, y)
		}
		x = "[" + strings.Join(items, ", ") + "]"
	}
	if p.peek().kind != tkEOF {
		return "", fmt.Errorf("unexpected %q after the expression", p.peek().val)
	}
	return x, nil
}

// target reads an assignment target (names, ns.attr, commas, parentheses)
// up to the name or operator end, which it leaves unread.
func (p *parser) target(end string) (string, error) {
	var sb strings.Builder
	for {
		t := p.peek()
		switch {
		case t.kind == tkEOF:
			return "", fmt.Errorf("expected %q", end)
		case (t.kind == tkName || t.kind == tkOp) && t.val == end:
			if sb.Len() == 0 {
				return "", fmt.Errorf("missing target before %q", end)
			}
			return sb.String(), nil
		case t.kind == tkName:
			sb.WriteString(t.val)
		case t.kind == tkOp && (t.val == "." || t.val == "(" || t.val == ")"):
			sb.WriteString(t.val)
		case t.kind == tkOp && t.val == ",":
			sb.WriteString(", ")
		default:
			return "", fmt.Errorf("unexpected %q in an assignment target", t.val)
		}
		p.pos++
	}
}
