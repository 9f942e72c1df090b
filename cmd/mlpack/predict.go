package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/mlpack-go/mlpack/pkg/signature"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

type predictOptions struct {
	Model   string
	Input   string // file path or "-" for stdin
	Task    string
	Params  string // JSON object of generation kwargs
	Stream  bool
	JSON    bool
	Threads int
	// Quantize is "" (the exact weights) or "int8".
	Quantize string
}

func predictCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "predict",
		Usage:     "answer an input with a bundle or Hugging Face folder, as MLflow's predict would",
		ArgsUsage: " ",
		Description: "predict loads a model and prints, as indented JSON on stdout, exactly what MLflow's\n" +
			"pyfunc predict returns for the model's task: a list of chat.completion objects\n" +
			"(llm/v1/chat), text_completion objects (llm/v1/completions) or strings\n" +
			"(text-generation, prompt included).\n\n" +
			"The input is any body MLflow's scoring server accepts: the unified LLM form\n" +
			"({\"messages\": [...], \"max_tokens\": 64} or {\"prompt\": \"...\"}), dataframe_split,\n" +
			"dataframe_records, instances or inputs (with optional params), or a bare string\n" +
			"or list as pyfunc's predict takes.\n\n" +
			"-m may be an MLflow bundle (mlpack save) or a raw Hugging Face folder, whose task\n" +
			"--task sets (default text-generation). --params takes generation options\n" +
			"(max_new_tokens or max_tokens, do_sample, temperature, top_p, top_k, seed, stop,\n" +
			"repetition_penalty) that override generation_config.json, python_function.config\n" +
			"and the input. --stream prints the text as it is generated instead of the JSON.\n" +
			"Load time and tokens per second go to stderr.\n\n" +
			"Examples:\n" +
			"  echo '{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}' | mlpack predict -m ./tinyllama\n" +
			"  mlpack predict -m ./hf-folder --task llm/v1/completions --input prompt.json --stream",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "MLflow bundle or Hugging Face model folder", Required: true},
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Value: "-", Usage: "input JSON file, or - for stdin"},
			&cli.StringFlag{Name: "task", Usage: "task for a raw Hugging Face folder: text-generation, llm/v1/chat or llm/v1/completions"},
			&cli.StringFlag{Name: "params", Usage: "generation options as a JSON object, e.g. '{\"max_new_tokens\": 32}'"},
			&cli.BoolFlag{Name: "stream", Usage: "print text as it is generated (JSON lines with --json)"},
			&cli.BoolFlag{Name: "json", Usage: "report the summary and errors on stderr as JSON"},
			&cli.IntFlag{Name: "threads", Usage: "worker threads (0: all cores)"},
			&cli.StringFlag{Name: "quantize", Usage: "convert weights at load time: int8 (blocks of 32 with a scale; faster, lossy; the conversion time is reported). Default: the exact weights", Value: ""},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("predict takes no arguments (got %q); give the model with -m and the input with --input", c.Args().First())
			}
			if t := c.String("task"); t != "" {
				if _, err := signature.ForTask(t); err != nil {
					return usageErrorf("--task: %v", err)
				}
			}
			return runPredict(c.Context, e, predictOptions{
				Model: c.String("model"), Input: c.String("input"), Task: c.String("task"),
				Params: c.String("params"), Stream: c.Bool("stream"), JSON: c.Bool("json"),
				Threads: c.Int("threads"), Quantize: c.String("quantize"),
			})
		},
	}
}

// predictSummary is the stderr report of a predict run.
type predictSummary struct {
	Type                  string  `json:"type"`
	Model                 string  `json:"model"`
	Task                  string  `json:"task"`
	LoadSeconds           float64 `json:"load_seconds"`
	Weights               string  `json:"weights"`
	QuantizeSeconds       float64 `json:"quantize_seconds,omitempty"`
	Kernels               string  `json:"kernels"`
	Rows                  int     `json:"rows"`
	PromptTokens          int     `json:"prompt_tokens"`
	CompletionTokens      int     `json:"completion_tokens"`
	PromptTokensPerSecond float64 `json:"prompt_tokens_per_second"`
	DecodeTokensPerSecond float64 `json:"decode_tokens_per_second"`
}

func runPredict(ctx context.Context, e *env, o predictOptions) error {
	if o.Threads < 0 {
		return usageErrorf("--threads must be 0 or more, got %d", o.Threads)
	}
	if o.Quantize != "" && o.Quantize != "int8" {
		return usageErrorf("--quantize %q: the only lossy format is int8 (leave it out for the exact weights)", o.Quantize)
	}
	var overrides map[string]any
	if o.Params != "" {
		dec := json.NewDecoder(bytes.NewReader([]byte(o.Params)))
		dec.UseNumber()
		if err := dec.Decode(&overrides); err != nil || overrides == nil {
			return usageErrorf("--params must be a JSON object such as '{\"max_new_tokens\": 32}'")
		}
	}
	body, err := readInput(e, o.Input)
	if err != nil {
		return err
	}
	eng, err := runtime.Load(ctx, o.Model, runtime.Options{Task: o.Task, Threads: o.Threads, Quantize: o.Quantize, Log: e.Log})
	if err != nil {
		return err
	}
	defer eng.Close()
	in, err := task.ParseInput(body, task.ParseOptions{Params: eng.Signature().Params, AllowRaw: true})
	if err != nil {
		return err
	}
	in.Overrides = overrides

	var stream task.StreamFunc
	if o.Stream {
		stream = streamPrinter(e, o.JSON)
	}
	pred, err := eng.Predict(ctx, in, stream)
	if err != nil {
		return err
	}
	if o.Stream {
		if o.JSON {
			if err := writeJSONLine(e.Stdout, map[string]any{"type": "result", "output": pred.Output}); err != nil {
				return err
			}
		} else if _, err := fmt.Fprintln(e.Stdout); err != nil {
			return err
		}
	} else if err := e.printJSON(pred.Output); err != nil {
		return err
	}
	return reportSummary(e, o, eng, pred)
}

func readInput(e *env, path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(e.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading the input from stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("reading --input: %v", err)
	}
	return b, nil
}

// streamPrinter prints generated text as it arrives: plain text (rows
// separated by a blank line, leading whitespace dropped as MLflow's lstrip
// does), or one JSON object per event, unaltered, with --json.
func streamPrinter(e *env, asJSON bool) task.StreamFunc {
	last := -1
	started := false // the current row has printed non-space text
	return func(row int, ev generate.Event) error {
		if asJSON {
			if ev.Text == "" {
				return nil
			}
			return writeJSONLine(e.Stdout, map[string]any{"type": "text", "row": row, "text": ev.Text})
		}
		if row != last {
			if last >= 0 {
				if _, err := io.WriteString(e.Stdout, "\n\n"); err != nil {
					return err
				}
			}
			last, started = row, false
		}
		text := ev.Text
		if !started {
			text = strings.TrimLeftFunc(text, unicode.IsSpace)
			started = text != ""
		}
		_, err := io.WriteString(e.Stdout, text)
		return err
	}
}

func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func reportSummary(e *env, o predictOptions, eng *runtime.Engine, pred *task.Prediction) error {
	st := eng.Model.Stats()
	s := predictSummary{Type: "summary", Model: o.Model, Task: eng.Task(), LoadSeconds: eng.LoadTime.Seconds(), Rows: len(pred.Results),
		Weights: st.Format, QuantizeSeconds: st.Quantize.Seconds(), Kernels: st.Kernels}
	var prefill, decode time.Duration
	decoded := 0
	for _, r := range pred.Results {
		s.PromptTokens += r.PromptTokens
		s.CompletionTokens += r.CompletionTokens
		prefill += r.Timings.Prompt
		decode += r.Timings.Decode
		// The first token comes from the prefill's logits; decode time
		// covers the forward passes of the others.
		decoded += max(0, r.CompletionTokens-1)
	}
	s.PromptTokensPerSecond = generate.Timings{Prompt: prefill}.PromptTokensPerSecond(s.PromptTokens)
	s.DecodeTokensPerSecond = generate.Timings{Decode: decode}.DecodeTokensPerSecond(decoded)
	if o.JSON {
		return writeJSONLine(e.Stderr, s)
	}
	conv := ""
	if s.QuantizeSeconds > 0 {
		conv = fmt.Sprintf(", int8 conversion %.2fs", s.QuantizeSeconds)
	}
	_, err := fmt.Fprintf(e.Stderr, "mlpack: loaded %s (%s, %s weights, %s kernels) in %.2fs%s; %d prompt tokens at %.1f tok/s, %d generated tokens at %.1f tok/s\n",
		o.Model, s.Task, s.Weights, s.Kernels, s.LoadSeconds, conv, s.PromptTokens, s.PromptTokensPerSecond, s.CompletionTokens, s.DecodeTokensPerSecond)
	return err
}
