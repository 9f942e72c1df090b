// Command decode benchmarks the Llama forward pass on the full TinyLlama-1.1B
// shape: it generates a seeded random model in that shape (bf16, plus an f32
// copy; into a temporary folder that is removed afterwards), measures the
// machine's memory bandwidth, then for each weight format (f32, bf16, int8
// quantized at load) reports load time, prompt-processing speed at 128 and
// 512 tokens, decode speed, the decode speed as a share of the bandwidth
// ceiling (bandwidth ÷ weight bytes read per token), and peak RSS. Each
// format runs in its own child process so peak RSS is per format. CPU
// pressure (/proc/pressure/cpu) is printed before and after: on a shared
// machine the numbers mean little when it is high.
//
//	go run ./bench/decode                  # everything, ~5-10 minutes on 2 cores
//	go run ./bench/decode -formats int8 -prompts 128 -decode 16
//	go run ./bench/decode -workdir /tmp/tl # keep the generated models for the next run
//	go run ./bench/decode -model DIR       # an existing HF folder instead
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/testmodel"
)

type options struct {
	model   string
	formats []string
	threads int
	prompts []int
	decode  int
	repeat  int
	workdir string
	child   string
	genOnly bool
	kernels string
}

func main() {
	var o options
	var formats, prompts string
	flag.StringVar(&o.model, "model", "", "HF model folder to benchmark (default: generate the TinyLlama-1.1B shape into a temporary folder)")
	flag.StringVar(&formats, "formats", "f32,bf16,int8", "weight formats to run: f32, bf16, int8")
	flag.IntVar(&o.threads, "threads", 2, "worker goroutines per product")
	flag.StringVar(&prompts, "prompts", "128,512", "prompt lengths for prompt-processing speed")
	flag.IntVar(&o.decode, "decode", 32, "tokens to decode for the decode speed")
	flag.IntVar(&o.repeat, "repeat", 3, "runs of each measurement; the best is reported (the machine may be shared)")
	flag.StringVar(&o.workdir, "workdir", "", "generate the models into this folder and keep them (reused by later runs); default: a temporary folder removed afterwards")
	flag.StringVar(&o.child, "child", "", "internal: measure one format in this process and print JSON")
	flag.StringVar(&o.kernels, "kernels", "", "kernel set (portable, avx2, avx512vnni, avx512bf16; default: the fastest this CPU runs)")
	flag.BoolVar(&o.genOnly, "generate-only", false, "only generate the models for -formats into -workdir (reused if present), print their folders and exit")
	flag.Parse()
	o.formats = strings.Split(formats, ",")
	for _, p := range strings.Split(prompts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n <= 0 {
			fail(fmt.Errorf("bad -prompts entry %q", p))
		}
		o.prompts = append(o.prompts, n)
	}
	if o.child != "" {
		r, err := measure(o.child, o.model, o.kernels, o.threads, o.prompts, o.decode, max(1, o.repeat))
		if err != nil {
			fail(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "decode:", err)
	os.Exit(1)
}

func run(o options) error {
	if o.genOnly {
		if o.workdir == "" || o.model != "" {
			return fmt.Errorf("-generate-only needs -workdir and no -model")
		}
		dirs, _, err := modelDirs(o)
		if err != nil {
			return err
		}
		for _, f := range o.formats {
			fmt.Printf("%s %s\n", f, dirs[f])
		}
		return nil
	}
	fmt.Printf("go %s, GOMAXPROCS %d, threads %d\n", runtime.Version(), runtime.GOMAXPROCS(0), o.threads)
	fmt.Printf("cpu pressure before: %s\n", pressure())
	bw1, bw2 := bandwidth(1), bandwidth(2)
	fmt.Printf("memory bandwidth (sum of a 1 GiB array with kernels.Dot, best of 10): 1 goroutine %.1f GB/s, 2 goroutines %.1f GB/s\n", bw1/1e9, bw2/1e9)
	bw := max(bw1, bw2)
	dirs, cleanup, err := modelDirs(o)
	if err != nil {
		return err
	}
	defer cleanup()
	var results []result
	for _, f := range o.formats {
		args := []string{"-child", f, "-model", dirs[f], "-threads", strconv.Itoa(o.threads),
			"-prompts", joinInts(o.prompts), "-decode", strconv.Itoa(o.decode), "-repeat", strconv.Itoa(o.repeat),
			"-kernels", o.kernels}
		cmd := exec.Command(os.Args[0], args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("measuring %s: %w", f, err)
		}
		var r result
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			return fmt.Errorf("measuring %s: %w: %s", f, err, out.String())
		}
		results = append(results, r)
		fmt.Printf("  %s done (cpu pressure %s)\n", f, pressure())
	}
	// The machine is shared: measure again and keep the better figure.
	b1, b2 := bandwidth(1), bandwidth(2)
	fmt.Printf("memory bandwidth again: 1 goroutine %.1f GB/s, 2 goroutines %.1f GB/s\n", b1/1e9, b2/1e9)
	bw = max(bw, bw1, b1, b2)
	printTable(results, o.prompts)
	fmt.Printf("ceiling = bandwidth measured just before a decode run (same child process, %d goroutines) ÷ weight bytes per token;\n"+
		"the whole-run best bandwidth was %.1f GB/s\n", o.threads, bw/1e9)
	fmt.Printf("cpu pressure after: %s\n", pressure())
	return nil
}

// modelDirs returns the model folder of each format: -model, or the
// TinyLlama-1.1B shape generated into -workdir (kept, reused when present)
// or into a temporary folder that cleanup removes.
func modelDirs(o options) (dirs map[string]string, cleanup func(), err error) {
	dirs, cleanup = map[string]string{}, func() {}
	if o.model != "" {
		for _, f := range o.formats {
			dirs[f] = o.model
		}
		return dirs, cleanup, nil
	}
	tmp := o.workdir
	if tmp == "" {
		t, err := os.MkdirTemp("", "mlpack-bench-")
		if err != nil {
			return nil, nil, err
		}
		tmp, cleanup = t, func() { os.RemoveAll(t) }
	}
	for _, f := range o.formats {
		dtype := "bfloat16"
		if f == "f32" {
			dtype = "float32"
		}
		dir := filepath.Join(tmp, dtype)
		if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err != nil {
			spec := testmodel.TinyLlama11B()
			spec.DType = dtype
			start := time.Now()
			if err := testmodel.Write(dir, spec); err != nil {
				cleanup()
				return nil, nil, err
			}
			fmt.Printf("generated TinyLlama-1.1B shape (%s, seed %d) in %s\n", dtype, spec.Seed, time.Since(start).Round(time.Second))
		}
		dirs[f] = dir
	}
	return dirs, cleanup, nil
}

func printTable(rs []result, prompts []int) {
	fmt.Println()
	head := "| format | kernels | load s | int8 conversion s | first token s |"
	sep := "|---|---|---|---|---|"
	for _, p := range prompts {
		head += fmt.Sprintf(" prompt %d tok/s |", p)
		sep += "---|"
	}
	head += " decode tok/s | decode CPU s/token (first runs) | weights GB/token | 4 streams tok/s (sum) | peak RSS GB | paired: bandwidth GB/s, decode tok/s | ceiling tok/s | % of ceiling |"
	sep += "---|---|---|---|---|---|---|---|"
	fmt.Println(head)
	fmt.Println(sep)
	for _, r := range rs {
		line := fmt.Sprintf("| %s | %s | %.2f | %.2f | %.2f |", r.Format, r.Kernels, r.LoadSeconds, r.QuantizeSeconds, r.FirstTokenSeconds)
		for _, p := range prompts {
			line += fmt.Sprintf(" %.1f |", r.PromptTokS[strconv.Itoa(p)])
		}
		ceiling := r.PairedBW / float64(r.WeightBytes)
		line += fmt.Sprintf(" %.2f | %.3f | %.2f | %.2f | %.2f | %.1f, %.2f | %.1f | %.0f %% |", r.DecodeTokS, r.DecodeCPUPerTok, float64(r.WeightBytes)/1e9,
			r.Batch4TokS, float64(r.PeakRSS)/1e9, r.PairedBW/1e9, r.PairedTokS, ceiling, 100*r.PairedTokS/ceiling)
		fmt.Println(line)
	}
	fmt.Println()
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func pressure() string {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return "unavailable"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}
