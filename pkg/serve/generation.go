package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// job is one choice to generate.
type job struct {
	prompt []int
	params generate.Params
	maxLen int
}

// mergeParams lays the request's sampling fields over the model defaults.
func mergeParams(def generate.Params, sp openai.Sampling, choice int) generate.Params {
	p := def
	if sp.MaxTokens != nil {
		p.MaxTokens = *sp.MaxTokens
	}
	if sp.Temperature != nil {
		p.Temperature = *sp.Temperature
	}
	if sp.TopP != nil {
		p.TopP = *sp.TopP
	}
	if sp.TopK != nil {
		p.TopK = *sp.TopK
	}
	switch {
	case sp.Seed != nil:
		seed := uint64(*sp.Seed) + uint64(choice) // choice i of n gets seed+i
		p.Seed = &seed
	case def.Seed != nil: // a seed in the model's config
		seed := *def.Seed + uint64(choice)
		p.Seed = &seed
	}
	if len(sp.Stop) > 0 {
		p.Stop = append([]string(nil), sp.Stop...)
	}
	p.PresencePenalty, p.FrequencyPenalty = sp.PresencePenalty, sp.FrequencyPenalty
	if len(sp.LogitBias) > 0 {
		p.LogitBias = make(map[int]float32, len(def.LogitBias)+len(sp.LogitBias))
		for id, v := range def.LogitBias {
			p.LogitBias[id] = v
		}
		for id, v := range sp.LogitBias {
			p.LogitBias[id] = float32(v)
		}
	}
	p.Logprobs, p.TopLogprobs = sp.Logprobs, sp.TopLogprobs
	return p
}

// plan checks a prompt against the context and returns its job: the
// sequence holds the prompt plus max_tokens, clamped to the context (the
// generation then ends with "length").
func plan(info ModelInfo, prompt []int, p generate.Params, sp openai.Sampling) (job, *openai.Error) {
	nCtx := info.ContextSize
	if len(prompt) == 0 {
		return job{}, openai.BadRequest("prompt", "the prompt is empty after tokenization")
	}
	if len(prompt) >= nCtx {
		return job{}, openai.ContextExceeded(len(prompt), nCtx)
	}
	for id := range sp.LogitBias {
		if info.VocabSize > 0 && id >= info.VocabSize {
			return job{}, openai.BadRequest("logit_bias", "'logit_bias' names token %d, outside the vocabulary of %d tokens", id, info.VocabSize)
		}
	}
	maxLen := nCtx
	if p.MaxTokens > 0 && len(prompt)+p.MaxTokens < nCtx {
		maxLen = len(prompt) + p.MaxTokens
	}
	return job{prompt: prompt, params: p, maxLen: maxLen}, nil
}

// runJobs generates every job concurrently (they batch together on the
// scheduler). onEvent and onDone (either may be nil) are called from
// several goroutines; onDone when job i has finished. The first error
// cancels the other jobs.
func (s *Server) runJobs(ctx context.Context, sched *scheduler, b Backend, jobs []job, start time.Time,
	onEvent func(i int, ev generate.Event) error, onDone func(i int, res *generate.Result) error) ([]*generate.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]*generate.Result, len(jobs))
	errs := make([]error, len(jobs))
	var firstToken sync.Once
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := sched.generate(ctx, b.NewDecoder(j.prompt), j.prompt, j.maxLen, j.params, func(ev generate.Event) error {
				firstToken.Do(func() { s.stats.observeTTFT(time.Since(start)) })
				if onEvent != nil {
					return onEvent(i, ev)
				}
				return nil
			})
			if err == nil && onDone != nil {
				err = onDone(i, res)
			}
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			results[i] = res
			s.stats.observeGeneration(0, res.CompletionTokens, res.Timings.Decode)
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		s.stats.promptTokens.Add(int64(len(j.prompt)))
	}
	// Report the root cause, not the cancellations it caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled) && !errors.Is(err, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		if ctx.Err() != nil && errors.Is(first, context.Canceled) {
			s.stats.cancelled.Add(1)
		}
		return nil, first
	}
	return results, nil
}

// genError is generationError that names a shutdown as the cause when
// Close cancelled the request.
func (s *Server) genError(err error, timeout time.Duration) *openai.Error {
	s.log.Info("generation ended with an error", "error", err.Error(), "shutting_down", s.shuttingDown())
	if s.shuttingDown() && (errors.Is(err, context.Canceled) || errors.Is(err, ErrSchedulerStopped)) {
		return openai.ShuttingDown()
	}
	return generationError(err, timeout)
}

// generationError maps an error from a generation to an API error.
func generationError(err error, timeout time.Duration) *openai.Error {
	var ce *generate.ContextError
	switch {
	case errors.As(err, &ce):
		return openai.ContextExceeded(ce.PromptTokens, ce.ContextSize)
	case errors.Is(err, generate.ErrInvalidParams):
		return openai.BadRequest("", "%v", clientText(err))
	case errors.Is(err, context.DeadlineExceeded):
		return &openai.Error{Status: http.StatusGatewayTimeout, Type: openai.TypeServer, Code: "timeout",
			Message: fmt.Sprintf("request processing time exceeded the server's limit of %s (--timeout)", timeout)}
	case errors.Is(err, context.Canceled), errors.Is(err, ErrSchedulerStopped):
		return openai.Overloaded(http.StatusServiceUnavailable, "the generation was cancelled (client gone or server shutting down)")
	}
	return openai.Internal("generation failed: %v", clientText(err))
}

// toLogprobs converts generator logprobs to the wire's token strings.
func toLogprobs(b Backend, lps []generate.TokenLogprob) []openai.TokenLogprob {
	out := make([]openai.TokenLogprob, len(lps))
	for i, lp := range lps {
		out[i] = toLogprob(b, lp)
	}
	return out
}

func toLogprob(b Backend, lp generate.TokenLogprob) openai.TokenLogprob {
	t := openai.TokenLogprob{Token: b.TokenPiece(lp.ID), Bytes: b.TokenBytes(lp.ID), Logprob: float64(lp.Logprob)}
	for _, alt := range lp.Top {
		t.Top = append(t.Top, openai.TopLogprob{Token: b.TokenPiece(alt.ID), Bytes: b.TokenBytes(alt.ID), Logprob: float64(alt.Logprob)})
	}
	return t
}
