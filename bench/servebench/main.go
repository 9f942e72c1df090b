// Command servebench measures `mlpack serve` against the same model run in
// process (the path `mlpack predict` takes): single-stream decode tokens/s
// through the server versus direct, aggregate tokens/s at several
// concurrencies, p50/p95 time to first token, and the server's peak RSS.
//
//	go run ./bench/servebench -bundle BUNDLE -url http://127.0.0.1:5000 -pid PID
//
// bench/serve.sh builds mlpack, starts the server and runs this.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime"
	"github.com/mlpack-go/mlpack/pkg/runtime/task"
)

func main() {
	bundle := flag.String("bundle", "", "bundle the server serves (for the in-process comparison and EOS ids)")
	url := flag.String("url", "http://127.0.0.1:5000", "server base URL")
	pid := flag.Int("pid", 0, "server process id, for its peak RSS")
	tokens := flag.Int("tokens", 128, "tokens to generate per request")
	levels := flag.String("concurrency", "1,2,4,8", "concurrency levels")
	rounds := flag.Int("rounds", 2, "requests per client at each level")
	threads := flag.Int("threads", 0, "threads for the in-process run (0: all cores)")
	flag.Parse()
	if err := run(*bundle, *url, *pid, *tokens, *levels, *rounds, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		os.Exit(1)
	}
}

func run(bundle, url string, pid, tokens int, levels string, rounds, threads int) error {
	ctx := context.Background()
	eng, err := runtime.Load(ctx, bundle, runtime.Options{Threads: threads})
	if err != nil {
		return err
	}
	msgs := []task.Message{{Role: "user", Content: "Write a long story about the sea."}}
	prep, err := eng.Prepare(task.Request{Messages: msgs})
	if err != nil {
		return err
	}
	p := eng.DefaultParams()
	p.Temperature, p.MaxTokens = 0, tokens
	bias := map[string]int{}
	p.LogitBias = map[int]float32{}
	for _, id := range p.EOS {
		p.LogitBias[id] = -100
		bias[strconv.Itoa(id)] = -100
	}
	// The in-process run shares the machine with nothing else of ours; it
	// is measured before and after the server runs (other load on a
	// shared machine moves the numbers), and the better one is reported.
	direct := func() (float64, float64, error) {
		res, err := eng.Generate(ctx, prep, p, nil)
		if err != nil {
			return 0, 0, err
		}
		return res.Timings.DecodeTokensPerSecond(res.CompletionTokens - 1), res.Timings.PromptTokensPerSecond(len(prep.IDs)), nil
	}
	if _, _, err := direct(); err != nil { // warm up
		return err
	}
	before, prefill, err := direct()
	if err != nil {
		return err
	}
	fmt.Printf("model %s, context %d, prompt %d tokens, %d generated tokens per request\n", eng.ModelName(), eng.ContextSize(), len(prep.IDs), tokens)
	defer func() {
		after, _, err := direct()
		if err == nil {
			fmt.Printf("in-process (predict path) single-stream decode: %.1f tok/s before the server runs, %.1f after (prefill %.1f tok/s)\n",
				before, after, prefill)
		}
		eng.Close()
	}()

	body, _ := json.Marshal(map[string]any{
		"messages": []map[string]string{{"role": "user", "content": "Write a long story about the sea."}},
		"stream":   true, "stream_options": map[string]bool{"include_usage": true},
		"temperature": 0, "max_tokens": tokens, "logit_bias": bias,
	})
	if _, err := stream(url, body); err != nil { // warm up
		return err
	}
	fmt.Printf("%-12s %14s %16s %12s %12s %8s\n", "concurrency", "aggregate t/s", "per-stream t/s", "TTFT p50", "TTFT p95", "errors")
	for _, f := range strings.Split(levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return err
		}
		var mu sync.Mutex
		var ttfts []time.Duration
		var perStream []float64
		total, errs := 0, 0
		start := time.Now()
		var wg sync.WaitGroup
		for range c {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					r, err := stream(url, body)
					mu.Lock()
					if err != nil {
						errs++
					} else {
						ttfts = append(ttfts, r.ttft)
						total += r.tokens
						perStream = append(perStream, r.decodeRate)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		wall := time.Since(start)
		sort.Slice(ttfts, func(i, j int) bool { return ttfts[i] < ttfts[j] })
		fmt.Printf("%-12d %14.1f %16.1f %12s %12s %8d\n", c, float64(total)/wall.Seconds(), mean(perStream),
			pct(ttfts, 0.5).Round(time.Millisecond), pct(ttfts, 0.95).Round(time.Millisecond), errs)
	}
	if pid > 0 {
		fmt.Printf("server peak RSS: %s\n", peakRSS(pid))
	}
	return nil
}

type result struct {
	ttft       time.Duration
	tokens     int
	decodeRate float64
}

// stream runs one streamed chat request and times its chunks.
func stream(url string, body []byte) (result, error) {
	start := time.Now()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(string(body)))
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return result{}, fmt.Errorf("status %d", resp.StatusCode)
	}
	var r result
	var first, last time.Time
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: {") {
			continue
		}
		var c struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
			Usage *struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(line[6:]), &c); err != nil {
			return r, err
		}
		if c.Usage != nil {
			r.tokens = c.Usage.CompletionTokens
		}
		if len(c.Choices) > 0 && c.Choices[0].Delta.Content != "" {
			now := time.Now()
			if first.IsZero() {
				first = now
				r.ttft = now.Sub(start)
			}
			last = now
		}
	}
	if r.tokens > 1 && last.After(first) {
		r.decodeRate = float64(r.tokens-1) / last.Sub(first).Seconds()
	}
	return r, sc.Err()
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
