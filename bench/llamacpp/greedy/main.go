// Command greedy prints the greedy (argmax) continuation mlpack's Llama
// forward pass produces for a prompt of token ids, as one JSON line
// {"greedy":[...]} in the same shape llama-driver -greedy prints; with
// -against it also compares with such a line from llama.cpp and reports how
// many of the ids agree. Used by bench/llamacpp.sh for the cross-check.
//
//	go run ./bench/llamacpp/greedy -model DIR -prompt 1,2,3 -n 32 [-against '{"greedy":[...]}']
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/mlpack-go/mlpack/pkg/runtime/llama"
)

// ids is the JSON line both sides print: the greedy ids and the largest
// logits after the prompt.
type ids struct {
	Greedy []int   `json:"greedy"`
	Top    []logit `json:"top,omitempty"`
}

type logit struct {
	ID    int     `json:"id"`
	Logit float32 `json:"logit"`
}

func main() {
	model := flag.String("model", "", "Hugging Face Llama folder")
	prompt := flag.String("prompt", "1", "comma-separated prompt token ids")
	n := flag.Int("n", 32, "tokens to generate")
	threads := flag.Int("threads", 2, "worker goroutines")
	against := flag.String("against", "", `a {"greedy":[...]} JSON line to compare with (llama-driver -greedy output)`)
	flag.Parse()
	if *model == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: greedy -model DIR -prompt 1,2,3 [-n 32] [-against JSON]")
		os.Exit(2)
	}
	var p []int
	for _, s := range strings.Split(*prompt, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fmt.Fprintf(os.Stderr, "greedy: bad -prompt id %q\n", s)
			os.Exit(2)
		}
		p = append(p, id)
	}
	got, first, err := generate(context.Background(), *model, *threads, p, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "greedy:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(ids{Greedy: got, Top: top(first, 8)})
	fmt.Println(string(b))
	if *against == "" {
		return
	}
	var other ids
	if err := json.Unmarshal([]byte(*against), &other); err != nil {
		fmt.Fprintln(os.Stderr, "greedy: parsing -against:", err)
		os.Exit(1)
	}
	same, firstDiff := 0, -1
	for i := range min(len(got), len(other.Greedy)) {
		if got[i] == other.Greedy[i] {
			same++
		} else if firstDiff < 0 {
			firstDiff = i
		}
	}
	fmt.Printf("greedy ids agreeing: %d of %d (first difference at step %d; -1 = none)\n", same, len(got), firstDiff)
	var maxDiff, maxAbs float64
	for _, t := range other.Top {
		if t.ID < 0 || t.ID >= len(first) {
			continue
		}
		maxDiff = max(maxDiff, math.Abs(float64(first[t.ID]-t.Logit)))
		maxAbs = max(maxAbs, math.Abs(float64(t.Logit)))
	}
	if len(other.Top) > 0 {
		fmt.Printf("logits after the prompt at llama.cpp's top %d ids: max |mlpack - llama.cpp| = %.3g (largest |logit| %.3g)\n", len(other.Top), maxDiff, maxAbs)
	}
}

// top returns the k largest logits, largest first.
func top(l []float32, k int) []logit {
	var out []logit
	for i, v := range l {
		if len(out) < k || v > out[len(out)-1].Logit {
			if len(out) == k {
				out = out[:k-1]
			}
			j := len(out)
			for j > 0 && out[j-1].Logit < v {
				j--
			}
			out = append(out[:j], append([]logit{{i, v}}, out[j:]...)...)
		}
	}
	return out
}

// generate runs the prompt, then n steps each feeding back the argmax; it
// returns the ids and a copy of the logits the prompt produced.
func generate(ctx context.Context, dir string, threads int, prompt []int, n int) ([]int, []float32, error) {
	m, err := llama.Load(dir, llama.Options{Threads: threads})
	if err != nil {
		return nil, nil, err
	}
	defer m.Close()
	s := m.NewSession(len(prompt) + n + 1)
	logits, err := s.Forward(ctx, prompt)
	if err != nil {
		return nil, nil, err
	}
	first := append([]float32(nil), logits...)
	out := make([]int, 0, n)
	for range n {
		best := 0
		for i, v := range logits {
			if v > logits[best] {
				best = i
			}
		}
		out = append(out, best)
		if logits, err = s.Forward(ctx, []int{best}); err != nil {
			return nil, nil, err
		}
	}
	return out, first, nil
}
