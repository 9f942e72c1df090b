package testmodel

import (
	"bytes"
)

// The tokenizer.json of Llama 2 / TinyLlama, field for field (struct order is
// the order the tokenizers library writes).

type addedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type pattern struct {
	String string `json:"String"`
}

type step struct {
	Type    string   `json:"type"`
	Prepend string   `json:"prepend,omitempty"`
	Pattern *pattern `json:"pattern,omitempty"`
	Content *string  `json:"content,omitempty"`
	Start   *int     `json:"start,omitempty"`
	Stop    *int     `json:"stop,omitempty"`
}

type sequence struct {
	Type        string `json:"type"`
	Normalizers []step `json:"normalizers,omitempty"`
	Decoders    []step `json:"decoders,omitempty"`
}

type piece struct {
	SpecialToken *pieceID `json:"SpecialToken,omitempty"`
	Sequence     *pieceID `json:"Sequence,omitempty"`
}

type pieceID struct {
	ID     string `json:"id"`
	TypeID int    `json:"type_id"`
}

type specialToken struct {
	ID     string   `json:"id"`
	IDs    []int    `json:"ids"`
	Tokens []string `json:"tokens"`
}

type postProcessor struct {
	Type          string                  `json:"type"`
	Single        []piece                 `json:"single"`
	Pair          []piece                 `json:"pair"`
	SpecialTokens map[string]specialToken `json:"special_tokens"`
}

type bpeModel struct {
	Type                    string       `json:"type"`
	Dropout                 *float64     `json:"dropout"`
	UnkToken                string       `json:"unk_token"`
	ContinuingSubwordPrefix *string      `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string      `json:"end_of_word_suffix"`
	FuseUnk                 bool         `json:"fuse_unk"`
	ByteFallback            bool         `json:"byte_fallback"`
	Vocab                   orderedVocab `json:"vocab"`
	Merges                  []string     `json:"merges"`
}

type tokenizerJSON struct {
	Version       string        `json:"version"`
	Truncation    any           `json:"truncation"`
	Padding       any           `json:"padding"`
	AddedTokens   []addedToken  `json:"added_tokens"`
	Normalizer    sequence      `json:"normalizer"`
	PreTokenizer  any           `json:"pre_tokenizer"`
	PostProcessor postProcessor `json:"post_processor"`
	Decoder       sequence      `json:"decoder"`
	Model         bpeModel      `json:"model"`
}

// orderedVocab encodes as a JSON object in id order, as the tokenizers
// library writes it.
type orderedVocab []string

func (v orderedVocab) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for id, p := range v {
		if id > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(p)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(itoa(id))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func ptr[T any](v T) *T { return &v }

var specialTokens = []string{"<unk>", "<s>", "</s>"}

func buildTokenizerJSON(v *vocabulary) tokenizerJSON {
	var added []addedToken
	for id, c := range specialTokens {
		added = append(added, addedToken{ID: id, Content: c, Special: true})
	}
	seq := func(name string, typeID int) piece { return piece{Sequence: &pieceID{name, typeID}} }
	bos := func(typeID int) piece { return piece{SpecialToken: &pieceID{"<s>", typeID}} }
	return tokenizerJSON{
		Version:     "1.0",
		AddedTokens: added,
		Normalizer: sequence{Type: "Sequence", Normalizers: []step{
			{Type: "Prepend", Prepend: space},
			{Type: "Replace", Pattern: &pattern{" "}, Content: ptr(space)},
		}},
		PostProcessor: postProcessor{
			Type:          "TemplateProcessing",
			Single:        []piece{bos(0), seq("A", 0)},
			Pair:          []piece{bos(0), seq("A", 0), bos(1), seq("B", 1)},
			SpecialTokens: map[string]specialToken{"<s>": {ID: "<s>", IDs: []int{BOSID}, Tokens: []string{"<s>"}}},
		},
		Decoder: sequence{Type: "Sequence", Decoders: []step{
			{Type: "Replace", Pattern: &pattern{space}, Content: ptr(" ")},
			{Type: "ByteFallback"},
			{Type: "Fuse"},
			{Type: "Strip", Content: ptr(" "), Start: ptr(1), Stop: ptr(0)},
		}},
		Model: bpeModel{
			Type: "BPE", UnkToken: "<unk>", FuseUnk: true, ByteFallback: true,
			Vocab: orderedVocab(v.pieces), Merges: v.merges,
		},
	}
}

type tokenSpec struct {
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	Normalized bool   `json:"normalized"`
	RStrip     bool   `json:"rstrip"`
	SingleWord bool   `json:"single_word"`
	Special    *bool  `json:"special,omitempty"`
}

// tokenizerConfig is TinyLlama-1.1B-Chat-v1.0's tokenizer_config.json with
// this model's template and context length.
func tokenizerConfig(s Spec) map[string]any {
	decoder := map[string]tokenSpec{}
	for id, c := range specialTokens {
		decoder[itoa(id)] = tokenSpec{Content: c, Special: ptr(true)}
	}
	m := map[string]any{
		"add_bos_token":                true,
		"add_eos_token":                false,
		"added_tokens_decoder":         decoder,
		"bos_token":                    "<s>",
		"clean_up_tokenization_spaces": false,
		"eos_token":                    "</s>",
		"legacy":                       false,
		"model_max_length":             s.MaxPositions,
		"pad_token":                    "</s>",
		"padding_side":                 "right",
		"sp_model_kwargs":              map[string]any{},
		"tokenizer_class":              "LlamaTokenizer",
		"unk_token":                    "<unk>",
		"use_default_system_prompt":    false,
	}
	if s.ChatTemplate != "" {
		m["chat_template"] = s.ChatTemplate
	}
	return m
}

// specialTokensMap is TinyLlama's special_tokens_map.json.
func specialTokensMap() map[string]any {
	tok := func(c string) tokenSpec { return tokenSpec{Content: c} }
	return map[string]any{
		"bos_token": tok("<s>"),
		"eos_token": tok("</s>"),
		"pad_token": "</s>",
		"unk_token": tok("<unk>"),
	}
}
