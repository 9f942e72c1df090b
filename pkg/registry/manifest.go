package registry

import (
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
