package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/docker/cli/cli/config"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ErrInvalidReference reports a reference that cannot be parsed.
var ErrInvalidReference = errors.New("registry: invalid reference")

// ParseReference parses REGISTRY/REPO[:TAG|@DIGEST].
func ParseReference(s string, plainHTTP bool) (name.Reference, error) {
	var opts []name.Option
	if plainHTTP {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v (want REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST])", ErrInvalidReference, s, err)
	}
	return ref, nil
}

// client talks to one repository.
type client struct {
	ref  name.Reference
	repo name.Repository
	auth authn.Authenticator
	o    Options
	http *http.Client // authenticated, for hand-written requests
}

// newClient authenticates for pulling from (or pushing to) ref's
// repository, and for pulling from mountFrom, other repositories of the
// same registry that blobs are mounted from.
func newClient(ctx context.Context, ref name.Reference, o Options, push bool, mountFrom ...string) (*client, error) {
	o.Retry = o.Retry.withDefaults()
	repo := ref.Context()
	auth, err := authn.Resolve(ctx, ConfigKeychain(o.ConfigDir), repo)
	if err != nil {
		return nil, fmt.Errorf("registry: reading credentials for %s: %w", repo.RegistryStr(), err)
	}
	c := &client{ref: ref, repo: repo, auth: auth, o: o}
	scopes := []string{repo.Scope(transport.PullScope)}
	if push {
		scopes = []string{repo.Scope(transport.PushScope)}
	}
	for _, src := range mountFrom {
		scopes = append(scopes, repo.Registry.Repo(src).Scope(transport.PullScope))
	}
	// A registry that does not answer at all is more likely a typo than a
	// restart: give up on connecting sooner than on a transfer.
	connect := *c
	connect.o.Retry.Attempts = min(c.o.Retry.Attempts, 3)
	var rt http.RoundTripper
	err = connect.retry(ctx, "connecting to "+repo.RegistryStr(), func() error {
		var err error
		rt, err = transport.NewWithContext(ctx, repo.Registry, auth, c.baseTransport(), scopes)
		return err
	})
	if err != nil {
		return nil, classifyHTTP(fmt.Errorf("registry: connecting to %s: %w", repo.RegistryStr(), err), repo.RegistryStr(), repo.RepositoryStr())
	}
	c.http = &http.Client{Transport: rt}
	return c, nil
}

func (c *client) baseTransport() http.RoundTripper {
	if c.o.Transport != nil {
		return c.o.Transport
	}
	return remote.DefaultTransport
}

// remoteOptions configures go-containerregistry like the client.
func (c *client) remoteOptions(ctx context.Context) []remote.Option {
	r := c.o.Retry
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuth(c.auth),
		remote.WithTransport(c.baseTransport()),
		remote.WithJobs(c.o.jobs()),
		remote.WithRetryBackoff(remote.Backoff{Duration: r.Initial, Factor: 2, Jitter: 0.1, Steps: r.Attempts, Cap: r.Max}),
	}
	if c.o.UserAgent != "" {
		opts = append(opts, remote.WithUserAgent(c.o.UserAgent))
	}
	return opts
}

// retry runs f until it succeeds, fails permanently or runs out of attempts.
func (c *client) retry(ctx context.Context, what string, f func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = f(); err == nil || !transient(err) || attempt >= c.o.Retry.Attempts {
			return err
		}
		c.o.log().Debug("registry: retrying", "what", what, "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(c.o.Retry.wait(attempt)):
		}
	}
}

// transient reports whether err is worth retrying: network failures and
// 5xx/429 answers, not 4xx answers or verification failures.
func transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrInvalidArtifact) || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrNotFound) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		return te.StatusCode >= 500 || te.StatusCode == http.StatusTooManyRequests || te.StatusCode == http.StatusRequestTimeout
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests || se.code == http.StatusRequestTimeout
	}
	return true // I/O and network errors
}

// statusError is an unexpected HTTP status on a hand-written request.
type statusError struct {
	code int
	what string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: unexpected HTTP status %d %s", e.what, e.code, http.StatusText(e.code))
}

// checkStatus turns a failed response into an error matching ErrNotFound or
// ErrUnauthorized when the status says so.
func (c *client) checkStatus(resp *http.Response, what string, ok ...int) error {
	for _, code := range ok {
		if resp.StatusCode == code {
			return nil
		}
	}
	host := c.repo.RegistryStr()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: %s refused the credentials for %s (401); run `mlpack login %s`", ErrUnauthorized, host, what, host)
	case http.StatusForbidden:
		return fmt.Errorf("%w: %s denied access to %s (403): the account lacks permission; ask for access or run `mlpack login %s` with an account that has it", ErrUnauthorized, host, what, host)
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s has no %s (404)", ErrNotFound, host, what)
	}
	return &statusError{code: resp.StatusCode, what: what}
}

// ConfigKeychain resolves credentials from the docker config file in dir
// (auths entries, credsStore and credHelpers), the file `docker login` and
// Login write. An empty dir resolves everything to anonymous.
func ConfigKeychain(dir string) authn.Keychain { return configKeychain{dir} }

type configKeychain struct{ dir string }

func (k configKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	if k.dir == "" {
		return authn.Anonymous, nil
	}
	cf, err := config.Load(k.dir)
	if err != nil {
		return nil, fmt.Errorf("registry: loading docker config in %s: %w", k.dir, err)
	}
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		ac, err := cf.GetAuthConfig(key)
		if err != nil {
			return nil, fmt.Errorf("registry: reading credentials for %s: %w", key, err)
		}
		if ac.Username != "" || ac.Password != "" || ac.Auth != "" || ac.IdentityToken != "" || ac.RegistryToken != "" {
			return authn.FromConfig(authn.AuthConfig{
				Username: ac.Username, Password: ac.Password, Auth: ac.Auth,
				IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken,
			}), nil
		}
	}
	return authn.Anonymous, nil
}
