package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/runtime/template"
)

type renderOptions struct {
	Model              string
	Input              string // file path or "-" for stdin
	NoGenerationPrompt bool
	Tokens             bool
	JSON               bool
}

func renderCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "print the prompt the model's chat template makes of a conversation",
		ArgsUsage: " ",
		Description: "render applies the model's chat template (tokenizer_config.json's chat_template or\n" +
			"chat_template.jinja) to the messages of --input, as transformers' apply_chat_template\n" +
			"does, and prints the prompt byte for byte with nothing added (no trailing newline).\n" +
			"The input holds {\"messages\": [...]}, the shape predict takes (other keys are\n" +
			"ignored), or a bare list of messages.\n\n" +
			"The generation prompt (the assistant's header) is added unless\n" +
			"--no-generation-prompt. --tokens prints the prompt's token ids instead, encoded\n" +
			"as predict encodes it: the tokenizer adds its BOS only when the prompt does not\n" +
			"already begin with the BOS text. --json prints {\"prompt\"} (and \"ids\" with --tokens).\n" +
			"A template that refuses the conversation (raise_exception) reports its message.\n\n" +
			"Examples:\n" +
			"  echo '[{\"role\":\"user\",\"content\":\"Hi\"}]' | mlpack render -m ./tinyllama\n" +
			"  mlpack render -m ./bundle --input chat.json --tokens",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "MLflow bundle or Hugging Face model folder", Required: true},
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Value: "-", Usage: "input JSON file, or - for stdin"},
			&cli.BoolFlag{Name: "no-generation-prompt", Usage: "do not end the prompt with the assistant's header"},
			&cli.BoolFlag{Name: "tokens", Usage: "print the prompt's token ids instead of its text"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as a JSON object"},
		},
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("render takes no arguments (got %q); give the conversation with --input", c.Args().First())
			}
			return runRender(c.Context, e, renderOptions{
				Model: c.String("model"), Input: c.String("input"),
				NoGenerationPrompt: c.Bool("no-generation-prompt"), Tokens: c.Bool("tokens"), JSON: c.Bool("json"),
			})
		},
	}
}

type renderResult struct {
	Prompt string `json:"prompt"`
	IDs    []int  `json:"ids,omitempty"`
}

func runRender(ctx context.Context, e *env, o renderOptions) error {
	body, err := readInput(e, o.Input)
	if err != nil {
		return err
	}
	messages, err := parseMessages(body)
	if err != nil {
		return err
	}
	dir, err := tokenizerDir(o.Model)
	if err != nil {
		return err
	}
	cfg, err := template.LoadConfig(dir)
	if err != nil {
		return invalidf("%w", err)
	}
	if cfg.ChatTemplate == "" {
		return invalidf("%s has no chat template (no chat_template in %s and no %s); render needs one",
			o.Model, template.ConfigFile, template.TemplateFile)
	}
	tmpl, err := template.Compile(cfg.ChatTemplate)
	if err != nil {
		return invalidf("the chat template of %s does not compile: %w", o.Model, err)
	}
	prompt, err := tmpl.RenderJSON(messages, template.Options{
		AddGenerationPrompt: !o.NoGenerationPrompt, BOSToken: cfg.BOSToken, EOSToken: cfg.EOSToken,
	})
	var raised *template.RaiseError
	switch {
	case errors.As(err, &raised):
		return invalidf("the chat template refuses this conversation: %s", raised.Message)
	case err != nil:
		return invalidf("rendering the chat template of %s: %w", o.Model, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res := renderResult{Prompt: prompt}
	if o.Tokens {
		tok, err := loadTokenizer(o.Model)
		if err != nil {
			return err
		}
		bos := cfg.BOSToken
		if _, text, ok := tok.BOS(); ok {
			bos = text
		}
		res.IDs = tok.Encode(prompt, !template.StartsWithBOS(prompt, bos))
		if res.IDs == nil {
			res.IDs = []int{}
		}
	}
	switch {
	case o.JSON:
		return e.printJSON(res)
	case o.Tokens:
		return printIDs(e, res.IDs)
	}
	if _, err := fmt.Fprint(e.Stdout, prompt); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

// parseMessages reads {"messages": [...]} or a bare list of messages and
// returns the list, checking that each message is an object with a string
// "role". Key order is kept for the template.
func parseMessages(body []byte) (json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, invalidf("input is empty; give {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]} or a list of messages")
	}
	list := json.RawMessage(body)
	if body[0] == '{' {
		var obj struct {
			Messages json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, invalidf("input is not valid JSON: %v", err)
		}
		if len(obj.Messages) == 0 || string(obj.Messages) == "null" {
			return nil, invalidf("input has no \"messages\" field; give {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}")
		}
		list = obj.Messages
	}
	var msgs []json.RawMessage
	if err := json.Unmarshal(list, &msgs); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, invalidf("input is not valid JSON: %v", err)
		}
		return nil, invalidf("messages must be a list of {\"role\", \"content\"} objects")
	}
	if len(msgs) == 0 {
		return nil, invalidf("messages is empty; give at least one {\"role\", \"content\"} object")
	}
	for i, m := range msgs {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(m, &fields); err != nil || fields == nil {
			return nil, invalidf("messages[%d] must be an object such as {\"role\": \"user\", \"content\": \"...\"}", i)
		}
		var role string
		if err := json.Unmarshal(fields["role"], &role); err != nil || fields["role"] == nil {
			return nil, invalidf("messages[%d] needs a string \"role\" (system, user or assistant)", i)
		}
	}
	return list, nil
}
