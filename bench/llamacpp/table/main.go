// Command table prints the side-by-side markdown table of bench/llamacpp.sh
// from two JSON-lines files: llama-driver's lines and bench/decode -child's
// lines, paired by format (F32↔f32, BF16↔bf16, Q8_0↔int8).
//
//	go run ./bench/llamacpp/table -llama llama.jsonl -mlpack mlpack.jsonl [-prompts 128,512]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// llamaResult is one llama-driver line; pp<N> keys are read from raw.
type llamaResult struct {
	Format string  `json:"format"`
	TG     float64 `json:"tg"`
	LoadS  float64 `json:"load_s"`
	RSSGB  float64 `json:"peak_rss_gb"`
	raw    map[string]any
}

// mlpackResult holds the fields of a bench/decode -child line used here.
type mlpackResult struct {
	Format     string             `json:"format"`
	Kernels    string             `json:"kernels"`
	LoadS      float64            `json:"load_s"`
	PromptTokS map[string]float64 `json:"prompt_tok_s"`
	DecodeTokS float64            `json:"decode_tok_s"`
	PeakRSS    int64              `json:"peak_rss_bytes"`
}

// pairs maps llama.cpp's format names onto mlpack's.
var pairs = [][2]string{{"f32", "f32"}, {"bf16", "bf16"}, {"q8_0", "int8"}}

func main() {
	llamaPath := flag.String("llama", "", "llama-driver JSON lines")
	mlpackPath := flag.String("mlpack", "", "bench/decode -child JSON lines")
	prompts := flag.String("prompts", "128,512", "prompt lengths measured")
	flag.Parse()
	if *llamaPath == "" || *mlpackPath == "" {
		fmt.Fprintln(os.Stderr, "usage: table -llama FILE -mlpack FILE [-prompts 128,512]")
		os.Exit(2)
	}
	if err := run(os.Stdout, *llamaPath, *mlpackPath, strings.Split(*prompts, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, llamaPath, mlpackPath string, prompts []string) error {
	ll := map[string]llamaResult{}
	err := eachLine(llamaPath, func(b []byte) error {
		var r llamaResult
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if err := json.Unmarshal(b, &r.raw); err != nil {
			return err
		}
		key := strings.ToLower(r.Format)
		if prev, ok := ll[key]; ok {
			r = prev.merge(r)
		}
		ll[key] = r
		return nil
	})
	if err != nil {
		return err
	}
	ml := map[string]mlpackResult{}
	err = eachLine(mlpackPath, func(b []byte) error {
		var r mlpackResult
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		key := strings.ToLower(r.Format)
		if prev, ok := ml[key]; ok {
			r = prev.merge(r)
		}
		ml[key] = r
		return nil
	})
	if err != nil {
		return err
	}
	head := "| format |"
	sep := "|---|"
	for _, side := range []string{"llama.cpp", "mlpack"} {
		for _, p := range prompts {
			head += fmt.Sprintf(" %s pp%s |", side, strings.TrimSpace(p))
			sep += "---|"
		}
		head += fmt.Sprintf(" %s tg | %s load s | %s RSS GB |", side, side, side)
		sep += "---|---|---|"
	}
	head += " mlpack ÷ llama.cpp: "
	for _, p := range prompts {
		head += "pp" + strings.TrimSpace(p) + ", "
	}
	head += "tg |"
	sep += "---|"
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	for _, pr := range pairs {
		l, lok := ll[pr[0]]
		m, mok := ml[pr[1]]
		if !lok && !mok {
			continue
		}
		line := fmt.Sprintf("| %s / %s |", strings.ToUpper(pr[0]), pr[1])
		var ratios []string
		for _, p := range prompts {
			line += cell(lok, l.pp(p))
		}
		line += cell(lok, l.TG) + cell(lok, l.LoadS) + cell(lok, l.RSSGB)
		for _, p := range prompts {
			v := m.PromptTokS[strings.TrimSpace(p)]
			line += cell(mok, v)
			ratios = append(ratios, ratio(lok && mok, v, l.pp(p)))
		}
		line += cell(mok, m.DecodeTokS) + cell(mok, m.LoadS) + cell(mok, float64(m.PeakRSS)/1e9)
		ratios = append(ratios, ratio(lok && mok, m.DecodeTokS, l.TG))
		line += " " + strings.Join(ratios, ", ") + " |"
		fmt.Fprintln(w, line)
	}
	return nil
}

// merge combines two runs of one format (rounds of the benchmark taken in
// turn with the other engine, so each side gets the machine's good and bad
// minutes alike): the best speed of each kind, the shortest load, the
// largest peak RSS.
func (l llamaResult) merge(o llamaResult) llamaResult {
	for k, v := range o.raw {
		if f, ok := v.(float64); ok && strings.HasPrefix(k, "pp") {
			if cur, _ := l.raw[k].(float64); f > cur {
				l.raw[k] = f
			}
		}
	}
	l.TG, l.LoadS, l.RSSGB = max(l.TG, o.TG), min(l.LoadS, o.LoadS), max(l.RSSGB, o.RSSGB)
	return l
}

func (m mlpackResult) merge(o mlpackResult) mlpackResult {
	for k, v := range o.PromptTokS {
		m.PromptTokS[k] = max(m.PromptTokS[k], v)
	}
	m.DecodeTokS, m.LoadS, m.PeakRSS = max(m.DecodeTokS, o.DecodeTokS), min(m.LoadS, o.LoadS), max(m.PeakRSS, o.PeakRSS)
	return m
}

func (l llamaResult) pp(p string) float64 {
	v, _ := l.raw["pp"+strings.TrimSpace(p)].(float64)
	return v
}

func cell(ok bool, v float64) string {
	if !ok {
		return " – |"
	}
	return " " + strconv.FormatFloat(v, 'f', 2, 64) + " |"
}

func ratio(ok bool, a, b float64) string {
	if !ok || b == 0 {
		return "–"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}

func eachLine(path string, f func([]byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		if err := f(b); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
	}
	return sc.Err()
}
