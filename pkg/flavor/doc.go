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
// Parameter counts come from the safetensors headers, with an lm_head tied to
// the embeddings counted once, as transformers' num_parameters does
// ([CountParameters]). With [SaveOptions].Components (the CLI passes
// componentcheck.Runtime) Save also loads the tokenizer and compiles the chat
// template the way predict and serve will, so that a model they could not
// run is refused at save time.
//
// Save publishes the finished bundle with a rename that never replaces an
// existing output unless Force is set (renameat2 RENAME_NOREPLACE on Linux),
// and Force replaces only a bundle (a folder with an MLmodel file) or an
// empty folder, swapping it out in one step (RENAME_EXCHANGE) so the output
// always holds a complete bundle.
//
// Errors: [ErrInvalidBundle] for a bundle that cannot be loaded,
// [ErrInvalidModel] for a source folder that cannot be saved,
// [ErrInvalidModelConfig] for a generation option of the wrong type or range,
// [ErrExists] when the output exists and Force was not set, or is not a
// bundle Force may replace. Messages read "flavor: <where>: <what is wrong>:
// <what to do>", with one prefix.
package flavor
