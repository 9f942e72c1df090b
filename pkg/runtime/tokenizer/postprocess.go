package tokenizer

import (
	"encoding/json"
)

// templateItem is one element of TemplateProcessing's "single" template:
// either the input sequence or a special token's ids.
type templateItem struct {
	sequence bool
	ids      []int
	tokens   []string
}

// postProcessor holds the flattened "single" templates of the
// post-processor (TemplateProcessing, possibly inside a Sequence; ByteLevel
// changes only offsets and contributes nothing).
type postProcessor struct {
	templates [][]templateItem
}

func (p *postProcessor) apply(ids []int, pieces []string, withPieces bool) ([]int, []string) {
	for _, tpl := range p.templates {
		var outIDs []int
		var outPieces []string
		for _, it := range tpl {
			if it.sequence {
				outIDs = append(outIDs, ids...)
				outPieces = append(outPieces, pieces...)
				continue
			}
			outIDs = append(outIDs, it.ids...)
			if withPieces {
				outPieces = append(outPieces, it.tokens...)
			}
		}
		ids, pieces = outIDs, outPieces
	}
	return ids, pieces
}

func parsePostProcessor(path string, raw json.RawMessage, p *postProcessor) error {
	o, err := parseObj(path, raw)
	if err != nil {
		return err
	}
	t, err := o.typ()
	if err != nil {
		return err
	}
	switch t {
	case "Sequence":
		items, err := o.list("processors")
		if err != nil {
			return err
		}
		for i, it := range items {
			if err := parsePostProcessor(idx(o.sub("processors"), i), it, p); err != nil {
				return err
			}
		}
		return nil
	case "ByteLevel":
		return nil
	case "TemplateProcessing":
		tpl, err := parseTemplate(o)
		if err != nil {
			return err
		}
		p.templates = append(p.templates, tpl)
		return nil
	}
	return o.errf("unsupported type %q", t)
}

func parseTemplate(o *obj) ([]templateItem, error) {
	type special struct {
		ID     string   `json:"id"`
		IDs    []int    `json:"ids"`
		Tokens []string `json:"tokens"`
	}
	specials := map[string]special{}
	if o.has("special_tokens") {
		if err := json.Unmarshal(o.m["special_tokens"], &specials); err != nil {
			return nil, loadErrf(o.sub("special_tokens"), "expected an object of {id, ids, tokens}")
		}
	}
	items, err := o.list("single")
	if err != nil {
		return nil, err
	}
	var tpl []templateItem
	seqs := 0
	for i, it := range items {
		ip := idx(o.sub("single"), i)
		io, err := parseObj(ip, it)
		if err != nil {
			return nil, err
		}
		switch {
		case io.has("Sequence"):
			sq, err := parseObj(io.sub("Sequence"), io.m["Sequence"])
			if err != nil {
				return nil, err
			}
			if id, err := sq.str("id", ""); err != nil {
				return nil, err
			} else if id != "A" {
				return nil, loadErrf(sq.sub("id"), "single template sequence must be \"A\", got %q", id)
			}
			tpl = append(tpl, templateItem{sequence: true})
			seqs++
		case io.has("SpecialToken"):
			st, err := parseObj(io.sub("SpecialToken"), io.m["SpecialToken"])
			if err != nil {
				return nil, err
			}
			id, err := st.str("id", "")
			if err != nil {
				return nil, err
			}
			sp, ok := specials[id]
			if !ok {
				return nil, loadErrf(st.sub("id"), "%q is not in special_tokens", id)
			}
			if len(sp.IDs) != len(sp.Tokens) {
				return nil, loadErrf(o.sub("special_tokens")+"."+id, "ids and tokens differ in length")
			}
			tpl = append(tpl, templateItem{ids: sp.IDs, tokens: sp.Tokens})
		default:
			return nil, loadErrf(ip, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}")
		}
	}
	if seqs != 1 {
		return nil, loadErrf(o.sub("single"), "template must contain the sequence exactly once")
	}
	return tpl, nil
}
