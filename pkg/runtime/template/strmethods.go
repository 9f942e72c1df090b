package template

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

// Python str methods the engine lacks. Indexes count characters (runes).

func strArg(args []jinja.Value, i int, name string) (string, error) {
	if i >= len(args) || !args[i].IsString() {
		return "", fmt.Errorf("TypeError: %s() argument %d must be str", name, i+1)
	}
	return args[i].AsString(), nil
}

func runeIndex(s string, byteIdx int) int {
	if byteIdx < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:byteIdx])
}

func findMethod(last, raise bool, name string) methodFunc {
	return func(s string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) != 1 {
			return jinja.Value{}, fmt.Errorf("%s: start and end arguments are not supported", name)
		}
		sub, err := strArg(args, 0, name)
		if err != nil {
			return jinja.Value{}, err
		}
		i := strings.Index(s, sub)
		if last {
			i = strings.LastIndex(s, sub)
		}
		if i < 0 && raise {
			return jinja.Value{}, fmt.Errorf("ValueError: substring not found")
		}
		return jinja.NewInt(int64(runeIndex(s, i))), nil
	}
}

func isMethod(pred func(rune) bool, cased bool) methodFunc {
	return func(s string, _ []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if s == "" {
			return jinja.NewBool(false), nil
		}
		sawCased := false
		for _, r := range s {
			if cased {
				if unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) {
					sawCased = true
					if !pred(r) {
						return jinja.NewBool(false), nil
					}
				}
				continue
			}
			if !pred(r) {
				return jinja.NewBool(false), nil
			}
		}
		return jinja.NewBool(!cased || sawCased), nil
	}
}

func padMethod(kind byte) methodFunc {
	return func(s string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 0 || !args[0].IsInt() {
			return jinja.Value{}, fmt.Errorf("TypeError: width must be an integer")
		}
		width, fill := int(args[0].AsInt()), " "
		if len(args) > 1 {
			f, err := strArg(args, 1, "pad")
			if err != nil || utf8.RuneCountInString(f) != 1 {
				return jinja.Value{}, fmt.Errorf("TypeError: the fill character must be exactly one character long")
			}
			fill = f
		}
		n := width - utf8.RuneCountInString(s)
		if n <= 0 {
			return jinja.NewString(s), nil
		}
		switch kind {
		case 'l':
			return jinja.NewString(s + strings.Repeat(fill, n)), nil
		case 'r':
			return jinja.NewString(strings.Repeat(fill, n) + s), nil
		case 'z':
			sign := ""
			if s != "" && (s[0] == '+' || s[0] == '-') {
				sign, s = s[:1], s[1:]
			}
			return jinja.NewString(sign + strings.Repeat("0", n) + s), nil
		}
		left := n / 2
		if n%2 == 1 && width%2 == 1 { // CPython's rounding of the left pad
			left++
		}
		return jinja.NewString(strings.Repeat(fill, left) + s + strings.Repeat(fill, n-left)), nil
	}
}

func methodSplitlines(s string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	keep := len(args) > 0 && args[0].IsTruthy()
	var items []jinja.Value
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := i + size
		if r == '\r' && end < len(s) && s[end] == '\n' {
			end++
		}
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			line := s[start:i]
			if keep {
				line = s[start:end]
			}
			items = append(items, jinja.NewString(line))
			start = end
		}
		i = end
	}
	if start < len(s) {
		items = append(items, jinja.NewString(s[start:]))
	}
	if items == nil {
		items = []jinja.Value{}
	}
	return jinja.NewList(items), nil
}

// methodRsplit is str.rsplit(sep, maxsplit) for a string separator.
func methodRsplit(s string, args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 || args[0].IsNone() || (len(args) < 2 && kw["maxsplit"].IsUndefined()) {
		return methodSplit(s, args, kw)
	}
	sep, err := strArg(args, 0, "rsplit")
	if err != nil || sep == "" {
		return jinja.Value{}, fmt.Errorf("ValueError: rsplit needs a non-empty string separator")
	}
	maxV := kw["maxsplit"]
	if len(args) > 1 {
		maxV = args[1]
	}
	if !maxV.IsInt() {
		return jinja.Value{}, fmt.Errorf("TypeError: maxsplit must be an integer")
	}
	parts := strings.Split(s, sep)
	if m := int(maxV.AsInt()); m >= 0 && len(parts) > m+1 {
		head := strings.Join(parts[:len(parts)-m], sep)
		parts = append([]string{head}, parts[len(parts)-m:]...)
	}
	items := make([]jinja.Value, len(parts))
	for i, p := range parts {
		items[i] = jinja.NewString(p)
	}
	return jinja.NewList(items), nil
}

func partitionMethod(last bool) methodFunc {
	return func(s string, args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		sep, err := strArg(args, 0, "partition")
		if err != nil || sep == "" {
			return jinja.Value{}, fmt.Errorf("ValueError: empty separator")
		}
		i := strings.Index(s, sep)
		if last {
			i = strings.LastIndex(s, sep)
		}
		a, b, c := s, "", ""
		if i >= 0 {
			a, b, c = s[:i], sep, s[i+len(sep):]
		} else if last {
			a, c = "", s
		}
		return jinja.NewList([]jinja.Value{jinja.NewString(a), jinja.NewString(b), jinja.NewString(c)}), nil
	}
}

func methodSwapcase(s string, _ []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return jinja.NewString(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)), nil
}

// extraStrMethods are bound under "mlpack_m_<name>_".
func extraStrMethods() map[string]methodFunc {
	return map[string]methodFunc{
		"rfind": findMethod(true, false, "rfind"), "index": findMethod(false, true, "index"),
		"rindex":  findMethod(true, true, "rindex"),
		"isdigit": isMethod(unicode.IsDigit, false), "isalpha": isMethod(unicode.IsLetter, false),
		"isalnum": isMethod(func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }, false),
		"isspace": isMethod(unicode.IsSpace, false),
		"islower": isMethod(unicode.IsLower, true), "isupper": isMethod(unicode.IsUpper, true),
		"zfill": padMethod('z'), "center": padMethod('c'), "ljust": padMethod('l'), "rjust": padMethod('r'),
		"splitlines": methodSplitlines, "rsplit": methodRsplit,
		"partition": partitionMethod(false), "rpartition": partitionMethod(true),
		"swapcase": methodSwapcase,
	}
}

func isExtraStrMethod(name string) bool {
	switch name {
	case "rfind", "index", "rindex", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
		"zfill", "center", "ljust", "rjust", "splitlines", "rsplit", "partition", "rpartition", "swapcase":
		return true
	}
	return false
}
