package registry

import (
	"cmp"
	"encoding/json"
	"fmt"
	"time"
)

// ociManifest is an OCI image manifest as mlpack writes and reads it. Maps
// marshal with sorted keys, so encoding is deterministic.
type ociManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType,omitempty"`
	Config        ociDescriptor     `json:"config"`
	Layers        []ociDescriptor   `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// ociDescriptor is an OCI content descriptor.
type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// fileMetadata is the value of org.cncf.model.file.metadata+json.
type fileMetadata struct {
	Name     string    `json:"name"`
	Mode     uint32    `json:"mode"`
	UID      uint32    `json:"uid"`
	GID      uint32    `json:"gid"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mtime"`
	Typeflag byte      `json:"typeflag"`
}

// ociManifestAccept is the Accept header for manifest requests; Docker
// Distribution 2.8 answers 404 for OCI manifests without it.
const ociManifestAccept = MediaTypeManifest + ", " + MediaTypeIndex +
	", application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json"

// MaxManifestSize is the largest manifest Pull accepts (the limit Docker
// Distribution applies to manifest uploads).
const MaxManifestSize = 4 << 20

// maxConfigSize bounds the config blob Pull reads into memory.
const maxConfigSize = 4 << 20

// parseModelManifest decodes a manifest and refuses anything that is not a
// safe ModelPack artifact mlpack can extract.
func parseModelManifest(b []byte) ([]pullLayer, ociDescriptor, error) {
	var probe struct {
		MediaType string          `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest is not valid JSON: %v", ErrInvalidArtifact, err)
	}
	if probe.MediaType == MediaTypeIndex || probe.Manifests != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the reference names an image index, not a model manifest; pull one of its manifests by digest", ErrInvalidArtifact)
	}
	var m ociManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest does not decode: %v", ErrInvalidArtifact, err)
	}
	modelPack := m.ArtifactType == ArtifactTypeModel || m.ArtifactType == legacyArtifactType ||
		m.Config.MediaType == MediaTypeModelConfig || m.Config.MediaType == legacyConfigType
	if !modelPack {
		return nil, ociDescriptor{}, fmt.Errorf("%w: not a ModelPack model artifact (artifactType %q, config %q)", ErrInvalidArtifact, m.ArtifactType, m.Config.MediaType)
	}
	if m.MediaType != "" && m.MediaType != MediaTypeManifest {
		return nil, ociDescriptor{}, fmt.Errorf("%w: manifest mediaType %q is not an OCI image manifest", ErrInvalidArtifact, m.MediaType)
	}
	if !digestRE.MatchString(m.Config.Digest) {
		return nil, ociDescriptor{}, fmt.Errorf("%w: config digest %q is not a sha256 digest", ErrInvalidArtifact, m.Config.Digest)
	}
	var out []pullLayer
	var paths []string
	for i, l := range m.Layers {
		format, ok := parseLayerMediaType(l.MediaType)
		if !ok {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d has media type %q, which is not a ModelPack layer type", ErrInvalidArtifact, i, l.MediaType)
		}
		if !digestRE.MatchString(l.Digest) {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d digest %q is not a sha256 digest", ErrInvalidArtifact, i, l.Digest)
		}
		if l.Size < 0 {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d has negative size", ErrInvalidArtifact, i)
		}
		p := cmp.Or(l.Annotations[AnnotationFilepath], l.Annotations[legacyAnnotationFilepath], l.Annotations[AnnotationTitle])
		if p == "" {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d (%s) names no file (%s)", ErrInvalidArtifact, i, l.Digest, AnnotationFilepath)
		}
		if err := checkPath(p); err != nil {
			return nil, ociDescriptor{}, fmt.Errorf("%w: layer %d: %v", ErrInvalidArtifact, i, err)
		}
		out = append(out, pullLayer{ociDescriptor: l, path: p, format: format})
		if format == formatRaw { // tar layers are checked entry by entry
			paths = append(paths, p)
		}
	}
	if len(out) == 0 {
		return nil, ociDescriptor{}, fmt.Errorf("%w: the manifest has no layers", ErrInvalidArtifact)
	}
	if err := checkPathSet(paths); err != nil {
		return nil, ociDescriptor{}, fmt.Errorf("%w: %v", ErrInvalidArtifact, err)
	}
	return out, m.Config, nil
}
