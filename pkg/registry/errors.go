package registry

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrUnauthorized: the registry refused the credentials (401) or denied
	// access (403).
	ErrUnauthorized = errors.New("registry: unauthorized")
	// ErrNotFound: the repository, tag or blob does not exist (404).
	ErrNotFound = errors.New("registry: not found")
	// ErrInvalidArtifact: the manifest, config or a blob is not a safe,
	// well-formed model artifact; nothing was written outside the target.
	ErrInvalidArtifact = errors.New("registry: invalid artifact")
	// ErrInvalidBundle: the directory to push is not an mlpack bundle.
	ErrInvalidBundle = errors.New("registry: invalid bundle")
	// ErrExists: the pull target holds different files at the artifact's
	// paths; pass Force to overwrite them.
	ErrExists = errors.New("registry: output already exists")
	// ErrNoMatch: Include selected no file of the artifact.
	ErrNoMatch = errors.New("registry: no matching files")
	// ErrNotLoggedIn: Logout found no stored credentials for the registry.
	ErrNotLoggedIn = errors.New("registry: not logged in")
)

// classifyHTTP wraps err with ErrUnauthorized or ErrNotFound when it is a
// registry answer of 401/403 or 404, with a message that says what to do.
func classifyHTTP(err error, registryHost, what string) error {
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: %s refused the credentials for %s (401); run `mlpack login %s`: %v", ErrUnauthorized, registryHost, what, registryHost, err)
	case http.StatusForbidden:
		return fmt.Errorf("%w: %s denied access to %s (403): the account lacks permission; ask for access or run `mlpack login %s` with an account that has it: %v", ErrUnauthorized, registryHost, what, registryHost, err)
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s has no %s (404): %v", ErrNotFound, registryHost, what, err)
	}
	for _, d := range te.Errors {
		switch d.Code {
		case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
			return fmt.Errorf("%w: %s refused access to %s; run `mlpack login %s`: %v", ErrUnauthorized, registryHost, what, registryHost, err)
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return fmt.Errorf("%w: %s has no %s: %v", ErrNotFound, registryHost, what, err)
		}
	}
	return err
}
