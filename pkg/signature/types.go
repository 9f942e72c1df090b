package signature

import (
	"errors"
	"slices"
	"strings"
)

// DataType is one of MLflow's scalar column types.
type DataType string

// The scalar types MLflow knows (mlflow.types.DataType).
const (
	Boolean  DataType = "boolean"
	Integer  DataType = "integer"
	Long     DataType = "long"
	Float    DataType = "float"
	Double   DataType = "double"
	String   DataType = "string"
	Binary   DataType = "binary"
	Datetime DataType = "datetime"
)

var dataTypes = []DataType{Boolean, Integer, Long, Float, Double, String, Binary, Datetime}

// Valid reports whether d is one of the eight MLflow data type names.
func (d DataType) Valid() bool { return slices.Contains(dataTypes, d) }

// Type is the type of a column, an array item, an object property or a map
// value: a [DataType], *[Array], *[Object], *[Map] or [AnyType].
type Type interface {
	// TypeName is the value of the "type" key MLflow writes for this type.
	TypeName() string
	writeType(w *pyWriter) // writes the type dict, e.g. {"type": "array", "items": ...} without closing brace
}

// TypeName returns the data type's own name.
func (d DataType) TypeName() string { return string(d) }

// Array is MLflow's Array type: a list whose items all have type Items.
type Array struct {
	Items Type
}

// TypeName returns "array".
func (*Array) TypeName() string { return "array" }

// Object is MLflow's Object type: a JSON object with named, typed properties.
// Properties are kept sorted by name, as MLflow does; build it with [NewObject].
type Object struct {
	Properties []Property
}

// Property is one named property of an [Object].
type Property struct {
	Name     string
	Type     Type
	Required bool
}

// NewObject returns an Object whose properties are sorted by name.
func NewObject(props ...Property) *Object {
	ps := slices.Clone(props)
	slices.SortStableFunc(ps, func(a, b Property) int { return strings.Compare(a.Name, b.Name) })
	return &Object{Properties: ps}
}

// TypeName returns "object".
func (*Object) TypeName() string { return "object" }

// Map is MLflow's Map type: a JSON object with string keys and values of type Values.
type Map struct {
	Values Type
}

// TypeName returns "map".
func (*Map) TypeName() string { return "map" }

// AnyType is MLflow's AnyType: any JSON value.
type AnyType struct{}

// TypeName returns "any".
func (AnyType) TypeName() string { return "any" }

// ColSpec is one column of a column-based schema. An empty Name means an
// unnamed column (MLflow writes no "name" key then).
type ColSpec struct {
	Type     Type
	Name     string
	Required bool
}

// TensorSpec is one tensor of a tensor-based schema.
type TensorSpec struct {
	DType string  // numpy dtype name, e.g. "float32"
	Shape []int64 // -1 for a variable dimension
	Name  string  // empty when unnamed
}

// Schema is an MLflow input or output schema: either a list of columns or a
// list of tensors (never both).
type Schema struct {
	Columns []ColSpec
	Tensors []TensorSpec
}

// IsTensorBased reports whether the schema lists tensors rather than columns.
func (s *Schema) IsTensorBased() bool { return len(s.Tensors) > 0 }

// HasNames reports whether the columns are named (a dict input) rather than a
// single unnamed column.
func (s *Schema) HasNames() bool {
	for _, c := range s.Columns {
		if c.Name != "" {
			return true
		}
	}
	return false
}

// Column returns the column named name, or nil.
func (s *Schema) Column(name string) *ColSpec {
	for i := range s.Columns {
		if s.Columns[i].Name == name {
			return &s.Columns[i]
		}
	}
	return nil
}

// Signature is an MLflow model signature. Outputs and Params may be nil.
type Signature struct {
	Inputs  *Schema
	Outputs *Schema
	Params  *ParamSchema
}

// ErrInvalidSignature reports a signature or schema that cannot be parsed or
// is not a valid MLflow schema.
var ErrInvalidSignature = errors.New("signature: invalid signature")

// ErrUnknownTask reports a task name ForTask does not know.
var ErrUnknownTask = errors.New("signature: unknown task")
