package registry

import "testing"

func TestMatchInclude(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"tokenizer*", "components/tokenizer/tokenizer.json", true},
		{"tokenizer*", "model/config.json", false},
		{"model/*", "model/config.json", true},
		{"model/*", "model/sub/x.json", false},
		{"**/*.json", "components/tokenizer/tokenizer.json", true},
		{"**/*.json", "config.json", true},
		{"**/*.json", "MLmodel", false},
		{"components/**", "components/tokenizer/vocab.txt", true},
		{"components/", "components/tokenizer/vocab.txt", true},
		{"MLmodel", "MLmodel", true},
		{"*.safetensors", "model/model-00001-of-00002.safetensors", true},
		{"[", "x", false},
	}
	for _, tt := range tests {
		if got := matchInclude([]string{tt.glob}, tt.path); got != tt.want {
			t.Errorf("matchInclude(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
	if !matchInclude(nil, "anything") {
		t.Error("no globs must select everything")
	}
}

func TestCheckPath(t *testing.T) {
	ok := []string{"MLmodel", "model/config.json", "a/b/c.d", "..hidden", "x..y"}
	bad := []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", `a\\b`, "C:/x", ".mlpack-pull/x", "a/\x00"}
	for _, p := range ok {
		if err := checkPath(p); err != nil {
			t.Errorf("checkPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range bad {
		if err := checkPath(p); err == nil {
			t.Errorf("checkPath(%q) accepted it", p)
		}
	}
}
