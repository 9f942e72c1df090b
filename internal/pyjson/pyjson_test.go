package pyjson

import (
	"strings"
	"testing"
)

// The expected strings are what CPython 3's json.dumps prints for the same
// values (json.dumps(x), json.dumps(x, indent=2), json.dumps(s,
// ensure_ascii=False), repr(float)).

func TestDumps(t *testing.T) {
	tests := []struct {
		name, in string
		indent   bool
		want     string
	}{
		{"separators and key order kept", `{"b":1,"a":[true,false,null]}`, false, `{"b": 1, "a": [true, false, null]}`},
		{"numbers as written", `[1.50,2e3,-0]`, false, `[1.50, 2e3, -0]`},
		{"non-ASCII escaped", `{"k":"é😀\u007f"}`, false, `{"k": "\u00e9\ud83d\ude00\u007f"}`},
		{"HTML not escaped", `"<a&b>"`, false, `"<a&b>"`},
		{"empty containers", `{"a":{},"b":[]}`, false, `{"a": {}, "b": []}`},
		{"indent layout", `{"a":[1,2],"b":{}}`, true, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Dumps([]byte(tt.in), tt.indent)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Dumps(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDumpsRejectsBadJSON(t *testing.T) {
	for _, in := range []string{`{"a":`, `[1] [2]`, ``, `{"a" 1}`} {
		if got, err := Dumps([]byte(in), false); err == nil {
			t.Errorf("Dumps(%q) = %q, want an error", in, got)
		}
	}
}

func TestMarshalKeepsStructOrder(t *testing.T) {
	v := struct {
		Z string  `json:"z"`
		A float64 `json:"a"`
	}{"ü", 0.5}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z": "\u00fc", "a": 0.5}`; string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}

func TestWriteString(t *testing.T) {
	tests := []struct {
		in          string
		ensureASCII bool
		want        string
	}{
		{"a\"b\\c\n\r\t\b\f\x01", true, `"a\"b\\c\n\r\t\b\f\u0001"`},
		{"é\x7f😀", true, `"\u00e9\u007f\ud83d\ude00"`},
		{"é\x7f😀", false, "\"é\x7f😀\""},
		{"\x01\n", false, `"\u0001\n"`},
		{"bad\xffbyte", true, `"bad\ufffdbyte"`},
	}
	for _, tt := range tests {
		var sb strings.Builder
		WriteString(&sb, tt.in, tt.ensureASCII)
		if sb.String() != tt.want {
			t.Errorf("WriteString(%q, %v) = %s, want %s", tt.in, tt.ensureASCII, sb.String(), tt.want)
		}
	}
}

func TestFloatIsPythonRepr(t *testing.T) {
	tests := map[float64]string{
		0: "0.0", 1: "1.0", 0.1: "0.1", 1.5: "1.5", -2: "-2.0", 1e-5: "1e-05", 0.0001: "0.0001",
		1e16: "1e+16", 1e15: "1000000000000000.0", 123456789.125: "123456789.125", 2.5e-7: "2.5e-07",
	}
	for f, want := range tests {
		if got := Float(f); got != want {
			t.Errorf("Float(%v) = %s, want %s", f, got, want)
		}
	}
}
