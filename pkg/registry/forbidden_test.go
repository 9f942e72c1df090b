package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mlpack-go/mlpack/pkg/registry/registrytest"
)

// A registry that denies access (403) yields ErrUnauthorized (CLI exit code
// 4) with a message that names the status and says what to check.
func TestForbiddenPullAndPush(t *testing.T) {
	host := registrytest.Memory(t)
	dir := testBundle(t, 64<<10)
	push(t, dir, host+"/denied/m:v1", PushOptions{})
	opts := Options{Retry: fastRetry}

	for _, tc := range []struct {
		name  string
		fresh bool // against an empty registry, so every blob is uploaded
		fault registrytest.Fault
		op    func(proxy string) error
	}{
		{"pull manifest GET", false, registrytest.Fault{Method: http.MethodGet, PathContains: "/manifests/"}, func(proxy string) error {
			_, err := Pull(context.Background(), proxy+"/denied/m:v1", PullOptions{Dir: t.TempDir(), Options: opts})
			return err
		}},
		{"pull blob GET", false, registrytest.Fault{Method: http.MethodGet, PathContains: "/blobs/"}, func(proxy string) error {
			_, err := Pull(context.Background(), proxy+"/denied/m:v1", PullOptions{Dir: t.TempDir(), Options: opts})
			return err
		}},
		{"push blob upload", true, registrytest.Fault{Method: http.MethodPost, PathContains: "/blobs/uploads/"}, func(proxy string) error {
			_, err := Push(context.Background(), dir, proxy+"/denied/other:v1", PushOptions{Options: opts})
			return err
		}},
		{"push manifest PUT", false, registrytest.Fault{Method: http.MethodPut, PathContains: "/manifests/"}, func(proxy string) error {
			_, err := Push(context.Background(), dir, proxy+"/denied/m:v2", PushOptions{Options: opts})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fault
			f.Times, f.Status = 1000, http.StatusForbidden
			upstream := host
			if tc.fresh {
				upstream = registrytest.Memory(t)
			}
			proxy := registrytest.NewProxy(t, upstream, &f)
			err := tc.op(proxy.Host)
			if n := proxy.Fired()[0]; n == 0 {
				t.Fatalf("the 403 fault never fired (err %v)", err)
			}
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("error = %v, want one matching ErrUnauthorized", err)
			}
			if errors.Is(err, ErrNotFound) {
				t.Errorf("error %v also matches ErrNotFound", err)
			}
			msg := err.Error()
			for _, want := range []string{"(403)", "lacks permission", "ask for access", "mlpack login " + proxy.Host} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}
