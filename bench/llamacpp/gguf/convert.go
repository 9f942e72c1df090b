package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/mlpack-go/mlpack/internal/half"
	"github.com/mlpack-go/mlpack/pkg/runtime/safetensors"
)

// llama.cpp's general.file_type values (enum llama_ftype).
const (
	ftypeAllF32    uint32 = 0
	ftypeMostlyQ80 uint32 = 7
	ftypeMostlyBF  uint32 = 32
)

// hfConfig holds the config.json fields the conversion needs.
type hfConfig struct {
	Architectures    []string        `json:"architectures"`
	Hidden           int             `json:"hidden_size"`
	Intermediate     int             `json:"intermediate_size"`
	Layers           int             `json:"num_hidden_layers"`
	Heads            int             `json:"num_attention_heads"`
	KVHeads          int             `json:"num_key_value_heads"`
	HeadDim          int             `json:"head_dim"`
	Vocab            int             `json:"vocab_size"`
	MaxPositions     int             `json:"max_position_embeddings"`
	RMSNormEps       float64         `json:"rms_norm_eps"`
	RopeTheta        float64         `json:"rope_theta"`
	RopeScaling      json.RawMessage `json:"rope_scaling"`
	AttentionBias    bool            `json:"attention_bias"`
	BOS              *int            `json:"bos_token_id"`
	EOS              *int            `json:"eos_token_id"`
	NameOrPath       string          `json:"_name_or_path"`
	TieWordEmbedding bool            `json:"tie_word_embeddings"`
}

func readConfig(dir string) (*hfConfig, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	var c hfConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parsing config.json: %w", err)
	}
	if len(c.Architectures) != 1 || (c.Architectures[0] != "LlamaForCausalLM" && c.Architectures[0] != "MistralForCausalLM") {
		return nil, fmt.Errorf("config.json: architectures %v: only LlamaForCausalLM (or MistralForCausalLM) converts", c.Architectures)
	}
	if c.KVHeads == 0 {
		c.KVHeads = c.Heads
	}
	if c.HeadDim == 0 && c.Heads > 0 {
		c.HeadDim = c.Hidden / c.Heads
	}
	if c.RMSNormEps == 0 {
		c.RMSNormEps = 1e-5
	}
	if c.RopeTheta == 0 {
		c.RopeTheta = 10000
	}
	switch {
	case c.Hidden <= 0 || c.Intermediate <= 0 || c.Layers <= 0 || c.Heads <= 0 || c.Vocab <= 0:
		return nil, fmt.Errorf("config.json: hidden_size, intermediate_size, num_hidden_layers, num_attention_heads and vocab_size must be positive")
	case c.Heads%c.KVHeads != 0 || c.HeadDim%2 != 0:
		return nil, fmt.Errorf("config.json: %d heads, %d kv heads, head_dim %d: heads must be a multiple of kv heads and head_dim even", c.Heads, c.KVHeads, c.HeadDim)
	case len(c.RopeScaling) > 0 && string(c.RopeScaling) != "null":
		return nil, fmt.Errorf("config.json: rope_scaling %s is not supported by this converter", c.RopeScaling)
	case c.AttentionBias:
		return nil, fmt.Errorf("config.json: attention_bias is not supported by this converter")
	}
	return &c, nil
}

// vocab builds llama.cpp's SPM-style ("llama") vocabulary from
// tokenizer.json: one piece per id up to vocab_size (missing ids become
// [PADn], unused), scores by id, token types from the added tokens and the
// <0xXX> byte pieces.
func vocab(dir string, n int) (tokens []string, scores []float32, types []int32, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, nil, nil, err
	}
	var tj struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
		Added []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, nil, nil, fmt.Errorf("parsing tokenizer.json: %w", err)
	}
	const (
		normal  = 1
		unknown = 2
		control = 3
		user    = 4
		unused  = 5
		byteTok = 6
	)
	tokens = make([]string, n)
	scores = make([]float32, n)
	types = make([]int32, n)
	for i := range tokens {
		tokens[i], types[i] = fmt.Sprintf("[PAD%d]", i), unused
	}
	bytePiece := regexp.MustCompile(`^<0x[0-9A-F]{2}>$`)
	for piece, id := range tj.Model.Vocab {
		if id < 0 || id >= n {
			return nil, nil, nil, fmt.Errorf("tokenizer.json: id %d of %q outside vocab_size %d", id, piece, n)
		}
		tokens[id], scores[id], types[id] = piece, -float32(id), normal
		if bytePiece.MatchString(piece) {
			types[id], scores[id] = byteTok, 0
		}
	}
	for _, a := range tj.Added {
		if a.ID < 0 || a.ID >= n {
			return nil, nil, nil, fmt.Errorf("tokenizer.json: added token id %d outside vocab_size %d", a.ID, n)
		}
		tokens[a.ID], scores[a.ID], types[a.ID] = a.Content, 0, user
		switch {
		case a.Content == "<unk>":
			types[a.ID] = unknown
		case a.Special:
			types[a.ID] = control
		}
	}
	return tokens, scores, types, nil
}

// source is one output tensor: where its values come from and how they are
// laid out and encoded.
type source struct {
	info    tensorInfo
	hf      safetensors.Tensor
	permute int // >0: apply the rope row permutation with this many heads
}

// plan maps the HF checkpoint onto llama.cpp's tensor names and types.
func plan(c *hfConfig, st *safetensors.Set, out ggmlType) ([]source, error) {
	var srcs []source
	add := func(hfName, name string, heads int) error {
		t, ok := st.Tensor(hfName)
		if !ok {
			return fmt.Errorf("tensor %q missing from the checkpoint", hfName)
		}
		typ := out
		switch {
		case len(t.Shape) == 1:
			typ = typeF32 // norms stay F32, as llama.cpp's converter keeps them
		case out == typeQ8_0 && t.Shape[len(t.Shape)-1]%q8Block != 0:
			typ = typeF16 // rows that do not fill Q8_0 blocks: F16, as convert_hf_to_gguf.py falls back
		}
		dims := make([]uint64, len(t.Shape))
		for i, d := range t.Shape {
			dims[len(dims)-1-i] = uint64(d)
		}
		srcs = append(srcs, source{info: tensorInfo{name: name, dims: dims, typ: typ}, hf: t, permute: heads})
		return nil
	}
	steps := []struct {
		hf, name string
		heads    int
	}{{"model.embed_tokens.weight", "token_embd.weight", 0}}
	for l := range c.Layers {
		p, b := fmt.Sprintf("model.layers.%d.", l), fmt.Sprintf("blk.%d.", l)
		steps = append(steps, []struct {
			hf, name string
			heads    int
		}{
			{p + "input_layernorm.weight", b + "attn_norm.weight", 0},
			{p + "self_attn.q_proj.weight", b + "attn_q.weight", c.Heads},
			{p + "self_attn.k_proj.weight", b + "attn_k.weight", c.KVHeads},
			{p + "self_attn.v_proj.weight", b + "attn_v.weight", 0},
			{p + "self_attn.o_proj.weight", b + "attn_output.weight", 0},
			{p + "post_attention_layernorm.weight", b + "ffn_norm.weight", 0},
			{p + "mlp.gate_proj.weight", b + "ffn_gate.weight", 0},
			{p + "mlp.up_proj.weight", b + "ffn_up.weight", 0},
			{p + "mlp.down_proj.weight", b + "ffn_down.weight", 0},
		}...)
	}
	steps = append(steps, struct {
		hf, name string
		heads    int
	}{"model.norm.weight", "output_norm.weight", 0})
	if _, ok := st.Tensor("lm_head.weight"); ok {
		steps = append(steps, struct {
			hf, name string
			heads    int
		}{"lm_head.weight", "output.weight", 0})
	}
	for _, s := range steps {
		if err := add(s.hf, s.name, s.heads); err != nil {
			return nil, err
		}
	}
	return srcs, nil
}

// ropePermute reorders the rows of a q or k projection ([heads·hd, in],
// row-major) from Hugging Face's rotate-half layout to the interleaved pairs
// llama.cpp's rope expects, as convert_hf_to_gguf.py's LlamaModel.permute
// does: within each head, output row 2i+j is input row j·hd/2 + i.
func ropePermute(w []float32, heads, cols int) []float32 {
	rows := len(w) / cols
	hd := rows / heads
	out := make([]float32, len(w))
	for h := range heads {
		for i := range hd / 2 {
			for j := range 2 {
				dst := (h*hd + 2*i + j) * cols
				src := (h*hd + j*hd/2 + i) * cols
				copy(out[dst:dst+cols], w[src:src+cols])
			}
		}
	}
	return out
}

// encode writes one tensor's values in its output type.
func encode(w io.Writer, s source) error {
	x, err := s.hf.Float32s()
	if err != nil {
		return err
	}
	if s.permute > 0 {
		if len(s.hf.Shape) != 2 || s.hf.Shape[0]%int64(2*s.permute) != 0 {
			return fmt.Errorf("rope permutation of shape %v with %d heads", s.hf.Shape, s.permute)
		}
		x = ropePermute(x, s.permute, int(s.hf.Shape[1]))
	}
	var buf []byte
	switch s.info.typ {
	case typeF32:
		buf = make([]byte, 0, 4*len(x))
		for _, v := range x {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case typeBF16:
		buf = make([]byte, 0, 2*len(x))
		for _, v := range x {
			buf = binary.LittleEndian.AppendUint16(buf, half.F32ToBF16(v))
		}
	case typeF16:
		buf = make([]byte, 0, 2*len(x))
		for _, v := range x {
			buf = binary.LittleEndian.AppendUint16(buf, half.F32ToF16(v))
		}
	case typeQ8_0:
		buf = quantizeQ8(make([]byte, 0, len(x)/q8Block*q8BlockBytes), x)
	default:
		return fmt.Errorf("cannot encode %s", s.info.typ)
	}
	_, err = w.Write(buf)
	return err
}

// metadata is the llama-architecture key/value set llama.cpp reads.
func metadata(c *hfConfig, out ggmlType, tokens []string, scores []float32, types []int32) []kv {
	ftype := map[ggmlType]uint32{typeF32: ftypeAllF32, typeBF16: ftypeMostlyBF, typeQ8_0: ftypeMostlyQ80}[out]
	name := c.NameOrPath
	if name == "" {
		name = "llama"
	}
	ctxLen := c.MaxPositions
	if ctxLen <= 0 {
		ctxLen = 2048
	}
	meta := []kv{
		{"general.architecture", "llama"},
		{"general.name", name},
		{"general.file_type", ftype},
		{"general.alignment", uint32(ggufAlignment)},
		{"llama.vocab_size", uint32(c.Vocab)},
		{"llama.context_length", uint32(ctxLen)},
		{"llama.embedding_length", uint32(c.Hidden)},
		{"llama.block_count", uint32(c.Layers)},
		{"llama.feed_forward_length", uint32(c.Intermediate)},
		{"llama.rope.dimension_count", uint32(c.HeadDim)},
		{"llama.attention.head_count", uint32(c.Heads)},
		{"llama.attention.head_count_kv", uint32(c.KVHeads)},
		{"llama.attention.key_length", uint32(c.HeadDim)},
		{"llama.attention.value_length", uint32(c.HeadDim)},
		{"llama.attention.layer_norm_rms_epsilon", float32(c.RMSNormEps)},
		{"llama.rope.freq_base", float32(c.RopeTheta)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
	}
	if c.BOS != nil {
		meta = append(meta, kv{"tokenizer.ggml.bos_token_id", uint32(*c.BOS)})
	}
	if c.EOS != nil {
		meta = append(meta, kv{"tokenizer.ggml.eos_token_id", uint32(*c.EOS)})
	}
	for i, t := range tokens {
		if t == "<unk>" {
			meta = append(meta, kv{"tokenizer.ggml.unknown_token_id", uint32(i)})
			break
		}
	}
	return meta
}

// parseType maps a -type flag value to a ggml type.
func parseType(s string) (ggmlType, error) {
	switch strings.ToLower(s) {
	case "f32":
		return typeF32, nil
	case "bf16":
		return typeBF16, nil
	case "q8_0", "q8":
		return typeQ8_0, nil
	}
	return 0, fmt.Errorf("type %s: want f32, bf16 or q8_0", strconv.Quote(s))
}
