package serve_test

import (
	"net"
	"net/http"
	"testing"
)

// startHTTP serves hs on a loopback port and returns its base URL.
func startHTTP(t testing.TB, hs *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

func startHTTPB(b *testing.B, hs *http.Server) string { return startHTTP(b, hs) }
