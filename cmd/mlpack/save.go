package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/flavor/componentcheck"
	"github.com/mlpack-go/mlpack/pkg/signature"
)

// saveOptions are the inputs of runSave, free of cli types.
type saveOptions struct {
	Src, Out     string
	Task         string
	Name         string
	ModelConfig  []string // key=value
	InputExample string   // file path
	Signature    string   // file path
	Force, Link  bool
	JSON         bool
}

// repeated collects every occurrence of a flag verbatim (no comma
// splitting, so values may be JSON lists).
type repeated []string

func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }
func (r *repeated) String() string     { return strings.Join(*r, " ") }

func saveCommand(e *env) *cli.Command {
	var modelConfig repeated
	return &cli.Command{
		Name:      "save",
		Usage:     "turn a Hugging Face model folder into an MLflow-compatible bundle",
		ArgsUsage: "-m SRC -o OUT",
		Description: "save checks the Hugging Face text-generation model in SRC (config.json, safetensors\n" +
			"weights, tokenizer.json, and a chat template for llm/v1/chat) and writes the bundle\n" +
			"mlflow.transformers.save_model would: MLmodel, model/, components/tokenizer/,\n" +
			"requirements.txt, python_env.yaml, conda.yaml and, for llm/v1 tasks or with\n" +
			"--input-example, input_example.json and serving_input_example.json.\n\n" +
			"The bundle is written under a temporary name and renamed into place when complete,\n" +
			"so an interrupted save leaves nothing at OUT. Weights are read only for copying;\n" +
			"--link hard-links them instead when SRC and OUT share a filesystem. SRC may also be\n" +
			"an existing bundle, to save it again (for example under another task).\n\n" +
			"Examples:\n" +
			"  mlpack save -m ./TinyLlama-1.1B-Chat-v1.0 --task llm/v1/chat -o ./tinyllama\n" +
			"  mlpack save -m ./model -o ./bundle --model-config temperature=0.7 --model-config 'stop=[\"\\n\"]'\n\n" +
			"stdout gets the bundle path (or a JSON summary with --json). Exit codes: 3 when SRC,\n" +
			"the input example or the signature is invalid (the message says what to fix),\n" +
			"5 when OUT exists and --force was not given, or OUT is not a bundle --force may\n" +
			"replace (a folder without MLmodel that is not empty, a file, a symlink); 2 when a\n" +
			"--model-config value has the wrong type (e.g. temperature=abc).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "Hugging Face model folder (or bundle) `SRC` (required)"},
			&cli.StringFlag{Name: "task", Value: signature.TaskTextGeneration, Usage: "`TASK`: text-generation, llm/v1/chat or llm/v1/completions"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "bundle directory `OUT` to create (required)"},
			&cli.StringFlag{Name: "name", Usage: "`NAME` recorded as source_model_name in MLmodel and returned as \"model\" by chat/completions (default: the Hub id in config.json _name_or_path, else the folder name of SRC)"},
			&cli.GenericFlag{Name: "model-config", Value: &modelConfig, Usage: "default generation option `KEY=VALUE` for python_function.config; repeatable; values are JSON when they parse (0.7, true, [\"a\"]) else strings"},
			&cli.StringFlag{Name: "input-example", Usage: "JSON `FILE` to store as the input example (default for llm/v1 tasks: a small chat or prompt)"},
			&cli.StringFlag{Name: "signature", Usage: "JSON `FILE` {\"inputs\": ..., \"outputs\": ..., \"params\": ...} replacing the text-generation signature"},
			&cli.BoolFlag{Name: "force", Usage: "replace OUT if it is a bundle (a folder with an MLmodel file) or an empty folder; anything else is never replaced"},
			&cli.BoolFlag{Name: "link", Usage: "hard-link weight files instead of copying them (falls back to copying across filesystems)"},
			&cli.BoolFlag{Name: "json", Usage: "print a JSON summary instead of the path"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("save takes no arguments (got %q); give the model with -m and the output with -o", c.Args().First())
			}
			return runSave(c.Context, e, saveOptions{
				Src: c.String("model"), Out: c.String("output"), Task: c.String("task"), Name: c.String("name"),
				ModelConfig: modelConfig, InputExample: c.String("input-example"), Signature: c.String("signature"),
				Force: c.Bool("force"), Link: c.Bool("link"), JSON: c.Bool("json"),
			})
		},
	}
}

// saveResult is what save prints with --json.
type saveResult struct {
	Path           string   `json:"path"`
	Task           string   `json:"task"`
	Flavors        []string `json:"flavors"`
	ModelUUID      string   `json:"model_uuid"`
	ModelSizeBytes int64    `json:"model_size_bytes"`
	ParameterCount int64    `json:"parameter_count"`
	DType          string   `json:"dtype"`
}

func runSave(ctx context.Context, e *env, o saveOptions) error {
	if o.Src == "" || o.Out == "" {
		return usageErrorf("save needs the model folder (-m SRC) and the output directory (-o OUT)")
	}
	switch o.Task {
	case signature.TaskTextGeneration, signature.TaskChat, signature.TaskCompletions:
	default:
		return usageErrorf("--task %q is not supported: use text-generation, llm/v1/chat or llm/v1/completions", o.Task)
	}
	cfg, err := flavor.ParseModelConfig(o.ModelConfig)
	if err != nil {
		return &usageError{err: err}
	}
	opts := flavor.SaveOptions{
		Task: o.Task, Name: o.Name, ModelConfig: cfg, Force: o.Force, Link: o.Link,
		MlpackVersion: versionString(readBuildInfo()), Log: e.Log, Components: componentcheck.Runtime{},
	}
	if o.InputExample != "" {
		if opts.InputExample, err = os.ReadFile(o.InputExample); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return usageErrorf("--input-example %s does not exist: give a JSON file holding one input", o.InputExample)
			}
			return fmt.Errorf("reading --input-example %s: %w", o.InputExample, err)
		}
	}
	if o.Signature != "" {
		if opts.Signature, err = signature.ReadFile(o.Signature); err != nil {
			return err
		}
	}
	b, err := flavor.Save(ctx, o.Src, o.Out, opts)
	if err != nil {
		return err
	}
	if !o.JSON {
		_, err := fmt.Fprintln(e.Stdout, o.Out)
		return err
	}
	m := b.Model
	res := saveResult{Path: o.Out, Task: b.Task(), ModelUUID: m.ModelUUID}
	if m.ModelSizeBytes != nil {
		res.ModelSizeBytes = *m.ModelSizeBytes
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"mlpack", m.Flavors.Mlpack != nil}, {"python_function", m.Flavors.PythonFunction != nil}, {"transformers", m.Flavors.Transformers != nil}} {
		if f.set {
			res.Flavors = append(res.Flavors, f.name)
		}
	}
	if mp := m.Flavors.Mlpack; mp != nil {
		res.ParameterCount, res.DType = mp.ParameterCount, mp.DType
	}
	return e.printJSON(res)
}
