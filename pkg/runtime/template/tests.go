package template

import (
	"fmt"
	"strings"

	"github.com/ardanlabs/jinja"
)

// opTest is Jinja's "x is name(args)" with Python Jinja's built-in tests.
func opTest(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) < 2 || !args[1].IsString() {
		return jinja.Value{}, fmt.Errorf("test: internal error")
	}
	v, name, rest := args[0], args[1].AsString(), args[2:]
	arg := func() (jinja.Value, error) {
		if len(rest) != 1 {
			return jinja.Value{}, fmt.Errorf("test %q takes one argument", name)
		}
		return rest[0], nil
	}
	cmp := func(f func(int) bool) (jinja.Value, error) {
		a, err := arg()
		if err != nil {
			return jinja.Value{}, err
		}
		c, err := compareValues(v, a)
		if err != nil {
			return jinja.Value{}, err
		}
		return jinja.NewBool(f(c)), nil
	}
	b := func(x bool) (jinja.Value, error) { return jinja.NewBool(x), nil }
	switch name {
	case "defined":
		return b(!v.IsUndefined())
	case "undefined":
		return b(v.IsUndefined())
	case "none":
		return b(v.IsNone())
	case "boolean":
		return b(v.IsBool())
	case "true":
		return b(v.IsBool() && v.AsBool())
	case "false":
		return b(v.IsBool() && !v.AsBool())
	case "integer":
		return b(v.IsInt())
	case "float":
		return b(v.IsFloat())
	case "number":
		return b(v.IsInt() || v.IsFloat() || v.IsBool())
	case "string":
		return b(v.IsString())
	case "mapping":
		return b(v.IsDict())
	case "iterable", "sequence": // an undefined value is an empty sequence
		return b(v.IsString() || v.IsList() || v.IsDict() || v.IsUndefined())
	case "callable":
		return b(v.IsCallable())
	case "lower":
		return b(v.IsString() && strings.ToLower(v.AsString()) == v.AsString())
	case "upper":
		return b(v.IsString() && strings.ToUpper(v.AsString()) == v.AsString())
	case "odd", "even", "divisibleby": // value % 2 == 1, value % 2 == 0, value % n == 0
		d := jinja.NewInt(2)
		if name == "divisibleby" {
			a, err := arg()
			if err != nil {
				return jinja.Value{}, err
			}
			d = a
		}
		r, err := opMod(v, d)
		if err != nil {
			return jinja.Value{}, err
		}
		want := jinja.NewInt(0)
		if name == "odd" {
			want = jinja.NewInt(1)
		}
		return b(pyEqual(r, want))
	case "eq", "equalto", "==":
		a, err := arg()
		if err != nil {
			return jinja.Value{}, err
		}
		return b(pyEqual(v, a))
	case "ne", "!=":
		a, err := arg()
		if err != nil {
			return jinja.Value{}, err
		}
		return b(!pyEqual(v, a))
	case "sameas":
		a, err := arg()
		if err != nil {
			return jinja.Value{}, err
		}
		return b(sameAs(v, a))
	case "lt", "lessthan", "<":
		return cmp(func(c int) bool { return c < 0 })
	case "le", "<=":
		return cmp(func(c int) bool { return c <= 0 })
	case "gt", "greaterthan", ">":
		return cmp(func(c int) bool { return c > 0 })
	case "ge", ">=":
		return cmp(func(c int) bool { return c >= 0 })
	case "in":
		a, err := arg()
		if err != nil {
			return jinja.Value{}, err
		}
		return containsValue(a, v)
	}
	return jinja.Value{}, fmt.Errorf("TemplateRuntimeError: no test named %q", name)
}

// pyEqual is Python ==, with 1 == 1.0 == True.
func pyEqual(a, b jinja.Value) bool {
	ai, af, aInt, aok := num(a)
	bi, bf, bInt, bok := num(b)
	if aok && bok {
		if aInt && bInt {
			return ai == bi
		}
		return af == bf
	}
	return a.Equals(b)
}

// sameAs is Python "is": identity for containers, equality of the value
// for the singletons and small scalars templates compare.
func sameAs(a, b jinja.Value) bool {
	switch {
	case a.IsList() && b.IsList():
		return a.AsList() == b.AsList()
	case a.IsDict() && b.IsDict():
		return a.AsDict() == b.AsDict()
	}
	return a.Equals(b)
}

func compareValues(a, b jinja.Value) (int, error) {
	_, af, _, aok := num(a)
	_, bf, _, bok := num(b)
	switch {
	case aok && bok:
		switch {
		case af < bf:
			return -1, nil
		case af > bf:
			return 1, nil
		}
		return 0, nil
	case a.IsString() && b.IsString():
		return strings.Compare(a.AsString(), b.AsString()), nil
	case a.IsList() && b.IsList():
		x, y := a.AsList().Items, b.AsList().Items
		for i := 0; i < len(x) && i < len(y); i++ {
			if pyEqual(x[i], y[i]) {
				continue
			}
			return compareValues(x[i], y[i])
		}
		return len(x) - len(y), nil
	}
	return 0, fmt.Errorf("TypeError: ordering comparison not supported between '%s' and '%s'", pyTypeNameStr(a), pyTypeNameStr(b))
}

// containsValue is Python "needle in container".
func containsValue(container, needle jinja.Value) (jinja.Value, error) {
	switch {
	case container.IsString():
		if !needle.IsString() {
			return jinja.Value{}, fmt.Errorf("TypeError: 'in <string>' requires string as left operand, not %s", pyTypeNameStr(needle))
		}
		return jinja.NewBool(strings.Contains(container.AsString(), needle.AsString())), nil
	case container.IsList():
		for _, it := range container.AsList().Items {
			if pyEqual(it, needle) {
				return jinja.NewBool(true), nil
			}
		}
		return jinja.NewBool(false), nil
	case container.IsDict():
		return jinja.NewBool(needle.IsString() && container.AsDict().Has(needle.AsString())), nil
	}
	return jinja.Value{}, fmt.Errorf("TypeError: argument of type '%s' is not iterable", pyTypeNameStr(container))
}

// opUnpack checks an assignment's tuple unpacking: the value must be a
// sequence of exactly n items.
func opUnpack(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 2 || !args[1].IsInt() {
		return jinja.Value{}, fmt.Errorf("unpack: internal error")
	}
	v, n := args[0], int(args[1].AsInt())
	var items []jinja.Value
	switch {
	case v.IsList():
		items = v.AsList().Items
	case v.IsString():
		for _, r := range v.AsString() {
			items = append(items, jinja.NewString(string(r)))
		}
	default:
		return jinja.Value{}, fmt.Errorf("TypeError: cannot unpack non-iterable %s object", pyTypeNameStr(v))
	}
	if len(items) != n {
		return jinja.Value{}, fmt.Errorf("ValueError: expected %d values to unpack, got %d", n, len(items))
	}
	return jinja.NewList(items), nil
}
