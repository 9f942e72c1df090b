package template

import (
	"fmt"
	"strings"
)

// A small parser for Jinja expressions. Compile re-emits each parsed
// expression for the engine with the operations whose engine semantics
// differ from Python's (arithmetic, ~, attribute and item access, some
// string methods) routed to this package's functions (ops.go), so that
// e.g. 'abc'['x'] is undefined and undefined + 'x' raises, as in Jinja.

type tokKind int

const (
	tkEOF tokKind = iota
	tkName
	tkNum
	tkStr
	tkOp
)

type token struct {
	kind tokKind
	val  string // name, operator, number source, or decoded string
}

func lexExpr(s string) ([]token, error) {
	var toks []token
	for k := 0; k < len(s); {
		c := s[k]
		switch {
		case isSpace(c):
			k++
		case c == '\'' || c == '"':
			e := k + 1
			for e < len(s) && s[e] != c {
				if s[e] == '\\' {
					e++
				}
				e++
			}
			if e >= len(s) {
				return nil, fmt.Errorf("string literal is not closed")
			}
			v, err := unescapePython(s[k+1 : e])
			if err != nil {
				return nil, fmt.Errorf("string literal %s: %w", s[k:e+1], err)
			}
			toks = append(toks, token{tkStr, v})
			k = e + 1
		case c >= '0' && c <= '9':
			e := numberEnd(s, k)
			toks = append(toks, token{tkNum, normalizeNumber(s[k:e])})
			k = e
		case isIdent(c):
			e := k
			for e < len(s) && isIdent(s[e]) {
				e++
			}
			toks = append(toks, token{tkName, s[k:e]})
			k = e
		default:
			op := ""
			for _, cand := range []string{"**", "//", "==", "!=", "<=", ">="} {
				if strings.HasPrefix(s[k:], cand) {
					op = cand
					break
				}
			}
			if op == "" {
				if !strings.ContainsRune("+-*/%~<>=()[]{},.:|", rune(c)) {
					return nil, fmt.Errorf("unexpected character %q", c)
				}
				op = string(c)
			}
			toks = append(toks, token{tkOp, op})
			k += len(op)
		}
	}
	return append(toks, token{kind: tkEOF}), nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }

func (p *parser) isOp(op string) bool  { t := p.peek(); return t.kind == tkOp && t.val == op }
func (p *parser) isName(n string) bool { t := p.peek(); return t.kind == tkName && t.val == n }
func (p *parser) isNameAt(i int, n string) bool {
	return p.pos+i < len(p.toks) && p.toks[p.pos+i].kind == tkName && p.toks[p.pos+i].val == n
}

func (p *parser) expectOp(op string) error {
	if !p.isOp(op) {
		return fmt.Errorf("expected %q, got %q", op, p.peek().val)
	}
	p.pos++
	return nil
}

// expr := or ["if" or ["else" expr]]
func (p *parser) expr(withCond bool) (string, error) {
	x, err := p.or()
	if err != nil || !withCond || !p.isName("if") {
		return x, err
	}
	p.pos++
	cond, err := p.or()
	if err != nil {
		return "", err
	}
	if !p.isName("else") {
		return "(" + x + " if " + cond + ")", nil
	}
	p.pos++
	els, err := p.expr(true)
	if err != nil {
		return "", err
	}
	return "(" + x + " if " + cond + " else " + els + ")", nil
}

func (p *parser) or() (string, error) {
	x, err := p.and()
	for err == nil && p.isName("or") {
		p.pos++
		var y string
		if y, err = p.and(); err == nil {
			x = "(" + x + " or " + y + ")"
		}
	}
	return x, err
}

func (p *parser) and() (string, error) {
	x, err := p.not()
	for err == nil && p.isName("and") {
		p.pos++
		var y string
		if y, err = p.not(); err == nil {
			x = "(" + x + " and " + y + ")"
		}
	}
	return x, err
}

func (p *parser) not() (string, error) {
	if p.isName("not") && !p.isNameAt(1, "in") {
		p.pos++
		x, err := p.not()
		return "(not " + x + ")", err
	}
	return p.compare()
}

// compare parses comparison chains: a < b == c is (a < b) and (b == c),
// as in Python. Every comparison goes to ops.go.
func (p *parser) compare() (string, error) {
	x, err := p.math1()
	if err != nil {
		return "", err
	}
	var parts []string
	for {
		op := ""
		switch t := p.peek(); {
		case t.kind == tkOp && cmpFuncs[t.val] != "":
			op = t.val
			p.pos++
		case p.isName("in"):
			op = "in"
			p.pos++
		case p.isName("not") && p.isNameAt(1, "in"):
			op = "not in"
			p.pos += 2
		}
		if op == "" {
			break
		}
		y, err := p.math1()
		if err != nil {
			return "", err
		}
		parts = append(parts, cmpFuncs[op]+"("+x+", "+y+")")
		x = y
	}
	switch len(parts) {
	case 0:
		return x, nil
	case 1:
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " and ") + ")", nil
}

// cmpFuncs are the comparison operators' functions in ops.go.
var cmpFuncs = map[string]string{
	"<": "mlpack_lt_", ">": "mlpack_gt_", "<=": "mlpack_le_", ">=": "mlpack_ge_",
	"==": "mlpack_eq_", "!=": "mlpack_ne_", "in": "mlpack_in_", "not in": "mlpack_notin_",
}

var binFuncs = map[string]string{
	"+": "mlpack_add_", "-": "mlpack_sub_", "*": "mlpack_mul_", "/": "mlpack_div_",
	"//": "mlpack_floordiv_", "%": "mlpack_mod_", "**": "mlpack_pow_",
}

func (p *parser) math1() (string, error) {
	x, err := p.concat()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		op := p.next().val
		var y string
		if y, err = p.concat(); err == nil {
			x = binFuncs[op] + "(" + x + ", " + y + ")"
		}
	}
	return x, err
}

func (p *parser) concat() (string, error) {
	x, err := p.math2()
	if err != nil || !p.isOp("~") {
		return x, err
	}
	args := []string{x}
	for p.isOp("~") {
		p.pos++
		y, err := p.math2()
		if err != nil {
			return "", err
		}
		args = append(args, y)
	}
	return "mlpack_concat_(" + strings.Join(args, ", ") + ")", nil
}

func (p *parser) math2() (string, error) {
	x, err := p.pow()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%")) {
		op := p.next().val
		var y string
		if y, err = p.pow(); err == nil {
			x = binFuncs[op] + "(" + x + ", " + y + ")"
		}
	}
	return x, err
}

func (p *parser) pow() (string, error) {
	x, err := p.unary(true)
	for err == nil && p.isOp("**") {
		p.pos++
		var y string
		if y, err = p.unary(true); err == nil {
			x = "mlpack_pow_(" + x + ", " + y + ")"
		}
	}
	return x, err
}

// transpileExpr parses a whole expression (a top-level tuple is allowed).
func transpileExpr(src string) (string, error) {
	toks, err := lexExpr(src)
	if err != nil {
		return "", err
	}
	p := &parser{toks: toks}
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
