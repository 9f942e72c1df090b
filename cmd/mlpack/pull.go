package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/flavor"
	"github.com/mlpack-go/mlpack/pkg/registry"
)

type pullOptions struct {
	Ref      string
	Dir      string
	Include  []string
	Force    bool
	Registry registry.Options
	JSON     bool
}

func pullCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pull",
		Usage:     "download a ModelPack artifact from an OCI registry into a folder",
		ArgsUsage: "REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]",
		Description: "pull fetches a CNCF ModelPack artifact (pushed by mlpack, modctl, KitOps or the Docker\n" +
			"model tools) into -o DIR (default: the repository's last path element). Every blob is\n" +
			"checked against its digest and size while it streams to disk. Blobs land in\n" +
			"DIR/.mlpack-pull first and move into place only when all are verified, MLmodel last, so\n" +
			"an interrupted pull never leaves a folder that looks like a complete bundle; the next\n" +
			"run resumes partial blobs with HTTP Range requests. Files already in DIR with the right\n" +
			"digest are not downloaded again; different files are kept unless --force.\n\n" +
			"pull refuses hostile artifacts: absolute paths, '..', paths through symlinks,\n" +
			"duplicate paths, unknown layer media types, manifests over 4 MiB, configs that are not\n" +
			"JSON. --include GLOB pulls only matching files (** spans folders; a pattern without\n" +
			"'/' also matches base names, e.g. --include 'tokenizer*'); when the globs match no file,\n" +
			"pull writes nothing, lists some of the artifact's paths and exits with code 3.\n\n" +
			"Examples:\n" +
			"  mlpack pull registry.example/team/tinyllama-chat:v1 -o ./tinyllama\n" +
			"  mlpack pull --include 'tokenizer*' localhost:5000/tinyllama:v1 -o ./tok\n\n" +
			"stdout gets DIR (or a JSON report with --json). Exit codes: 3 for a refused artifact or\n" +
			"an --include that matches nothing, 4 when the registry refuses the credentials or the\n" +
			"reference does not exist, 5 when DIR is a file or holds different files at the\n" +
			"artifact's paths (use --force).",
		Flags: append(registryFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "target folder `DIR`"},
			&cli.StringSliceFlag{Name: "include", Aliases: []string{"i"}, Usage: "pull only files matching `GLOB` (repeatable)"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite files in DIR that differ from the artifact's"},
		),
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("pull takes one REF (got %d arguments)", c.NArg())
			}
			prog := newTransferProgress(e, "pull", c.Bool("quiet"))
			ro, err := registryOptions(c, e, prog)
			if err != nil {
				return err
			}
			defer prog.finish()
			return runPull(c.Context, e, prog, pullOptions{
				Ref: c.Args().First(), Dir: c.String("output"), Include: c.StringSlice("include"),
				Force: c.Bool("force"), Registry: ro, JSON: c.Bool("json"),
			})
		},
	}
}

func runPull(ctx context.Context, e *env, prog *transferProgress, o pullOptions) error {
	res, err := registry.Pull(ctx, o.Ref, registry.PullOptions{Options: o.Registry, Dir: o.Dir, Include: o.Include, Force: o.Force})
	prog.finish()
	if err != nil {
		if errors.Is(err, registry.ErrInvalidReference) {
			return usageErrorf("%v", err)
		}
		return err
	}
	fmt.Fprintf(e.Stderr, "pulled %s into %s: downloaded %s, resumed %s\n", res.Ref, res.Dir,
		humanBytes(res.DownloadedBytes), humanBytes(res.ResumedBytes))
	if res.HasMLmodel && len(o.Include) == 0 {
		if _, err := flavor.Load(res.Dir); err != nil {
			fmt.Fprintf(e.Stderr, "note: %s has an MLmodel but does not load as an mlpack bundle: %v\n", res.Dir, err)
		}
	}
	if !res.HasMLmodel {
		if len(o.Include) > 0 {
			fmt.Fprintf(e.Stderr, "note: %s has no MLmodel: this partial pull is not a complete bundle\n", res.Dir)
		} else {
			fmt.Fprintf(e.Stderr, "note: the artifact has no MLmodel, so %s is not an mlpack bundle; if it is a Hugging Face model folder, make one with `mlpack save -m %s -o BUNDLE`\n", res.Dir, res.Dir)
		}
	}
	if o.JSON {
		return e.printJSON(res)
	}
	fmt.Fprintln(e.Stdout, res.Dir)
	return nil
}
