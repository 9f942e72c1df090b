package mlflow

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseContentType(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		want Format
		msg  string
	}{
		{"application/json", FormatJSON, ""},
		{"application/json; charset=utf-8", FormatJSON, ""},
		{"application/json; charset=UTF-8", FormatJSON, ""},
		{"text/csv", FormatCSV, ""},
		{"text/csv; charset=utf-8", FormatCSV, ""},
		{"text/plain", 0, "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got 'text/plain'."},
		{"", 0, "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got ''."},
		{"application/json; charset=latin-1", 0, "The scoring server only supports UTF-8"},
		{"application/json; format=pandas-split", 0, "Unrecognized content type parameters: format. "},
	} {
		t.Run(tc.ct, func(t *testing.T) {
			got, err := ParseContentType(tc.ct)
			if tc.msg == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %v %v, want %v", got, err, tc.want)
				}
				return
			}
			var ce *ContentTypeError
			if !errors.As(err, &ce) || !errors.Is(err, ErrUnsupportedMediaType) {
				t.Fatalf("want a ContentTypeError, got %v", err)
			}
			if d := cmp.Diff(tc.msg, ce.Message); d != "" {
				t.Errorf("message (-want +got):\n%s", d)
			}
		})
	}
}

func TestErrorBodyAndStatus(t *testing.T) {
	b, _ := json.Marshal(Errorf(InvalidParameterValue, "bad %s", "x"))
	if d := cmp.Diff(`{"error_code":"INVALID_PARAMETER_VALUE","message":"bad x"}`, string(b)); d != "" {
		t.Error(d)
	}
	for code, want := range map[string]int{BadRequest: 400, InvalidParameterValue: 400, InternalError: 500,
		TemporarilyUnavailable: 503, RequestLimitExceeded: 429, DeadlineExceeded: 504, Unauthenticated: 401,
		NotFound: 404, Cancelled: 499, "SOMETHING_ELSE": 500} {
		if got := StatusFor(code); got != want {
			t.Errorf("StatusFor(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestCSVToDataframeSplit(t *testing.T) {
	got, err := CSVToDataframeSplit([]byte("prompt,max_tokens\nOnce,8\n\"[{\"\"role\"\":\"\"user\"\"}]\",0.5\nTrue,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"dataframe_split":{"columns":["prompt","max_tokens"],"data":[["Once",8],[[{"role":"user"}],0.5],[true,null]]}}`
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, bad := range []string{"", "only_header\n", "a,b\n\"unterminated\n"} {
		if _, err := CSVToDataframeSplit([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestMarshalLikePython(t *testing.T) {
	type row struct {
		B string `json:"b"`
		A []any  `json:"a"`
	}
	got, err := Marshal(map[string]any{"predictions": []row{{B: "é\n\"x\" 😀 <", A: []any{1, 2.5, true, nil}}}})
	if err != nil {
		t.Fatal(err)
	}
	// json.dumps({"predictions": [{"b": "é\n\"x\" 😀 <", "a": [1, 2.5, True, None]}]})
	want := `{"predictions": [{"b": "\u00e9\n\"x\" \ud83d\ude00 <", "a": [1, 2.5, true, null]}]}`
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("(-python +got):\n%s", d)
	}
}
