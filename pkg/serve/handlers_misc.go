package serve

import (
	"net/http"
	"path"

	"github.com/mlpack-go/mlpack/pkg/serve/openai"
)

// handleHealth is MLflow's /ping and /health: 200 with body "\n" once the
// model is loaded, 503 while loading or draining (so load balancers stop
// sending work before the drain).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if _, _, e := s.current(); e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("\n"))
}

// handleVersion answers the version string, raw, as MLflow does.
func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s.cfg.Version))
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.stats.write(w)
}

func (s *Server) modelObject(b Backend) openai.Model {
	info := b.Info()
	owner := info.OwnedBy
	if owner == "" {
		owner = "mlpack"
	}
	return openai.Model{ID: info.ID, Object: "model", Created: info.Created, OwnedBy: owner,
		Meta: openai.ModelMeta{NCtx: info.ContextSize, NCtxTrain: info.ContextSize, NVocab: info.VocabSize, Task: info.Task}}
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	b, _, e := s.current()
	if e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, openai.ToModelList(s.modelObject(b)))
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	b, _, e := s.current()
	if e != nil {
		s.retryAfter(w, e.Status)
		writeOpenAIError(w, e)
		return
	}
	if e := s.lookupModel(b, r.PathValue("id")); e != nil {
		writeOpenAIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.modelObject(b))
}

// checkModel checks a generation request's "model". A single-model
// server answers any name with its model, as llama.cpp does (LangChain
// sends "gpt-3.5-turbo" by default); responses carry the served id. With
// Config.StrictModel only "", the served id or its last path element
// ("tiny-chat" for "mlpack/tiny-chat") pass, and anything else is a 404
// (vLLM's behaviour).
func (s *Server) checkModel(b Backend, name string) *openai.Error {
	if !s.cfg.StrictModel {
		return nil
	}
	return s.lookupModel(b, name)
}

// lookupModel matches name against the served model, as GET
// /v1/models/{id} does (a lookup of an unknown id is a 404 in either mode).
func (s *Server) lookupModel(b Backend, name string) *openai.Error {
	id := b.Info().ID
	if name == "" || name == id || name == path.Base(id) {
		return nil
	}
	e := openai.NotFound("the model %q does not exist; this server serves %q (see /v1/models)", name, id)
	e.Param, e.Code = "model", "model_not_found"
	return e
}

func (s *Server) handleTokenize(w http.ResponseWriter, r *http.Request) {
	b, body, e := s.readReady(w, r)
	if e != nil {
		return
	}
	req, err := openai.DecodeTokenize(body)
	if err != nil {
		writeOpenAIError(w, asOpenAI(err))
		return
	}
	ids, err := b.Tokenize(req.Content, req.AddSpecial)
	if err != nil {
		writeOpenAIError(w, openai.BadRequest("content", "tokenizing: %v", clientText(err)))
		return
	}
	if !req.WithPieces {
		writeJSON(w, http.StatusOK, openai.TokenizeResponse{Tokens: ids})
		return
	}
	pieces := make([]openai.TokenPiece, len(ids))
	for i, id := range ids {
		pieces[i] = openai.TokenPiece{ID: id, Piece: b.TokenPiece(id)}
	}
	writeJSON(w, http.StatusOK, openai.TokenizeResponse{Tokens: pieces})
}

func (s *Server) handleDetokenize(w http.ResponseWriter, r *http.Request) {
	b, body, e := s.readReady(w, r)
	if e != nil {
		return
	}
	req, err := openai.DecodeDetokenize(body)
	if err != nil {
		writeOpenAIError(w, asOpenAI(err))
		return
	}
	vocab := b.Info().VocabSize
	for i, id := range req.Tokens {
		if id < 0 || (vocab > 0 && id >= vocab) {
			writeOpenAIError(w, openai.BadRequest("tokens", "tokens[%d] = %d is outside the vocabulary (0..%d)", i, id, vocab-1))
			return
		}
	}
	text, err := b.Detokenize(req.Tokens)
	if err != nil {
		writeOpenAIError(w, openai.BadRequest("tokens", "detokenizing: %v", clientText(err)))
		return
	}
	writeJSON(w, http.StatusOK, openai.DetokenizeResponse{Content: text})
}

func (s *Server) handleApplyTemplate(w http.ResponseWriter, r *http.Request) {
	b, body, e := s.readReady(w, r)
	if e != nil {
		return
	}
	msgs, err := openai.DecodeApplyTemplate(body)
	if err != nil {
		writeOpenAIError(w, asOpenAI(err))
		return
	}
	prompt, err := b.RenderChat(msgs)
	if err != nil {
		writeOpenAIError(w, templateError(err))
		return
	}
	writeJSON(w, http.StatusOK, openai.ApplyTemplateResponse{Prompt: prompt})
}

// readReady returns the backend and the body, or writes the error.
func (s *Server) readReady(w http.ResponseWriter, r *http.Request) (Backend, []byte, *openai.Error) {
	b, _, e := s.current()
	if e == nil {
		var body []byte
		body, e = readBody(r)
		if e == nil {
			return b, body, nil
		}
	}
	s.retryAfter(w, e.Status)
	writeOpenAIError(w, e)
	return nil, nil, e
}

// asOpenAI turns a decode error into an *openai.Error.
func asOpenAI(err error) *openai.Error {
	if e, ok := err.(*openai.Error); ok {
		return e
	}
	return openai.BadRequest("", "%v", clientText(err))
}
