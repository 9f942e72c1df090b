package serve

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mlpack-go/mlpack/pkg/runtime/generate"
	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// fingerprint identifies the serving build in system_fingerprint.
func (s *Server) fingerprint() string {
	return "fp_mlpack_" + strings.ReplaceAll(s.cfg.Version, " ", "_")
}

// handleChat serves /v1/chat/completions. Validation, templating,
// tokenization and the context check all happen before a 200 is written.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	b, sched, e := s.current()
	var body []byte
	if e == nil {
		body, e = readBody(r)
	}
	var req *openai.ChatRequest
	if e == nil {
		var err error
		if req, err = openai.DecodeChatRequest(body, s.cfg.Limits); err != nil {
			e = asOpenAI(err)
		}
	}
	if e == nil {
		e = s.checkModel(b, req.Model)
	}
	var jobs []job
	promptTokens := 0
	if e == nil {
		prompt, err := b.ChatPrompt(req.Messages)
		if err != nil {
			s.log.Info("chat prompt refused", "path", r.URL.Path, "error", err.Error())
			e = templateError(err)
		} else {
			promptTokens = len(prompt)
			for i := 0; i < req.N && e == nil; i++ {
				var j job
				j, e = plan(b.Info(), prompt, mergeParams(b.Defaults(), req.Sampling, i), req.Sampling)
				jobs = append(jobs, j)
			}
		}
	}
	if e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	meta := openai.Meta{ID: newID("chatcmpl-"), Created: start.Unix(), Model: b.Info().ID, SystemFingerprint: s.fingerprint()}
	cs := openai.ChatStream{Meta: meta, IncludeUsage: req.IncludeUsage}
	f := format{
		role: func(i int) any { return cs.Role(i) },
		content: func(i int, text string, lps []openai.TokenLogprob, _ int) any {
			return cs.Content(i, text, lps, req.Sampling.Logprobs)
		},
		finish: func(i int, reason string) any { return cs.Finish(i, reason) },
		usage:  func(u openai.Usage) any { return cs.Usage(u) },
		whole: func(rs []openai.Result, u openai.Usage) any {
			return openai.ToChatCompletion(meta, rs, req.Sampling.Logprobs, u)
		},
	}
	s.serveJobs(w, r, start, b, sched, jobs, promptTokens, req.Stream, req.IncludeUsage, req.Sampling.Logprobs, f)
}

// handleCompletions serves /v1/completions; choice p*n+j is the j-th
// completion of prompt p.
func (s *Server) handleCompletions(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	b, sched, e := s.current()
	var body []byte
	if e == nil {
		body, e = readBody(r)
	}
	var req *openai.CompletionRequest
	if e == nil {
		var err error
		if req, err = openai.DecodeCompletionRequest(body, s.cfg.Limits); err != nil {
			e = asOpenAI(err)
		}
	}
	if e == nil {
		e = s.checkModel(b, req.Model)
	}
	var jobs []job
	promptTokens := 0
	for pi := 0; e == nil && req != nil && pi < len(req.Prompts); pi++ {
		pr := req.Prompts[pi]
		prompt := pr.Tokens
		if prompt == nil {
			var err error
			if prompt, err = b.TextPrompt(pr.Text); err != nil {
				s.log.Info("prompt refused", "path", r.URL.Path, "error", err.Error())
				e = openai.BadRequest("prompt", "tokenizing the prompt: %v", clientText(err))
				break
			}
		} else if v := b.Info().VocabSize; v > 0 {
			for _, id := range prompt {
				if id < 0 || id >= v {
					e = openai.BadRequest("prompt", "token id %d is outside the vocabulary (0..%d)", id, v-1)
				}
			}
		}
		promptTokens += len(prompt)
		for i := 0; i < req.N && e == nil; i++ {
			var j job
			j, e = plan(b.Info(), prompt, mergeParams(b.Defaults(), req.Sampling, i), req.Sampling)
			jobs = append(jobs, j)
		}
	}
	if e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	meta := openai.Meta{ID: newID("cmpl-"), Created: start.Unix(), Model: b.Info().ID, SystemFingerprint: s.fingerprint()}
	cs := openai.CompletionStream{Meta: meta, IncludeUsage: req.IncludeUsage}
	f := format{
		content: func(i int, text string, lps []openai.TokenLogprob, offset int) any {
			return cs.Text(i, text, lps, req.Sampling.Logprobs, offset)
		},
		finish: func(i int, reason string) any { return cs.Finish(i, reason) },
		usage:  func(u openai.Usage) any { return cs.Usage(u) },
		whole: func(rs []openai.Result, u openai.Usage) any {
			return openai.ToCompletion(meta, rs, req.Sampling.Logprobs, u)
		},
	}
	s.serveJobs(w, r, start, b, sched, jobs, promptTokens, req.Stream, req.IncludeUsage, req.Sampling.Logprobs, f)
}

// templateError is a 400 when the template refused the conversation
// (raise_exception, no chat template) and a 500 when the template failed.
func templateError(err error) *openai.Error {
	if errors.Is(err, ErrInvalidInput) {
		return openai.BadRequest("messages", "%v", clientText(err))
	}
	return openai.Internal("applying the chat template: %v", clientText(err))
}

// format builds one endpoint's stream chunks and whole response.
type format struct {
	role    func(i int) any // nil: no role chunk (completions)
	content func(i int, text string, lps []openai.TokenLogprob, offset int) any
	finish  func(i int, reason string) any
	usage   func(u openai.Usage) any
	whole   func(rs []openai.Result, u openai.Usage) any
}

// serveJobs admits the request, runs its jobs and writes the response,
// streamed or whole.
func (s *Server) serveJobs(w http.ResponseWriter, r *http.Request, start time.Time, b Backend, sched *scheduler,
	jobs []job, promptTokens int, stream, includeUsage, withLogprobs bool, f format) {
	timeout := s.cfg.Timeout
	if stream {
		timeout = 0 // a stream shows progress; the client decides when to give up
	}
	ctx, cancel := s.requestContext(r, timeout)
	defer cancel()
	release, e := s.acquire(ctx, len(jobs))
	if e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	defer release()

	usage := func(rs []*generate.Result) openai.Usage {
		c := 0
		for _, res := range rs {
			c += res.CompletionTokens
		}
		return openai.NewUsage(promptTokens, c)
	}
	if !stream {
		rs, err := s.runJobs(ctx, sched, b, jobs, start, nil, nil)
		if err != nil {
			ge := s.genError(err, timeout)
			s.retryAfter(w, ge.Status)
			writeOpenAIError(w, ge)
			return
		}
		out := make([]openai.Result, len(rs))
		for i, res := range rs {
			out[i] = openai.Result{Text: res.Text, FinishReason: res.FinishReason}
			if withLogprobs {
				out[i].Logprobs = toLogprobs(b, res.Logprobs)
			}
		}
		writeJSON(w, http.StatusOK, f.whole(out, usage(rs)))
		return
	}

	sse := startSSE(w, s.cfg.KeepAlive)
	defer sse.close()
	if f.role != nil {
		for i := range jobs {
			if err := sse.send(f.role(i)); err != nil {
				return
			}
		}
	}
	type pending struct {
		lps    []openai.TokenLogprob
		offset int
		sent   int // logprob entries received from events
	}
	var mu sync.Mutex
	pend := make([]pending, len(jobs))
	rs, err := s.runJobs(ctx, sched, b, jobs, start, func(i int, ev generate.Event) error {
		mu.Lock()
		p := &pend[i]
		if withLogprobs && ev.Logprob != nil {
			p.lps = append(p.lps, toLogprob(b, *ev.Logprob))
			p.sent++
		}
		if ev.Text == "" {
			mu.Unlock()
			return nil
		}
		chunk := f.content(i, ev.Text, p.lps, p.offset)
		p.lps = nil
		p.offset += utf8.RuneCountInString(ev.Text)
		mu.Unlock()
		return sse.send(chunk)
	}, func(i int, res *generate.Result) error {
		mu.Lock()
		p := pend[i]
		pend[i].lps = nil
		mu.Unlock()
		if withLogprobs && p.sent < len(res.Logprobs) {
			// Entries the events did not carry (the EOS token, which has
			// no text): the stream lists every entry the whole reply does.
			p.lps = append(p.lps, toLogprobs(b, res.Logprobs[p.sent:])...)
		}
		if len(p.lps) > 0 { // tokens whose text was held back (a stop sequence)
			if err := sse.send(f.content(i, "", p.lps, p.offset)); err != nil {
				return err
			}
		}
		return sse.send(f.finish(i, res.FinishReason)) // each choice ends as soon as it is done
	})
	if err != nil {
		if r.Context().Err() == nil { // the client is still there to read it
			_ = sse.raw(openai.ErrorEvent(s.genError(err, 0)))
		}
		return
	}
	if includeUsage {
		if err := sse.send(f.usage(usage(rs))); err != nil {
			return
		}
	}
	_ = sse.raw(openai.Done)
}
