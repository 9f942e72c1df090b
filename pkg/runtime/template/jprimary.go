package template

import (
	"fmt"
	"strings"
)

// The operand half of the expression parser: unary operators, literals,
// postfix access and calls, filters and tests.

// unary := ("-"|"+") unary | primary postfix* ; then filters and tests.
func (p *parser) unary(withFilter bool) (string, error) {
	var x string
	var err error
	switch {
	case p.isOp("-"):
		p.pos++
		if x, err = p.unary(false); err == nil {
			x = "mlpack_neg_(" + x + ")"
		}
	case p.isOp("+"):
		p.pos++
		x, err = p.unary(false)
	default:
		if x, err = p.primary(); err == nil {
			x, err = p.postfix(x)
		}
	}
	if err != nil || !withFilter {
		return x, err
	}
	return p.filters(x)
}

func (p *parser) primary() (string, error) {
	t := p.next()
	switch t.kind {
	case tkStr:
		s := t.val
		for p.peek().kind == tkStr { // adjacent literals concatenate
			s += p.next().val
		}
		var sb strings.Builder
		sb.WriteByte('"')
		writeEngineString(&sb, s)
		sb.WriteByte('"')
		return sb.String(), nil
	case tkNum:
		return t.val, nil
	case tkName:
		switch t.val {
		case "none", "None":
			return "none", nil
		case "true", "True":
			return "true", nil
		case "false", "False":
			return "false", nil
		}
		return t.val, nil
	case tkOp:
		switch t.val {
		case "(":
			if p.isOp(")") {
				p.pos++
				return "[]", nil
			}
			x, tuple, err := p.tuple(")")
			if err != nil {
				return "", err
			}
			if tuple {
				return x, nil
			}
			return "(" + x + ")", nil
		case "[":
			items, err := p.list("]")
			if err != nil {
				return "", err
			}
			return "[" + strings.Join(items, ", ") + "]", nil
		case "{":
			var pairs []string
			for !p.isOp("}") {
				k, err := p.expr(true)
				if err != nil {
					return "", err
				}
				if err := p.expectOp(":"); err != nil {
					return "", err
				}
				v, err := p.expr(true)
				if err != nil {
					return "", err
				}
				pairs = append(pairs, k+": "+v)
				if !p.isOp(",") {
					break
				}
				p.pos++
			}
			if err := p.expectOp("}"); err != nil {
				return "", err
			}
			return "{ " + strings.Join(pairs, ", ") + " }", nil
		}
	}
	return "", fmt.Errorf("unexpected %q", t.val)
}

// tuple parses expr ("," expr)* up to end; a comma makes it a tuple,
// emitted as a list (the engine has no tuples).
func (p *parser) tuple(end string) (string, bool, error) {
	x, err := p.expr(true)
	if err != nil {
		return "", false, err
	}
	if !p.isOp(",") {
		return x, false, p.expectOp(end)
	}
	items := []string{x}
	for p.isOp(",") {
		p.pos++
		if p.isOp(end) {
			break
		}
		y, err := p.expr(true)
		if err != nil {
			return "", false, err
		}
		items = append(items, y)
	}
	return "[" + strings.Join(items, ", ") + "]", true, p.expectOp(end)
}

func (p *parser) list(end string) ([]string, error) {
	var items []string
	for !p.isOp(end) {
		x, err := p.expr(true)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
		if !p.isOp(",") {
			break
		}
		p.pos++
	}
	return items, p.expectOp(end)
}

// args parses a call's arguments after "(": positional, then name=value.
func (p *parser) args() (string, error) {
	var parts []string
	for !p.isOp(")") {
		if p.peek().kind == tkName && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == tkOp && p.toks[p.pos+1].val == "=" {
			name := p.next().val
			p.pos++
			v, err := p.expr(true)
			if err != nil {
				return "", err
			}
			parts = append(parts, name+"="+v)
		} else {
			if p.isOp("*") || p.isOp("**") {
				return "", fmt.Errorf("*args and **kwargs are not supported")
			}
			v, err := p.expr(true)
			if err != nil {
				return "", err
			}
			parts = append(parts, v)
		}
		if !p.isOp(",") {
			break
		}
		p.pos++
	}
	return strings.Join(parts, ", "), p.expectOp(")")
}

func (p *parser) postfix(x string) (string, error) {
	for {
		switch {
		case p.isOp("."):
			p.pos++
			t := p.next()
			if t.kind == tkNum { // foo.0 is foo[0]
				x = "mlpack_getitem_(" + x + ", " + t.val + ")"
				continue
			}
			if t.kind != tkName {
				return "", fmt.Errorf("expected an attribute name after '.', got %q", t.val)
			}
			if p.isOp("(") {
				p.pos++
				a, err := p.args()
				if err != nil {
					return "", err
				}
				if unsafeMethod(t.val) {
					x = `mlpack_unsafe_("` + t.val + `")`
					continue
				}
				fn, ok := methodOverrides[t.val]
				if !ok && isExtraStrMethod(t.val) {
					fn, ok = "mlpack_m_"+t.val+"_", true
				}
				if ok {
					if a != "" {
						a = ", " + a
					}
					x = fn + "(" + x + a + ")"
				} else {
					x = "mlpack_defined_(" + x + ")." + t.val + "(" + a + ")"
				}
				continue
			}
			x = "mlpack_getattr_(" + x + `, "` + t.val + `")`
		case p.isOp("["):
			p.pos++
			var parts [3]string
			n, colon := 0, false
			for {
				if p.isOp(":") {
					p.pos++
					colon = true
					n++
					if n > 2 {
						return "", fmt.Errorf("too many ':' in a slice")
					}
					continue
				}
				if p.isOp("]") {
					break
				}
				v, err := p.expr(true)
				if err != nil {
					return "", err
				}
				parts[n] = v
				if !p.isOp(":") {
					break
				}
			}
			if err := p.expectOp("]"); err != nil {
				return "", err
			}
			if !colon {
				x = "mlpack_getitem_(" + x + ", " + parts[0] + ")"
				continue
			}
			for i := range parts {
				if parts[i] == "" {
					parts[i] = "none"
				}
			}
			x = "mlpack_slice_(" + x + ", " + strings.Join(parts[:], ", ") + ")"
		case p.isOp("("):
			p.pos++
			a, err := p.args()
			if err != nil {
				return "", err
			}
			x = x + "(" + a + ")"
		default:
			return x, nil
		}
	}
}

// filters parses "|name(args)" filters and "is [not] test" tests. The
// result is parenthesised so that the engine cannot bind an operator
// (such as not) tighter than the filters.
func (p *parser) filters(x string) (string, error) {
	start := x
	for {
		switch {
		case p.isOp("|"):
			p.pos++
			t := p.next()
			if t.kind != tkName {
				return "", fmt.Errorf("expected a filter name after '|', got %q", t.val)
			}
			name := t.val
			if o, ok := filterOverrides[name]; ok {
				name = o
			}
			x = "(" + x + ")|" + name
			if p.isOp("(") {
				p.pos++
				a, err := p.args()
				if err != nil {
					return "", err
				}
				x += "(" + a + ")"
			}
		case p.isName("is"):
			p.pos++
			neg := ""
			if p.isName("not") {
				p.pos++
				neg = "not "
			}
			t := p.next()
			if t.kind != tkName {
				return "", fmt.Errorf("expected a test name after 'is', got %q", t.val)
			}
			name := t.val
			switch name { // tests named like literals
			case "None":
				name = "none"
			case "True":
				name = "true"
			case "False":
				name = "false"
			}
			call := "mlpack_test_(" + x + `, "` + name + `"`
			switch {
			case p.isOp("("):
				p.pos++
				a, err := p.args()
				if err != nil {
					return "", err
				}
				if a != "" {
					call += ", " + a
				}
			case p.isName("is"):
				return "", fmt.Errorf("you cannot chain multiple tests with is")
			case (p.peek().kind == tkStr || p.peek().kind == tkNum || p.peek().kind == tkName || p.isOp("[") || p.isOp("{")) &&
				!p.isName("else") && !p.isName("or") && !p.isName("and"):
				a, err := p.primary()
				if err != nil {
					return "", err
				}
				if a, err = p.postfix(a); err != nil {
					return "", err
				}
				call += ", " + a
			}
			x = "(" + neg + call + "))"
		default:
			if x != start {
				x = "(" + x + ")"
			}
			return x, nil
		}
	}
}
