package openai

import "encoding/json"

// TokenizeRequest is llama.cpp's /tokenize body.
type TokenizeRequest struct {
	Content    string `json:"content"`
	AddSpecial bool   `json:"add_special"`
	WithPieces bool   `json:"with_pieces"`
}

// TokenPiece is one token with its text, for with_pieces.
type TokenPiece struct {
	ID    int    `json:"id"`
	Piece string `json:"piece"`
}

// TokenizeResponse is {"tokens": [ids]} or, with pieces, {"tokens": [{id, piece}]}.
type TokenizeResponse struct {
	Tokens any `json:"tokens"`
}

// DetokenizeRequest is llama.cpp's /detokenize body.
type DetokenizeRequest struct {
	Tokens []int `json:"tokens"`
}

// DetokenizeResponse is {"content": text}.
type DetokenizeResponse struct {
	Content string `json:"content"`
}

// ApplyTemplateResponse is {"prompt": rendered}.
type ApplyTemplateResponse struct {
	Prompt string `json:"prompt"`
}

// DecodeTokenize parses a /tokenize body.
func DecodeTokenize(body []byte) (TokenizeRequest, error) {
	var r TokenizeRequest
	if _, err := decodeStrict(body, map[string]fieldRule{"content": fieldUsed, "add_special": fieldUsed, "with_pieces": fieldUsed, "parse_special": fieldIgnored}, &r); err != nil {
		return r, err
	}
	return r, nil
}

// DecodeDetokenize parses a /detokenize body.
func DecodeDetokenize(body []byte) (DetokenizeRequest, error) {
	var r DetokenizeRequest
	if _, err := decodeStrict(body, map[string]fieldRule{"tokens": fieldUsed}, &r); err != nil {
		return r, err
	}
	return r, nil
}

// DecodeApplyTemplate parses an /apply-template body: the messages of a chat
// request (other chat fields are allowed and ignored, as llama.cpp does).
func DecodeApplyTemplate(body []byte) ([]Message, error) {
	var w struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, jsonError(err)
	}
	if len(w.Messages) == 0 {
		return nil, BadRequest("messages", "'messages' is required: an array of {role, content} objects")
	}
	out := make([]Message, 0, len(w.Messages))
	for i, raw := range w.Messages {
		m, err := decodeMessage(raw, i)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
