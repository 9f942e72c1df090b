package flavor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/signature"
)

// SaveOptions configures Save. The zero value saves a text-generation bundle.
type SaveOptions struct {
	// Task is text-generation (the default), llm/v1/chat or llm/v1/completions.
	Task string
	// Name is flavors.transformers.source_model_name. The default is
	// config.json's _name_or_path when it is a Hub id ("org/name"), else the
	// base name of the source folder.
	Name string
	// ModelConfig becomes python_function.config: default generation options
	// (see ParseModelConfig). Empty means none.
	ModelConfig map[string]any
	// InputExample is the raw JSON of an input example; nil means the task's
	// default (none for text-generation).
	InputExample []byte
	// Signature replaces the task's signature. For llm/v1 tasks it must equal
	// the fixed one, as in MLflow.
	Signature *signature.Signature
	// Force replaces an existing output that is a bundle (a directory with
	// an MLmodel file) or an empty directory. Anything else at out (a
	// folder of other files, a file, a symlink) is never replaced: Save
	// fails with ErrExists.
	Force bool
	// Link hard-links weight files instead of copying them, falling back to a
	// copy when the output is on another filesystem.
	Link bool
	// MlpackVersion is recorded in flavors.mlpack. The default is "dev".
	MlpackVersion string
	// Now returns the creation time. The default is time.Now.
	Now func() time.Time
	// Components, when set, loads the tokenizer and compiles the chat
	// template the way predict and serve will (see Source.CheckComponents),
	// so that a model they could not run is refused here. nil skips this;
	// mlpack's CLI passes componentcheck.Runtime{}.
	Components ComponentLoader
	// Log receives progress messages. The default discards them.
	Log *slog.Logger
}

// Save writes the Hugging Face model folder src as an MLflow transformers
// bundle at out and returns the loaded result. src may also be a bundle
// (a directory with an MLmodel file): its model and tokenizer are saved
// again, keeping its source_model_name and model config unless opts set them. The bundle is assembled under
// a temporary sibling of out, every file fsynced, and renamed into place only
// when complete: on error or cancellation nothing is left at out (an existing
// out replaced with Force stays as it was). Without Force an out that exists
// at the moment of the rename is never replaced, so of concurrent saves to
// one out exactly one succeeds and the others fail with ErrExists.
func Save(ctx context.Context, src, out string, opts SaveOptions) (*Bundle, error) {
	if opts.Task == "" {
		opts.Task = signature.TaskTextGeneration
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MlpackVersion == "" {
		opts.MlpackVersion = "dev"
	}
	sig, err := signature.ForTask(opts.Task)
	if err != nil {
		return nil, err // names the task and the ones supported
	}
	if err := checkPaths(src, out, opts.Force); err != nil {
		return nil, err
	}
	s, err := readSaveSource(src, &opts)
	if err != nil {
		return nil, err // names src and what to fix
	}
	unknown, err := ValidateModelConfig(opts.ModelConfig)
	if err != nil {
		// Also an invalid model, so callers that map only that see exit 3.
		var ke *kindError
		if errors.As(err, &ke) {
			cp := *ke
			cp.also = ErrInvalidModel
			return nil, &cp
		}
		return nil, err
	}
	if len(unknown) > 0 {
		opts.Log.Warn("model config keys mlpack does not use; they are saved anyway, since MLflow passes them to the transformers pipeline", "keys", unknown)
	}
	if opts.Task == signature.TaskChat && s.ChatTemplate == "" {
		return nil, badModel("invalid model %s: there is no chat template, which llm/v1/chat needs to turn messages into a prompt: add \"chat_template\" to tokenizer_config.json or a chat_template.jinja file, or save with --task llm/v1/completions", src)
	}
	if opts.Components != nil {
		if err := s.CheckComponents(opts.Components); err != nil {
			return nil, at(ErrInvalidModel, "invalid model", src, err)
		}
	}
	if s.ChatTemplateErr != nil {
		if opts.Task == signature.TaskChat {
			return nil, at(ErrInvalidModel, "invalid model", src, s.ChatTemplateErr)
		}
		opts.Log.Warn("the chat template does not compile; saving anyway, since task "+opts.Task+" does not use it", "error", s.ChatTemplateErr)
	}
	if opts.Signature != nil {
		if opts.Task != signature.TaskTextGeneration && !opts.Signature.Equal(sig) {
			return nil, fmt.Errorf("%w: with task %s the signature is fixed by MLflow; drop the signature option", signature.ErrInvalidSignature, opts.Task)
		}
		if opts.Signature.Inputs == nil {
			return nil, fmt.Errorf("%w: the signature has no inputs", signature.ErrInvalidSignature)
		}
		sig = opts.Signature
	}
	ex, err := buildExample(opts.InputExample, opts.Task, sig.Inputs)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		if opts.Name, err = defaultName(src, s.Config); err != nil {
			return nil, err
		}
	}

	// Work on the absolute path, so that an output like "." gets its
	// temporary sibling in the parent folder rather than inside itself.
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("flavor: resolving %s: %w", out, err)
	}
	parent := filepath.Dir(outAbs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("flavor: creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(outAbs)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("flavor: creating temporary bundle dir: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed into place
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("flavor: %w", err)
	}

	w := &writer{ctx: ctx, dir: tmp, link: opts.Link, log: opts.Log}
	if err := w.writeContents(s, ex); err != nil {
		return nil, err
	}
	m, err := buildMLmodel(s, sig, ex != nil, opts)
	if err != nil {
		return nil, err
	}
	files, err := listFiles(tmp)
	if err != nil {
		return nil, err
	}
	var size int64
	for _, f := range files {
		size += f.Size
	}
	m.ModelSizeBytes = &size
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	if err := ValidateMLmodel(data); err != nil {
		return nil, bug("the MLmodel mlpack built is invalid", err)
	}
	if err := w.file(MLmodelFile, data); err != nil {
		return nil, err
	}
	for _, d := range []string{"model", "components/tokenizer", "components", "."} {
		if err := syncDir(filepath.Join(tmp, d)); err != nil {
			return nil, err
		}
	}
	// Load the finished bundle before it takes OUT's place, so a bundle
	// that would not load is never published.
	b, err := Load(tmp)
	if err != nil {
		return nil, bug("the bundle mlpack wrote does not load", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("flavor: saving %s: %w", out, err)
	}
	if err := publish(tmp, outAbs, opts.Force); err != nil {
		return nil, err
	}
	b.Dir = out
	opts.Log.Info("bundle written", "path", out, "bytes", size)
	return b, nil
}

func newUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("flavor: generating model uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:]), nil
}

// TimeLayout is the layout of utc_time_created (Python's str(datetime)).
const TimeLayout = "2006-01-02 15:04:05.000000"

func buildMLmodel(s *Source, sig *signature.Signature, hasExample bool, opts SaveOptions) (*MLmodel, error) {
	id, err := newUUID()
	if err != nil {
		return nil, err
	}
	tf := &TransformersFlavor{
		Components:          []string{"tokenizer"},
		Framework:           "pt",
		InstanceType:        "TextGenerationPipeline",
		ModelBinary:         "model",
		PipelineModelType:   s.Architecture,
		SourceModelName:     opts.Name,
		Task:                signature.TaskTextGeneration,
		TokenizerType:       s.TokenizerType(),
		TorchDType:          s.TorchDType(),
		TransformersVersion: TransformersVersion,
	}
	m := &MLmodel{
		Flavors: Flavors{
			Mlpack: &MlpackFlavor{
				Architecture:       s.Architecture,
				ChatTemplateSource: s.ChatTemplateSource,
				ContextLength:      s.ContextLength,
				DType:              s.DType,
				MlpackVersion:      opts.MlpackVersion,
				ParameterCount:     s.ParameterCount,
			},
			PythonFunction: &PyFuncFlavor{
				Config:        opts.ModelConfig,
				Env:           Env{Conda: "conda.yaml", Virtualenv: "python_env.yaml"},
				LoaderModule:  "mlflow.transformers",
				PythonVersion: PythonVersion,
			},
			Transformers: tf,
		},
		MLflowVersion:  MLflowVersion,
		ModelUUID:      id,
		UTCTimeCreated: opts.Now().UTC().Format(TimeLayout),
	}
	if len(opts.ModelConfig) == 0 {
		m.Flavors.PythonFunction.Config = nil
	}
	if opts.Task != signature.TaskTextGeneration {
		tf.InferenceTask = opts.Task
		m.Metadata = map[string]any{"task": opts.Task}
	}
	in, outs, params := sig.Strings()
	m.Signature = &SignatureField{Inputs: in, Outputs: outs, Params: params}
	if hasExample {
		m.SavedInputExampleInfo = &InputExampleInfo{
			ArtifactPath:     "input_example.json",
			ServingInputPath: "serving_input_example.json",
			Type:             "json_object",
		}
	}
	return m, nil
}

// defaultName picks source_model_name: a Hub id recorded in config.json by
// save_pretrained, else the folder's name.
func defaultName(src string, cfg map[string]any) (string, error) {
	if n, _ := cfg["_name_or_path"].(string); strings.Count(n, "/") == 1 &&
		!strings.HasPrefix(n, "/") && !strings.HasPrefix(n, ".") && !strings.HasPrefix(n, "~") && !strings.HasSuffix(n, "/") {
		return n, nil
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", fmt.Errorf("flavor: resolving %s: %w", src, err)
	}
	return filepath.Base(abs), nil
}

// readSaveSource reads src as a Hugging Face folder, or as a bundle when it
// holds an MLmodel file; a bundle supplies defaults for Name and ModelConfig.
func readSaveSource(src string, opts *SaveOptions) (*Source, error) {
	if !isFile(filepath.Join(src, MLmodelFile)) {
		return ReadSource(src)
	}
	b, err := Load(src)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = b.SourceModelName()
	}
	if opts.ModelConfig == nil {
		opts.ModelConfig = b.ModelConfig()
	}
	return b.ReadModel()
}
