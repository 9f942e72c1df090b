package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mlpack-go/mlpack/pkg/registry"
)

type pushOptions struct {
	Bundle, Ref string
	Tags        []string
	Registry    registry.Options
	JSON        bool
}

func pushCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "upload a bundle to an OCI registry as a CNCF ModelPack artifact",
		ArgsUsage: "BUNDLE REGISTRY/REPOSITORY[:TAG]",
		Description: "push validates BUNDLE, then uploads it as a ModelPack v1 artifact: one uncompressed\n" +
			"layer per file (weights, configs and tokenizer, docs), so oras, modctl and KitOps can\n" +
			"pull it too. Pushing the same bundle again gives the same digest and uploads nothing the\n" +
			"registry already has; the bytes saved are reported. Files that another repository of the\n" +
			"same registry holds (one this user pushed to or pulled from before) are mounted from it\n" +
			"instead of uploaded. Files go up --jobs at a time, with\n" +
			"retries and backoff for transient failures; files over --chunk-mib go up in chunks, so a\n" +
			"failed upload continues where it stopped. --tag adds more tags without re-uploading.\n" +
			"File digests are cached (by path, size, mtime and inode) under the user cache folder,\n" +
			"so pushing an unchanged multi-GB bundle again does not re-read it.\n\n" +
			"BUNDLE must load as it would for predict: the MLmodel, every weight file config.json\n" +
			"or the shard index names, tokenizer.json. Symlinks are refused (copy the file instead),\n" +
			"so nothing outside BUNDLE is uploaded; the files pushed are those `mlpack inspect` lists.\n\n" +
			"Credentials come from the docker config ($DOCKER_CONFIG or ~/.docker/config.json,\n" +
			"including credential helpers); see `mlpack login`.\n\n" +
			"Examples:\n" +
			"  mlpack push ./tinyllama registry.example/team/tinyllama-chat:v1\n" +
			"  mlpack push --tag latest ./tinyllama localhost:5000/tinyllama:v1\n\n" +
			"stdout gets REF@sha256:DIGEST (or a JSON report with --json); progress goes to stderr.\n" +
			"Exit codes: 3 when BUNDLE is not a valid bundle, 4 when the registry refuses the\n" +
			"credentials or the repository does not exist.",
		Flags: append(registryFlags(),
			&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "also tag the artifact `TAG` (repeatable)"},
			&cli.Int64Flag{Name: "chunk-mib", Value: 64, Usage: "upload files larger than `N` MiB in N MiB chunks, so a failed upload resumes where it stopped (0: one request per file; GHCR, GCR and ECR always get one)"},
		),
		Before: func(c *cli.Context) error { e.setJSON(c.Bool("json")); return nil },
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageErrorf("push takes BUNDLE and REF (got %d arguments)", c.NArg())
			}
			prog := newTransferProgress(e, "push", c.Bool("quiet"))
			ro, err := registryOptions(c, e, prog)
			if err != nil {
				return err
			}
			if c.Int64("chunk-mib") < 0 {
				return usageErrorf("--chunk-mib must be 0 or more (got %d)", c.Int64("chunk-mib"))
			}
			ro.ChunkSize = c.Int64("chunk-mib") << 20
			defer prog.finish()
			return runPush(c.Context, e, prog, pushOptions{
				Bundle: c.Args().Get(0), Ref: c.Args().Get(1), Tags: c.StringSlice("tag"),
				Registry: ro, JSON: c.Bool("json"),
			})
		},
	}
}

func runPush(ctx context.Context, e *env, prog *transferProgress, o pushOptions) error {
	res, err := registry.Push(ctx, o.Bundle, o.Ref, registry.PushOptions{Options: o.Registry, Tags: o.Tags})
	prog.finish()
	if err != nil {
		if errors.Is(err, registry.ErrInvalidReference) {
			return usageErrorf("%v", err)
		}
		return err
	}
	msg := fmt.Sprintf("pushed %d files: uploaded %s", len(res.Files), humanBytes(res.UploadedBytes))
	if res.MountedBytes > 0 {
		msg += fmt.Sprintf(", mounted %s from other repositories of the registry", humanBytes(res.MountedBytes))
	}
	if res.SkippedBytes > 0 {
		msg += fmt.Sprintf(", skipped %s already in the repository", humanBytes(res.SkippedBytes))
	}
	fmt.Fprintln(e.Stderr, msg)
	if o.JSON {
		return e.printJSON(res)
	}
	fmt.Fprintln(e.Stdout, res.Ref)
	return nil
}
