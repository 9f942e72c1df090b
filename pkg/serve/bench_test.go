package serve_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/serve"
)

// BenchmarkServeConcurrent measures aggregate generated tokens/s through
// the HTTP server (non-streamed requests, EOS banned, 64 tokens each) at
// several concurrencies on the tiny model.
func BenchmarkServeConcurrent(b *testing.B) {
	t := &testing.T{}
	eng := tinyEngine(t, "llm/v1/chat")
	var ban []string
	for _, id := range eng.DefaultParams().EOS {
		ban = append(ban, fmt.Sprintf(`"%d":-100`, id))
	}
	body := `{"messages":[{"role":"user","content":"Hi"}],"temperature":0,"max_tokens":64,"logit_bias":{` + strings.Join(ban, ",") + `}}`
	for _, c := range []int{1, 2, 4, 8} {
		b.Run("streams="+strconv.Itoa(c), func(b *testing.B) {
			srv := serve.New(serve.Config{Parallel: 8})
			srv.SetBackend(serve.FromRuntime(eng))
			hs := &http.Server{Handler: srv.Handler()}
			url := startHTTPB(b, hs)
			defer srv.Close()
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				for range c {
					wg.Add(1)
					go func() {
						defer wg.Done()
						resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(64*c*b.N)/b.Elapsed().Seconds(), "tok/s")
			b.StopTimer()
			steps, seqs := scrape(b, url, "mlpack_decode_steps_total"), scrape(b, url, "mlpack_decode_sequences_total")
			b.ReportMetric(seqs/steps, "seqs/step")
			b.ReportMetric(scrape(b, url, "mlpack_scheduler_wait_timeouts_total")/float64(b.N), "timeouts/op")
		})
	}
}

func scrape(b *testing.B, url, name string) float64 {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
