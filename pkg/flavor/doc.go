// Package flavor reads and writes MLflow transformers-flavor bundles: the
// MLmodel manifest as typed Go structs, bundle loading and validation
// ([Load]), reading and checking a Hugging Face model folder ([ReadSource]),
// and writing a bundle MLflow itself can load ([Save]).
//
// A bundle is the directory mlflow.transformers.save_model writes:
//
//	MLmodel                     YAML manifest (see [MLmodel])
//	model/                      config.json, generation_config.json, *.safetensors (+ index)
//	components/tokenizer/       tokenizer.json, tokenizer_config.json, ...
//	requirements.txt, python_env.yaml, conda.yaml
//	input_example.json, serving_input_example.json
//
// mlpack records facts of its own (architecture, dtype, parameter count,
// context length, chat template source) under flavors.mlpack, a flavor MLflow
// does not know and therefore ignores.
//
// Errors: [ErrInvalidBundle] for a bundle that cannot be loaded,
// [ErrInvalidModel] for a source folder that cannot be saved, [ErrExists] when
// the output exists and Force was not set. Messages say what to fix.
package flavor
