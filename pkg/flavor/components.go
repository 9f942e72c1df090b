package flavor

import (
	"os"
	"path/filepath"
	"strings"
)

// ComponentLoader loads a model's components the way predict and serve will,
// so that Save can refuse what they could not use. pkg/flavor does not
// implement it: pkg/registry imports flavor and must not link the runtime.
// [github.com/mlpack-go/mlpack/pkg/flavor/componentcheck.Runtime] is the
// implementation on pkg/runtime/tokenizer and pkg/runtime/template.
type ComponentLoader interface {
	// LoadTokenizer parses the contents of tokenizer.json.
	LoadTokenizer(tokenizerJSON []byte) error
	// CompileChatTemplate compiles a chat template.
	CompileChatTemplate(src string) error
}

// CheckComponents loads tokenizer.json and compiles the chat template with l.
// A tokenizer that does not load is an error matching ErrInvalidModel that
// says what to do; a chat template that does not compile is recorded in
// ChatTemplateErr, since only llm/v1/chat uses it.
func (s *Source) CheckComponents(l ComponentLoader) error {
	data, err := os.ReadFile(filepath.Join(s.TokenizerDir, "tokenizer.json"))
	if err != nil {
		return badModel("reading %s: %v", s.t("tokenizer.json"), err)
	}
	if err := l.LoadTokenizer(data); err != nil {
		return badModel("%s cannot be loaded: %s: mlpack runs BPE tokenizers (byte-level like GPT-2's or byte-fallback like Llama's); use a model with such a tokenizer, or fix the file", s.t("tokenizer.json"), strings.TrimPrefix(err.Error(), "tokenizer: "))
	}
	s.ChatTemplateErr = nil
	if s.ChatTemplate == "" {
		return nil
	}
	if err := l.CompileChatTemplate(s.ChatTemplate); err != nil {
		s.ChatTemplateErr = badModel("the chat template in %s does not compile: %s: fix the template (transformers' apply_chat_template uses Jinja2 syntax)", s.t(s.ChatTemplateSource), strings.TrimPrefix(err.Error(), "template: "))
	}
	return nil
}
