package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// StreamDecoder turns ids into text one id at a time, for streaming
// generation output. The concatenation of everything Next and Flush return
// equals Decode of all the ids (after Prime, see there), and no text is
// dropped: text is released only once no later id can change it.
//
// Two things can still change decoded text after its ids arrived. An
// incomplete UTF-8 sequence decodes as U+FFFD until its remaining bytes
// arrive, so text ending in U+FFFD is held back. And with a ByteFallback
// decoder a run of byte tokens ("<0xE4>") decodes as one U+FFFD per byte as
// soon as any byte of the run makes it invalid UTF-8, even bytes that
// formed valid characters on their own; so while the last token is a byte
// token, its run is held back (released by the next other token or Flush).
//
// Like HF's DecodeStream it decodes a short window of recent tokens, with
// already-emitted ones in front as context for the Strip, Metaspace and
// byte-fallback decoders, so each step costs O(window). For the rare
// decoder chains where a window cannot be exact (see windowSafe) it decodes
// the whole history at each step instead. A StreamDecoder is not safe for
// concurrent use.
type StreamDecoder struct {
	t           *Tokenizer
	skipSpecial bool
	toks        []string // window: context tokens followed by pending ones
	ctx         int      // number of context tokens at the front of toks
	prefix      string   // decode of toks[:ctx], text already emitted
}

// NewStreamDecoder returns a decoder for one stream of ids.
func (t *Tokenizer) NewStreamDecoder(skipSpecialTokens bool) *StreamDecoder {
	return &StreamDecoder{t: t, skipSpecial: skipSpecialTokens}
}

// Prime resets the decoder and makes ids (a prompt) its context: their text
// counts as already emitted, and the ids that follow are decoded as they
// would be after it (a leading space is kept where the tokenizer keeps one
// after other text). The prompt's text is final: a byte-fallback run at its
// end does not merge with byte tokens that follow, so for such a decoder
// the streamed text is Decode(ids+gen) minus Decode(ids) whenever that is
// well defined, and otherwise the text of gen alone, decoded after other
// text.
func (d *StreamDecoder) Prime(ids []int) {
	d.toks, d.ctx, d.prefix = d.toks[:0], 0, ""
	for _, id := range ids {
		if tok, ok := d.t.streamToken(id, d.skipSpecial); ok {
			d.toks = append(d.toks, tok)
		}
	}
	if d.t.streamWindow {
		// The last few tokens are enough context, as long as they decode
		// to some text (so that a leading Strip acts on them).
		n := min(len(d.toks), 4)
		for n < len(d.toks) && d.t.decodeTokens(d.toks[len(d.toks)-n:]) == "" {
			n = min(len(d.toks), 2*n)
		}
		d.toks = append(d.toks[:0], d.toks[len(d.toks)-n:]...)
	}
	if d.openRun() {
		// An empty token closes the run without adding text.
		d.toks = append(d.toks, "")
	}
	d.ctx = len(d.toks)
	d.prefix = d.t.decodeTokens(d.toks)
}

// Next adds id and returns the text it completes ("" when the id ends in the
// middle of a character, continues a byte-fallback run or contributes no
// text yet).
func (d *StreamDecoder) Next(id int) string {
	tok, ok := d.t.streamToken(id, d.skipSpecial)
	if !ok {
		return ""
	}
	d.toks = append(d.toks, tok)
	if d.openRun() {
		return ""
	}
	s := d.t.decodeTokens(d.toks)
	if strings.HasSuffix(s, "\uFFFD") {
		return ""
	}
	out := d.after(s)
	if out == "" {
		return ""
	}
	if !d.t.streamWindow {
		d.ctx, d.prefix = len(d.toks), s
		return out
	}
	// The tokens just emitted become the context: the window stays short.
	d.toks = append(d.toks[:0], d.toks[d.ctx:]...)
	d.ctx = len(d.toks)
	d.prefix = d.t.decodeTokens(d.toks)
	return out
}

// Flush returns any text still held back (for example an incomplete byte
// sequence at the end of the stream, decoded as U+FFFD) and resets the
// decoder.
func (d *StreamDecoder) Flush() string {
	out := d.after(d.t.decodeTokens(d.toks))
	d.toks, d.ctx, d.prefix = d.toks[:0], 0, ""
	return out
}

// openRun reports whether the window ends in a byte-fallback token, whose
// run the next token could still turn into U+FFFD.
func (d *StreamDecoder) openRun() bool {
	if !d.t.byteFallback || len(d.toks) == 0 {
		return false
	}
	_, ok := byteFallbackToken(d.toks[len(d.toks)-1])
	return ok
}

// after returns the text s (a decode of the window) adds to the emitted
// prefix. With the holding rules of Next, s extends the prefix for every
// decoder chain this package accepts; should a chain rewrite emitted text
// anyway, the text past as many characters as were emitted is returned
// (as HF's text-generation pipeline cuts the prompt off), so nothing later
// is lost.
func (d *StreamDecoder) after(s string) string {
	if strings.HasPrefix(s, d.prefix) {
		return s[len(d.prefix):]
	}
	n := utf8.RuneCountInString(d.prefix)
	for i := range s {
		if n == 0 {
			return s[i:]
		}
		n--
	}
	return ""
}
