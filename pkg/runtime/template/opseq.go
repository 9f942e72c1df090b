package template

import (
	"fmt"

	"github.com/ardanlabs/jinja"
)

// opSlice is Python's x[lo:hi:step] on lists and strings; none for a
// missing bound.
func opSlice(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 4 {
		return jinja.Value{}, fmt.Errorf("slice: internal error")
	}
	v := args[0]
	var items []jinja.Value
	var runes []rune
	n := 0
	switch {
	case v.IsList():
		items = v.AsList().Items
		n = len(items)
	case v.IsString():
		runes = []rune(v.AsString())
		n = len(runes)
	case v.IsUndefined():
		return jinja.Value{}, fmt.Errorf("UndefinedError: a slice of an undefined value")
	default: // slices bypass Jinja's getitem: Python's TypeError
		return jinja.Value{}, fmt.Errorf("TypeError: '%s' object is not subscriptable", pyTypeNameStr(v))
	}
	bound := func(b jinja.Value) (int64, bool, error) {
		if b.IsNone() {
			return 0, false, nil
		}
		i, _, isInt, ok := num(b)
		if !ok || !isInt {
			return 0, false, fmt.Errorf("TypeError: slice indices must be integers or None")
		}
		return i, true, nil
	}
	step, hasStep, err := bound(args[3])
	if err != nil {
		return jinja.Value{}, err
	}
	if !hasStep {
		step = 1
	}
	if step == 0 {
		return jinja.Value{}, fmt.Errorf("ValueError: slice step cannot be zero")
	}
	lo, hasLo, err := bound(args[1])
	if err != nil {
		return jinja.Value{}, err
	}
	hi, hasHi, err := bound(args[2])
	if err != nil {
		return jinja.Value{}, err
	}
	ln := int64(n)
	clamp := func(i int64, has bool, dflt int64) int64 {
		if !has {
			return dflt
		}
		if i < 0 {
			i += ln
		}
		lowest, highest := int64(0), ln
		if step < 0 {
			lowest, highest = -1, ln-1
		}
		return min(max(i, lowest), highest)
	}
	var idx []int64
	if step > 0 {
		for i := clamp(lo, hasLo, 0); i < clamp(hi, hasHi, ln); i += step {
			idx = append(idx, i)
		}
	} else {
		for i := clamp(lo, hasLo, ln-1); i > clamp(hi, hasHi, -1); i += step {
			idx = append(idx, i)
		}
	}
	if v.IsString() {
		out := make([]rune, len(idx))
		for k, i := range idx {
			out[k] = runes[i]
		}
		return jinja.NewString(string(out)), nil
	}
	out := make([]jinja.Value, len(idx))
	for k, i := range idx {
		out[k] = items[i]
	}
	return jinja.NewList(out), nil
}

// Equality and membership never raise on undefined values in Jinja.
func opEq(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return jinja.NewBool(len(args) == 2 && pyEqual(args[0], args[1])), nil
}

func opNe(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return jinja.NewBool(len(args) != 2 || !pyEqual(args[0], args[1])), nil
}

func opIn(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 2 {
		return jinja.Value{}, fmt.Errorf("in: internal error")
	}
	if args[1].IsUndefined() {
		return jinja.NewBool(false), nil
	}
	return containsValue(args[1], args[0])
}

func opNotIn(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	v, err := opIn(args, kw)
	if err != nil {
		return v, err
	}
	return jinja.NewBool(!v.AsBool()), nil
}
