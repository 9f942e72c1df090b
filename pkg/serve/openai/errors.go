package openai

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error types used in the "type" field of an error object.
const (
	TypeInvalidRequest  = "invalid_request_error"
	TypeAuthentication  = "authentication_error"
	TypePermission      = "permission_error"
	TypeNotFound        = "not_found_error"
	TypeRateLimit       = "rate_limit_error"
	TypeServer          = "server_error"
	TypeUnavailable     = "unavailable_error"
	TypeNotSupported    = "not_supported_error"
	TypeExceedContext   = "exceed_context_size_error"
	CodeContextExceeded = "context_length_exceeded"
)

// An Error is an API error: an HTTP status plus the body the OpenAI SDKs read,
// {"error":{"message","type","param","code"}}. It is also a Go error so that
// decoding and validation can return it directly.
type Error struct {
	Status  int    // HTTP status code
	Message string // human-readable, says what to fix
	Type    string // one of the Type* constants
	Param   string // offending request field, "" when none
	Code    string // machine-readable code, "" when none

	// Set only for a prompt longer than the context (llama.cpp's fields,
	// which clients parse).
	NPromptTokens int
	NCtx          int
}

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("openai: %s (param %s)", e.Message, e.Param)
	}
	return "openai: " + e.Message
}

type errorObject struct {
	Message       string  `json:"message"`
	Type          string  `json:"type"`
	Param         *string `json:"param"`
	Code          any     `json:"code"`
	NPromptTokens int     `json:"n_prompt_tokens,omitempty"`
	NCtx          int     `json:"n_ctx,omitempty"`
}

// Body returns the error envelope as it goes on the wire.
func (e *Error) Body() ErrorBody {
	o := errorObject{Message: e.Message, Type: e.Type, NPromptTokens: e.NPromptTokens, NCtx: e.NCtx}
	if e.Param != "" {
		p := e.Param
		o.Param = &p
	}
	if e.Code != "" {
		o.Code = e.Code
	}
	return ErrorBody{Error: o}
}

// ErrorBody is the JSON envelope of an Error.
type ErrorBody struct {
	Error errorObject `json:"error"`
}

// MarshalJSON encodes e as its wire envelope.
func (e *Error) MarshalJSON() ([]byte, error) { return json.Marshal(e.Body()) }

// BadRequest is a 400 invalid_request_error about param.
func BadRequest(param, format string, a ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidRequest, Param: param, Message: fmt.Sprintf(format, a...)}
}

// Unsupported is a 400 for a field this server does not implement. The
// message names the field so that nothing is dropped silently.
func Unsupported(param, why string) *Error {
	msg := fmt.Sprintf("'%s' is not supported by this server", param)
	if why != "" {
		msg += ": " + why
	}
	return &Error{Status: http.StatusBadRequest, Type: TypeInvalidRequest, Param: param, Code: "unsupported_parameter", Message: msg}
}

// ContextExceeded is the 400 for a prompt that does not fit the context.
func ContextExceeded(nPrompt, nCtx int) *Error {
	return &Error{
		Status:        http.StatusBadRequest,
		Type:          TypeExceedContext,
		Code:          CodeContextExceeded,
		Message:       fmt.Sprintf("the request exceeds the available context size: the prompt has %d tokens and the context holds %d; shorten the prompt", nPrompt, nCtx),
		NPromptTokens: nPrompt,
		NCtx:          nCtx,
	}
}

// NotFound is a 404 not_found_error.
func NotFound(format string, a ...any) *Error {
	return &Error{Status: http.StatusNotFound, Type: TypeNotFound, Message: fmt.Sprintf(format, a...)}
}

// Unauthorized is the 401 for a missing or wrong API key.
func Unauthorized() *Error {
	return &Error{Status: http.StatusUnauthorized, Type: TypeAuthentication, Code: "invalid_api_key",
		Message: "invalid or missing API key: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'"}
}

// Overloaded is a 429 (queue full) or 503 (not ready or shutting down).
func Overloaded(status int, msg string) *Error {
	typ := TypeRateLimit
	if status == http.StatusServiceUnavailable {
		typ = TypeUnavailable
	}
	return &Error{Status: status, Type: typ, Message: msg}
}

// CodeShuttingDown marks a request cancelled because the server shut down.
const CodeShuttingDown = "shutting_down"

// ShuttingDown is the 503 (or, mid-stream, the error event) for a request
// the server cancelled when its shutdown drain deadline passed.
func ShuttingDown() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Type: TypeServer, Code: CodeShuttingDown,
		Message: "the server is shutting down: this request was cancelled because it did not finish before the drain deadline (--shutdown-timeout); retry it on another instance"}
}

// Internal is a 500 server_error.
func Internal(format string, a ...any) *Error {
	return &Error{Status: http.StatusInternalServerError, Type: TypeServer, Message: fmt.Sprintf(format, a...)}
}
