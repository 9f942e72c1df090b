// Package mlflow holds the wire handling of MLflow's scoring protocol as
// `mlflow models serve` speaks it (mlflow-format.md §7): the content types
// /invocations accepts, CSV input, the {"error_code","message"} error body
// with MLflow's status table, and json.dumps's layout for reply bodies. It
// is pure: no HTTP server and no model. (Decoding the input shapes and the
// unified-LLM versus {"predictions"} rule live in package task, which
// predict shares.)
package mlflow

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Error codes of MLflow's ERROR_CODE_TO_HTTP_STATUS table.
const (
	BadRequest              = "BAD_REQUEST"
	InvalidParameterValue   = "INVALID_PARAMETER_VALUE"
	InternalError           = "INTERNAL_ERROR"
	TemporarilyUnavailable  = "TEMPORARILY_UNAVAILABLE"
	DeadlineExceeded        = "DEADLINE_EXCEEDED"
	RequestLimitExceeded    = "REQUEST_LIMIT_EXCEEDED"
	ResourceExhausted       = "RESOURCE_EXHAUSTED"
	NotFound                = "NOT_FOUND"
	PermissionDenied        = "PERMISSION_DENIED"
	Unauthenticated         = "UNAUTHENTICATED"
	Cancelled               = "CANCELLED"
	NotImplemented          = "NOT_IMPLEMENTED"
	ResourceDoesNotExist    = "RESOURCE_DOES_NOT_EXIST"
	ResourceAlreadyExists   = "RESOURCE_ALREADY_EXISTS"
	EndpointNotFound        = "ENDPOINT_NOT_FOUND"
	InvalidState            = "INVALID_STATE"
	DataLoss                = "DATA_LOSS"
	Aborted                 = "ABORTED"
	AlreadyExists           = "ALREADY_EXISTS"
	ResourceConflict        = "RESOURCE_CONFLICT"
	timeoutMessage          = "Request processing time exceeded limit"
	unsupportedContentTypes = "['text/csv', 'application/json']"
)

var statusOf = map[string]int{
	BadRequest: 400, InvalidParameterValue: 400, ResourceAlreadyExists: 400,
	InternalError: 500, InvalidState: 500, DataLoss: 500,
	NotImplemented: 501, TemporarilyUnavailable: 503, DeadlineExceeded: 504,
	RequestLimitExceeded: 429, ResourceExhausted: 429,
	NotFound: 404, ResourceDoesNotExist: 404, EndpointNotFound: 404,
	PermissionDenied: 403, Unauthenticated: 401,
	Aborted: 409, AlreadyExists: 409, ResourceConflict: 409,
	Cancelled: 499,
}

// StatusFor maps an MLflow error code to its HTTP status; unknown codes are 500.
func StatusFor(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// An Error is an MLflow-shaped error: its JSON body is
// {"error_code": Code, "message": Message}.
type Error struct {
	Code    string `json:"error_code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return "mlflow: " + e.Code + ": " + e.Message }

// Status is the HTTP status of e.
func (e *Error) Status() int { return StatusFor(e.Code) }

// Errorf builds an Error with code.
func Errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// Predict wraps an error raised while predicting the way MLflow's scoring
// server reports it: the message is prefixed with the request data.
func Predict(code string, data []byte, err error) *Error {
	return &Error{Code: code, Message: fmt.Sprintf("Failed to predict data '%s'. \nError: %v", data, err)}
}

// Format is the body format /invocations received.
type Format int

// Body formats.
const (
	FormatJSON Format = iota + 1
	FormatCSV
)

// A ContentTypeError is a 415 with MLflow's text/plain message.
type ContentTypeError struct{ Message string }

func (e *ContentTypeError) Error() string { return "mlflow: " + e.Message }

// ErrUnsupportedMediaType matches every *ContentTypeError with errors.Is.
var ErrUnsupportedMediaType = errors.New("mlflow: unsupported content type")

// Is makes errors.Is(err, ErrUnsupportedMediaType) true.
func (e *ContentTypeError) Is(target error) bool { return target == ErrUnsupportedMediaType }

// ParseContentType accepts application/json and text/csv, with an optional
// charset=utf-8, and refuses everything else with MLflow's messages.
func ParseContentType(ct string) (Format, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil && ct != "" {
		return 0, &ContentTypeError{Message: fmt.Sprintf("This predictor only supports the following content types: Types: %s. Got '%s'.", unsupportedContentTypes, ct)}
	}
	var f Format
	switch mt {
	case "application/json":
		f = FormatJSON
	case "text/csv":
		f = FormatCSV
	default:
		return 0, &ContentTypeError{Message: fmt.Sprintf("This predictor only supports the following content types: Types: %s. Got '%s'.", unsupportedContentTypes, ct)}
	}
	var unknown []string
	for k, v := range params {
		if k == "charset" {
			if !strings.EqualFold(v, "utf-8") && !strings.EqualFold(v, "utf8") {
				return 0, &ContentTypeError{Message: "The scoring server only supports UTF-8"}
			}
			continue
		}
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return 0, &ContentTypeError{Message: fmt.Sprintf("Unrecognized content type parameters: %s. ", strings.Join(unknown, ", "))}
	}
	return f, nil
}

// CSVToDataframeSplit turns a CSV body (header row, then rows) into the
// equivalent {"dataframe_split": {"columns": [...], "data": [[...]]}} JSON
// body. Cells that hold JSON arrays or objects are decoded, so a messages
// column can be sent as CSV; everything else stays a string.
func CSVToDataframeSplit(body []byte) ([]byte, error) {
	r := csv.NewReader(bytes.NewReader(body))
	rows, err := r.ReadAll()
	if err != nil {
		return nil, Errorf(BadRequest, "Failed to parse input as a CSV: %v. Ensure that the input is a valid CSV with a header row.", err)
	}
	if len(rows) < 2 {
		return nil, Errorf(BadRequest, "The CSV input must hold a header row and at least one data row.")
	}
	data := make([][]any, 0, len(rows)-1)
	for _, row := range rows[1:] {
		cells := make([]any, len(row))
		for i, c := range row {
			cells[i] = csvCell(c)
		}
		data = append(data, cells)
	}
	return json.Marshal(map[string]any{"dataframe_split": map[string]any{"columns": rows[0], "data": data}})
}

// csvCell types a CSV cell the way pandas.read_csv infers it: empty is
// null, integers and floats are numbers, True/False are booleans; cells
// holding a JSON array or object are decoded; the rest stay strings.
func csvCell(c string) any {
	t := strings.TrimSpace(c)
	switch {
	case t == "":
		return nil
	case t == "True" || t == "TRUE" || t == "true":
		return true
	case t == "False" || t == "FALSE" || t == "false":
		return false
	}
	if _, err := strconv.ParseInt(t, 10, 64); err == nil {
		return json.Number(t)
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	if strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
		var v any
		if json.Unmarshal([]byte(t), &v) == nil {
			return v
		}
	}
	return c
}

// TimeoutBody is the reply of a request that ran past --timeout (504, as
// MLflow 3.x: media type application/json, body not JSON).
const TimeoutBody = timeoutMessage

// InvalidJSON is MLflow's error for a body that does not parse.
func InvalidJSON(err error) *Error {
	return Errorf(BadRequest, "Invalid input. Ensure that input is a valid JSON formatted string. Error: '%v'", err)
}
