package registry

import (
	"path"
	"strings"
)

// ModelPack v1 media types (modelpack/model-spec v0.0.7).
const (
	MediaTypeManifest    = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeIndex       = "application/vnd.oci.image.index.v1+json"
	ArtifactTypeModel    = "application/vnd.cncf.model.manifest.v1+json"
	MediaTypeModelConfig = "application/vnd.cncf.model.config.v1+json"

	MediaTypeWeight       = "application/vnd.cncf.model.weight.v1.raw"
	MediaTypeWeightConfig = "application/vnd.cncf.model.weight.config.v1.raw"
	MediaTypeDoc          = "application/vnd.cncf.model.doc.v1.raw"
	MediaTypeCode         = "application/vnd.cncf.model.code.v1.raw"
	MediaTypeDataset      = "application/vnd.cncf.model.dataset.v1.raw"

	// legacy prefixes used before model-spec v0.0.7
	legacyArtifactType = "application/vnd.cnai.model.manifest.v1+json"
	legacyConfigType   = "application/vnd.cnai.model.config.v1+json"
)

// Layer annotations.
const (
	AnnotationFilepath       = "org.cncf.model.filepath"
	AnnotationFileMetadata   = "org.cncf.model.file.metadata+json"
	AnnotationTitle          = "org.opencontainers.image.title"
	legacyAnnotationFilepath = "org.cnai.model.filepath"

	// AnnotationMLmodelDigest is a manifest annotation recording the digest
	// of the MLmodel layer, so a reader can find the MLflow manifest cheaply.
	AnnotationMLmodelDigest = "io.github.mlpack-go.mlpack.mlmodel.digest"
)

// layerFormat is how a ModelPack layer stores its file.
type layerFormat int

const (
	formatRaw layerFormat = iota
	formatTar
	formatTarGzip
	formatTarZstd
)

var layerKinds = []string{"weight", "weight.config", "doc", "code", "dataset"}

// parseLayerMediaType reports whether mt is one of the 20 ModelPack layer
// media types (either the current vnd.cncf or the legacy vnd.cnai prefix) and
// how its content is encoded.
func parseLayerMediaType(mt string) (layerFormat, bool) {
	var rest string
	switch {
	case strings.HasPrefix(mt, "application/vnd.cncf.model."):
		rest = strings.TrimPrefix(mt, "application/vnd.cncf.model.")
	case strings.HasPrefix(mt, "application/vnd.cnai.model."):
		rest = strings.TrimPrefix(mt, "application/vnd.cnai.model.")
	default:
		return 0, false
	}
	for _, k := range layerKinds {
		suffix, ok := strings.CutPrefix(rest, k+".v1.")
		if !ok {
			continue
		}
		switch suffix {
		case "raw":
			return formatRaw, true
		case "tar":
			return formatTar, true
		case "tar+gzip":
			return formatTarGzip, true
		case "tar+zstd":
			return formatTarZstd, true
		}
	}
	return 0, false
}

// classify picks the layer media type for a bundle-relative path: weights,
// documentation, code, and everything else (MLmodel, JSON configs, tokenizer
// files, environment files) as weight config.
func classify(p string) string {
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch ext := path.Ext(lower); ext {
	case ".safetensors", ".bin", ".gguf", ".pt", ".pth", ".onnx", ".ckpt", ".h5", ".msgpack":
		return MediaTypeWeight
	case ".py", ".sh":
		return MediaTypeCode
	case ".md":
		return MediaTypeDoc
	}
	if strings.HasPrefix(lower, "readme") || strings.HasPrefix(lower, "license") ||
		strings.HasPrefix(lower, "licence") || strings.HasPrefix(lower, "notice") {
		return MediaTypeDoc
	}
	return MediaTypeWeightConfig
}

// layerRank orders layers: weights, then weight config, code, docs.
func layerRank(mt string) int {
	switch mt {
	case MediaTypeWeight:
		return 0
	case MediaTypeWeightConfig:
		return 1
	case MediaTypeCode:
		return 2
	case MediaTypeDoc:
		return 3
	}
	return 4
}
