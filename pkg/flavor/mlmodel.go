package flavor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mlpack-go/mlpack/schemas"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Sentinel errors callers branch on (errors.Is).
var (
	// ErrInvalidBundle reports a bundle directory that is not a loadable
	// MLflow transformers bundle.
	ErrInvalidBundle = errors.New("flavor: invalid bundle")
	// ErrInvalidModel reports a Hugging Face source folder that cannot be saved.
	ErrInvalidModel = errors.New("flavor: invalid model")
	// ErrExists reports that the output directory exists and Force was not set.
	ErrExists = errors.New("flavor: output already exists")
	// ErrInvalidModelConfig reports a model config (python_function.config)
	// option whose value has the wrong type or is out of range.
	ErrInvalidModelConfig = errors.New("flavor: invalid model config")
)

// MLmodel is the manifest MLflow writes as the MLmodel file. Fields are
// declared in alphabetical order of their YAML keys so the encoding has the
// key order PyYAML's safe_dump gives. Keys mlpack does not model are kept in
// Extra and written back unchanged.
type MLmodel struct {
	ArtifactPath          string            `yaml:"artifact_path,omitempty" json:"artifact_path,omitempty"`
	Flavors               Flavors           `yaml:"flavors" json:"flavors"`
	Metadata              map[string]any    `yaml:"metadata,omitempty" json:"metadata,omitempty"`
	MLflowVersion         string            `yaml:"mlflow_version" json:"mlflow_version"`
	ModelSizeBytes        *int64            `yaml:"model_size_bytes,omitempty" json:"model_size_bytes,omitempty"`
	ModelUUID             string            `yaml:"model_uuid" json:"model_uuid"`
	RunID                 string            `yaml:"run_id,omitempty" json:"run_id,omitempty"`
	SavedInputExampleInfo *InputExampleInfo `yaml:"saved_input_example_info,omitempty" json:"saved_input_example_info,omitempty"`
	Signature             *SignatureField   `yaml:"signature,omitempty" json:"signature,omitempty"`
	UTCTimeCreated        string            `yaml:"utc_time_created" json:"utc_time_created"`
	Extra                 map[string]any    `yaml:",inline" json:"-"`
}

// Flavors holds the flavors of a model. MLflow ignores flavors it does not
// know, which is where mlpack keeps its own facts.
type Flavors struct {
	Mlpack         *MlpackFlavor       `yaml:"mlpack,omitempty" json:"mlpack,omitempty"`
	PythonFunction *PyFuncFlavor       `yaml:"python_function,omitempty" json:"python_function,omitempty"`
	Transformers   *TransformersFlavor `yaml:"transformers,omitempty" json:"transformers,omitempty"`
	Extra          map[string]any      `yaml:",inline" json:"-"`
}

// PyFuncFlavor is flavors.python_function (mlflow.pyfunc.add_to_model).
type PyFuncFlavor struct {
	Code          string         `yaml:"code,omitempty" json:"code,omitempty"`
	Config        map[string]any `yaml:"config,omitempty" json:"config,omitempty"`
	Data          string         `yaml:"data,omitempty" json:"data,omitempty"`
	Env           Env            `yaml:"env" json:"env"`
	LoaderModule  string         `yaml:"loader_module" json:"loader_module"`
	PythonVersion string         `yaml:"python_version" json:"python_version"`
	Extra         map[string]any `yaml:",inline" json:"-"`
}

// Env is python_function.env: {conda: conda.yaml, virtualenv: python_env.yaml}
// since MLflow 2.0, a plain conda file path before. Legacy holds that path.
type Env struct {
	Conda      string `yaml:"conda,omitempty" json:"conda,omitempty"`
	Virtualenv string `yaml:"virtualenv,omitempty" json:"virtualenv,omitempty"`
	Legacy     string `yaml:"-" json:"legacy,omitempty"`
}

// UnmarshalYAML accepts the mapping form and the pre-2.0 string form.
func (e *Env) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*e = Env{}
		if n.Tag == "!!null" {
			return nil
		}
		e.Legacy = n.Value
		return nil
	}
	type plain Env
	var p plain
	if err := n.Decode(&p); err != nil {
		return fmt.Errorf("env: want a path or {conda, virtualenv}: %w", err)
	}
	*e = Env(p)
	return nil
}

// MarshalYAML writes the string form when the env came as one.
func (e Env) MarshalYAML() (any, error) {
	if e.Legacy != "" && e.Conda == "" && e.Virtualenv == "" {
		return e.Legacy, nil
	}
	type plain Env
	return plain(e), nil
}

// CondaFile returns the conda environment file of either form.
func (e Env) CondaFile() string {
	if e.Conda != "" {
		return e.Conda
	}
	return e.Legacy
}

// TransformersFlavor is flavors.transformers as mlflow.transformers writes
// it. Code is always written (null without code_paths).
type TransformersFlavor struct {
	Code                *string        `yaml:"code" json:"code" jsonschema:"nullable"`
	Components          []string       `yaml:"components,omitempty" json:"components,omitempty"`
	Framework           string         `yaml:"framework,omitempty" json:"framework,omitempty"`
	InferenceTask       string         `yaml:"inference_task,omitempty" json:"inference_task,omitempty"`
	InstanceType        string         `yaml:"instance_type,omitempty" json:"instance_type,omitempty"`
	ModelBinary         string         `yaml:"model_binary,omitempty" json:"model_binary,omitempty"`
	PipelineModelType   string         `yaml:"pipeline_model_type,omitempty" json:"pipeline_model_type,omitempty"`
	SourceModelName     string         `yaml:"source_model_name,omitempty" json:"source_model_name,omitempty"`
	SourceModelRevision string         `yaml:"source_model_revision,omitempty" json:"source_model_revision,omitempty"`
	Task                string         `yaml:"task" json:"task"`
	TokenizerType       string         `yaml:"tokenizer_type,omitempty" json:"tokenizer_type,omitempty"`
	TorchDType          string         `yaml:"torch_dtype,omitempty" json:"torch_dtype,omitempty"`
	TransformersVersion string         `yaml:"transformers_version,omitempty" json:"transformers_version,omitempty"`
	Extra               map[string]any `yaml:",inline" json:"-"`
}

// MlpackFlavor is flavors.mlpack: facts mlpack found in the source model.
// MLflow ignores it.
type MlpackFlavor struct {
	Architecture       string `yaml:"architecture" json:"architecture"`
	ChatTemplateSource string `yaml:"chat_template_source,omitempty" json:"chat_template_source,omitempty"`
	ContextLength      int64  `yaml:"context_length,omitempty" json:"context_length,omitempty"`
	DType              string `yaml:"dtype" json:"dtype"`
	MlpackVersion      string `yaml:"mlpack_version" json:"mlpack_version"`
	ParameterCount     int64  `yaml:"parameter_count" json:"parameter_count"`
}

// InputExampleInfo is saved_input_example_info.
type InputExampleInfo struct {
	ArtifactPath     string `yaml:"artifact_path" json:"artifact_path"`
	PandasOrient     string `yaml:"pandas_orient,omitempty" json:"pandas_orient,omitempty"`
	Params           string `yaml:"params,omitempty" json:"params,omitempty"`
	ServingInputPath string `yaml:"serving_input_path,omitempty" json:"serving_input_path,omitempty"`
	Type             string `yaml:"type" json:"type"`
}

// SignatureField is the signature as MLmodel stores it: each schema a JSON
// string, params a JSON string or null.
type SignatureField struct {
	Inputs  string  `yaml:"inputs,omitempty" json:"inputs,omitempty"`
	Outputs string  `yaml:"outputs,omitempty" json:"outputs,omitempty"`
	Params  *string `yaml:"params" json:"params" jsonschema:"nullable"`
}

// Marshal encodes m as YAML in PyYAML's safe_dump layout (sorted keys,
// block style, two-space indentation).
func (m *MLmodel) Marshal() ([]byte, error) {
	if pf := m.Flavors.PythonFunction; pf != nil && pf.Config != nil {
		cp, pfc := *m, *pf
		pfc.Config = pyYAMLFloats(pf.Config).(map[string]any)
		cp.Flavors.PythonFunction = &pfc
		m = &cp
	}
	var n yaml.Node
	if err := n.Encode(m); err != nil {
		return nil, fmt.Errorf("flavor: encoding MLmodel: %w", err)
	}
	sortMappings(&n) // Extra keys take their alphabetical place too
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("flavor: encoding MLmodel: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("flavor: encoding MLmodel: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseMLmodel decodes an MLmodel document.
func ParseMLmodel(b []byte) (*MLmodel, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, newErr(ErrInvalidBundle, "MLmodel is not valid YAML: %v", err)
	}
	if err := stringKeys(&n); err != nil {
		return nil, newErr(ErrInvalidBundle, "MLmodel: %v", err)
	}
	var m MLmodel
	if err := n.Decode(&m); err != nil {
		return nil, newErr(ErrInvalidBundle, "MLmodel is not valid YAML for an MLflow model: %v", err)
	}
	return &m, nil
}

// ValidateMLmodel checks an encoded MLmodel against schemas/mlmodel.json.
func ValidateMLmodel(data []byte) error {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return newErr(ErrInvalidBundle, "MLmodel is not valid YAML: %v", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return newErr(ErrInvalidBundle, "MLmodel cannot be expressed as JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("flavor: %w", err)
	}
	if err := schemas.Validate("mlmodel.json", doc); err != nil {
		return newErr(ErrInvalidBundle, "MLmodel does not match schemas/mlmodel.json: %s", strings.TrimPrefix(err.Error(), "schemas: "))
	}
	return nil
}

// sortMappings sorts every mapping's keys, as PyYAML's safe_dump does.
func sortMappings(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		type pair struct{ k, v *yaml.Node }
		pairs := make([]pair, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
		}
		sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].k.Value < pairs[j].k.Value })
		n.Content = n.Content[:0]
		for _, p := range pairs {
			n.Content = append(n.Content, p.k, p.v)
		}
	}
	for _, c := range n.Content {
		sortMappings(c)
	}
}

// stringKeys refuses mapping keys that are not strings (MLflow writes none;
// they would not survive a round trip through Go maps).
func stringKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				return fmt.Errorf("line %d: mapping key %q is not a string", k.Line, k.Value)
			}
		}
	}
	for _, c := range n.Content {
		if err := stringKeys(c); err != nil {
			return err
		}
	}
	return nil
}
