package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// LoginOptions configure Login and Logout.
type LoginOptions struct {
	// ConfigDir is the docker config directory to write (required).
	ConfigDir string
	PlainHTTP bool
	Transport http.RoundTripper
}

// Login checks user/password against the registry host and, if accepted,
// stores them in ConfigDir/config.json (or the configured credential
// helper) the way `docker login` does.
func Login(ctx context.Context, host, user, password string, o LoginOptions) error {
	if o.ConfigDir == "" {
		return errors.New("registry: login needs a docker config directory")
	}
	if user == "" || password == "" {
		return errors.New("registry: login needs a user name and a password")
	}
	reg, err := parseRegistry(host, o.PlainHTTP)
	if err != nil {
		return err
	}
	cf, err := config.Load(o.ConfigDir)
	if err != nil {
		return fmt.Errorf("registry: loading docker config: %w", err)
	}
	if err := checkCredentials(ctx, reg, authn.FromConfig(authn.AuthConfig{Username: user, Password: password}), o.Transport); err != nil {
		return err
	}
	key := authKey(reg)
	if err := cf.GetCredentialsStore(key).Store(types.AuthConfig{Username: user, Password: password, ServerAddress: key}); err != nil {
		return fmt.Errorf("registry: storing credentials for %s: %w", key, err)
	}
	if err := cf.Save(); err != nil {
		return fmt.Errorf("registry: saving %s: %w", cf.Filename, err)
	}
	return nil
}

// Logout removes the stored credentials for host. It reports ErrNotLoggedIn
// when there were none.
func Logout(host string, o LoginOptions) error {
	if o.ConfigDir == "" {
		return errors.New("registry: logout needs a docker config directory")
	}
	reg, err := parseRegistry(host, o.PlainHTTP)
	if err != nil {
		return err
	}
	cf, err := config.Load(o.ConfigDir)
	if err != nil {
		return fmt.Errorf("registry: loading docker config: %w", err)
	}
	key := authKey(reg)
	_, inFile := cf.AuthConfigs[key]
	ac, err := cf.GetAuthConfig(key)
	if err != nil {
		return fmt.Errorf("registry: reading credentials for %s: %w", key, err)
	}
	if !inFile && ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" {
		return fmt.Errorf("%w to %s", ErrNotLoggedIn, key)
	}
	if err := cf.GetCredentialsStore(key).Erase(key); err != nil {
		return fmt.Errorf("registry: erasing credentials for %s: %w", key, err)
	}
	if err := cf.Save(); err != nil {
		return fmt.Errorf("registry: saving %s: %w", cf.Filename, err)
	}
	return nil
}

// SplitScheme strips an http:// or https:// prefix (and a trailing '/')
// from a registry address as users paste it from a browser. http:// means
// the registry talks plain HTTP.
func SplitScheme(host string) (bare string, plainHTTP bool) {
	bare = host
	switch lower := strings.ToLower(host); {
	case strings.HasPrefix(lower, "http://"):
		bare, plainHTTP = host[len("http://"):], true
	case strings.HasPrefix(lower, "https://"):
		bare = host[len("https://"):]
	}
	return strings.TrimRight(bare, "/"), plainHTTP
}

func parseRegistry(host string, plainHTTP bool) (name.Registry, error) {
	host, plain := SplitScheme(host)
	plainHTTP = plainHTTP || plain
	var opts []name.Option
	if plainHTTP {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return name.Registry{}, fmt.Errorf("%w: registry %q: %v", ErrInvalidReference, host, err)
	}
	return reg, nil
}

func authKey(reg name.Registry) string {
	if reg.RegistryStr() == name.DefaultRegistry {
		return authn.DefaultAuthKey
	}
	return reg.RegistryStr()
}

// checkCredentials GETs /v2/ with the credentials: 401 means refused.
func checkCredentials(ctx context.Context, reg name.Registry, auth authn.Authenticator, base http.RoundTripper) error {
	if base == nil {
		base = remote.DefaultTransport
	}
	rt, err := transport.NewWithContext(ctx, reg, auth, base, []string{reg.Scope(transport.PullScope)})
	if err != nil {
		return classifyHTTP(fmt.Errorf("registry: logging in to %s: %w", reg, err), reg.RegistryStr(), "login")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s://%s/v2/", reg.Scheme(), reg.RegistryStr()), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return fmt.Errorf("registry: logging in to %s: %w", reg, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: %s rejected the user name or password (%d)", ErrUnauthorized, reg, resp.StatusCode)
	}
	return fmt.Errorf("registry: logging in to %s: unexpected HTTP status %d", reg, resp.StatusCode)
}
