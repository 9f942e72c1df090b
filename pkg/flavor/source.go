package flavor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Source describes a Hugging Face text-generation model folder that passed
// the checks of ReadSource.
type Source struct {
	// Dir is the folder as given.
	Dir string
	// Config is config.json, decoded.
	Config map[string]any
	// Architecture is config.json architectures[0], e.g. LlamaForCausalLM.
	Architecture string
	// ModelType is config.json model_type, e.g. llama.
	ModelType string
	// ContextLength is max_position_embeddings (0 when absent).
	ContextLength int64
	// WeightFiles are the safetensors files, relative to Dir, sorted.
	WeightFiles []string
	// IndexFile is "model.safetensors.index.json" for a sharded model, else "".
	IndexFile string
	// DType is the safetensors dtype holding most parameters (F32, BF16, F16...).
	DType string
	// ParameterCount is the number of parameters in the weights, from headers.
	ParameterCount int64
	// ModelFiles are the non-weight files that go to model/ (config.json,
	// generation_config.json when present).
	ModelFiles []string
	// TokenizerDir holds the tokenizer files: Dir for a Hugging Face folder,
	// components/tokenizer for a bundle.
	TokenizerDir string
	// TokenizerFiles are the tokenizer files present, relative to
	// TokenizerDir, sorted.
	TokenizerFiles []string
	// TokenizerClass is tokenizer_config.json tokenizer_class ("" when absent).
	TokenizerClass string
	// ChatTemplate is the default chat template ("" when the model has none).
	ChatTemplate string
	// ChatTemplateSource names where ChatTemplate came from:
	// "chat_template.jinja", "chat_template.json", "tokenizer_config.json"
	// or "" (when several exist, that is also the order of precedence).
	ChatTemplateSource string
	// ChatTemplateErr is why ChatTemplate does not compile, as found by
	// CheckComponents (nil before, when it compiles, or when there is
	// none). Save refuses such a model for llm/v1/chat, the task that
	// renders it.
	ChatTemplateErr error

	// modelRel and tokRel name Dir and TokenizerDir in messages, relative
	// to the folder the caller gave ("" for a Hugging Face folder, "model/"
	// and "components/tokenizer/" for a bundle).
	modelRel, tokRel string
}

// tokenizerFileNames are copied to components/tokenizer when present.
var tokenizerFileNames = []string{
	"added_tokens.json", "chat_template.jinja", "chat_template.json", "merges.txt", "special_tokens_map.json",
	"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json",
}

const indexName = "model.safetensors.index.json"

func badModel(format string, a ...any) error { return newErr(ErrInvalidModel, format, a...) }

// m and t name a file of the model and of the tokenizer in messages.
func (s *Source) m(name string) string { return s.modelRel + name }
func (s *Source) t(name string) string { return s.tokRel + name }

// ReadSource reads and checks the Hugging Face model folder dir: config.json
// naming a causal-LM architecture, safetensors weights (model.safetensors or
// shards listed by model.safetensors.index.json) with well-formed headers, and
// a tokenizer.json. It reads only the safetensors headers, never the weights.
// Every problem is an error matching ErrInvalidModel that says what to fix.
// Whether a chat template is required depends on the task; see Source.ChatTemplate.
func ReadSource(dir string) (*Source, error) {
	if err := checkDir(ErrInvalidModel, "model folder", dir, "give the Hugging Face model folder (config.json, *.safetensors, tokenizer.json)"); err != nil {
		return nil, err
	}
	s, err := readSource(dir, dir, "", "")
	return s, at(ErrInvalidModel, "invalid model", dir, err)
}

// checkDir says plainly when dir does not exist or is not a folder.
func checkDir(kind error, what, dir, hint string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return newErr(kind, "%s %s does not exist: %s", what, dir, hint)
	case err != nil:
		return fmt.Errorf("flavor: reading %s %s: %w", what, dir, err)
	case !st.IsDir():
		return newErr(kind, "%s %s is a file, not a folder: %s", what, dir, hint)
	}
	return nil
}

// at puts where a problem is in front of its message, once: a kindError
// becomes "<what> <path>: <message>" of the given kind; other errors (I/O)
// already name their file and are returned as they are.
func at(kind error, what, path string, err error) error {
	var ke *kindError
	if err == nil || !errors.As(err, &ke) {
		return err
	}
	return &kindError{kind: kind, msg: what + " " + path + ": " + ke.msg}
}

func readSource(dir, tokDir, modelRel, tokRel string) (*Source, error) {
	s := &Source{Dir: dir, TokenizerDir: tokDir, modelRel: modelRel, tokRel: tokRel}
	if err := s.readConfig(); err != nil {
		return nil, err
	}
	if err := s.findWeights(); err != nil {
		return nil, err
	}
	if err := s.readHeaders(); err != nil {
		return nil, err
	}
	if err := s.readTokenizer(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Source) exists(name string) bool { return isFile(filepath.Join(s.Dir, name)) }

func (s *Source) tokExists(name string) bool { return isFile(filepath.Join(s.TokenizerDir, name)) }

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func (s *Source) readConfig() error {
	raw, err := os.ReadFile(filepath.Join(s.Dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return badModel("%s is missing: give a Hugging Face model folder as written by save_pretrained", s.m("config.json"))
	}
	if err != nil {
		return fmt.Errorf("flavor: reading %s: %w", filepath.Join(s.Dir, "config.json"), err)
	}
	if err := json.Unmarshal(raw, &s.Config); err != nil || s.Config == nil {
		return badModel("%s is not a JSON object (%v): fix or re-download it", s.m("config.json"), err)
	}
	archs, _ := s.Config["architectures"].([]any)
	if len(archs) > 0 {
		s.Architecture, _ = archs[0].(string)
	}
	s.ModelType, _ = s.Config["model_type"].(string)
	if s.Architecture == "" {
		return badModel("%s has no \"architectures\" entry: add the model class, e.g. \"architectures\": [\"LlamaForCausalLM\"]", s.m("config.json"))
	}
	if !isCausalLM(s.Architecture) {
		return badModel("architecture %s is not a causal language model (want a *ForCausalLM class such as LlamaForCausalLM): only text-generation models can be saved", s.Architecture)
	}
	if n, ok := s.Config["max_position_embeddings"].(float64); ok && n > 0 {
		s.ContextLength = int64(n)
	}
	s.ModelFiles = []string{"config.json"}
	if s.exists("generation_config.json") {
		s.ModelFiles = append(s.ModelFiles, "generation_config.json")
	}
	return nil
}

func isCausalLM(arch string) bool {
	return strings.HasSuffix(arch, "ForCausalLM") || strings.HasSuffix(arch, "LMHeadModel")
}

func (s *Source) findWeights() error {
	switch {
	case s.exists(indexName):
		raw, err := os.ReadFile(filepath.Join(s.Dir, indexName))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", indexName, err)
		}
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(raw, &idx); err != nil || len(idx.WeightMap) == 0 {
			return badModel("%s is not a valid index: want {\"weight_map\": {tensor: shard file}}", s.m(indexName))
		}
		var missing []string
		for _, f := range idx.WeightMap {
			if strings.Contains(f, "/") || strings.Contains(f, `\`) || f == ".." {
				return badModel("%s names shard %q outside the model folder: list files of the folder only", s.m(indexName), f)
			}
			if !slices.Contains(s.WeightFiles, f) {
				s.WeightFiles = append(s.WeightFiles, f)
				if !s.exists(f) {
					missing = append(missing, f)
				}
			}
		}
		sort.Strings(s.WeightFiles)
		sort.Strings(missing)
		if len(missing) > 0 {
			return badModel("%s names shards that are not in the folder: %s (copy the missing files or re-download the model)", s.m(indexName), strings.Join(missing, ", "))
		}
		s.IndexFile = indexName
	case s.exists("model.safetensors"):
		s.WeightFiles = []string{"model.safetensors"}
	default:
		matches, _ := filepath.Glob(filepath.Join(s.Dir, "*.bin"))
		pt, _ := filepath.Glob(filepath.Join(s.Dir, "*.pt"))
		if len(matches)+len(pt) > 0 {
			return badModel("the weights are only PyTorch pickle files (%s); mlpack reads safetensors only, because pickle files can run code. Convert them with Python: "+
				"AutoModelForCausalLM.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)", filepath.Base(append(matches, pt...)[0]))
		}
		if shards, _ := filepath.Glob(filepath.Join(s.Dir, "*.safetensors")); len(shards) > 0 {
			return badModel("there are safetensors shards but no %s: add the index that lists them", s.m(indexName))
		}
		return badModel("there are no weights: want %s, or shards with %s", s.m("model.safetensors"), s.m(indexName))
	}
	return nil
}

func (s *Source) readTokenizer() error {
	for _, n := range tokenizerFileNames {
		if s.tokExists(n) {
			s.TokenizerFiles = append(s.TokenizerFiles, n)
		}
	}
	if !s.tokExists("tokenizer.json") {
		if s.tokExists("tokenizer.model") {
			return badModel("there is %s but no %s: mlpack needs the fast tokenizer; write it with Python: AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)", s.t("tokenizer.model"), s.t("tokenizer.json"))
		}
		return badModel("%s is missing: copy the model's tokenizer files (tokenizer.json, tokenizer_config.json, special_tokens_map.json) into the folder", s.t("tokenizer.json"))
	}
	if s.tokExists("tokenizer_config.json") {
		raw, err := os.ReadFile(filepath.Join(s.TokenizerDir, "tokenizer_config.json"))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", filepath.Join(s.TokenizerDir, "tokenizer_config.json"), err)
		}
		var tc map[string]json.RawMessage
		if err := json.Unmarshal(raw, &tc); err != nil {
			return badModel("%s is not a JSON object (%v): fix or re-download it", s.t("tokenizer_config.json"), err)
		}
		if c, ok := tc["tokenizer_class"]; ok {
			_ = json.Unmarshal(c, &s.TokenizerClass)
		}
		if t, ok := tc["chat_template"]; ok {
			tmpl, err := chatTemplateFrom(s.t("tokenizer_config.json"), t)
			if err != nil {
				return err
			}
			if tmpl != "" {
				s.ChatTemplate, s.ChatTemplateSource = tmpl, "tokenizer_config.json"
			}
		}
	}
	if s.tokExists("chat_template.json") { // {"chat_template": "..."}, as processors save it
		raw, err := os.ReadFile(filepath.Join(s.TokenizerDir, "chat_template.json"))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", filepath.Join(s.TokenizerDir, "chat_template.json"), err)
		}
		var ct struct {
			ChatTemplate json.RawMessage `json:"chat_template"`
		}
		if err := json.Unmarshal(raw, &ct); err != nil {
			return badModel("%s is not a JSON object with \"chat_template\" (%v): fix or remove it", s.t("chat_template.json"), err)
		}
		if len(ct.ChatTemplate) > 0 {
			tmpl, err := chatTemplateFrom(s.t("chat_template.json"), ct.ChatTemplate)
			if err != nil {
				return err
			}
			if tmpl != "" {
				s.ChatTemplate, s.ChatTemplateSource = tmpl, "chat_template.json"
			}
		}
	}
	if s.tokExists("chat_template.jinja") {
		raw, err := os.ReadFile(filepath.Join(s.TokenizerDir, "chat_template.jinja"))
		if err != nil {
			return fmt.Errorf("flavor: reading %s: %w", filepath.Join(s.TokenizerDir, "chat_template.jinja"), err)
		}
		if len(strings.TrimSpace(string(raw))) > 0 {
			s.ChatTemplate, s.ChatTemplateSource = string(raw), "chat_template.jinja"
		}
	}
	return nil
}

// chatTemplateFrom reads tokenizer_config.json's chat_template: a string, or
// a list of {"name", "template"} where the one named "default" is used.
func chatTemplateFrom(file string, raw json.RawMessage) (string, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, nil
	}
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		if string(raw) == "null" {
			return "", nil
		}
		return "", badModel("%s chat_template must be a string or a list of {\"name\", \"template\"}", file)
	}
	for _, t := range list {
		if t.Name == "default" {
			return t.Template, nil
		}
	}
	if len(list) > 0 {
		return "", badModel("%s lists chat templates but none is named \"default\": name the one to use \"default\"", file)
	}
	return "", nil
}

// TokenizerType returns the class MLflow would record as tokenizer_type: the
// fast variant of tokenizer_class, since tokenizer.json is present.
func (s *Source) TokenizerType() string {
	c := s.TokenizerClass
	switch {
	case c == "":
		return "PreTrainedTokenizerFast"
	case strings.HasSuffix(c, "Fast"):
		return c
	}
	return c + "Fast"
}

// TorchDType returns the torch dtype name for the weights' dtype, as MLflow
// writes flavors.transformers.torch_dtype.
func (s *Source) TorchDType() string {
	switch s.DType {
	case "F32":
		return "torch.float32"
	case "BF16":
		return "torch.bfloat16"
	case "F16":
		return "torch.float16"
	case "F64":
		return "torch.float64"
	}
	return "torch.float32"
}
