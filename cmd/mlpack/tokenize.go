package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/runtime/tokenizer"
)

type tokenizeOptions struct {
	Model     string
	Text      string
	File      string // read the text from this file ("-": stdin) instead
	JSON      bool
	NoSpecial bool
}

func tokenizeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "tokenize",
		Usage:     "print the token ids of a text, as the model's tokenizer encodes it",
		ArgsUsage: "TEXT",
		Description: "tokenize encodes TEXT (or the contents of --file, byte for byte, '-' for stdin)\n" +
			"with the model's tokenizer.json exactly as Hugging Face tokenizers does, and prints\n" +
			"the ids on one line, separated by spaces. With --json it prints {\"ids\", \"pieces\"},\n" +
			"the pieces being the vocabulary entries. Special tokens (the BOS <s> of Llama\n" +
			"models) are added as the tokenizer's post-processor says, unless --no-special.\n\n" +
			"-m may be an MLflow bundle or a raw Hugging Face folder.\n\n" +
			"Examples:\n" +
			"  mlpack tokenize -m ./tinyllama 'Hello world'\n" +
			"  mlpack tokenize -m ./bundle --file prompt.txt --json --no-special",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "MLflow bundle or Hugging Face model folder", Required: true},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read the text from this file, or - for stdin"},
			&cli.BoolFlag{Name: "json", Usage: "print {\"ids\": [...], \"pieces\": [...]} as JSON"},
			&cli.BoolFlag{Name: "no-special", Usage: "do not add special tokens (BOS/EOS)"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			o := tokenizeOptions{Model: c.String("model"), File: c.String("file"), JSON: c.Bool("json"), NoSpecial: c.Bool("no-special")}
			switch {
			case c.NArg() > 1:
				return usageErrorf("tokenize takes one TEXT argument, got %d; quote the text", c.NArg())
			case c.NArg() == 1 && c.IsSet("file"):
				return usageErrorf("give either TEXT or --file, not both")
			case c.NArg() == 0 && !c.IsSet("file"):
				return usageErrorf("tokenize needs a TEXT argument or --file")
			}
			o.Text = c.Args().First()
			return runTokenize(c.Context, e, o)
		},
	}
}

type tokenizeResult struct {
	IDs    []int    `json:"ids"`
	Pieces []string `json:"pieces"`
}

func runTokenize(ctx context.Context, e *env, o tokenizeOptions) error {
	text := o.Text
	if o.File != "" {
		b, err := readInput(e, o.File)
		if err != nil {
			return err
		}
		text = string(b)
	}
	tok, err := loadTokenizer(o.Model)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ids, pieces := tok.EncodeWithPieces(text, !o.NoSpecial)
	if o.JSON {
		if ids == nil {
			ids, pieces = []int{}, []string{}
		}
		return e.printJSON(tokenizeResult{IDs: ids, Pieces: pieces})
	}
	return printIDs(e, ids)
}

// loadTokenizer loads the tokenizer.json of a bundle or Hugging Face folder.
func loadTokenizer(model string) (*tokenizer.Tokenizer, error) {
	dir, err := tokenizerDir(model)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, invalidf("loading the tokenizer of %s: %w", model, err)
	}
	return tok, nil
}

// printIDs prints ids on one line, separated by spaces.
func printIDs(e *env, ids []int) error {
	var sb strings.Builder
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(id))
	}
	sb.WriteByte('\n')
	if _, err := fmt.Fprint(e.Stdout, sb.String()); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}
