package registry

import "testing"

func TestSplitScheme(t *testing.T) {
	tests := []struct {
		in, want string
		plain    bool
	}{
		{"127.0.0.1:5051", "127.0.0.1:5051", false},
		{"http://127.0.0.1:5051", "127.0.0.1:5051", true},
		{"HTTP://reg.example:5000/", "reg.example:5000", true},
		{"https://reg.example", "reg.example", false},
		{"reg.example/", "reg.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, plain := SplitScheme(tt.in)
			if got != tt.want || plain != tt.plain {
				t.Errorf("SplitScheme(%q) = %q, %v; want %q, %v", tt.in, got, plain, tt.want, tt.plain)
			}
		})
	}
}
