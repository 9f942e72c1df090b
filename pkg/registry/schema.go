package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// The full ModelPack config schema (schema/config-schema.json, v0.0.7):
// every object is closed, so decoding with DisallowUnknownFields into these
// mirrors enforces additionalProperties false.
type (
	specConfig struct {
		Descriptor *specDescriptor `json:"descriptor"`
		Config     *specModelInfo  `json:"config"`
		ModelFS    *specModelFS    `json:"modelfs"`
	}
	specDescriptor struct {
		CreatedAt   *string  `json:"createdAt"`
		Authors     []string `json:"authors"`
		Vendor      *string  `json:"vendor"`
		Family      *string  `json:"family"`
		Name        *string  `json:"name"`
		Version     *string  `json:"version"`
		Title       *string  `json:"title"`
		Description *string  `json:"description"`
		DocURL      *string  `json:"docURL"`
		SourceURL   *string  `json:"sourceURL"`
		DatasetsURL []string `json:"datasetsURL"`
		Revision    *string  `json:"revision"`
		Licenses    []string `json:"licenses"`
	}
	specModelInfo struct {
		Architecture *string           `json:"architecture"`
		Format       *string           `json:"format"`
		ParamSize    *string           `json:"paramSize"`
		Precision    *string           `json:"precision"`
		Quantization *string           `json:"quantization"`
		Capabilities *specCapabilities `json:"capabilities"`
	}
	specCapabilities struct {
		InputTypes      []string `json:"inputTypes"`
		OutputTypes     []string `json:"outputTypes"`
		KnowledgeCutoff *string  `json:"knowledgeCutoff"`
		Reasoning       *bool    `json:"reasoning"`
		ToolUsage       *bool    `json:"toolUsage"`
		Reward          *bool    `json:"reward"`
		Languages       []string `json:"languages"`
	}
	specModelFS struct {
		Type    *string  `json:"type"`
		DiffIDs []string `json:"diffIds"`
	}
)

var (
	paramSizeRE = regexp.MustCompile(`^[0-9]+(\.[0-9])?[QqTtBbMmKk]$`)
	digestRE    = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	languageRE  = regexp.MustCompile(`^[a-z]{2}$`)
	modalities  = map[string]bool{"text": true, "image": true, "audio": true, "video": true, "embedding": true, "other": true}
)

// ValidateConfig checks a ModelPack config blob against the facts of the
// spec's JSON schema: required descriptor/config/modelfs, no unknown keys at
// any level, paramSize and precision syntax, capability enums, modelfs type
// "layers" with at least one sha256 diffId.
func ValidateConfig(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c specConfig
	if err := dec.Decode(&c); err != nil {
		return fmt.Errorf("registry: ModelPack config: %w", err)
	}
	if dec.More() {
		return errors.New("registry: ModelPack config: trailing data after the JSON object")
	}
	switch {
	case c.Descriptor == nil:
		return errors.New("registry: ModelPack config: descriptor is required")
	case c.Config == nil:
		return errors.New("registry: ModelPack config: config is required")
	case c.ModelFS == nil:
		return errors.New("registry: ModelPack config: modelfs is required")
	}
	d := c.Descriptor
	if d.Name != nil && *d.Name == "" {
		return errors.New("registry: ModelPack config: descriptor.name must not be empty")
	}
	if d.CreatedAt != nil {
		if _, err := time.Parse(time.RFC3339, *d.CreatedAt); err != nil {
			return fmt.Errorf("registry: ModelPack config: descriptor.createdAt: %w", err)
		}
	}
	m := c.Config
	if m.ParamSize != nil && !paramSizeRE.MatchString(*m.ParamSize) {
		return fmt.Errorf("registry: ModelPack config: config.paramSize %q is not <number><Q|T|B|M|K> with at most one decimal", *m.ParamSize)
	}
	if m.Precision != nil {
		if err := validPrecision(*m.Precision); err != nil {
			return fmt.Errorf("registry: ModelPack config: config.%w", err)
		}
	}
	if cp := m.Capabilities; cp != nil {
		for _, t := range append(append([]string{}, cp.InputTypes...), cp.OutputTypes...) {
			if !modalities[t] {
				return fmt.Errorf("registry: ModelPack config: capability type %q is not one of text, image, audio, video, embedding, other", t)
			}
		}
		for _, l := range cp.Languages {
			if !languageRE.MatchString(l) {
				return fmt.Errorf("registry: ModelPack config: language %q is not an ISO-639 two-letter code", l)
			}
		}
	}
	fs := c.ModelFS
	if fs.Type == nil || *fs.Type != "layers" {
		return errors.New(`registry: ModelPack config: modelfs.type must be "layers"`)
	}
	if len(fs.DiffIDs) == 0 {
		return errors.New("registry: ModelPack config: modelfs.diffIds needs at least one digest")
	}
	for _, id := range fs.DiffIDs {
		if !digestRE.MatchString(id) {
			return fmt.Errorf("registry: ModelPack config: modelfs.diffIds entry %q is not a sha256 digest", id)
		}
	}
	return nil
}

// ValidateArtifact checks that manifest and config form a ModelPack v1
// artifact as mlpack writes it: OCI manifest media type, ModelPack
// artifactType and config media type, a config descriptor matching the config
// bytes, only spec layer media types, every layer naming its file, and
// modelfs.diffIds equal to the layer digests in order.
func ValidateArtifact(manifest, config []byte) error {
	var m ociManifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return fmt.Errorf("registry: manifest: %w", err)
	}
	switch {
	case m.SchemaVersion != 2:
		return fmt.Errorf("registry: manifest: schemaVersion is %d, want 2", m.SchemaVersion)
	case m.MediaType != MediaTypeManifest:
		return fmt.Errorf("registry: manifest: mediaType is %q, want %q", m.MediaType, MediaTypeManifest)
	case m.ArtifactType != ArtifactTypeModel:
		return fmt.Errorf("registry: manifest: artifactType is %q, want %q", m.ArtifactType, ArtifactTypeModel)
	case m.Config.MediaType != MediaTypeModelConfig:
		return fmt.Errorf("registry: manifest: config mediaType is %q, want %q", m.Config.MediaType, MediaTypeModelConfig)
	case m.Config.Size != int64(len(config)) || m.Config.Digest != sha256Digest(config):
		return errors.New("registry: manifest: config descriptor does not match the config bytes")
	case len(m.Layers) == 0:
		return errors.New("registry: manifest: no layers")
	}
	if err := ValidateConfig(config); err != nil {
		return err
	}
	var c ModelConfig
	if err := json.Unmarshal(config, &c); err != nil {
		return fmt.Errorf("registry: config: %w", err)
	}
	if len(c.ModelFS.DiffIDs) != len(m.Layers) {
		return fmt.Errorf("registry: config lists %d diffIds for %d layers", len(c.ModelFS.DiffIDs), len(m.Layers))
	}
	for i, l := range m.Layers {
		if _, ok := parseLayerMediaType(l.MediaType); !ok || l.MediaType[:len("application/vnd.cncf")] != "application/vnd.cncf" {
			return fmt.Errorf("registry: layer %d: media type %q is not a ModelPack v1 layer type", i, l.MediaType)
		}
		if !digestRE.MatchString(l.Digest) {
			return fmt.Errorf("registry: layer %d: digest %q is not sha256", i, l.Digest)
		}
		if l.Annotations[AnnotationFilepath] == "" {
			return fmt.Errorf("registry: layer %d has no %s annotation", i, AnnotationFilepath)
		}
		var meta fileMetadata
		if err := json.Unmarshal([]byte(l.Annotations[AnnotationFileMetadata]), &meta); err != nil {
			return fmt.Errorf("registry: layer %d: %s: %w", i, AnnotationFileMetadata, err)
		}
		if meta.Size != l.Size {
			return fmt.Errorf("registry: layer %d: file metadata size %d differs from layer size %d", i, meta.Size, l.Size)
		}
		if c.ModelFS.DiffIDs[i] != l.Digest {
			return fmt.Errorf("registry: modelfs.diffIds[%d] is %s, layer digest is %s", i, c.ModelFS.DiffIDs[i], l.Digest)
		}
	}
	return nil
}

func sha256Digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
