package main

import (
	"io"
	"log/slog"

	"github.com/urfave/cli/v2"
)

// env is the state every command shares: where results, logs and input go.
type env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Log            *slog.Logger

	level      *slog.LevelVar
	unknownCmd string // set when the command line names no known command
	jsonErrs   bool   // report a fatal error as JSON on stderr (set by --json)
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	return &env{
		Stdout: stdout,
		Stderr: stderr,
		Stdin:  stdin,
		Log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
		level:  level,
	}
}

// commands lists every subcommand, one constructor per file.
func commands(e *env) []*cli.Command {
	return []*cli.Command{
		versionCommand(e),
		completionCommand(e),
		saveCommand(e),
		inspectCommand(e),
		predictCommand(e),
		serveCommand(e),
		tokenizeCommand(e),
		renderCommand(e),
		pushCommand(e),
		pullCommand(e),
		loginCommand(e),
		logoutCommand(e),
	}
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:  "mlpack",
		Usage: "package, run, ship and serve Hugging Face text-generation models, MLflow-compatible",
		Description: "mlpack turns a Hugging Face model folder into an MLflow transformers-flavor bundle\n" +
			"(save), answers prompts with a pure-Go runtime (predict), moves bundles through OCI\n" +
			"registries as CNCF ModelPack artifacts (push, pull) and serves them over MLflow's\n" +
			"scoring protocol and an OpenAI-compatible API (serve).\n\n" +
			"Results go to stdout, logs and progress to stderr. Exit codes: 0 ok, 1 failure,\n" +
			"2 usage, 3 invalid model/bundle/input, 4 registry auth or not found,\n" +
			"5 output exists (use --force), 130 interrupted.",
		Version:              versionString(readBuildInfo()),
		Reader:               e.Stdin,
		Writer:               e.Stdout,
		ErrWriter:            e.Stderr,
		EnableBashCompletion: true,
		Suggest:              true,
		HideVersion:          false,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "verbose", Usage: "log progress and details to stderr"},
			&cli.BoolFlag{Name: "debug", Usage: "log debugging details to stderr"},
		},
		Before: func(c *cli.Context) error {
			reorderCommandArgs(c) // flags may follow positionals: argorder.go
			switch {
			case c.Bool("debug"):
				e.level.Set(slog.LevelDebug)
			case c.Bool("verbose"):
				e.level.Set(slog.LevelInfo)
			}
			return nil
		},
		Commands: commands(e),
		// Run must never call os.Exit: exit codes are decided in exitCode.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{err: err}
		},
		CommandNotFound: func(c *cli.Context, name string) {
			e.unknownCmd = name
		},
	}
	for _, cmd := range app.Commands {
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = app.OnUsageError
		}
	}
	return app
}
