package template

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

// The operations Compile routes to Go (see jexpr.go), with Python Jinja's
// semantics: an undefined operand raises, types are checked as Python
// checks them, ints stay ints.

func opFuncs() map[string]func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	bin := func(name string, f func(a, b jinja.Value) (jinja.Value, error)) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
		return func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
			if len(args) != 2 {
				return jinja.Value{}, fmt.Errorf("%s: internal error: %d operands", name, len(args))
			}
			if args[0].IsUndefined() || args[1].IsUndefined() {
				return jinja.Value{}, fmt.Errorf("UndefinedError: an undefined value is used with '%s'", name)
			}
			return f(args[0], args[1])
		}
	}
	return map[string]func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error){
		"mlpack_add_":      bin("+", opAdd),
		"mlpack_sub_":      bin("-", arith("-", func(a, b int64) (int64, error) { return a - b, nil }, func(a, b float64) (float64, error) { return a - b, nil })),
		"mlpack_mul_":      bin("*", opMul),
		"mlpack_div_":      bin("/", opDiv),
		"mlpack_floordiv_": bin("//", arith("//", floorDivInt, func(a, b float64) (float64, error) { return floorDivFloat(a, b) })),
		"mlpack_mod_":      bin("%", opMod),
		"mlpack_pow_":      bin("**", opPow),
		"mlpack_neg_":      opNeg,
		"mlpack_concat_":   opConcat,
		"mlpack_getattr_":  opGetattr,
		"mlpack_getitem_":  opGetitem,
		"mlpack_defined_":  opDefined,
		"mlpack_test_":     opTest,
		"mlpack_slice_":    opSlice,
		"mlpack_eq_":       opEq,
		"mlpack_ne_":       opNe,
		"mlpack_in_":       opIn,
		"mlpack_notin_":    opNotIn,
		"mlpack_lt_":       bin("<", ordering(func(c int) bool { return c < 0 })),
		"mlpack_gt_":       bin(">", ordering(func(c int) bool { return c > 0 })),
		"mlpack_le_":       bin("<=", ordering(func(c int) bool { return c <= 0 })),
		"mlpack_ge_":       bin(">=", ordering(func(c int) bool { return c >= 0 })),
		"mlpack_unpack_":   opUnpack,
	}
}

// num reports a value as Python sees it in arithmetic (bool is an int).
func num(v jinja.Value) (i int64, f float64, isInt, ok bool) {
	switch {
	case v.IsBool():
		if v.AsBool() {
			return 1, 1, true, true
		}
		return 0, 0, true, true
	case v.IsInt():
		return v.AsInt(), float64(v.AsInt()), true, true
	case v.IsFloat():
		return 0, v.AsFloat(), false, true
	}
	return 0, 0, false, false
}

func typeErr(op string, a, b jinja.Value) error {
	return fmt.Errorf("TypeError: unsupported operand type(s) for %s: '%s' and '%s'", op, pyTypeNameStr(a), pyTypeNameStr(b))
}

func pyTypeNameStr(v jinja.Value) string {
	if v.IsString() {
		return "str"
	}
	return pyTypeName(v)
}

func arith(op string, fi func(a, b int64) (int64, error), ff func(a, b float64) (float64, error)) func(a, b jinja.Value) (jinja.Value, error) {
	return func(a, b jinja.Value) (jinja.Value, error) {
		ai, af, aInt, aok := num(a)
		bi, bf, bInt, bok := num(b)
		if !aok || !bok {
			return jinja.Value{}, typeErr(op, a, b)
		}
		if aInt && bInt {
			r, err := fi(ai, bi)
			return jinja.NewInt(r), err
		}
		r, err := ff(af, bf)
		return jinja.NewFloat(r), err
	}
}

func opAdd(a, b jinja.Value) (jinja.Value, error) {
	switch {
	case a.IsString() && b.IsString():
		return jinja.NewString(a.AsString() + b.AsString()), nil
	case a.IsString():
		return jinja.Value{}, fmt.Errorf("TypeError: can only concatenate str (not \"%s\") to str", pyTypeNameStr(b))
	case a.IsList() && b.IsList():
		items := append(append([]jinja.Value{}, a.AsList().Items...), b.AsList().Items...)
		return jinja.NewList(items), nil
	}
	return arith("+", func(x, y int64) (int64, error) { return x + y, nil }, func(x, y float64) (float64, error) { return x + y, nil })(a, b)
}

func opMul(a, b jinja.Value) (jinja.Value, error) {
	rep := func(seq, n jinja.Value) (jinja.Value, bool) {
		c, _, isInt, ok := num(n)
		if !ok || !isInt || n.IsFloat() {
			return jinja.Value{}, false
		}
		c = max(c, 0)
		switch {
		case seq.IsString():
			if int64(len(seq.AsString()))*c > maxRange*16 {
				return jinja.Value{}, false
			}
			return jinja.NewString(strings.Repeat(seq.AsString(), int(c))), true
		case seq.IsList():
			if int64(seq.AsList().Len())*c > maxRange {
				return jinja.Value{}, false
			}
			var items []jinja.Value
			for range c {
				items = append(items, seq.AsList().Items...)
			}
			return jinja.NewList(items), true
		}
		return jinja.Value{}, false
	}
	if a.IsString() || a.IsList() {
		if r, ok := rep(a, b); ok {
			return r, nil
		}
		return jinja.Value{}, typeErr("*", a, b)
	}
	if b.IsString() || b.IsList() {
		if r, ok := rep(b, a); ok {
			return r, nil
		}
		return jinja.Value{}, typeErr("*", a, b)
	}
	return arith("*", func(x, y int64) (int64, error) { return x * y, nil }, func(x, y float64) (float64, error) { return x * y, nil })(a, b)
}

var errZeroDiv = fmt.Errorf("ZeroDivisionError: division by zero")

func opDiv(a, b jinja.Value) (jinja.Value, error) {
	_, af, _, aok := num(a)
	_, bf, _, bok := num(b)
	if !aok || !bok {
		return jinja.Value{}, typeErr("/", a, b)
	}
	if bf == 0 {
		return jinja.Value{}, errZeroDiv
	}
	return jinja.NewFloat(af / bf), nil
}

func floorDivInt(a, b int64) (int64, error) {
	if b == 0 {
		return 0, errZeroDiv
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q, nil
}

func floorDivFloat(a, b float64) (float64, error) {
	if b == 0 {
		return 0, errZeroDiv
	}
	return math.Floor(a / b), nil
}

func opMod(a, b jinja.Value) (jinja.Value, error) {
	if a.IsString() {
		s, err := pyFormat(a.AsString(), b)
		return jinja.NewString(s), err
	}
	return arith("%", func(x, y int64) (int64, error) {
		if y == 0 {
			return 0, fmt.Errorf("ZeroDivisionError: integer modulo by zero")
		}
		r := x % y
		if r != 0 && (r < 0) != (y < 0) {
			r += y
		}
		return r, nil
	}, func(x, y float64) (float64, error) {
		if y == 0 {
			return 0, fmt.Errorf("ZeroDivisionError: float modulo")
		}
		r := math.Mod(x, y)
		if r != 0 && (r < 0) != (y < 0) {
			r += y
		}
		return r, nil
	})(a, b)
}

func opPow(a, b jinja.Value) (jinja.Value, error) {
	ai, af, aInt, aok := num(a)
	bi, bf, bInt, bok := num(b)
	if !aok || !bok {
		return jinja.Value{}, typeErr("**", a, b)
	}
	if aInt && bInt && bi >= 0 {
		r := int64(1)
		for range bi {
			r *= ai
			if bi > 64 && (r == 0 || r == 1) {
				break
			}
		}
		return jinja.NewInt(r), nil
	}
	return jinja.NewFloat(math.Pow(af, bf)), nil
}

func opNeg(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 1 || args[0].IsUndefined() {
		return jinja.Value{}, fmt.Errorf("UndefinedError: an undefined value is negated")
	}
	i, f, isInt, ok := num(args[0])
	switch {
	case !ok:
		return jinja.Value{}, fmt.Errorf("TypeError: bad operand type for unary -: '%s'", pyTypeNameStr(args[0]))
	case isInt:
		return jinja.NewInt(-i), nil
	}
	return jinja.NewFloat(-f), nil
}

// opConcat is Jinja's ~: str() of each operand joined (undefined is "").
func opConcat(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	var sb strings.Builder
	for _, a := range args {
		sb.WriteString(pyStr(a))
	}
	return jinja.NewString(sb.String()), nil
}

func opDefined(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 1 || args[0].IsUndefined() {
		return jinja.Value{}, fmt.Errorf("UndefinedError: a method or slice of an undefined value is used")
	}
	return args[0], nil
}

// opGetattr is Jinja's x.name: a dict's key; undefined for anything else;
// an error on an undefined value.
func opGetattr(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 2 || !args[1].IsString() {
		return jinja.Value{}, fmt.Errorf("getattr: internal error")
	}
	obj, name := args[0], args[1].AsString()
	if obj.IsUndefined() {
		return jinja.Value{}, fmt.Errorf("UndefinedError: attribute '%s' of an undefined value", name)
	}
	if obj.IsDict() {
		if v, ok := obj.AsDict().Get(name); ok {
			return v, nil
		}
	}
	return jinja.Undefined(), nil
}

// opGetitem is Jinja's x[key]: dict keys, list and string indexes (negative
// from the end); undefined when missing or of the wrong type; an error on
// an undefined value.
func opGetitem(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 2 {
		return jinja.Value{}, fmt.Errorf("getitem: internal error")
	}
	obj, key := args[0], args[1]
	if obj.IsUndefined() {
		return jinja.Value{}, fmt.Errorf("UndefinedError: item [%s] of an undefined value", pyStr(key))
	}
	switch {
	case obj.IsDict():
		if key.IsString() {
			if v, ok := obj.AsDict().Get(key.AsString()); ok {
				return v, nil
			}
		}
	case obj.IsList():
		if i, _, isInt, ok := num(key); ok && isInt {
			items := obj.AsList().Items
			if i < 0 {
				i += int64(len(items))
			}
			if i >= 0 && i < int64(len(items)) {
				return items[i], nil
			}
		}
	case obj.IsString():
		if i, _, isInt, ok := num(key); ok && isInt {
			s := obj.AsString()
			n := int64(utf8.RuneCountInString(s))
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				for _, r := range s {
					if i == 0 {
						return jinja.NewString(string(r)), nil
					}
					i--
				}
			}
		}
	}
	return jinja.Undefined(), nil
}
