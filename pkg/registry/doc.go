// Package registry moves mlpack bundles through OCI registries as CNCF
// ModelPack v1 artifacts and back.
//
// An artifact is an OCI image manifest with artifactType
// application/vnd.cncf.model.manifest.v1+json, a ModelPack config
// (application/vnd.cncf.model.config.v1+json) holding only spec fields, and
// one uncompressed .raw layer per bundle file, so a layer's digest is the
// sha256 of the file itself: identical files are stored once, a re-push
// uploads nothing, and the MLmodel bytes round-trip exactly. Every layer
// carries org.cncf.model.filepath, org.cncf.model.file.metadata+json and
// org.opencontainers.image.title, so modctl, KitOps and oras can pull it too.
//
// [Build] turns a bundle directory into an [Artifact] with deterministic
// digests (file digests are cached by path, size, mtime and inode); [Push]
// validates the bundle as predict would load it (weights, tokenizer; no
// symlinks, so nothing outside it is read) and uploads it (skipping blobs
// the repository has, mounting blobs that another repository of the
// registry holds, as remembered from earlier pushes and pulls under
// Options.CacheDir, in parallel, with retries; blobs over Options.ChunkSize
// go up in chunks and resume from the registry's offset after a failure);
// [Pull] fetches an artifact into a directory,
// verifying every blob while streaming, resuming partial blobs with HTTP
// Range, and refusing hostile manifests (unsafe paths, unknown media types,
// oversized manifests). Artifacts from other tools may also use the spec's
// .tar, .tar+gzip and .tar+zstd layers; their entries get the same checks,
// and links or devices inside them are refused. [Login] and [Logout] edit the docker config file that
// the keychain reads.
//
// go-containerregistry is the transport. The package never imports the
// inference runtime. It is silent: progress goes to an injected [Progress]
// function and logs to an optional *slog.Logger.
//
// Errors callers branch on: [ErrUnauthorized] and [ErrNotFound] (registry
// said 401/403 or 404), [ErrInvalidArtifact] (a manifest, config or blob that
// is not a safe ModelPack artifact), [ErrInvalidBundle] (the directory to push
// is not a bundle), [ErrExists] (a pull would overwrite different files, or
// the target is a file), [ErrNoMatch] (Include selected nothing) and
// [ErrNotLoggedIn] (Logout found no credentials).
package registry
