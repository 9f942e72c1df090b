// Package componentcheck implements flavor.ComponentLoader with mlpack's
// runtime: tokenizer.json is parsed by pkg/runtime/tokenizer and chat
// templates are compiled by pkg/runtime/template, exactly as predict and
// serve will. It lives apart from pkg/flavor so that packages reading
// bundles without running them (pkg/registry) do not link the runtime.
package componentcheck

import (
	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/runtime/template"
	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
)

// Runtime checks components with the runtime's own loaders.
type Runtime struct{}

var _ flavor.ComponentLoader = Runtime{}

// LoadTokenizer parses tokenizer.json with tokenizer.FromJSON.
func (Runtime) LoadTokenizer(data []byte) error {
	_, err := tokenizer.FromJSON(data)
	return err
}

// CompileChatTemplate compiles src with template.Compile.
func (Runtime) CompileChatTemplate(src string) error {
	_, err := template.Compile(src)
	return err
}
