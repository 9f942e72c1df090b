// Command mlpack packages Hugging Face text-generation models as
// MLflow-compatible bundles, runs them with a pure-Go runtime, moves them
// through OCI registries as CNCF ModelPack artifacts and serves them over
// MLflow's scoring protocol and an OpenAI-compatible API.
//
// Run `mlpack --help` for the commands; the README has the exit-code table.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code. It
// never calls os.Exit, so tests can call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := newEnv(stdin, stdout, stderr)
	err := newApp(e).RunContext(ctx, args)
	if err == nil && e.unknownCmd != "" {
		err = usageErrorf("unknown command %q", e.unknownCmd)
	}
	if err != nil {
		e.reportError(err)
	}
	return exitCode(err)
}
