package flavor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// MLmodelFile is the name of the manifest inside a bundle.
const MLmodelFile = "MLmodel"

// Bundle is a loaded MLflow transformers bundle.
type Bundle struct {
	// Dir is the bundle directory as given to Load.
	Dir string
	// Model is the decoded MLmodel manifest.
	Model *MLmodel
	// Signature is the parsed signature; nil when MLmodel has none.
	Signature *signature.Signature

	modelConfig map[string]any
}

// Load reads and validates the bundle in dir. It accepts bundles written by
// mlpack and by MLflow, including older layouts: env as a plain string, the
// legacy pipeline/ weights folder, params null or absent, and the model
// config in components/inference_config.txt. Problems are reported as errors
// matching ErrInvalidBundle that say what is wrong.
func Load(dir string) (*Bundle, error) {
	if err := checkDir(ErrInvalidBundle, "bundle", dir, "give the bundle folder (the one holding MLmodel), e.g. one written by `mlpack save`"); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, MLmodelFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, newErr(ErrInvalidBundle, "%s has no MLmodel file, so it is not an MLflow model folder: give a bundle, or make one with `mlpack save`", dir)
		}
		return nil, fmt.Errorf("flavor: reading %s: %w", filepath.Join(dir, MLmodelFile), err)
	}
	m, err := ParseMLmodel(b)
	if err != nil {
		return nil, at(ErrInvalidBundle, "invalid bundle", dir, err)
	}
	bu := &Bundle{Dir: dir, Model: m}
	if err := bu.validate(); err != nil {
		return nil, at(ErrInvalidBundle, "invalid bundle", dir, err)
	}
	return bu, nil
}

func invalid(format string, a ...any) error { return newErr(ErrInvalidBundle, format, a...) }

func (b *Bundle) validate() error {
	m := b.Model
	tf := m.Flavors.Transformers
	if tf == nil {
		return invalid("MLmodel has no transformers flavor; mlpack loads MLflow transformers models only")
	}
	if tf.Task != "text-generation" {
		return invalid("flavors.transformers.task is %q; mlpack supports text-generation pipelines only", tf.Task)
	}
	switch tf.InferenceTask {
	case "", signature.TaskChat, signature.TaskCompletions:
	default:
		return invalid("flavors.transformers.inference_task %q is not llm/v1/chat or llm/v1/completions", tf.InferenceTask)
	}
	if t, ok := m.Metadata["task"]; ok && tf.InferenceTask != "" && t != tf.InferenceTask {
		return invalid("metadata.task %v differs from flavors.transformers.inference_task %q", t, tf.InferenceTask)
	}
	if tf.ModelBinary == "" && tf.SourceModelRevision != "" {
		return invalid("the weights were not saved with the model (save_pretrained=False, source_model_revision %s); run mlflow.transformers.persist_pretrained_model on it first", tf.SourceModelRevision)
	}
	if st, err := os.Stat(filepath.Join(b.Dir, b.modelBinary(), "config.json")); err != nil || st.IsDir() {
		return invalid("%s/config.json is missing: the bundle has no model weights folder", b.modelBinary())
	}
	if slices.Contains(tf.Components, "tokenizer") || len(tf.Components) == 0 {
		if st, err := os.Stat(b.TokenizerDir()); err != nil || !st.IsDir() {
			return invalid("components/tokenizer is missing")
		}
	}
	if s := m.Signature; s != nil {
		sig, err := signature.FromStrings(s.Inputs, s.Outputs, s.Params)
		if err != nil {
			return invalid("signature: %v", err)
		}
		b.Signature = sig
	}
	if pf := m.Flavors.PythonFunction; pf != nil {
		if pf.LoaderModule != "" && pf.LoaderModule != "mlflow.transformers" {
			return invalid("flavors.python_function.loader_module is %q, want mlflow.transformers", pf.LoaderModule)
		}
		b.modelConfig = normYAML(pf.Config)
	}
	if b.modelConfig == nil {
		legacy := filepath.Join(b.Dir, "components", "inference_config.txt")
		if raw, err := os.ReadFile(legacy); err == nil {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var cfg map[string]any
			if err := dec.Decode(&cfg); err != nil {
				return invalid("components/inference_config.txt is not a JSON object: %v", err)
			}
			b.modelConfig = normJSON(cfg).(map[string]any)
		}
	}
	return nil
}

func (b *Bundle) modelBinary() string {
	if tf := b.Model.Flavors.Transformers; tf != nil && tf.ModelBinary != "" {
		return tf.ModelBinary
	}
	return "pipeline" // MLflow < 2.4.1
}

// Task returns the inference task (llm/v1/chat, llm/v1/completions) when set,
// otherwise the pipeline task (text-generation).
func (b *Bundle) Task() string {
	tf := b.Model.Flavors.Transformers
	if tf.InferenceTask != "" {
		return tf.InferenceTask
	}
	return tf.Task
}

// ModelDir returns the directory holding config.json and the weights:
// model/ (or pipeline/ in bundles from MLflow < 2.4.1).
func (b *Bundle) ModelDir() string { return filepath.Join(b.Dir, b.modelBinary()) }

// TokenizerDir returns components/tokenizer.
func (b *Bundle) TokenizerDir() string { return filepath.Join(b.Dir, "components", "tokenizer") }

// ModelConfig returns python_function.config (or the legacy
// components/inference_config.txt): default generation options. It may be
// nil. Integers are int64, other numbers float64.
func (b *Bundle) ModelConfig() map[string]any { return b.modelConfig }

// SourceModelName returns flavors.transformers.source_model_name.
func (b *Bundle) SourceModelName() string { return b.Model.Flavors.Transformers.SourceModelName }

// File is one regular file of a bundle.
type File struct {
	Path string `json:"path"` // slash-separated, relative to the bundle root
	Size int64  `json:"size"`
}

// Files lists every regular file of the bundle, sorted by path.
func (b *Bundle) Files() ([]File, error) { return listFiles(b.Dir) }

func listFiles(dir string) ([]File, error) {
	var files []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, File{Path: filepath.ToSlash(rel), Size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flavor: listing %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// ReadModel reads the bundle's model the way ReadSource reads a Hugging Face
// folder (config from ModelDir, safetensors headers, tokenizer files and chat
// template from TokenizerDir), without reading weights. Problems match
// ErrInvalidBundle.
func (b *Bundle) ReadModel() (*Source, error) {
	s, err := readSource(b.ModelDir(), b.TokenizerDir(), b.modelBinary()+"/", "components/tokenizer/")
	if err != nil {
		return nil, at(ErrInvalidBundle, "invalid bundle", b.Dir, err)
	}
	return s, nil
}

// normYAML turns the int values yaml.v3 decodes into int64, recursively.
func normYAML(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case int:
			return int64(t)
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return x
	}
	return walk(v).(map[string]any)
}
