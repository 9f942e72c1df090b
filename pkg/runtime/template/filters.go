package template

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/ardanlabs/jinja"
)

// Filters whose engine versions differ from Python Jinja's.

// filterCapitalize is Jinja's capitalize: str() of the value, capitalized.
func filterCapitalize(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("capitalize: no value")
	}
	return methodCapitalize(pyStr(args[0]), nil, kw)
}

// seqItems lists what iterating v yields in Python: list items, a
// string's characters, a dict's keys; Undefined yields nothing.
func seqItems(v jinja.Value) ([]jinja.Value, error) {
	switch {
	case v.IsList():
		return v.AsList().Items, nil
	case v.IsString():
		var items []jinja.Value
		for _, r := range v.AsString() {
			items = append(items, jinja.NewString(string(r)))
		}
		return items, nil
	case v.IsDict():
		keys := v.AsDict().Keys
		items := make([]jinja.Value, len(keys))
		for i, k := range keys {
			items[i] = jinja.NewString(k)
		}
		return items, nil
	case v.IsUndefined():
		return nil, nil
	}
	return nil, fmt.Errorf("TypeError: '%s' object is not iterable", pyTypeNameStr(v))
}

// filterFirstLast is Jinja's first / last: the first or last item of a
// sequence (a string's character), undefined when empty.
func filterFirstLast(first bool) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 {
			return jinja.Value{}, fmt.Errorf("first/last: no value")
		}
		items, err := seqItems(args[0])
		if err != nil {
			return jinja.Value{}, err
		}
		switch {
		case len(items) == 0:
			return jinja.Undefined(), nil
		case first:
			return items[0], nil
		}
		return items[len(items)-1], nil
	}
}

// filterList is Jinja's list: the items iteration yields.
func filterList(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("list: no value")
	}
	items, err := seqItems(args[0])
	if err != nil {
		return jinja.Value{}, err
	}
	return jinja.NewList(append([]jinja.Value{}, items...)), nil
}

// filterRound is Jinja's round(value, precision=0, method='common'):
// Python's round (half to even) for common, math.ceil/floor otherwise; an
// int stays an int under common rounding with precision 0.
func filterRound(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("round: no value")
	}
	prec, method := int64(0), "common"
	if len(args) > 1 && args[1].IsInt() {
		prec = args[1].AsInt()
	}
	if v, ok := kw["precision"]; ok && v.IsInt() {
		prec = v.AsInt()
	}
	if len(args) > 2 && args[2].IsString() {
		method = args[2].AsString()
	}
	if v, ok := kw["method"]; ok && v.IsString() {
		method = v.AsString()
	}
	i, f, isInt, ok := num(args[0])
	if !ok {
		return jinja.Value{}, fmt.Errorf("TypeError: type %s doesn't define __round__ method", pyTypeNameStr(args[0]))
	}
	scale := math.Pow(10, float64(prec))
	switch method {
	case "common":
		if isInt && !args[0].IsFloat() && prec >= 0 {
			return jinja.NewInt(i), nil
		}
		return jinja.NewFloat(math.RoundToEven(f*scale) / scale), nil
	case "ceil":
		return jinja.NewFloat(math.Ceil(f*scale) / scale), nil
	case "floor":
		return jinja.NewFloat(math.Floor(f*scale) / scale), nil
	}
	return jinja.Value{}, fmt.Errorf("FilterArgumentError: method must be common, ceil or floor")
}

// strFilter is a Jinja filter that applies a string function to str() of
// the value (None becomes "None", as soft_str does).
func strFilter(f func(string) string) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 {
			return jinja.Value{}, fmt.Errorf("filter: no value")
		}
		return jinja.NewString(f(pyStr(args[0]))), nil
	}
}

// filterTrim is Jinja's trim(value, chars=None).
func filterTrim(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("trim: no value")
	}
	chars := jinja.None()
	if len(args) > 1 {
		chars = args[1]
	}
	if v, ok := kw["chars"]; ok {
		chars = v
	}
	s := pyStr(args[0])
	if chars.IsString() {
		return jinja.NewString(strings.Trim(s, chars.AsString())), nil
	}
	return jinja.NewString(strings.TrimFunc(s, unicode.IsSpace)), nil
}

// pyTitle is Jinja's title: words start after "-", whitespace or an
// opening bracket; each word's first letter upper, the rest lower.
func pyTitle(s string) string {
	var sb strings.Builder
	start := true
	for _, r := range s {
		if unicode.IsSpace(r) || strings.ContainsRune("-({[<", r) {
			start = true
			sb.WriteRune(r)
			continue
		}
		if start {
			sb.WriteRune(unicode.ToUpper(r))
			start = false
		} else {
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// filterJoin is Jinja's join(value, d=”, attribute=None): str() of each
// item (or of its attribute) joined by d.
func filterJoin(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("join: no value")
	}
	sep := ""
	if len(args) > 1 {
		sep = pyStr(args[1])
	}
	if v, ok := kw["d"]; ok {
		sep = pyStr(v)
	}
	items, err := seqItems(args[0])
	if err != nil {
		return jinja.Value{}, err
	}
	attr, hasAttr := kw["attribute"]
	if !hasAttr && len(args) > 2 {
		attr, hasAttr = args[2], true
	}
	parts := make([]string, len(items))
	for i, it := range items {
		if hasAttr && !attr.IsNone() {
			if it, err = opGetattr([]jinja.Value{it, jinja.NewString(pyStr(attr))}, nil); err != nil {
				return jinja.Value{}, err
			}
		}
		parts[i] = pyStr(it)
	}
	return jinja.NewString(strings.Join(parts, sep)), nil
}

// filterAbs is Jinja's abs: numbers only.
func filterAbs(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("abs: no value")
	}
	i, f, isInt, ok := num(args[0])
	switch {
	case !ok:
		return jinja.Value{}, fmt.Errorf("TypeError: bad operand type for abs(): '%s'", pyTypeNameStr(args[0]))
	case isInt:
		return jinja.NewInt(max(i, -i)), nil
	}
	return jinja.NewFloat(math.Abs(f)), nil
}

// filterLength is Jinja's length / count: len() of a string (characters),
// list or dict; 0 for an undefined value; a TypeError for anything else.
func filterLength(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("length: no value")
	}
	v := args[0]
	switch {
	case v.IsString():
		return jinja.NewInt(int64(len([]rune(v.AsString())))), nil
	case v.IsList():
		return jinja.NewInt(int64(v.AsList().Len())), nil
	case v.IsDict():
		return jinja.NewInt(int64(v.AsDict().Len())), nil
	case v.IsUndefined():
		return jinja.NewInt(0), nil
	}
	return jinja.Value{}, fmt.Errorf("TypeError: object of type '%s' has no len()", pyTypeNameStr(v))
}

// pyParseInt is Python's int(s): surrounding whitespace, a sign, "_"
// between digits.
func pyParseInt(s string) (int64, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	return i, err == nil
}

// pyParseFloat is Python's float(s) for decimal input.
func pyParseFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") ||
		strings.HasPrefix(strings.TrimLeft(s, "+-"), "0x") {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil || errorsIsRange(err)
}

func errorsIsRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// filterInt is Jinja's int(value, default=0): int(), else int(float()),
// else the default; an undefined value raises.
func filterInt(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("int: no value")
	}
	dflt := jinja.NewInt(0)
	if len(args) > 1 {
		dflt = args[1]
	}
	if v, ok := kw["default"]; ok {
		dflt = v
	}
	v := args[0]
	i, f, isInt, ok := num(v)
	switch {
	case v.IsUndefined():
		return jinja.Value{}, fmt.Errorf("UndefinedError: int of an undefined value")
	case ok && isInt:
		return jinja.NewInt(i), nil
	case ok:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dflt, nil
		}
		return jinja.NewInt(int64(f)), nil
	case v.IsString():
		if n, ok := pyParseInt(v.AsString()); ok {
			return jinja.NewInt(n), nil
		}
		if f, ok := pyParseFloat(v.AsString()); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return jinja.NewInt(int64(f)), nil
		}
	}
	return dflt, nil
}

// filterFloat is Jinja's float(value, default=0.0).
func filterFloat(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("float: no value")
	}
	dflt := jinja.NewFloat(0)
	if len(args) > 1 {
		dflt = args[1]
	}
	if v, ok := kw["default"]; ok {
		dflt = v
	}
	v := args[0]
	_, f, _, ok := num(v)
	switch {
	case v.IsUndefined():
		return jinja.Value{}, fmt.Errorf("UndefinedError: float of an undefined value")
	case ok:
		return jinja.NewFloat(f), nil
	case v.IsString():
		if f, ok := pyParseFloat(v.AsString()); ok {
			return jinja.NewFloat(f), nil
		}
	}
	return dflt, nil
}

// filterReverse is Jinja's reverse: a string reversed, a sequence's items
// in reverse order (Python returns an iterator; loops and joins see the
// same items).
func filterReverse(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Value{}, fmt.Errorf("reverse: no value")
	}
	v := args[0]
	if v.IsString() {
		r := []rune(v.AsString())
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return jinja.NewString(string(r)), nil
	}
	if !v.IsList() && !v.IsDict() && !v.IsUndefined() {
		return jinja.Value{}, fmt.Errorf("FilterArgumentError: argument must be iterable")
	}
	items, err := seqItems(v)
	if err != nil {
		return jinja.Value{}, err
	}
	out := make([]jinja.Value, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return jinja.NewList(out), nil
}
