package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Lines of one format from several rounds merge: best speeds, shortest
// load, largest RSS.
func TestTable(t *testing.T) {
	dir := t.TempDir()
	ll := filepath.Join(dir, "llama.jsonl")
	ml := filepath.Join(dir, "mlpack.jsonl")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ll, `{"format":"f32","pp128":10,"pp512":20,"tg":4,"load_s":0.5,"peak_rss_gb":4.5}
{"format":"q8_0","pp128":100,"pp512":50,"tg":20,"load_s":0.1,"peak_rss_gb":1.25}
{"format":"f32","pp128":9,"pp512":21,"tg":3,"load_s":0.7,"peak_rss_gb":4.4}
`)
	write(ml, `{"format":"f32","load_s":0.01,"prompt_tok_s":{"128":30,"512":40},"decode_tok_s":5,"peak_rss_bytes":4400000000}

{"format":"int8","load_s":1.5,"prompt_tok_s":{"128":50,"512":100},"decode_tok_s":30,"peak_rss_bytes":1300000000}
{"format":"int8","load_s":1.6,"prompt_tok_s":{"128":49,"512":90},"decode_tok_s":31,"peak_rss_bytes":1200000000}
`)
	var out bytes.Buffer
	if err := run(&out, ll, ml, []string{"128", "512"}); err != nil {
		t.Fatal(err)
	}
	want := `| format | llama.cpp pp128 | llama.cpp pp512 | llama.cpp tg | llama.cpp load s | llama.cpp RSS GB | mlpack pp128 | mlpack pp512 | mlpack tg | mlpack load s | mlpack RSS GB | mlpack ÷ llama.cpp: pp128, pp512, tg |
|---|---|---|---|---|---|---|---|---|---|---|---|
| F32 / f32 | 10.00 | 21.00 | 4.00 | 0.50 | 4.50 | 30.00 | 40.00 | 5.00 | 0.01 | 4.40 | 3.00×, 1.90×, 1.25× |
| Q8_0 / int8 | 100.00 | 50.00 | 20.00 | 0.10 | 1.25 | 50.00 | 100.00 | 31.00 | 1.50 | 1.30 | 0.50×, 2.00×, 1.55× |
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("table (-want +got):\n%s", d)
	}
	write(ml, "not json\n")
	if err := run(&out, ll, ml, []string{"128"}); err == nil {
		t.Error("a bad mlpack line: no error")
	}
}
