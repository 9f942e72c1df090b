package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/internal/testenv"
)

func TestPredictQuantizeInt8ReportsFormatAndConversion(t *testing.T) {
	input := `{"messages":[{"role":"user","content":"hi"}],"max_tokens":3}`
	code, stdout, stderr := runCLI(t, input, "predict", "-m", testenv.Testdata(t, "tiny-chat"), "--task", "llm/v1/chat",
		"--quantize", "int8", "--json", "--input", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out) != 1 {
		t.Fatalf("stdout is not one completion: %v\n%s", err, stdout)
	}
	var summary predictSummary
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.Contains(line, `"type":"summary"`) {
			if err := json.Unmarshal([]byte(line), &summary); err != nil {
				t.Fatalf("summary line %q: %v", line, err)
			}
		}
	}
	if summary.Weights != "int8" {
		t.Errorf("summary weights = %q, want int8; stderr:\n%s", summary.Weights, stderr)
	}
	if summary.Kernels == "" {
		t.Errorf("summary names no kernel set; stderr:\n%s", stderr)
	}
}

func TestPredictQuantizeRefusesUnknownFormat(t *testing.T) {
	code, _, stderr := runCLI(t, `"x"`, "predict", "-m", testenv.Testdata(t, "tiny-chat"), "--quantize", "int4", "--input", "-")
	if code != exitUsage || !strings.Contains(stderr, "int8") {
		t.Errorf("exit %d, stderr %q; want usage error naming int8", code, stderr)
	}
}

func TestServeQuantizeRefusesUnknownFormat(t *testing.T) {
	code, _, stderr := runCLI(t, "", "serve", "-m", testenv.Testdata(t, "tiny-chat"), "--quantize", "q4", "--port", "0")
	if code != exitUsage || !strings.Contains(stderr, "int8") {
		t.Errorf("exit %d, stderr %q; want usage error naming int8", code, stderr)
	}
}
