package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ardanlabs/jinja"
	"github.com/google/go-cmp/cmp"
	"github.com/mlpack-go/mlpack/internal/pyjson"
)

func TestPyFloatRepr(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1, "1.0"}, {-0.5, "-0.5"}, {0, "0.0"}, {math.Copysign(0, -1), "-0.0"},
		{1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {1e-5, "1e-05"}, {1e-4, "0.0001"},
		{123456789.125, "123456789.125"}, {0.1, "0.1"}, {1.5e300, "1.5e+300"}, {2.5e-7, "2.5e-07"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, pyjson.Float(tt.in)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestToJSONOptions(t *testing.T) {
	v, err := rawValue([]byte(`{"b": [1, 2.0, {}], "a": {"x": "<ü>\u2028"}, "c": []}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		kwargs map[string]jinja.Value
		want   string
	}{
		{"compact keeps order, no escaping", nil, `{"b": [1, 2.0, {}], "a": {"x": "<ü>` + "\u2028" + `"}, "c": []}`},
		{"indent int", map[string]jinja.Value{"indent": jinja.NewInt(1)}, "{\n \"b\": [\n  1,\n  2.0,\n  {}\n ],\n \"a\": {\n  \"x\": \"<ü>\u2028\"\n },\n \"c\": []\n}"},
		{"indent string", map[string]jinja.Value{"indent": jinja.NewString("\t"), "sort_keys": jinja.NewBool(true)}, "{\n\t\"a\": {\n\t\t\"x\": \"<ü>\u2028\"\n\t},\n\t\"b\": [\n\t\t1,\n\t\t2.0,\n\t\t{}\n\t],\n\t\"c\": []\n}"},
		{"ascii", map[string]jinja.Value{"ensure_ascii": jinja.NewBool(true), "separators": jinja.NewList([]jinja.Value{jinja.NewString(","), jinja.NewString(":")})}, `{"b":[1,2.0,{}],"a":{"x":"<\u00fc>\u2028"},"c":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := filterToJSON([]jinja.Value{v}, tt.kwargs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.AsString()); diff != "" {
				t.Error(diff)
			}
		})
	}
	if _, err := filterToJSON([]jinja.Value{jinja.Undefined()}, nil); err == nil {
		t.Error("tojson of Undefined: no error, Python raises TypeError")
	}
}

func TestStrftime(t *testing.T) {
	at := time.Date(2026, 1, 4, 9, 5, 7, 123456000, time.UTC)
	tests := []struct{ format, want string }{
		{"%d %b %Y", "04 Jan 2026"},
		{"%-d %B %Y", "4 January 2026"},
		{"%U %W %j %u %w", "01 00 004 7 0"},
		{"%c|%x|%X", "Sun Jan  4 09:05:07 2026|01/04/26|09:05:07"},
		{"%e|%I %p|%f", " 4|09 AM|123456"},
		{"%Q %", "%Q %"},
		{"Today is 2006 Mon", "Today is 2006 Mon"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, strftime(tt.format, at)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestUnescapePython(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a\nb\tc\rd`, "a\nb\tc\rd"},
		{`\'\"\\`, `'"\`},
		{`\x41\u00fc\U0001F600\101`, "Aü😀A"},
		{`\q\`, `\q\`},
		{"a\\\nb", "ab"},
	}
	for _, tt := range tests {
		got, err := unescapePython(tt.in)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q: %s", tt.in, diff)
		}
	}
	for _, bad := range []string{`\x4`, `\u12`, `\UFFFFFFFF`} {
		if _, err := unescapePython(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPrintRepr(t *testing.T) {
	v, err := rawValue([]byte(`[null, true, 1, 1.0, "it's", "say \"hi\"", "a'b\"c", "\u00a0\n", {"k": [1.5]}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := `[None, True, 1, 1.0, "it's", 'say "hi"', 'a\'b"c', '\xa0\n', {'k': [1.5]}]`
	if diff := cmp.Diff(want, pyStr(v)); diff != "" {
		t.Error(diff)
	}
}

// TestRaiseError checks that the template's message reaches the caller
// verbatim and that the error is a *RaiseError.
func TestRaiseError(t *testing.T) {
	tmpl, err := Compile(`{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported: "' ~ messages[0].content ~ '" ü') }}{% endif %}ok`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render([]map[string]any{{"role": "system", "content": "x"}}, Options{})
	var re *RaiseError
	if !errors.As(err, &re) {
		t.Fatalf("got %v (%T), want *RaiseError", err, err)
	}
	if diff := cmp.Diff(`System role not supported: "x" ü`, re.Error()); diff != "" {
		t.Error(diff)
	}
	out, err := tmpl.Render([]map[string]any{{"role": "user", "content": "x"}}, Options{})
	if err != nil || out != "ok" {
		t.Errorf("got %q, %v; want ok", out, err)
	}
}

// TestBadTemplates checks that malformed templates and inputs give errors,
// never panics or renders.
func TestBadTemplates(t *testing.T) {
	for _, src := range []string{
		"{{ x ", "{% if x %}", "{% for %}{% endfor %}", "{# open", "{{ 'abc }}",
		"{% raw %}no end", "{{ '\\x4' }}", "{% endfor %}",
	} {
		t.Run(src, func(t *testing.T) {
			tmpl, err := Compile(src)
			if err == nil {
				out, rerr := tmpl.Render(nil, Options{})
				t.Errorf("Compile(%q) succeeded; Render = %q, %v", src, out, rerr)
			}
		})
	}
	tmpl, err := Compile("{{ messages }}")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"role": "user"}`, `[1,`, `[] []`} {
		if out, err := tmpl.RenderJSON(json.RawMessage(bad), Options{}); err == nil {
			t.Errorf("RenderJSON(%s) = %q, want error", bad, out)
		}
	}
}

func TestGoValues(t *testing.T) {
	tmpl, err := Compile("{{ messages[0] | tojson }}|{{ n }}|{{ f }}|{{ s }}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render([]map[string]any{{"role": "user", "content": "hi", "n": 3.0}}, Options{
		Extra: map[string]any{"n": json.Number("7"), "f": json.Number("2.50"), "s": []string{"a"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Go maps have no order: message keys come as usually written, the
	// rest sorted. encoding/json's 3.0 is Python's 3.
	want := `{"role": "user", "content": "hi", "n": 3}|7|2.5|['a']`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestStartsWithBOS(t *testing.T) {
	for _, tt := range []struct {
		prompt, bos string
		want        bool
	}{{"<s>[INST]", "<s>", true}, {"<|user|>", "<s>", false}, {"<s>", "", false}, {" <s>", "<s>", false}} {
		if got := StartsWithBOS(tt.prompt, tt.bos); got != tt.want {
			t.Errorf("StartsWithBOS(%q, %q) = %v", tt.prompt, tt.bos, got)
		}
	}
}

// TestConcurrentRender renders one compiled template from many goroutines;
// run with -race. (The "\n" before endfor is eaten by trim_blocks.)
func TestConcurrentRender(t *testing.T) {
	tmpl, err := Compile("{% for m in messages %}{{ m.role }}:{{ m.content }}{% if loop.last %}{{ strftime_now('%Y') }}{% endif %}\n{% endfor %}{{ raise_exception('stop') if fail }}")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs := []map[string]any{{"role": "user", "content": fmt.Sprint(i)}}
			fail := i%2 == 1
			out, err := tmpl.Render(msgs, Options{Extra: map[string]any{"fail": fail}, Now: fixedNow})
			var re *RaiseError
			switch {
			case fail && (!errors.As(err, &re) || re.Message != "stop"):
				errs <- fmt.Errorf("%d: got %q, %v; want raise stop", i, out, err)
			case !fail && (err != nil || out != fmt.Sprintf("user:%d2026", i)):
				errs <- fmt.Errorf("%d: got %q, %v", i, out, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoadConfig(t *testing.T) {
	tr, fa := true, false
	tests := []struct {
		name     string
		config   string
		jinja    string
		want     Config
		wantErr  string
		template string
	}{
		{
			name:   "strings",
			config: `{"chat_template": "{{ x }}", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": null, "add_bos_token": true, "add_eos_token": false, "tokenizer_class": "LlamaTokenizer", "model_max_length": 2048}`,
			want:   Config{ChatTemplate: "{{ x }}", BOSToken: "<s>", EOSToken: "</s>", UnkToken: "<unk>", AddBOSToken: &tr, AddEOSToken: &fa, TokenizerClass: "LlamaTokenizer", ModelMaxLength: 2048},
		},
		{
			name:   "objects and huge max length",
			config: `{"bos_token": {"__type": "AddedToken", "content": "<|begin_of_text|>", "lstrip": false}, "eos_token": {"content": "<|eot_id|>"}, "model_max_length": 1000000000000000019884624838656}`,
			want:   Config{BOSToken: "<|begin_of_text|>", EOSToken: "<|eot_id|>"},
		},
		{
			name:   "named templates",
			config: `{"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]}`,
			want:   Config{ChatTemplate: "D", NamedTemplates: map[string]string{"default": "D", "tool_use": "T"}},
		},
		{
			name:   "jinja file wins",
			config: `{"chat_template": "old"}`,
			jinja:  "new\n",
			want:   Config{ChatTemplate: "new\n"},
		},
		{name: "only jinja", jinja: "J", want: Config{ChatTemplate: "J"}},
		{name: "bad json", config: `{"chat_template": `, wantErr: "invalid JSON"},
		{name: "bad template type", config: `{"chat_template": 3}`, wantErr: "chat_template must be"},
		{name: "bad list item", config: `{"chat_template": [{"name": "x"}]}`, wantErr: `chat_template[0] must have`},
		{name: "bad token", config: `{"bos_token": {"id": 1}}`, wantErr: "bos_token: must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				writeFile(t, filepath.Join(dir, ConfigFile), tt.config)
			}
			if tt.jinja != "" {
				writeFile(t, filepath.Join(dir, TemplateFile), tt.jinja)
			}
			got, err := LoadConfig(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), ConfigFile) {
					t.Fatalf("got %v, want error containing %q and the file name", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	c := Config{NamedTemplates: map[string]string{"tool_use": "T"}}
	if _, err := c.Template(""); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("Template(\"\") = %v, want ErrNoTemplate", err)
	}
	if s, err := c.Template("tool_use"); err != nil || s != "T" {
		t.Errorf("Template(tool_use) = %q, %v", s, err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
