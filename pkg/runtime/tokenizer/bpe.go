package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

type mergeInfo struct {
	rank, id int32
}

// bpe is HF's BPE model (the parts used by released tokenizer.json files).
type bpe struct {
	vocab        map[string]int
	vocabR       []string       // id → token; "" where the vocabulary has a gap
	vocabRSparse map[int]string // used instead of vocabR when ids are very sparse
	maxID        int
	merges       map[uint64]mergeInfo
	unkID        int // -1 without unk_token
	byteFallback bool
	fuseUnk      bool
	ignoreMerges bool
	byteIDs      [256]int // id of "<0xXX>", -1 when absent

	mu    sync.Mutex
	cache map[string][]int
}

const (
	cacheMaxEntries = 1 << 14
	cacheMaxWordLen = 128
)

// maxTokenID bounds ids so that they fit the int32 fields of the merge
// tables.
const maxTokenID = 1<<31 - 1

func pairKey(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func parseBPE(o *obj) (*bpe, error) {
	m := &bpe{unkID: -1, cache: map[string][]int{}}
	var err error
	if raw := o.m["vocab"]; isNull(raw) {
		return nil, loadErrf(o.sub("vocab"), "missing")
	} else if err := json.Unmarshal(raw, &m.vocab); err != nil {
		return nil, loadErrf(o.sub("vocab"), "expected an object of token → id")
	}
	maxID := -1
	for tok, id := range m.vocab {
		if id < 0 || id > maxTokenID {
			return nil, loadErrf(o.sub("vocab"), "token %q has out-of-range id %d", tok, id)
		}
		maxID = max(maxID, id)
	}
	m.maxID = maxID
	if maxID < 4*len(m.vocab)+1024 {
		m.vocabR = make([]string, maxID+1)
		for tok, id := range m.vocab {
			m.vocabR[id] = tok
		}
	} else {
		m.vocabRSparse = make(map[int]string, len(m.vocab))
		for tok, id := range m.vocab {
			m.vocabRSparse[id] = tok
		}
	}
	if m.byteFallback, err = o.boolean("byte_fallback", false); err != nil {
		return nil, err
	}
	if m.fuseUnk, err = o.boolean("fuse_unk", false); err != nil {
		return nil, err
	}
	if m.ignoreMerges, err = o.boolean("ignore_merges", false); err != nil {
		return nil, err
	}
	unk, err := o.str("unk_token", "")
	if err != nil {
		return nil, err
	}
	if unk != "" {
		id, ok := m.vocab[unk]
		if !ok {
			return nil, loadErrf(o.sub("unk_token"), "%q is not in the vocabulary", unk)
		}
		m.unkID = id
	}
	for _, k := range []string{"continuing_subword_prefix", "end_of_word_suffix"} {
		if s, err := o.str(k, ""); err != nil {
			return nil, err
		} else if s != "" {
			return nil, loadErrf(o.sub(k), "unsupported value %q (only empty or null)", s)
		}
	}
	if o.has("dropout") {
		var d float64
		if err := json.Unmarshal(o.m["dropout"], &d); err != nil || d != 0 {
			return nil, loadErrf(o.sub("dropout"), "unsupported (only null or 0)")
		}
	}
	for b := range m.byteIDs {
		m.byteIDs[b] = -1
		if id, ok := m.vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.byteIDs[b] = id
		}
	}
	if err := m.parseMerges(o); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *bpe) parseMerges(o *obj) error {
	raw := o.m["merges"]
	if isNull(raw) {
		m.merges = map[uint64]mergeInfo{}
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return loadErrf(o.sub("merges"), "expected a list")
	}
	m.merges = make(map[uint64]mergeInfo, len(items))
	for i, it := range items {
		var a, b string
		var s string
		var pair []string
		if err := json.Unmarshal(it, &s); err == nil {
			var ok bool
			if a, b, ok = strings.Cut(s, " "); !ok || strings.Contains(b, " ") {
				return loadErrf(idx(o.sub("merges"), i), "merge %q is not two tokens separated by one space", s)
			}
		} else if err := json.Unmarshal(it, &pair); err == nil && len(pair) == 2 {
			a, b = pair[0], pair[1]
		} else {
			return loadErrf(idx(o.sub("merges"), i), "expected \"a b\" or [\"a\", \"b\"]")
		}
		ida, oka := m.vocab[a]
		idb, okb := m.vocab[b]
		idn, okn := m.vocab[a+b]
		if !oka || !okb || !okn {
			return loadErrf(idx(o.sub("merges"), i), "merge %q + %q uses a token missing from the vocabulary", a, b)
		}
		// A repeated pair keeps its last rank, as HF's map construction does.
		m.merges[pairKey(ida, idb)] = mergeInfo{rank: int32(i), id: int32(idn)}
	}
	return nil
}

// tokenize appends the ids of one pre-tokenized word.
func (m *bpe) tokenize(dst []int, word string) []int {
	if word == "" {
		return dst
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[word]; ok {
			return append(dst, id)
		}
	}
	cacheable := len(word) <= cacheMaxWordLen
	if cacheable {
		m.mu.Lock()
		ids, ok := m.cache[word]
		m.mu.Unlock()
		if ok {
			return append(dst, ids...)
		}
	}
	start := len(dst)
	dst = m.mergeWord(dst, word)
	if cacheable {
		ids := append([]int(nil), dst[start:]...)
		m.mu.Lock()
		if len(m.cache) >= cacheMaxEntries {
			clear(m.cache)
		}
		m.cache[word] = ids
		m.mu.Unlock()
	}
	return dst
}

// token returns the vocabulary entry of id.
func (m *bpe) token(id int) (string, bool) {
	if m.vocabRSparse != nil {
		tok, ok := m.vocabRSparse[id]
		return tok, ok
	}
	if id < 0 || id >= len(m.vocabR) {
		return "", false
	}
	return m.vocabR[id], m.vocabR[id] != ""
}

type symbol struct {
	id         int32
	prev, next int32
	dead       bool
}

// mergeWord splits word into characters (with byte fallback and unk
// fusing) and applies merges lowest rank first, leftmost first on ties,
// with a binary heap: O(n log n) in the word length.
func (m *bpe) mergeWord(dst []int, word string) []int {
	syms := make([]symbol, 0, len(word))
	add := func(id int) {
		n := int32(len(syms))
		syms = append(syms, symbol{id: int32(id), prev: n - 1, next: n + 1})
	}
	unk, haveUnk := 0, false
	for i := 0; i < len(word); {
		_, size := utf8.DecodeRuneInString(word[i:])
		ch := word[i : i+size]
		i += size
		if id, ok := m.vocab[ch]; ok {
			if haveUnk {
				add(unk)
				haveUnk = false
			}
			add(id)
			continue
		}
		if m.byteFallback && m.allBytes(ch) {
			for k := 0; k < len(ch); k++ {
				add(m.byteIDs[ch[k]])
			}
			continue
		}
		if m.unkID >= 0 {
			if haveUnk && !m.fuseUnk {
				add(unk)
			}
			unk, haveUnk = m.unkID, true
		}
	}
	if haveUnk {
		add(unk)
	}
	if len(syms) == 0 {
		return dst
	}
	syms[len(syms)-1].next = -1

	h := mergeHeap(make([]mergeItem, 0, len(syms)))
	for i := 0; i+1 < len(syms); i++ {
		if mi, ok := m.merges[pairKey(int(syms[i].id), int(syms[i+1].id))]; ok {
			h.push(mergeItem{rank: mi.rank, pos: int32(i), id: mi.id})
		}
	}
	for len(h) > 0 {
		top := h.pop()
		s := &syms[top.pos]
		if s.dead || s.next < 0 {
			continue
		}
		nx := &syms[s.next]
		mi, ok := m.merges[pairKey(int(s.id), int(nx.id))]
		if !ok || mi.id != top.id {
			continue
		}
		s.id = top.id
		nx.dead = true
		s.next = nx.next
		if s.next >= 0 {
			syms[s.next].prev = top.pos
		}
		if s.prev >= 0 {
			p := syms[s.prev]
			if mi, ok := m.merges[pairKey(int(p.id), int(s.id))]; ok {
				h.push(mergeItem{rank: mi.rank, pos: s.prev, id: mi.id})
			}
		}
		if s.next >= 0 {
			if mi, ok := m.merges[pairKey(int(s.id), int(syms[s.next].id))]; ok {
				h.push(mergeItem{rank: mi.rank, pos: top.pos, id: mi.id})
			}
		}
	}
	for i := int32(0); i >= 0; i = syms[i].next {
		dst = append(dst, int(syms[i].id))
	}
	return dst
}

func (m *bpe) allBytes(ch string) bool {
	for k := 0; k < len(ch); k++ {
		if m.byteIDs[ch[k]] < 0 {
			return false
		}
	}
	return true
}

type mergeItem struct {
	rank, pos, id int32
}

func (a mergeItem) less(b mergeItem) bool {
	return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos)
}

// mergeHeap is a binary min-heap ordered by (rank, pos).
type mergeHeap []mergeItem

func (h *mergeHeap) push(x mergeItem) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *mergeHeap) pop() mergeItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, min := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].less(s[min]) {
			min = l
		}
		if r < len(s) && s[r].less(s[min]) {
			min = r
		}
		if min == i {
			break
		}
		s[i], s[min] = s[min], s[i]
		i = min
	}
	*h = s
	return top
}
