package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlpack-go/mlpack/pkg/flavor"
)

// bundleInfo is what Build needs from a validated bundle.
type bundleInfo struct {
	name, family, revision string
}

// loadBundle validates the bundle in dir with flavor.Load and returns
// descriptor facts.
func loadBundle(dir string) (bundleInfo, error) {
	b, err := flavor.Load(dir)
	if err != nil {
		if errors.Is(err, flavor.ErrInvalidBundle) {
			return bundleInfo{}, fmt.Errorf("%w: %w", ErrInvalidBundle, err)
		}
		return bundleInfo{}, fmt.Errorf("registry: loading bundle: %w", err)
	}
	info := bundleInfo{name: b.SourceModelName()}
	if tf := b.Model.Flavors.Transformers; tf != nil {
		info.revision = tf.SourceModelRevision
	}
	var cfg struct {
		ModelType string `json:"model_type"`
	}
	if raw, err := os.ReadFile(filepath.Join(b.ModelDir(), "config.json")); err == nil && json.Unmarshal(raw, &cfg) == nil {
		info.family = cfg.ModelType
	}
	return info, nil
}
