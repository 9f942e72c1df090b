// Package signature implements MLflow model signatures: the schema types
// (ColSpec, Array, Object, Map, Any, TensorSpec, ParamSpec), their encoding
// (byte-identical to MLflow's json.dumps output, as stored inside MLmodel),
// parsing back, the fixed signatures MLflow uses for text-generation,
// llm/v1/chat and llm/v1/completions, and validation of a decoded JSON input
// against a schema.
//
// # Building and encoding
//
//	sig, _ := signature.ForTask("llm/v1/chat")
//	in := sig.Inputs.JSON() // `[{"type": "array", "items": {...}, "name": "messages", "required": true}, ...]`
//
// [Schema.JSON] and [ParamSchema.JSON] produce exactly what Python's
// json.dumps writes for MLflow's to_dict form: separators ", " and ": ",
// non-ASCII characters escaped as \uXXXX, the key order of MLflow's to_dict
// methods, and object properties sorted by name.
//
// # Validation
//
// [Schema.Validate] checks a decoded JSON value (map[string]any for a row of
// named columns, []any, string, float64, json.Number, bool, nil) and returns a
// *[ValidationError] naming the offending field and what was expected. Every
// validation error matches [ErrInvalidInput] with errors.Is. Messages never echo
// the schema or the whole input.
//
//	err := sig.Inputs.Validate(map[string]any{"messages": "hi"})
//	// signature: invalid input: messages: expected array, got string
package signature
