package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/google/go-cmp/cmp"
)

var scannerPatterns = map[string]string{"gpt2": gpt2Pattern, "llama3": llama3Pattern, "qwen2": qwen2Pattern}

// scannerRefs holds regexp2 compilations of scannerPatterns, the reference
// the scanners are checked against.
var scannerRefs = func() map[string]*regexMatcher {
	m := map[string]*regexMatcher{}
	for _, p := range scannerPatterns {
		m[p] = &regexMatcher{re: regexp2.MustCompile(p, regexp2.None)}
	}
	return m
}()

// checkScanner compares the hand-written scanner for pattern with regexp2
// running the pattern itself.
func checkScanner(t *testing.T, name, pattern, text string) {
	t.Helper()
	if strings.ContainsRune(text, 'ſ') {
		return // regexp2's (?i) does not fold ſ to s; Oniguruma (HF) does, and so do we
	}
	want := scannerRefs[pattern].findAll(text, nil)
	got := knownScanner(pattern).findAll(text, nil)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s scanner on %q (-regexp2 +scanner):\n%s", name, text, diff)
	}
}

func TestScannersMatchRegexp2(t *testing.T) {
	pool := []string{
		"a", "Z", "é", "ß", "日", "Ж", "1", "9", "²", "Ⅻ", "٣", " ", " ", " ", "\t", "\n", "\r", "\r\n", "\v", "\f",
		"\u00a0", "\u0085", "\u2028", "\u3000", "\u200b", "'", "'s", "'S", "'re", "'RE", "'Ve", "'ll", "'LL", "'d", "'m", "'t",
		"!", "?", ".", ",", "(", ")", "-", "_", "🦙", "👩‍👩‍👧", "\u0301", "\ufeff", "<|im_start|>", "hello", "World", "123456",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for k := rng.IntN(20); k >= 0; k-- {
			b.WriteString(pool[rng.IntN(len(pool))])
		}
		for name, pattern := range scannerPatterns {
			checkScanner(t, name, pattern, b.String())
		}
	}
}

func TestContractionFoldsLongS(t *testing.T) {
	got := knownScanner(llama3Pattern).findAll("x'ſa 'Sb", nil)
	want := [][2]int{{0, 1}, {1, 4}, {4, 5}, {5, 7}, {7, 9}} // x, 'ſ, a, " '", Sb
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
}
