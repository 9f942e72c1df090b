package template

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzCompileRender feeds arbitrary templates through Compile and Render:
// either may fail, neither may panic. Seeds: testdata/fuzz and the feature
// templates.
func FuzzCompileRender(f *testing.F) {
	for _, s := range []string{
		"{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] + eos_token }}\n{% endfor %}",
		"{{ bos_token }}{% for m in messages %}{% if loop.index0 % 2 == 0 %}[INST] {{ m.content.strip() }} [/INST]{% else %}{{ m.content }}{% endif %}{% endfor %}",
		"{%- set ns = namespace(x=1) -%}{%+ raw %}{{ x }}{% endraw -%}  {# c #}\n{{ messages | tojson(indent=2) }}",
		"{{ 'a\\x41'.split('b', 1) }}{{ 1e3 }}{{ range(3) | list }}",
	} {
		f.Add(s)
	}
	msgs := json.RawMessage(`[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]`)
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Compile(src)
		if errors.Is(err, errPanic) {
			t.Logf("engine panic on compile (recovered): %v", err)
		}
		if err != nil {
			return
		}
		_, err = tmpl.RenderJSON(msgs, Options{AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>"})
		if errors.Is(err, errPanic) {
			t.Errorf("panic while rendering %q: %v", src, err)
		}
	})
}
