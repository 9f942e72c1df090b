package registry

import "testing"

func TestChunkedOK(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1:5000":                       true,
		"registry.example":                     true,
		"ghcr.io":                              false,
		"GHCR.IO:443":                          false,
		"notghcr.io":                           true,
		"gcr.io":                               false,
		"eu.gcr.io":                            false,
		"europe-docker.pkg.dev":                false,
		"1234.dkr.ecr.us-east-1.amazonaws.com": false,
		"[::1]:5000":                           true,
	}
	for host, want := range tests {
		if got := chunkedOK(host); got != want {
			t.Errorf("chunkedOK(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRangeHeaders(t *testing.T) {
	if n, ok := rangeEnd("0-1048575"); !ok || n != 1048576 {
		t.Errorf("rangeEnd(0-1048575) = %d, %v", n, ok)
	}
	if n, ok := rangeEnd("bytes=0-9"); !ok || n != 10 {
		t.Errorf("rangeEnd(bytes=0-9) = %d, %v", n, ok)
	}
	if _, ok := rangeEnd("garbage"); ok {
		t.Error("rangeEnd accepted garbage")
	}
	if n, ok := rangeStart("bytes 100-199/200"); !ok || n != 100 {
		t.Errorf("rangeStart = %d, %v", n, ok)
	}
}
