package tokenizer

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// Tokenizer encodes text to token ids and decodes ids back to text, as the
// tokenizer.json it was loaded from prescribes.
type Tokenizer struct {
	model  *bpe
	norm   normalizer   // nil when absent
	pre    preTokenizer // nil when absent
	post   postProcessor
	dec    decoder // nil when absent: tokens are joined with spaces
	added  []*addedToken
	byID   map[int]*addedToken
	byText map[string]*addedToken
	// specialText holds the contents of the special added tokens.
	specialText map[string]struct{}

	rawMatch  *addedMatcher // tokens matched in the original text
	normMatch *addedMatcher // normalized tokens matched in normalized text
	vocabSize int
	// streamWindow is true when the decoder chain allows StreamDecoder to
	// decode a short window instead of the whole history (see windowSafe).
	streamWindow bool
	// byteFallback is true when the decoder chain has a ByteFallback step.
	byteFallback bool
}

// Load reads a tokenizer.json file.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading %q: %w", path, err)
	}
	t, err := FromJSON(data)
	if err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			le.File = path
			return nil, le
		}
		return nil, fmt.Errorf("tokenizer: loading %q: %w", path, err)
	}
	return t, nil
}

// FromJSON parses the contents of a tokenizer.json file.
func FromJSON(data []byte) (*Tokenizer, error) {
	root, err := parseObj("", data)
	if err != nil {
		return nil, &LoadError{Msg: "not a JSON object"}
	}
	t := &Tokenizer{byID: map[int]*addedToken{}, byText: map[string]*addedToken{}, specialText: map[string]struct{}{}}
	mo, err := parseObj("model", root.m["model"])
	if err != nil {
		return nil, err
	}
	typ, err := mo.str("type", "BPE")
	if err != nil {
		return nil, err
	}
	if typ != "BPE" {
		return nil, mo.errf("unsupported type %q (only BPE)", typ)
	}
	if t.model, err = parseBPE(mo); err != nil {
		return nil, err
	}
	if root.has("normalizer") {
		if t.norm, err = parseNormalizer("normalizer", root.m["normalizer"]); err != nil {
			return nil, err
		}
	}
	if root.has("pre_tokenizer") {
		if t.pre, err = parsePreTokenizer("pre_tokenizer", root.m["pre_tokenizer"]); err != nil {
			return nil, err
		}
	}
	if root.has("post_processor") {
		if err = parsePostProcessor("post_processor", root.m["post_processor"], &t.post); err != nil {
			return nil, err
		}
	}
	if root.has("decoder") {
		if t.dec, err = parseDecoder("decoder", root.m["decoder"]); err != nil {
			return nil, err
		}
	}
	t.streamWindow = true
	if t.dec != nil {
		t.streamWindow, _ = windowSafe(t.dec, false)
		t.byteFallback = hasByteFallback(t.dec)
	}
	if err := t.parseAdded(root); err != nil {
		return nil, err
	}
	t.vocabSize = t.model.maxID + 1
	for _, a := range t.added {
		t.vocabSize = max(t.vocabSize, a.id+1)
	}
	return t, nil
}

func (t *Tokenizer) parseAdded(root *obj) error {
	if !root.has("added_tokens") {
		return nil
	}
	items, err := root.list("added_tokens")
	if err != nil {
		return err
	}
	var rawToks, normToks []*addedToken
	var rawPats, normPats []string
	for i, it := range items {
		o, err := parseObj(idx("added_tokens", i), it)
		if err != nil {
			return err
		}
		a := &addedToken{}
		if !o.has("id") {
			return o.errf("missing \"id\"")
		}
		if a.id, err = o.integer("id", 0); err != nil {
			return err
		}
		if a.id < 0 || a.id > maxTokenID {
			return loadErrf(o.sub("id"), "out-of-range id %d", a.id)
		}
		if a.content, err = o.str("content", ""); err != nil {
			return err
		}
		if a.content == "" {
			return loadErrf(o.sub("content"), "empty token")
		}
		for _, f := range []struct {
			key string
			dst *bool
			def bool
		}{
			{"single_word", &a.singleWord, false}, {"lstrip", &a.lstrip, false}, {"rstrip", &a.rstrip, false},
			{"special", &a.special, false},
		} {
			if *f.dst, err = o.boolean(f.key, f.def); err != nil {
				return err
			}
		}
		if a.normalized, err = o.boolean("normalized", !a.special); err != nil {
			return err
		}
		t.added = append(t.added, a)
		t.byID[a.id] = a
		t.byText[a.content] = a
		if a.special {
			t.specialText[a.content] = struct{}{}
		}
		if a.normalized {
			// Matched in normalized text, as its normalized spelling.
			p := a.content
			if t.norm != nil {
				p = t.norm.normalize(p)
			}
			if p != "" {
				normToks, normPats = append(normToks, a), append(normPats, p)
			}
		} else {
			rawToks, rawPats = append(rawToks, a), append(rawPats, a.content)
		}
	}
	t.rawMatch = newAddedMatcher(rawToks, rawPats)
	t.normMatch = newAddedMatcher(normToks, normPats)
	return nil
}

// Encode returns the token ids of text. With addSpecialTokens the
// post-processor runs (for Llama-family models it prepends BOS).
func (t *Tokenizer) Encode(text string, addSpecialTokens bool) []int {
	ids, _ := t.encode(text, addSpecialTokens, false)
	return ids
}

// EncodeWithPieces returns the ids of text and, for each id, its token
// string (for example "▁Hello" or "<0x0A>").
func (t *Tokenizer) EncodeWithPieces(text string, addSpecialTokens bool) (ids []int, pieces []string) {
	return t.encode(text, addSpecialTokens, true)
}

func (t *Tokenizer) encode(text string, addSpecial, withPieces bool) ([]int, []string) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	ids := make([]int, 0, len(text)/3+4)
	var words []piece
	for _, sg := range t.rawMatch.split(text, nil) {
		if sg.tok != nil {
			ids = append(ids, sg.tok.id)
			continue
		}
		s := text[sg.start:sg.end]
		if t.norm != nil {
			s = t.norm.normalize(s)
		}
		for _, sub := range t.normMatch.split(s, nil) {
			if sub.tok != nil {
				ids = append(ids, sub.tok.id)
				continue
			}
			p := piece{s: s[sub.start:sub.end], first: sg.start == 0 && sub.start == 0}
			words = words[:0]
			if t.pre != nil {
				words = t.pre.preTokenize(words, p)
			} else {
				words = append(words, p)
			}
			for _, w := range words {
				ids = t.model.tokenize(ids, w.s)
			}
		}
	}
	var pieces []string
	if withPieces {
		pieces = make([]string, len(ids))
		for i, id := range ids {
			pieces[i], _ = t.IDToToken(id)
		}
	}
	if addSpecial {
		ids, pieces = t.post.apply(ids, pieces, withPieces)
	}
	return ids, pieces
}

// Decode turns ids back into text. With skipSpecialTokens, added tokens
// marked special (BOS, EOS, ChatML markers) are left out. Unknown ids are
// ignored.
func (t *Tokenizer) Decode(ids []int, skipSpecialTokens bool) string {
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		if tok, ok := t.streamToken(id, skipSpecialTokens); ok {
			tokens = append(tokens, tok)
		}
	}
	return t.decodeTokens(tokens)
}

// streamToken returns the token string Decode passes to the decoder chain
// for id, or false when Decode leaves id out (unknown, or skipped special).
func (t *Tokenizer) streamToken(id int, skipSpecialTokens bool) (string, bool) {
	tok, ok := t.IDToToken(id)
	if !ok {
		return "", false
	}
	// Like HF, skipping goes by content: a vocabulary entry spelled like
	// a special token is skipped too.
	if skipSpecialTokens && len(t.specialText) > 0 {
		if _, special := t.specialText[tok]; special {
			return "", false
		}
	}
	return tok, true
}

// decodeTokens runs the decoder chain over token strings.
func (t *Tokenizer) decodeTokens(tokens []string) string {
	if t.dec == nil {
		return strings.Join(tokens, " ")
	}
	return strings.Join(t.dec.decodeChain(tokens), "")
}

func (t *Tokenizer) modelToken(id int) (string, bool) {
	return t.model.token(id)
}

// TokenToID returns the id of a token string (an added token or a model
// vocabulary entry).
func (t *Tokenizer) TokenToID(token string) (int, bool) {
	if a, ok := t.byText[token]; ok {
		return a.id, true
	}
	id, ok := t.model.vocab[token]
	return id, ok
}

// IDToToken returns the token string of an id.
func (t *Tokenizer) IDToToken(id int) (string, bool) {
	if a, ok := t.byID[id]; ok {
		return a.content, true
	}
	return t.modelToken(id)
}

// VocabSize returns one more than the largest id of the model vocabulary and
// the added tokens, so it counts added tokens beyond the model vocabulary.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// IsSpecial reports whether id is an added token marked special.
func (t *Tokenizer) IsSpecial(id int) bool {
	a, ok := t.byID[id]
	return ok && a.special
}

// BOS returns the token the post-processor puts before the text, if any.
func (t *Tokenizer) BOS() (id int, text string, ok bool) {
	for _, tpl := range t.post.templates {
		for _, it := range tpl {
			if it.sequence {
				break
			}
			if len(it.ids) > 0 {
				return it.ids[0], it.tokens[0], true
			}
		}
	}
	return 0, "", false
}
