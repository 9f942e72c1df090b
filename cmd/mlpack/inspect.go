package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe a bundle: task, signature, model facts and files",
		ArgsUsage: "BUNDLE",
		Description: "inspect loads and validates the bundle in BUNDLE (written by mlpack or by MLflow)\n" +
			"and reports its task, source model, signature, architecture, parameter count and\n" +
			"dtype (from the safetensors headers, without reading weights), context length,\n" +
			"whether a chat template is present, the default generation options, and every\n" +
			"file with its size and sha256 (which does read every file).\n\n" +
			"With --json stdout carries one JSON object; without it, a readable summary.\n" +
			"Exit code 3 when BUNDLE is not a valid bundle.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			// urfave/cli stops parsing flags at BUNDLE; accept --json after it too.
			asJSON := c.Bool("json")
			var args []string
			for _, a := range c.Args().Slice() {
				if a == "--json" || a == "-json" {
					asJSON = true
					continue
				}
				args = append(args, a)
			}
			if len(args) != 1 {
				return usageErrorf("inspect needs exactly one BUNDLE directory")
			}
			e.setJSON(asJSON)
			return runInspect(c.Context, e, args[0], asJSON)
		},
	}
}

// inspectReport is what inspect prints with --json.
type inspectReport struct {
	Path               string          `json:"path"`
	Task               string          `json:"task"`
	SourceModelName    string          `json:"source_model_name"`
	MLflowVersion      string          `json:"mlflow_version"`
	ModelUUID          string          `json:"model_uuid"`
	Created            string          `json:"utc_time_created"`
	SavedBy            string          `json:"saved_by"` // "mlpack <version>" or "mlflow"
	Architecture       string          `json:"architecture"`
	ParameterCount     int64           `json:"parameter_count"`
	DType              string          `json:"dtype"`
	ContextLength      int64           `json:"context_length,omitempty"`
	ChatTemplate       bool            `json:"chat_template"`
	ChatTemplateSource string          `json:"chat_template_source,omitempty"`
	ModelConfig        map[string]any  `json:"model_config,omitempty"`
	Signature          *inspectSig     `json:"signature,omitempty"`
	Files              []inspectedFile `json:"files"`
}

// inspectSig holds each schema as JSON (not a string holding JSON).
type inspectSig struct {
	Inputs  json.RawMessage `json:"inputs"`
	Outputs json.RawMessage `json:"outputs"`
	Params  json.RawMessage `json:"params"`
}

type inspectedFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func runInspect(ctx context.Context, e *env, dir string, asJSON bool) error {
	b, err := flavor.Load(dir)
	if err != nil {
		return err
	}
	src, err := b.ReadModel()
	if err != nil {
		return err
	}
	m := b.Model
	r := inspectReport{
		Path: dir, Task: b.Task(), SourceModelName: b.SourceModelName(),
		MLflowVersion: m.MLflowVersion, ModelUUID: m.ModelUUID, Created: m.UTCTimeCreated, SavedBy: "mlflow",
		Architecture: src.Architecture, ParameterCount: src.ParameterCount, DType: src.DType,
		ContextLength: src.ContextLength, ChatTemplate: src.ChatTemplate != "",
		ChatTemplateSource: src.ChatTemplateSource, ModelConfig: b.ModelConfig(),
	}
	if mp := m.Flavors.Mlpack; mp != nil {
		r.SavedBy = "mlpack " + mp.MlpackVersion
	}
	if s := b.Signature; s != nil {
		in, out, params := s.Strings()
		r.Signature = &inspectSig{Inputs: raw(in), Outputs: raw(out), Params: json.RawMessage("null")}
		if params != nil {
			r.Signature.Params = raw(*params)
		}
	}
	files, err := b.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		sum, err := sha256File(ctx, filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		r.Files = append(r.Files, inspectedFile{Path: f.Path, Size: f.Size, SHA256: sum})
	}
	if asJSON {
		return e.printJSON(r)
	}
	return printInspect(e.Stdout, &r)
}

func raw(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func sha256File(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 4<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", path, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// humanCount writes 1100048384 as 1.10B.
func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func printInspect(w io.Writer, r *inspectReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	template := "no"
	if r.ChatTemplate {
		template = "yes (" + r.ChatTemplateSource + ")"
	}
	ctxLen := "unknown"
	if r.ContextLength > 0 {
		ctxLen = fmt.Sprint(r.ContextLength)
	}
	rows := [][2]string{
		{"bundle", r.Path},
		{"task", r.Task},
		{"source model", r.SourceModelName},
		{"saved by", r.SavedBy + " (mlflow_version " + r.MLflowVersion + ")"},
		{"created (UTC)", r.Created},
		{"architecture", r.Architecture},
		{"parameters", fmt.Sprintf("%d (%s)", r.ParameterCount, humanCount(r.ParameterCount))},
		{"dtype", r.DType},
		{"context length", ctxLen},
		{"chat template", template},
	}
	if len(r.ModelConfig) > 0 {
		keys := make([]string, 0, len(r.ModelConfig))
		for k := range r.ModelConfig {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			v, _ := json.Marshal(r.ModelConfig[k])
			kv = append(kv, k+"="+string(v))
		}
		rows = append(rows, [2]string{"model config", strings.Join(kv, " ")})
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if s := r.Signature; s != nil {
		fmt.Fprintf(w, "signature:\n  inputs:  %s\n  outputs: %s\n  params:  %s\n", s.Inputs, s.Outputs, s.Params)
	}
	fmt.Fprintln(w, "files:")
	for _, f := range r.Files {
		if _, err := fmt.Fprintf(w, "  %s %12d  %s\n", f.SHA256, f.Size, f.Path); err != nil {
			return err
		}
	}
	return nil
}
