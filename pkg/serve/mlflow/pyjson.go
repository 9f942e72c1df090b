package mlflow

import (
	"fmt"

	"github.com/mlpack-go/mlpack/internal/pyjson"
)

// Marshal encodes v the way MLflow's scoring server writes its bodies
// (Python's json.dumps defaults): separators ", " and ": ", non-ASCII
// escaped as \uXXXX, object keys in the order Go encodes them (struct
// field order), numbers as Go writes them.
func Marshal(v any) ([]byte, error) {
	b, err := pyjson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("mlflow: encoding a reply: %w", err)
	}
	return b, nil
}
