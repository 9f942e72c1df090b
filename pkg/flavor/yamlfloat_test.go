package flavor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigFloatsWrittenLikePyYAML(t *testing.T) {
	m := &MLmodel{Flavors: Flavors{PythonFunction: &PyFuncFlavor{Config: map[string]any{
		"temperature": 1.0, "top_p": 0.95, "eps": 1e-5, "big": 1e16, "num": int64(3), "stop": []any{"a", 2.0},
	}}}}
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "    config:\n      big: 1.0e+16\n      eps: 1.0e-05\n      num: 3\n      stop:\n        - a\n        - 2.0\n      temperature: 1.0\n      top_p: 0.95\n"
	if !strings.Contains(string(out), want) {
		t.Errorf("config block:\n%s\nwant it to contain:\n%s", out, want)
	}
	back, err := ParseMLmodel(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m.Flavors.PythonFunction.Config, normYAML(back.Flavors.PythonFunction.Config)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if m.Flavors.PythonFunction.Config["temperature"] != 1.0 {
		t.Error("Marshal modified the caller's config")
	}
}
