package flavor

import "fmt"

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
