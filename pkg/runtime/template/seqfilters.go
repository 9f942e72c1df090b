package template

import (
	"fmt"

	"github.com/ardanlabs/jinja"
)

// Sequence filters whose engine versions ignore arguments (map with a
// filter name) or panic (select without a test).

// filterByName calls one of this package's filter implementations by its
// Jinja name, for map('upper').
func filterByName(fixed map[string]jinja.Value, name string) (func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error), error) {
	if bound, ok := filterOverrides[name]; ok {
		if f, ok := fixed[bound]; ok && f.IsCallable() {
			return f.AsCallable().Fn, nil
		}
	}
	return nil, fmt.Errorf("map: filter %q is not supported in map()", name)
}

// filterMap is Jinja's map(attribute=..., default=...) or map('filter', args...).
func filterMap(fixed map[string]jinja.Value) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 {
			return jinja.Value{}, fmt.Errorf("map: no value")
		}
		items, err := seqItems(args[0])
		if err != nil {
			return jinja.Value{}, err
		}
		out := make([]jinja.Value, len(items))
		if attr, ok := kw["attribute"]; ok {
			dflt, hasDefault := kw["default"]
			for i, it := range items {
				v, err := opGetattr([]jinja.Value{it, jinja.NewString(pyStr(attr))}, nil)
				if err != nil {
					return jinja.Value{}, err
				}
				if v.IsUndefined() && hasDefault {
					v = dflt
				}
				out[i] = v
			}
			return jinja.NewList(out), nil
		}
		if len(args) < 2 || !args[1].IsString() {
			return jinja.Value{}, fmt.Errorf("map: give a filter name or attribute=")
		}
		f, err := filterByName(fixed, args[1].AsString())
		if err != nil {
			return jinja.Value{}, err
		}
		for i, it := range items {
			v, err := f(append([]jinja.Value{it}, args[2:]...), kw)
			if err != nil {
				return jinja.Value{}, err
			}
			out[i] = v
		}
		return jinja.NewList(out), nil
	}
}

// filterSelect is Jinja's select / reject / selectattr / rejectattr: keep
// the items (or whose attribute) pass a test, or are truthy without one.
func filterSelect(keep, byAttr bool) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 {
			return jinja.Value{}, fmt.Errorf("select: no value")
		}
		items, err := seqItems(args[0])
		if err != nil {
			return jinja.Value{}, err
		}
		rest := args[1:]
		var attr jinja.Value
		if byAttr {
			if len(rest) == 0 {
				return jinja.Value{}, fmt.Errorf("selectattr/rejectattr: missing attribute name")
			}
			attr, rest = rest[0], rest[1:]
		}
		var out []jinja.Value
		for _, it := range items {
			v := it
			if byAttr {
				if v, err = opGetattr([]jinja.Value{it, jinja.NewString(pyStr(attr))}, nil); err != nil {
					return jinja.Value{}, err
				}
			}
			pass := v.IsTruthy()
			if len(rest) > 0 {
				r, err := opTest(append([]jinja.Value{v, jinja.NewString(pyStr(rest[0]))}, rest[1:]...), nil)
				if err != nil {
					return jinja.Value{}, err
				}
				pass = r.AsBool()
			}
			if pass == keep {
				out = append(out, it)
			}
		}
		if out == nil {
			out = []jinja.Value{}
		}
		return jinja.NewList(out), nil
	}
}

// unsafeMethods are the mutating methods transformers' immutable sandbox
// refuses.
func unsafeMethod(name string) bool {
	switch name {
	case "append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort", "reverse", "add", "discard":
		return true
	}
	return false
}

func opUnsafe(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	name := ""
	if len(args) > 0 {
		name = pyStr(args[0])
	}
	return jinja.Value{}, fmt.Errorf("SecurityError: access to attribute '%s' is unsafe (chat templates cannot modify lists or dicts)", name)
}
