package serve

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClientText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("task: invalid request: signature: invalid input: signature: max_tokens: expected integer (long), got string"),
			"max_tokens: expected integer (long), got string"},
		{fmt.Errorf("failed to apply chat template: %w", errors.New("task: invalid request: Conversation roles must alternate")),
			"failed to apply chat template: Conversation roles must alternate"},
		{fmt.Errorf("task: %w", context.Canceled), "context canceled"},
		{errors.New("messages[0].content: expected a string"), "messages[0].content: expected a string"},
	} {
		if d := cmp.Diff(tc.want, clientText(tc.err)); d != "" {
			t.Errorf("%q (-want +got):\n%s", tc.err, d)
		}
	}
}
