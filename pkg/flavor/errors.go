package flavor

import (
	"errors"
	"fmt"
	"strings"
)

// kindError is an error of a kind callers branch on (ErrInvalidModel,
// ErrInvalidBundle, ErrExists) whose message reads once, cleanly:
// "flavor: <what is wrong>: <what to do>", without the sentinel's own text.
type kindError struct {
	kind error
	also error // a second kind it matches, or nil
	msg  string
}

func (e *kindError) Error() string { return "flavor: " + e.msg }
func (e *kindError) Is(target error) bool {
	return target == e.kind || (e.also != nil && target == e.also)
}

func newErr(kind error, format string, a ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, a...)}
}

// bug reports an mlpack defect: what failed, and err's message without a
// second "flavor:" prefix.
func bug(what string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "flavor: ")
	var ke *kindError
	if errors.As(err, &ke) {
		msg = ke.msg
	}
	return fmt.Errorf("flavor: %s (a bug in mlpack; please report it): %s", what, msg)
}
