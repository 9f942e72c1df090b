package template

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

// overrideFuncs returns the callables bound under the names the source
// rewrite (prepare) uses for overridden filters, methods and printing.
func overrideFuncs() map[string]jinja.Value {
	m := map[string]jinja.Value{
		filterOverrides["tojson"]:     jinja.NewCallable("tojson", filterToJSON),
		filterOverrides["capitalize"]: jinja.NewCallable("capitalize", filterCapitalize),
		filterOverrides["first"]:      jinja.NewCallable("first", filterFirstLast(true)),
		filterOverrides["last"]:       jinja.NewCallable("last", filterFirstLast(false)),
		filterOverrides["list"]:       jinja.NewCallable("list", filterList),
		filterOverrides["round"]:      jinja.NewCallable("round", filterRound),
		filterOverrides["string"]:     jinja.NewCallable("string", strFilter(func(s string) string { return s })),
		filterOverrides["lower"]:      jinja.NewCallable("lower", strFilter(strings.ToLower)),
		filterOverrides["upper"]:      jinja.NewCallable("upper", strFilter(strings.ToUpper)),
		filterOverrides["title"]:      jinja.NewCallable("title", strFilter(pyTitle)),
		filterOverrides["trim"]:       jinja.NewCallable("trim", filterTrim),
		filterOverrides["join"]:       jinja.NewCallable("join", filterJoin),
		filterOverrides["abs"]:        jinja.NewCallable("abs", filterAbs),
		filterOverrides["length"]:     jinja.NewCallable("length", filterLength),
		filterOverrides["int"]:        jinja.NewCallable("int", filterInt),
		filterOverrides["float"]:      jinja.NewCallable("float", filterFloat),
		filterOverrides["reverse"]:    jinja.NewCallable("reverse", filterReverse),
		methodOverrides["title"]:      jinja.NewCallable("title", strMethod("title", methodTitle)),
		methodOverrides["format"]:     jinja.NewCallable("format", strMethod("format", methodFormat)),
		methodOverrides["capitalize"]: jinja.NewCallable("capitalize", strMethod("capitalize", methodCapitalize)),
		methodOverrides["split"]:      jinja.NewCallable("split", strMethod("split", methodSplit)),
		methodOverrides["startswith"]: jinja.NewCallable("startswith", strMethod("startswith", affixMethod(strings.HasPrefix))),
		methodOverrides["endswith"]:   jinja.NewCallable("endswith", strMethod("endswith", affixMethod(strings.HasSuffix))),
		methodOverrides["join"]:       jinja.NewCallable("join", strMethod("join", methodJoin)),
		printFilter:                   jinja.NewCallable("str", filterPrint),
		"range":                       jinja.NewCallable("range", builtinRange),
	}
	for name, f := range opFuncs() {
		m[name] = jinja.NewCallable(name, f)
	}
	m[filterOverrides["map"]] = jinja.NewCallable("map", filterMap(m))
	m[filterOverrides["select"]] = jinja.NewCallable("select", filterSelect(true, false))
	m[filterOverrides["reject"]] = jinja.NewCallable("reject", filterSelect(false, false))
	m[filterOverrides["selectattr"]] = jinja.NewCallable("selectattr", filterSelect(true, true))
	m[filterOverrides["rejectattr"]] = jinja.NewCallable("rejectattr", filterSelect(false, true))
	m["mlpack_unsafe_"] = jinja.NewCallable("unsafe", opUnsafe)
	for name, f := range extraStrMethods() {
		m["mlpack_m_"+name+"_"] = jinja.NewCallable(name, strMethod(name, f))
	}
	return m
}

func filterPrint(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.NewString(""), nil
	}
	if args[0].IsString() {
		return args[0], nil
	}
	return jinja.NewString(pyStr(args[0])), nil
}

type methodFunc func(recv string, args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error)

// strMethod adapts a Python str method to a filter whose first argument is
// the receiver. A receiver that is not a string is an error, as in Python
// (where such an object has no such attribute).
func strMethod(name string, f methodFunc) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 || !args[0].IsString() {
			what := "Undefined"
			if len(args) > 0 && !args[0].IsUndefined() {
				what = pyTypeName(args[0])
			}
			return jinja.Value{}, fmt.Errorf("'%s' object has no attribute '%s'", what, name)
		}
		return f(args[0].AsString(), args[1:], kwargs)
	}
}

func pyTypeName(v jinja.Value) string {
	switch {
	case v.IsNone():
		return "NoneType"
	case v.IsBool():
		return "bool"
	case v.IsInt():
		return "int"
	case v.IsFloat():
		return "float"
	case v.IsList():
		return "list"
	case v.IsDict():
		return "dict"
	}
	return "object"
}

// methodCapitalize is str.capitalize: first character in title case, the
// rest lower case.
func methodCapitalize(s string, _ []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if s == "" {
		return jinja.NewString(""), nil
	}
	r, size := utf8.DecodeRuneInString(s)
	return jinja.NewString(string(unicode.ToTitle(r)) + strings.ToLower(s[size:])), nil
}

// methodSplit is str.split(sep=None, maxsplit=-1).
func methodSplit(s string, args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error) {
	sep, max := jinja.None(), int64(-1)
	if len(args) > 0 {
		sep = args[0]
	}
	if v, ok := kwargs["sep"]; ok {
		sep = v
	}
	mv, hasMax := kwargs["maxsplit"]
	if len(args) > 1 {
		mv, hasMax = args[1], true
	}
	if hasMax {
		if !mv.IsInt() {
			return jinja.Value{}, fmt.Errorf("split: maxsplit must be an integer")
		}
		max = mv.AsInt()
	}
	var parts []string
	switch {
	case sep.IsNone():
		parts = splitWhitespace(s, max)
	case sep.IsString():
		if sep.AsString() == "" {
			return jinja.Value{}, fmt.Errorf("split: empty separator")
		}
		n := -1
		if max >= 0 {
			n = int(max) + 1
		}
		parts = strings.SplitN(s, sep.AsString(), n)
	default:
		return jinja.Value{}, fmt.Errorf("split: separator must be a string or None")
	}
	items := make([]jinja.Value, len(parts))
	for i, p := range parts {
		items[i] = jinja.NewString(p)
	}
	return jinja.NewList(items), nil
}

// splitWhitespace is str.split() without a separator: runs of whitespace
// separate, leading and trailing whitespace are dropped; after max splits
// the rest (left-trimmed) is the last part.
func splitWhitespace(s string, max int64) []string {
	parts := []string{}
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	for rest != "" {
		if max >= 0 && int64(len(parts)) == max {
			parts = append(parts, rest)
			break
		}
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:end])
		rest = strings.TrimLeftFunc(rest[end:], unicode.IsSpace)
	}
	return parts
}

// affixMethod is str.startswith / str.endswith with a string or a tuple
// (list) of strings.
func affixMethod(has func(s, affix string) bool) methodFunc {
	return func(s string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) != 1 {
			return jinja.Value{}, fmt.Errorf("startswith/endswith: start and end arguments are not supported")
		}
		a := args[0]
		switch {
		case a.IsString():
			return jinja.NewBool(has(s, a.AsString())), nil
		case a.IsList():
			for _, it := range a.AsList().Items {
				if !it.IsString() {
					return jinja.Value{}, fmt.Errorf("startswith/endswith: tuple items must be strings")
				}
				if has(s, it.AsString()) {
					return jinja.NewBool(true), nil
				}
			}
			return jinja.NewBool(false), nil
		}
		return jinja.Value{}, fmt.Errorf("startswith/endswith: argument must be a string or a tuple of strings")
	}
}

// methodJoin is str.join(iterable of strings).
func methodJoin(sep string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) != 1 {
		return jinja.Value{}, fmt.Errorf("join takes exactly one argument")
	}
	var parts []string
	switch a := args[0]; {
	case a.IsList():
		for i, it := range a.AsList().Items {
			if !it.IsString() {
				return jinja.Value{}, fmt.Errorf("sequence item %d: expected str instance, %s found", i, pyTypeName(it))
			}
			parts = append(parts, it.AsString())
		}
	case a.IsString():
		for _, r := range a.AsString() {
			parts = append(parts, string(r))
		}
	case a.IsDict():
		parts = append(parts, a.AsDict().Keys...)
	default:
		return jinja.Value{}, fmt.Errorf("can only join an iterable")
	}
	return jinja.NewString(strings.Join(parts, sep)), nil
}

// maxRange bounds range(): the engine materialises the list, so an absurd
// bound in a template would exhaust memory instead of failing.
const maxRange = 1 << 20

func builtinRange(args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error) {
	if len(kwargs) > 0 || len(args) == 0 || len(args) > 3 {
		return jinja.Value{}, fmt.Errorf("range expected 1 to 3 integer arguments")
	}
	n := make([]int64, len(args))
	for i, a := range args {
		if !a.IsInt() {
			return jinja.Value{}, fmt.Errorf("range: '%s' object cannot be interpreted as an integer", pyTypeName(a))
		}
		n[i] = a.AsInt()
	}
	start, stop, step := int64(0), n[0], int64(1)
	if len(n) > 1 {
		start, stop = n[0], n[1]
	}
	if len(n) > 2 {
		step = n[2]
	}
	if step == 0 {
		return jinja.Value{}, fmt.Errorf("range() arg 3 must not be zero")
	}
	var count int64
	if step > 0 && stop > start {
		count = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		count = (start - stop - step - 1) / -step
	}
	if count > maxRange {
		return jinja.Value{}, fmt.Errorf("range of %d items is larger than the limit of %d", count, maxRange)
	}
	items := make([]jinja.Value, count)
	for i := range items {
		items[i] = jinja.NewInt(start + int64(i)*step)
	}
	return jinja.NewList(items), nil
}

// methodTitle is str.title: a cased letter after an uncased character
// starts a word (upper case), other cased letters are lower case.
func methodTitle(s string, _ []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	var sb strings.Builder
	prevCased := false
	for _, r := range s {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		switch {
		case cased && !prevCased:
			sb.WriteRune(unicode.ToTitle(r))
		case cased:
			sb.WriteRune(unicode.ToLower(r))
		default:
			sb.WriteRune(r)
		}
		prevCased = cased
	}
	return jinja.NewString(sb.String()), nil
}
