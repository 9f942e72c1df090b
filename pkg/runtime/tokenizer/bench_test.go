package tokenizer

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// benchText repeats the fixture texts until the result has n bytes (cut at a
// character boundary).
func benchText(texts []string, n int) string {
	var b strings.Builder
	for b.Len() < n {
		for _, s := range texts {
			b.WriteString(s)
			b.WriteString("\n")
		}
	}
	s := b.String()[:n]
	return strings.ToValidUTF8(s, "")
}

func benchEncode(b *testing.B, tok *Tokenizer, texts []string) {
	for _, size := range []int{1 << 10, 10 << 10, 100 << 10} {
		text := benchText(texts, size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				tok.Encode(text, true)
			}
		})
	}
}

func BenchmarkEncodeLlama2(b *testing.B) {
	tok, dir := llama2(b)
	var texts []string
	for _, c := range readCases(b, filepath.Join(dir, "cases.jsonl")) {
		texts = append(texts, c.Text)
	}
	benchEncode(b, tok, texts)
}

func goldenTexts(b *testing.B, name string) (*Tokenizer, []string) {
	tok, err := Load(filepath.Join("testdata", name, "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	for _, c := range readGolden(b, filepath.Join("testdata", name, "cases.jsonl")) {
		texts = append(texts, c.Text)
	}
	return tok, texts
}

func BenchmarkEncodeLlama3Split(b *testing.B) {
	tok, texts := goldenTexts(b, "llama3-split")
	benchEncode(b, tok, texts)
}

func BenchmarkEncodeGPT2ChatML(b *testing.B) {
	tok, texts := goldenTexts(b, "gpt2-chatml")
	benchEncode(b, tok, texts)
}

func BenchmarkDecodeLlama2(b *testing.B) {
	tok, dir := llama2(b)
	var texts []string
	for _, c := range readCases(b, filepath.Join(dir, "cases.jsonl")) {
		texts = append(texts, c.Text)
	}
	ids := tok.Encode(benchText(texts, 10<<10), true)
	b.Run("10KB", func(b *testing.B) {
		for b.Loop() {
			tok.Decode(ids, true)
		}
	})
	b.Run("stream-10KB", func(b *testing.B) {
		for b.Loop() {
			d := tok.NewStreamDecoder(true)
			for _, id := range ids {
				d.Next(id)
			}
			d.Flush()
		}
	})
}
