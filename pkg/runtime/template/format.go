package template

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
	"github.com/mlpack-go/mlpack/internal/pyjson"
)

// methodFormat is Python's str.format for the replacement fields templates
// use: {} {0} {name} with !s / !r and a spec of [[fill]align][sign][0]
// [width][.precision][type] for types s d f e g x o b %. Anything else is an
// error rather than a render Python would not produce.
func methodFormat(s string, args []jinja.Value, kwargs map[string]jinja.Value) (jinja.Value, error) {
	var sb strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			sb.WriteByte('{')
			i++
			continue
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			sb.WriteByte('}')
			i++
			continue
		case c == '}':
			return jinja.Value{}, fmt.Errorf("ValueError: single '}' encountered in format string")
		case c != '{':
			sb.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return jinja.Value{}, fmt.Errorf("ValueError: single '{' encountered in format string")
		}
		field := s[i+1 : i+end]
		i += end
		name, spec, _ := strings.Cut(field, ":")
		name, conv, _ := strings.Cut(name, "!")
		var v jinja.Value
		switch {
		case name == "":
			if auto >= len(args) {
				return jinja.Value{}, fmt.Errorf("IndexError: Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		case name[0] >= '0' && name[0] <= '9':
			n, err := strconv.Atoi(name)
			if err != nil || n >= len(args) {
				return jinja.Value{}, fmt.Errorf("IndexError: Replacement index %s out of range for positional args tuple", name)
			}
			v = args[n]
		default:
			kv, ok := kwargs[name]
			if !ok {
				return jinja.Value{}, fmt.Errorf("KeyError: '%s'", name)
			}
			v = kv
		}
		switch conv {
		case "", "s":
		case "r":
			var r strings.Builder
			writeRepr(&r, v)
			v = jinja.NewString(r.String())
		default:
			return jinja.Value{}, fmt.Errorf("ValueError: unknown conversion specifier %s", conv)
		}
		out, err := formatSpec(v, spec)
		if err != nil {
			return jinja.Value{}, err
		}
		sb.WriteString(out)
	}
	return jinja.NewString(sb.String()), nil
}

// formatSpec applies a format spec to one value.
func formatSpec(v jinja.Value, spec string) (string, error) {
	fill, align := " ", byte(0)
	if r, size := utf8.DecodeRuneInString(spec); size > 0 && size < len(spec) && strings.IndexByte("<>^=", spec[size]) >= 0 {
		fill, align, spec = string(r), spec[size], spec[size+1:]
	} else if spec != "" && strings.IndexByte("<>^=", spec[0]) >= 0 {
		align, spec = spec[0], spec[1:]
	}
	sign := ""
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		sign, spec = spec[:1], spec[1:]
	}
	if strings.HasPrefix(spec, "0") {
		if align == 0 {
			fill, align = "0", '='
		}
		spec = spec[1:]
	}
	k := 0
	for k < len(spec) && spec[k] >= '0' && spec[k] <= '9' {
		k++
	}
	width, _ := strconv.Atoi(spec[:k])
	spec = spec[k:]
	prec := -1
	if strings.HasPrefix(spec, ".") {
		k = 1
		for k < len(spec) && spec[k] >= '0' && spec[k] <= '9' {
			k++
		}
		p, err := strconv.Atoi(spec[1:k])
		if err != nil {
			return "", fmt.Errorf("ValueError: Format specifier missing precision")
		}
		prec, spec = p, spec[k:]
	}
	if len(spec) > 1 {
		return "", fmt.Errorf("ValueError: unsupported format spec")
	}
	typ := spec
	var body string
	numeric := false
	i, f, isInt, isNum := num(v)
	switch {
	case typ == "" && v.IsString(), typ == "s":
		if !v.IsString() && typ == "s" {
			return "", fmt.Errorf("ValueError: Unknown format code 's' for object of type '%s'", pyTypeNameStr(v))
		}
		body = pyStr(v)
		if prec >= 0 && utf8.RuneCountInString(body) > prec {
			body = string([]rune(body)[:prec])
		}
		if align == 0 {
			align = '<'
		}
	case !isNum || v.IsBool() && typ != "":
		if typ != "" || sign != "" {
			return "", fmt.Errorf("ValueError: Unknown format code '%s' for object of type '%s'", typ, pyTypeNameStr(v))
		}
		body = pyStr(v)
		if align == 0 {
			align = '<'
		}
	default:
		numeric = true
		neg := false
		switch typ {
		case "d", "x", "X", "o", "b":
			if !isInt {
				return "", fmt.Errorf("ValueError: Unknown format code '%s' for object of type 'float'", typ)
			}
			neg = i < 0
			base := map[string]int{"d": 10, "x": 16, "X": 16, "o": 8, "b": 2}[typ]
			body = strconv.FormatInt(max(i, -i), base)
			if typ == "X" {
				body = strings.ToUpper(body)
			}
		case "f", "F", "e", "E", "%":
			if prec < 0 {
				prec = 6
			}
			if typ == "%" {
				f *= 100
			}
			neg = f < 0
			c := typ[0]
			if c == '%' || c == 'F' {
				c = 'f'
			}
			body = strconv.FormatFloat(max(f, -f), c, prec, 64)
			if typ == "%" {
				body += "%"
			}
		case "g", "G", "":
			if isInt && !v.IsFloat() && typ == "" {
				neg = i < 0
				body = strconv.FormatInt(max(i, -i), 10)
				break
			}
			neg = f < 0
			if prec < 0 && typ == "" {
				body = pyjson.Float(max(f, -f))
				break
			}
			if prec < 0 {
				prec = 6
			}
			body = strconv.FormatFloat(max(f, -f), 'g', max(prec, 1), 64)
		default:
			return "", fmt.Errorf("ValueError: Unknown format code '%s'", typ)
		}
		switch {
		case neg:
			sign = "-"
		case sign == "-":
			sign = ""
		}
		if align == 0 {
			align = '>'
		}
	}
	pad := width - utf8.RuneCountInString(sign+body)
	if pad <= 0 {
		return sign + body, nil
	}
	switch align {
	case '<':
		return sign + body + strings.Repeat(fill, pad), nil
	case '^':
		return strings.Repeat(fill, pad/2) + sign + body + strings.Repeat(fill, pad-pad/2), nil
	case '=':
		if numeric {
			return sign + strings.Repeat(fill, pad) + body, nil
		}
		return "", fmt.Errorf("ValueError: '=' alignment not allowed in string format specifier")
	}
	return strings.Repeat(fill, pad) + sign + body, nil
}

// pyFormat is Python's str % args for the conversions templates use:
// %s %r %d %i %f %x %% with flags, width and precision.
func pyFormat(format string, arg jinja.Value) (string, error) {
	var args []jinja.Value
	if arg.IsList() {
		args = arg.AsList().Items
	} else {
		args = []jinja.Value{arg}
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			sb.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			return "", fmt.Errorf("ValueError: incomplete format")
		}
		spec, conv := format[i+1:j], format[j]
		i = j
		if conv == '%' {
			sb.WriteByte('%')
			continue
		}
		if n >= len(args) {
			return "", fmt.Errorf("TypeError: not enough arguments for format string")
		}
		a := args[n]
		n++
		switch conv {
		case 's':
			fmt.Fprintf(&sb, "%"+spec+"s", pyStr(a))
		case 'r':
			var r strings.Builder
			writeRepr(&r, a)
			fmt.Fprintf(&sb, "%"+spec+"s", r.String())
		case 'd', 'i', 'x', 'X', 'o':
			iv, fv, isInt, ok := num(a)
			if !ok {
				return "", fmt.Errorf("TypeError: %%%c format: a real number is required, not %s", conv, pyTypeNameStr(a))
			}
			if !isInt {
				iv = int64(fv)
			}
			verb := string(conv)
			if conv == 'i' {
				verb = "d"
			}
			fmt.Fprintf(&sb, "%"+spec+verb, iv)
		case 'f', 'F', 'e', 'E', 'g', 'G':
			_, fv, _, ok := num(a)
			if !ok {
				return "", fmt.Errorf("TypeError: must be real number, not %s", pyTypeNameStr(a))
			}
			if !strings.Contains(spec, ".") && (conv == 'f' || conv == 'F' || conv == 'e' || conv == 'E') {
				spec += ".6"
			}
			fmt.Fprintf(&sb, "%"+spec+string(conv), fv)
		default:
			return "", fmt.Errorf("ValueError: unsupported format character '%c'", conv)
		}
	}
	if n < len(args) {
		return "", fmt.Errorf("TypeError: not all arguments converted during string formatting")
	}
	return sb.String(), nil
}

func ordering(f func(int) bool) func(a, b jinja.Value) (jinja.Value, error) {
	return func(a, b jinja.Value) (jinja.Value, error) {
		c, err := compareValues(a, b)
		if err != nil {
			return jinja.Value{}, err
		}
		return jinja.NewBool(f(c)), nil
	}
}
