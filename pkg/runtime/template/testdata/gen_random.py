#!/usr/bin/env python3
"""Random Jinja expressions rendered by Python Jinja2 (transformers settings,
from gen_features.py) for a differential check, in TestCorpus format:

    python3 testdata/gen_random.py SEED COUNT > /tmp/rnd.jsonl
    MLPACK_TEMPLATE_CORPUS=/tmp/rnd.jsonl go test ./pkg/runtime/template -run TestCorpus

About 1.5% of cases differ; see the package doc for which constructs.
"""
import json, random, sys
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent))
import gen_features as G
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
CTX = {"m": {"role": "user", "content": "Hi there"}, "s": "Hello World", "n": 7, "f": 2.5,
       "lst": [1, 2, 3], "words": ["b", "a", "c"], "e": "", "z": 0, "nn": None,
       "d": {"k": "v", "x": 1}}
LEAVES = ["m", "s", "n", "f", "lst", "words", "e", "z", "nn", "d", "u", "3", "-2", "0", "1.5", "10",
          "'ab'", "'a\\\\nb'", '"q\'s"', "none", "true", "False", "[1, 'x']", "{'a': 1}", "(1, 2)", "''"]
BIN = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in"]
FILTERS = ["length", "upper", "lower", "trim", "first", "last", "string", "int", "list", "reverse",
           "tojson", "default('D')", "join(',')", "abs", "capitalize", "title", "float", "round"]
TESTS = ["defined", "undefined", "none", "string", "number", "mapping", "odd", "even", "iterable", "sequence", "integer", "float", "true", "false"]
POST = [".role", "['content']", "[0]", "[-1]", "[1:]", "[::-1]", ".upper()", ".split(' ')", ".startswith('H')",
        ".replace('l', 'L')", ".strip()", ".get('role')", ".k", "['x']", ".lower()", ".endswith(('d', 'x'))", ".split()", ".title()"]
def expr(d):
    r = random.random()
    if d <= 0 or r < 0.25:
        x = random.choice(LEAVES)
        if random.random() < 0.3:
            x += random.choice(POST)
        return x
    if r < 0.55:
        return f"{expr(d-1)} {random.choice(BIN)} {expr(d-1)}"
    if r < 0.65:
        return f"({expr(d-1)})"
    if r < 0.75:
        return f"{expr(d-1)} | {random.choice(FILTERS)}"
    if r < 0.82:
        return f"{expr(d-1)} is {random.choice(['', 'not '])}{random.choice(TESTS)}"
    if r < 0.9:
        return f"{expr(d-1)} if {expr(d-1)} else {expr(d-1)}"
    if r < 0.95:
        return f"not {expr(d-1)}"
    return f"-{expr(d-1)}"
env = G.env
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 2000):
    e = expr(3)
    src = random.choice(["{{ EXPR }}", "{% if EXPR %}T{% else %}F{% endif %}", "{% set v = EXPR %}[{{ v }}]"]).replace("EXPR", e)
    case = {"name": f"r{i}", "template": src, "messages": [], "extra": CTX, "add_generation_prompt": True, "bos_token": "<s>", "eos_token": "</s>"}
    try:
        case["expected"] = env.from_string(src).render(messages=[], add_generation_prompt=True, bos_token="<s>", eos_token="</s>", tools=None, documents=None, **CTX)
    except Exception as ex:
        case["expected"] = None; case["error"] = f"{type(ex).__name__}: {ex}"; case["engine_error"] = True
    print(json.dumps(case, ensure_ascii=False))
