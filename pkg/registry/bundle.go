package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// bundleInfo is what Build needs from a validated bundle.
type bundleInfo struct {
	name, family, revision string
}

// loadBundle validates the bundle in dir and returns descriptor facts.
func loadBundle(dir string) (bundleInfo, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "MLmodel"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return bundleInfo{}, fmt.Errorf("%w: %s has no MLmodel file (create a bundle with `mlpack save`)", ErrInvalidBundle, dir)
		}
		return bundleInfo{}, fmt.Errorf("registry: reading bundle %s: %w", dir, err)
	}
	var m struct {
		Flavors struct {
			Transformers *struct {
				Task                string `yaml:"task"`
				SourceModelName     string `yaml:"source_model_name"`
				SourceModelRevision string `yaml:"source_model_revision"`
				ModelBinary         string `yaml:"model_binary"`
			} `yaml:"transformers"`
		} `yaml:"flavors"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return bundleInfo{}, fmt.Errorf("%w: %s/MLmodel is not valid YAML: %v", ErrInvalidBundle, dir, err)
	}
	tf := m.Flavors.Transformers
	if tf == nil {
		return bundleInfo{}, fmt.Errorf("%w: %s/MLmodel has no transformers flavor", ErrInvalidBundle, dir)
	}
	bin := tf.ModelBinary
	if bin == "" {
		bin = "pipeline"
	}
	if st, err := os.Stat(filepath.Join(dir, bin, "config.json")); err != nil || st.IsDir() {
		return bundleInfo{}, fmt.Errorf("%w: %s/%s/config.json is missing: the bundle has no model weights folder", ErrInvalidBundle, dir, bin)
	}
	info := bundleInfo{name: tf.SourceModelName, revision: tf.SourceModelRevision}
	var cfg struct {
		ModelType string `yaml:"model_type"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, bin, "config.json")); err == nil && yaml.Unmarshal(b, &cfg) == nil {
		info.family = cfg.ModelType
	}
	return info, nil
}
