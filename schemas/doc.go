// Package schemas holds the JSON Schemas of mlpack's documents, generated
// from the Go types with invopop/jsonschema (see schemas_test.go; run
// `go test ./schemas -update` after changing a type), and a small validator
// for the subset of JSON Schema those files use.
//
//	err := schemas.Validate("mlmodel.json", doc) // doc: decoded JSON
//
// The validator understands type (including "null" and "integer"),
// properties, required, additionalProperties (boolean or schema), items,
// enum, const, oneOf, anyOf, $ref to "#/$defs/...", minimum, maximum,
// exclusiveMinimum, minItems, maxItems, and the true/false schemas. Other keywords are ignored, which is why Validate refuses a schema
// file containing keywords it does not know (see [Keywords]).
package schemas
