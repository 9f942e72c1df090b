package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/registry"
	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/runtime/llama"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
	"github.com/mlpack-go/mlpack/pkg/runtime/template"
	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// Exit codes, documented in the README. Scripts must treat any other
// non-zero code as failure.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInvalid     = 3 // invalid model, bundle, signature or input
	exitRegistry    = 4 // registry authentication failed or not found
	exitExists      = 5 // output already exists; use --force
	exitInterrupted = 130
)

// A usageError is a mistake in the command line itself.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf reports a command-line mistake (exit code 2).
func usageErrorf(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// exitCode maps an error to the process exit code. It is the only place
// that does so; errors are found with errors.Is/As so wrapping is safe.
func exitCode(err error) int {
	var ue *usageError
	var ec cli.ExitCoder
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, flavor.ErrExists), errors.Is(err, registry.ErrExists):
		return exitExists
	case errors.Is(err, registry.ErrUnauthorized), errors.Is(err, registry.ErrNotFound):
		return exitRegistry
	case errors.Is(err, registry.ErrInvalidArtifact), errors.Is(err, registry.ErrInvalidBundle), errors.Is(err, registry.ErrNoMatch):
		return exitInvalid
	case errors.Is(err, flavor.ErrInvalidModel), errors.Is(err, flavor.ErrInvalidBundle),
		errors.Is(err, signature.ErrInvalidSignature), errors.Is(err, signature.ErrInvalidInput),
		errors.Is(err, signature.ErrUnknownTask),
		errors.Is(err, task.ErrInvalidRequest), errors.Is(err, runtime.ErrInvalidModel),
		errors.Is(err, llama.ErrInvalidConfig), errors.Is(err, llama.ErrUnsupportedArchitecture),
		errors.Is(err, llama.ErrWeights), errors.Is(err, tokenizer.ErrInvalid),
		errors.Is(err, safetensors.ErrInvalid), errors.Is(err, safetensors.ErrNoWeights), errors.Is(err, safetensors.ErrDType),
		errors.As(err, new(*template.RaiseError)), errors.Is(err, template.ErrNoTemplate):
		return exitInvalid
	case errors.As(err, &ec):
		return ec.ExitCode()
	}
	return exitFailure
}
