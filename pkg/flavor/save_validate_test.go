package flavor_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// TestSaveValidatesBuiltMLmodel drives Save's own check of the MLmodel it
// built against schemas/mlmodel.json. Load does not run that check, so
// without it these saves would publish a bundle whose MLmodel MLflow cannot
// read. The model config is the one input that reaches the MLmodel
// unchecked (keys mlpack does not use are saved as given).
func TestSaveValidatesBuiltMLmodel(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  map[string]any
	}{
		{"NaN has no JSON form", map[string]any{"mlpack_test_value": math.NaN()}},
		{"infinity has no JSON form", map[string]any{"mlpack_test_value": math.Inf(1)}},
		{"non-string mapping key", map[string]any{"mlpack_test_value": map[int]any{1: "a"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "bundle")
			_, err := flavor.Save(context.Background(), tinyModel(t), out, flavor.SaveOptions{ModelConfig: tc.cfg})
			if err == nil {
				t.Fatal("Save accepted an MLmodel that does not match schemas/mlmodel.json")
			}
			if !strings.Contains(err.Error(), "the MLmodel mlpack built is invalid") {
				t.Errorf("err = %v, want the save-time MLmodel validation to refuse it", err)
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Errorf("a bundle was left at out after the error: stat err = %v", statErr)
			}
		})
	}
}
