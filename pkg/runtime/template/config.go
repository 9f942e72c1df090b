package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// ConfigFile and TemplateFile are the files LoadConfig reads in a tokenizer
// folder. A TemplateFile, when present, wins over the config's chat_template,
// as in transformers.
const (
	ConfigFile   = "tokenizer_config.json"
	TemplateFile = "chat_template.jinja"
)

// ErrNoTemplate reports that a model defines no chat template.
var ErrNoTemplate = errors.New("template: the model has no chat template")

// Config is what tokenizer_config.json (and chat_template.jinja) say about
// chat formatting and special tokens.
type Config struct {
	// ChatTemplate is the default template ("" if none).
	ChatTemplate string
	// NamedTemplates holds every template when chat_template is a list of
	// {"name", "template"} objects (including "default" when present).
	NamedTemplates map[string]string
	// Special token texts; the JSON holds strings or {"content": ...} objects.
	BOSToken, EOSToken, UnkToken, PadToken string
	AddBOSToken, AddEOSToken               *bool
	TokenizerClass                         string
	// ModelMaxLength is 0 when absent or a "no limit" placeholder such as
	// transformers' int(1e30).
	ModelMaxLength int64
}

// rawConfig mirrors the fields of tokenizer_config.json this package reads.
type rawConfig struct {
	ChatTemplate   json.RawMessage `json:"chat_template"`
	BOSToken       json.RawMessage `json:"bos_token"`
	EOSToken       json.RawMessage `json:"eos_token"`
	UnkToken       json.RawMessage `json:"unk_token"`
	PadToken       json.RawMessage `json:"pad_token"`
	AddBOSToken    *bool           `json:"add_bos_token"`
	AddEOSToken    *bool           `json:"add_eos_token"`
	TokenizerClass string          `json:"tokenizer_class"`
	ModelMaxLength json.Number     `json:"model_max_length"`
}

// maxSaneLength is the largest model_max_length taken as a real limit.
const maxSaneLength = 1 << 40

// LoadConfig reads dir/tokenizer_config.json and dir/chat_template.jinja.
// Either may be absent (the result then has empty fields); a file that is
// present but malformed is an error naming it.
func LoadConfig(dir string) (*Config, error) {
	cfg := &Config{}
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("template: reading %q: %w", path, err)
	default:
		if err := ParseConfig(data, cfg); err != nil {
			return nil, fmt.Errorf("template: reading %q: %w", path, err)
		}
	}
	tpath := filepath.Join(dir, TemplateFile)
	tdata, err := os.ReadFile(tpath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("template: reading %q: %w", tpath, err)
	default:
		cfg.ChatTemplate = string(tdata)
	}
	return cfg, nil
}

// ParseConfig fills cfg from the contents of a tokenizer_config.json.
func ParseConfig(data []byte, cfg *Config) error {
	var raw rawConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if err := parseChatTemplate(raw.ChatTemplate, cfg); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{
		{"bos_token", raw.BOSToken, &cfg.BOSToken},
		{"eos_token", raw.EOSToken, &cfg.EOSToken},
		{"unk_token", raw.UnkToken, &cfg.UnkToken},
		{"pad_token", raw.PadToken, &cfg.PadToken},
	} {
		s, err := tokenText(f.raw)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		*f.dst = s
	}
	cfg.AddBOSToken, cfg.AddEOSToken = raw.AddBOSToken, raw.AddEOSToken
	cfg.TokenizerClass = raw.TokenizerClass
	if raw.ModelMaxLength != "" {
		n, err := raw.ModelMaxLength.Int64()
		if err != nil {
			f, ferr := raw.ModelMaxLength.Float64()
			if ferr != nil && !errors.Is(ferr, strconv.ErrRange) {
				return fmt.Errorf("model_max_length %s is not a number", raw.ModelMaxLength)
			}
			if f > 0 && f < maxSaneLength && f == math.Trunc(f) {
				n = int64(f)
			} else {
				n = 0
			}
		}
		if n < 0 || n > maxSaneLength {
			n = 0
		}
		cfg.ModelMaxLength = n
	}
	return nil
}

func parseChatTemplate(raw json.RawMessage, cfg *Config) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		cfg.ChatTemplate = s
		return nil
	}
	var list []struct {
		Name     *string `json:"name"`
		Template *string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("chat_template must be a string or a list of {\"name\", \"template\"} objects")
	}
	cfg.NamedTemplates = make(map[string]string, len(list))
	for i, t := range list {
		if t.Name == nil || t.Template == nil {
			return fmt.Errorf("chat_template[%d] must have string fields \"name\" and \"template\"", i)
		}
		cfg.NamedTemplates[*t.Name] = *t.Template
	}
	cfg.ChatTemplate = cfg.NamedTemplates["default"]
	return nil
}

// tokenText reads a special token given as a string, an object with a
// "content" string (AddedToken), or null.
func tokenText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Content == nil {
		return "", fmt.Errorf("must be a string or an object with a \"content\" string")
	}
	return *obj.Content, nil
}

// Template returns the template named name ("" or "default" for the
// default one), or ErrNoTemplate.
func (c *Config) Template(name string) (string, error) {
	if name == "" || name == "default" {
		if c.ChatTemplate == "" {
			return "", ErrNoTemplate
		}
		return c.ChatTemplate, nil
	}
	if t, ok := c.NamedTemplates[name]; ok {
		return t, nil
	}
	return "", fmt.Errorf("%w named %q", ErrNoTemplate, name)
}
