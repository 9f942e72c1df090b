package flavor

import (
	"fmt"
	"strings"
)

// The Python environment recorded in a bundle: versions known to load a
// text-generation bundle with mlflow.pyfunc (MLflow 2.16, transformers 4.44,
// torch 2.4, Python 3.10). MLflow writes the versions installed at save time;
// mlpack has no Python, so it pins a set that works together.
const (
	MLflowVersion       = "2.16.2"
	TransformersVersion = "4.44.2"
	PythonVersion       = "3.10.12"
)

var requirements = []string{
	"mlflow==" + MLflowVersion,
	"accelerate==0.34.2",
	"safetensors==0.4.5",
	"tokenizers==0.19.1",
	"torch==2.4.1",
	"torchvision==0.19.1",
	"transformers==" + TransformersVersion,
}

// requirementsTxt is one requirement per line, without a trailing newline,
// as MLflow writes it.
func requirementsTxt() string { return strings.Join(requirements, "\n") }

func pythonEnvYAML() string {
	return fmt.Sprintf("python: %s\nbuild_dependencies:\n- pip==24.2\n- setuptools==74.1.2\n- wheel==0.44.0\ndependencies:\n- -r requirements.txt\n", PythonVersion)
}

func condaYAML() string {
	var b strings.Builder
	b.WriteString("channels:\n- conda-forge\ndependencies:\n")
	fmt.Fprintf(&b, "- python=%s\n- pip<=24.2\n- pip:\n", PythonVersion)
	for _, r := range requirements {
		fmt.Fprintf(&b, "  - %s\n", r)
	}
	b.WriteString("name: mlflow-env\n")
	return b.String()
}
