package main

import (
	"reflect"
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli v2 stops parsing a command's flags at its first positional
// argument, so `mlpack pull REF -o DIR` would take "-o" and "DIR" as two
// more arguments. flagsFirst fixes that for every command in one place: it
// moves a command's flags (with their values) in front of its positional
// arguments, keeping both in order. "--" ends the flags: it is placed right
// after them, and everything that followed it stays positional, so TEXT may
// begin with '-' (`mlpack tokenize -m M -- -5 apples`).
//
// args are the words after the program's global flags: the command name
// first. The result is a permutation of args (same words, same length).
func flagsFirst(cmds []*cli.Command, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := findCommand(cmds, args[0])
	if cmd == nil || cmd.SkipFlagParsing || len(cmd.Subcommands) > 0 {
		return args
	}
	var flags, pos, rest []string
	sawDashes := false
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			sawDashes = true
			rest = args[i+1:]
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if takesValue(cmd, a) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	out := make([]string, 0, len(args))
	out = append(out, args[0])
	out = append(out, flags...)
	if sawDashes {
		out = append(out, "--")
	}
	out = append(out, pos...)
	return append(out, rest...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the flag word a (-x, --name; not --name=v)
// consumes the next word as its value. Unknown flags (and -h/--help, which
// cli adds later) take none; the parser reports unknown ones.
func takesValue(cmd *cli.Command, a string) bool {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if df, ok := f.(cli.DocGenerationFlag); ok {
				return df.TakesValue()
			}
			return false
		}
	}
	return false
}

// reorderCommandArgs applies flagsFirst to the words the root command is
// about to hand to the subcommand. It runs in the app's Before, the last
// hook before dispatch. cli.Args has no setter, so the words are permuted
// in place through reflection on the slice behind c.Args() (the flag set's
// own argument slice, which the dispatch reads next); TestFlagsAfterArgs
// fails if a cli upgrade changes that.
func reorderCommandArgs(c *cli.Context) {
	v := reflect.ValueOf(c.Args())
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Slice || v.Elem().Type().Elem().Kind() != reflect.String {
		return
	}
	s := v.Elem()
	if !s.CanSet() {
		return
	}
	words := c.Args().Slice()
	for i, w := range flagsFirst(c.App.Commands, words) {
		s.Index(i).SetString(w)
	}
}
