package tokenizer

import "strings"

// StreamDecoder turns ids into text one id at a time, for streaming
// generation output. It never emits part of a UTF-8 character, and the
// concatenation of everything Next and Flush return equals Decode of all
// the ids. Like HF's DecodeStream it decodes a short window of recent ids,
// with already-emitted ids in front as context for the Strip, Metaspace and
// byte-fallback decoders, so each step costs O(window). For the rare decoder
// chains where a window cannot be exact (see windowSafe) it decodes the
// whole history at each step instead. A StreamDecoder is not safe for
// concurrent use.
type StreamDecoder struct {
	t           *Tokenizer
	skipSpecial bool
	ids         []int  // window: context ids followed by pending ids
	prefix      string // Decode of the context part already emitted
	prefixIdx   int    // number of ids in the window that form prefix
}

// NewStreamDecoder returns a decoder for one stream of ids.
func (t *Tokenizer) NewStreamDecoder(skipSpecialTokens bool) *StreamDecoder {
	return &StreamDecoder{t: t, skipSpecial: skipSpecialTokens}
}

// Next adds id and returns the text it completes ("" when the id ends in the
// middle of a character or contributes no text yet).
func (d *StreamDecoder) Next(id int) string {
	d.ids = append(d.ids, id)
	s := d.t.Decode(d.ids, d.skipSpecial)
	if len(s) <= len(d.prefix) || strings.HasSuffix(s, "\uFFFD") || !strings.HasPrefix(s, d.prefix) {
		return ""
	}
	out := s[len(d.prefix):]
	if !d.t.streamWindow {
		d.prefix = s
		return out
	}
	// The ids up to now become context: keep only those that produced the
	// previous emission's tail, so the window stays short.
	d.ids = append(d.ids[:0], d.ids[d.prefixIdx:]...)
	d.prefixIdx = len(d.ids)
	d.prefix = d.t.Decode(d.ids, d.skipSpecial)
	return out
}

// Flush returns any text still held back (for example an incomplete byte
// sequence at the end of the stream, decoded as U+FFFD) and resets the
// decoder.
func (d *StreamDecoder) Flush() string {
	s := d.t.Decode(d.ids, d.skipSpecial)
	out := ""
	if strings.HasPrefix(s, d.prefix) {
		out = s[len(d.prefix):]
	}
	d.ids, d.prefix, d.prefixIdx = d.ids[:0], "", 0
	return out
}
