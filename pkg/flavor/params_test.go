package flavor_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/testenv"
	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// TestParameterCountTiedHead: an lm_head stored although the config ties it
// to the embeddings counts once, as in transformers' num_parameters.
func TestParameterCountTiedHead(t *testing.T) {
	const head = 16 * 8
	for _, tc := range []struct {
		name      string
		modelType string
		tie       any // nil: absent from config.json
		dropHead  bool
		want      int64
	}{
		{"tied, head stored", "llama", true, false, tinyParamCount - head},
		{"untied", "llama", false, false, tinyParamCount},
		{"absent, llama defaults to untied", "llama", nil, false, tinyParamCount},
		{"absent, gemma defaults to tied", "gemma", nil, false, tinyParamCount - head},
		{"tied, head not stored", "llama", true, true, tinyParamCount - head},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tinyModel(t)
			cfg := readJSON(t, filepath.Join(src, "config.json"))
			cfg["model_type"] = tc.modelType
			delete(cfg, "tie_word_embeddings")
			if tc.tie != nil {
				cfg["tie_word_embeddings"] = tc.tie
			}
			writeJSON(t, filepath.Join(src, "config.json"), cfg)
			if tc.dropHead {
				writeSafetensors(t, filepath.Join(src, "model.safetensors"), tinyTensors("F32")[:11])
			}
			s, err := flavor.ReadSource(src)
			if err != nil {
				t.Fatal(err)
			}
			n, err := flavor.CountParameters(src)
			if err != nil {
				t.Fatal(err)
			}
			_, b := save(t, src, flavor.SaveOptions{})
			bn, err := flavor.CountParameters(b.ModelDir())
			if err != nil {
				t.Fatal(err)
			}
			r, err := b.ReadModel()
			if err != nil {
				t.Fatal(err)
			}
			got := []int64{s.ParameterCount, n, b.Model.Flavors.Mlpack.ParameterCount, bn, r.ParameterCount}
			if diff := cmp.Diff([]int64{tc.want, tc.want, tc.want, tc.want, tc.want}, got); diff != "" {
				t.Errorf("ReadSource, CountParameters, MLmodel, CountParameters(bundle), ReadModel (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountParametersStories260K(t *testing.T) {
	n, err := flavor.CountParameters(testenv.Shared(t, "stories260k"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 260_032 { // transformers: model.num_parameters()
		t.Errorf("CountParameters = %d, want 260032", n)
	}
	if _, err := flavor.CountParameters(t.TempDir()); !errors.Is(err, flavor.ErrInvalidModel) {
		t.Errorf("CountParameters(empty dir) err = %v, want ErrInvalidModel", err)
	}
}
