package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/registry"
)

type loginOptions struct {
	Registry, User, Password string
	ConfigDir                string
	PlainHTTP, JSON          bool
}

// loginReport is what login and logout print with --json.
type loginReport struct {
	Registry  string `json:"registry"`
	LoggedIn  bool   `json:"logged_in"`
	WasLogged *bool  `json:"was_logged_in,omitempty"` // logout only
}

func loginCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "login",
		Usage:     "store registry credentials in the docker config",
		ArgsUsage: "REGISTRY",
		Description: "login checks USER and the password read from stdin against REGISTRY and stores them\n" +
			"in the file docker login writes ($DOCKER_CONFIG/config.json, else ~/.docker/config.json),\n" +
			"or in the credential helper configured there. push and pull read the same file.\n\n" +
			"REGISTRY is a host[:port]; a pasted http:// or https:// URL works too (http:// implies\n" +
			"--plain-http).\n\n" +
			"Example:\n" +
			"  echo \"$TOKEN\" | mlpack login registry.example -u ci --password-stdin\n\n" +
			"Exit code 4 when the registry rejects the credentials.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "user `NAME` (required)"},
			&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from stdin (required; passwords are never taken as flags)"},
			&cli.BoolFlag{Name: "plain-http", Usage: "talk HTTP instead of HTTPS (implied by an http:// REGISTRY)"},
			&cli.BoolFlag{Name: "json", Usage: "print {\"registry\", \"logged_in\"} as JSON"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("login takes one REGISTRY (got %d arguments)", c.NArg())
			}
			if c.String("username") == "" || !c.Bool("password-stdin") {
				return usageErrorf("login needs -u USER and --password-stdin")
			}
			b, err := io.ReadAll(io.LimitReader(e.Stdin, 1<<20))
			if err != nil {
				return fmt.Errorf("reading the password from stdin: %w", err)
			}
			pw := strings.TrimRight(string(b), "\r\n")
			if pw == "" {
				return usageErrorf("--password-stdin read an empty password")
			}
			return runLogin(c.Context, e, loginOptions{
				Registry: c.Args().First(), User: c.String("username"), Password: pw,
				ConfigDir: dockerConfigDir(), PlainHTTP: c.Bool("plain-http"), JSON: c.Bool("json"),
			})
		},
	}
}

func runLogin(ctx context.Context, e *env, o loginOptions) error {
	err := registry.Login(ctx, o.Registry, o.User, o.Password, registry.LoginOptions{ConfigDir: o.ConfigDir, PlainHTTP: o.PlainHTTP})
	if errors.Is(err, registry.ErrInvalidReference) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	host, _ := registry.SplitScheme(o.Registry)
	if o.JSON {
		return e.printJSON(loginReport{Registry: host, LoggedIn: true})
	}
	fmt.Fprintf(e.Stdout, "logged in to %s\n", host)
	return nil
}

func logoutCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "remove registry credentials from the docker config",
		ArgsUsage: "REGISTRY",
		Description: "logout removes the credentials for REGISTRY that login (or docker login) stored.\n" +
			"Logging out of a registry with no stored credentials is not an error (as with docker):\n" +
			"a note goes to stderr and the exit code is 0.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print {\"registry\", \"logged_in\", \"was_logged_in\"} as JSON"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("logout takes one REGISTRY (got %d arguments)", c.NArg())
			}
			return runLogout(e, c.Args().First(), dockerConfigDir(), c.Bool("json"))
		},
	}
}

func runLogout(e *env, reg, configDir string, asJSON bool) error {
	host, _ := registry.SplitScheme(reg)
	was := true
	err := registry.Logout(reg, registry.LoginOptions{ConfigDir: configDir})
	switch {
	case errors.Is(err, registry.ErrInvalidReference):
		return usageErrorf("%v", err)
	case errors.Is(err, registry.ErrNotLoggedIn):
		was = false
		fmt.Fprintf(e.Stderr, "note: not logged in to %s; nothing to remove\n", host)
	case err != nil:
		return err
	}
	if asJSON {
		return e.printJSON(loginReport{Registry: host, LoggedIn: false, WasLogged: &was})
	}
	if was {
		fmt.Fprintf(e.Stdout, "logged out of %s\n", host)
	}
	return nil
}
