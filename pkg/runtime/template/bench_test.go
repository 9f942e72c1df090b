package template

import (
	"encoding/json"
	"testing"
)

const benchTemplate = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"

func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := Compile(benchTemplate); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender renders TinyLlama's template for a 4-message chat.
func BenchmarkRender(b *testing.B) {
	tmpl, err := Compile(benchTemplate)
	if err != nil {
		b.Fatal(err)
	}
	msgs := json.RawMessage(`[{"role":"system","content":"You are a friendly bot."},{"role":"user","content":"Hello, how are you?"},{"role":"assistant","content":"I'm fine."},{"role":"user","content":"Tell me a joke."}]`)
	opts := Options{AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.RenderJSON(msgs, opts); err != nil {
			b.Fatal(err)
		}
	}
}
