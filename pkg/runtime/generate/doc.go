// Package generate runs the decode loop of a causal language model: it feeds
// a prompt, samples one token at a time (greedy, or temperature / top-k /
// top-p with a seeded RNG), applies logit bias and OpenAI-style presence and
// frequency penalties, streams the decoded text through a callback, finds
// stop sequences on the text even when they straddle token boundaries (and
// removes them), and reports why it stopped.
//
// The package imports nothing else from mlpack: it works on two small
// interfaces, [Model] (a KV-cached session that returns the logits of the
// last token it was fed) and [Decoder] (a streaming detokenizer).
//
//	res, err := generate.Run(ctx, session, decoder, promptIDs, generate.Params{
//		MaxTokens: 64, Temperature: 0.7, TopP: 0.9, Seed: &seed,
//		Stop: []string{"\n\n"}, EOS: []int{2},
//	}, func(ev generate.Event) error {
//		fmt.Print(ev.Text)
//		return nil
//	})
//
// Temperature 0 means greedy decoding, as in the OpenAI API. The same seed
// and parameters give the same tokens.
package generate
