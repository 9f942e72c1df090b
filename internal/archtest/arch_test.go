package archtest

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/mlpack-go/mlpack"

type pkgInfo struct {
	ImportPath string
	Dir        string
	Name       string
	GoFiles    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rules says, per package prefix, which mlpack packages it must never
// depend on (directly or not), and why.
var rules = []struct {
	pkg       string   // package path relative to the module, prefix match
	forbidden []string // relative paths, prefix match; "*" means any mlpack package
	why       string
}{
	{"pkg/signature", []string{"*"}, "signature is a leaf: MLflow's schema types only"},
	{"schemas", []string{"*"}, "schemas only embeds JSON files"},
	{"pkg/runtime/safetensors", []string{"*"}, "a leaf of the runtime"},
	{"pkg/runtime/tokenizer", []string{"*"}, "a leaf of the runtime"},
	{"pkg/runtime/template", []string{"*"}, "a leaf of the runtime"},
	{"pkg/runtime/kernels", []string{"*"}, "a leaf of the runtime"},
	{"pkg/runtime/generate", []string{"*"}, "generate declares the interfaces it needs"},
	{"pkg/runtime/llama", []string{"pkg/flavor", "pkg/registry", "pkg/serve", "pkg/runtime/generate", "pkg/runtime/task", "pkg/runtime/tokenizer"}, "llama knows weights, not bundles or text"},
	{"pkg/runtime/task", []string{"pkg/flavor", "pkg/registry", "pkg/serve", "pkg/runtime/llama"}, "task works on interfaces; runtime composes"},
	{"pkg/flavor", []string{"pkg/registry", "pkg/serve", "pkg/runtime/llama", "pkg/runtime/kernels", "pkg/runtime/task", "pkg/runtime/generate"}, "reading a bundle must not link the inference engine"},
	{"pkg/registry", []string{"pkg/serve", "pkg/runtime/llama", "pkg/runtime/kernels", "pkg/runtime/task", "pkg/runtime/generate", "pkg/runtime/tokenizer", "pkg/runtime/template"}, "pushing a model must not link the inference engine"},
	{"pkg/serve", []string{"pkg/registry"}, "pulling is the command's job, not the server's"},
}

func TestDependencyDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", module+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, r := range rules {
			if rel != r.pkg && !strings.HasPrefix(rel, r.pkg+"/") {
				continue
			}
			for _, dep := range p.Deps {
				if !strings.HasPrefix(dep, module+"/") {
					continue
				}
				drel := strings.TrimPrefix(dep, module+"/")
				if strings.HasPrefix(drel, "internal/") {
					continue
				}
				for _, f := range r.forbidden {
					if (f == "*" && !strings.HasPrefix(drel, r.pkg)) || (f != "*" && (drel == f || strings.HasPrefix(drel, f+"/"))) {
						t.Errorf("%s depends on %s: forbidden (%s)", rel, drel, r.why)
					}
				}
			}
		}
	}
}

func TestEveryPackageHasADocComment(t *testing.T) {
	for _, p := range listPackages(t) {
		if len(p.GoFiles) == 0 {
			continue
		}
		found := false
		for _, f := range p.GoFiles {
			file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatalf("parsing %s: %v", f, err)
			}
			if file.Doc != nil && (strings.HasPrefix(file.Doc.Text(), "Package ") || strings.HasPrefix(file.Doc.Text(), "Command ")) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("package %s has no doc comment (\"// Package %s ...\")", p.ImportPath, p.Name)
		}
	}
}
