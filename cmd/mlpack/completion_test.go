package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh"} {
		code, stdout, stderr := runCLI(t, "", "completion", shell)
		if code != 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, stderr)
		}
		if !strings.Contains(stdout, "complete -o default -o bashdefault -F _mlpack_complete mlpack") {
			t.Errorf("completion %s does not register the function:\n%s", shell, stdout)
		}
	}
	if code, _, _ := runCLI(t, "", "completion", "fish"); code != exitUsage {
		t.Errorf("completion fish: exit %d, want %d", code, exitUsage)
	}
}

// The script relies on mlpack answering --generate-bash-completion with the
// commands, and with a command's flags when the word starts with '-'.
// urfave/cli reads the word being completed from os.Args, so the test sets
// os.Args as the shell would have.
func TestCompletionCandidates(t *testing.T) {
	complete := func(args ...string) string {
		saved := os.Args
		defer func() { os.Args = saved }()
		os.Args = append([]string{"mlpack"}, args...)
		_, stdout, _ := runCLI(t, "", args...)
		return stdout
	}
	commands := complete("--generate-bash-completion")
	for _, want := range []string{"save", "predict", "serve", "push", "pull", "completion"} {
		if !strings.Contains(commands, want+"\n") {
			t.Errorf("command candidates lack %q:\n%s", want, commands)
		}
	}
	flags := complete("save", "-", "--generate-bash-completion")
	for _, want := range []string{"--task", "--output", "--force"} {
		if !strings.Contains(flags, want+"\n") {
			t.Errorf("save flag candidates lack %q:\n%s", want, flags)
		}
	}
}

// The bash script itself is valid bash (checked when bash is installed).
func TestBashCompletionScriptParses(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("skipping: no bash on this machine")
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(bashCompletion)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}
