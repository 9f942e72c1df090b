package task

import (
	"errors"
	"fmt"
)

// ErrInvalidRequest is matched by every error caused by the request itself:
// an unknown input shape, input that does not match the signature, bad
// parameter values, a prompt too long for the context window, or a chat
// template that refuses the conversation. Callers map it to exit code 3 or
// HTTP 400.
var ErrInvalidRequest = errors.New("task: invalid request")

// ErrNoChatTemplate reports a chat request to a model whose tokenizer has no
// chat template.
var ErrNoChatTemplate = errors.New("task: the tokenizer has no chat_template")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, a...))
}

// invalid wraps err (which may carry its own sentinel) as an invalid request.
func invalid(err error) error {
	return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
}
