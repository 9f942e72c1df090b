package main

import (
	"encoding/json"
	"errors"
	"fmt"
)

// printJSON writes v to stdout as indented JSON followed by a newline.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// reportError writes a fatal error to stderr: one JSON object when the
// command ran with --json, otherwise one line.
func (e *env) reportError(err error) {
	code := exitCode(err)
	if code == exitInterrupted {
		// The cause chain of a cancellation says nothing the user needs.
		err = errors.New("interrupted")
	}
	if e.jsonErrs {
		enc := json.NewEncoder(e.Stderr)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]any{"type": "error", "code": code, "message": err.Error()})
		return
	}
	fmt.Fprintf(e.Stderr, "mlpack: %v\n", err)
	if code == exitUsage {
		fmt.Fprintln(e.Stderr, "run 'mlpack --help' or 'mlpack COMMAND --help' for usage")
	}
}

// jsonFlagSet records that the running command reports in JSON, so that a
// fatal error is reported as JSON too. Commands call it from their Before.
func (e *env) setJSON(on bool) { e.jsonErrs = on }
