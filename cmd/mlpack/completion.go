package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

// bashCompletion asks mlpack itself for candidates: urfave/cli answers
// --generate-bash-completion with the subcommands, or with the flags of the
// command when the word being completed starts with '-'. Paths are completed
// by bash when mlpack has nothing to offer.
const bashCompletion = `# mlpack completion for bash
# load it with: source <(mlpack completion bash)
_mlpack_complete() {
	local cur="${COMP_WORDS[COMP_CWORD]}"
	local words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	local candidates
	if [[ "$cur" == -* ]]; then
		candidates=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
	else
		candidates=$("${words[@]}" --generate-bash-completion 2>/dev/null)
	fi
	COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -o bashdefault -F _mlpack_complete mlpack
`

// zshPreamble lets zsh run the bash function through bashcompinit.
const zshPreamble = `# mlpack completion for zsh (through bashcompinit)
# load it with: source <(mlpack completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
`

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash or zsh)",
		ArgsUsage: "bash|zsh",
		Description: "completion prints a script that completes mlpack's commands and flags, and\n" +
			"paths elsewhere. Load it in the current shell, or add the line to ~/.bashrc or ~/.zshrc:\n\n" +
			"  source <(mlpack completion bash)\n" +
			"  source <(mlpack completion zsh)",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("completion takes one shell name: bash or zsh")
			}
			return writeCompletion(e.Stdout, c.Args().First())
		},
	}
}

func writeCompletion(w io.Writer, shell string) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshPreamble + bashCompletion
	default:
		return usageErrorf("completion: unknown shell %q (want bash or zsh)", shell)
	}
	_, err := fmt.Fprint(w, script)
	return err
}
