#!/usr/bin/env python3
"""Writes a larger chat-template corpus for TestCorpus to stdout: the real
templates and captured requests in github.com/ardanlabs/jinja's test data
(from the Go module cache) and the ../shared chat-templates, rendered by
Python Jinja2 configured as transformers configures it. Not committed:

    python3 testdata/gen_corpus.py > /tmp/corpus.jsonl
    MLPACK_TEMPLATE_CORPUS=/tmp/corpus.jsonl go test ./pkg/runtime/template -run TestCorpus
"""
import json, subprocess, sys
from datetime import datetime
from pathlib import Path
import jinja2, jinja2.ext, jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = Path(subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True, check=True).stdout.strip()) / "github.com/ardanlabs/jinja@v1.8.0/testdata"
NOW = datetime(2026, 1, 4, 9, 5, 7)

class Raised(Exception): pass
def raise_exception(m): raise Raised(m)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
class Gen(jinja2.ext.Extension):
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.Scope(body).set_lineno(lineno)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols, Gen])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = lambda f: NOW.strftime(f)

extra_base = {"enable_thinking": False, "thinking": False, "reasoning_effort": "medium",
  "model_identity": "You are a helpful assistant.", "builtin_tools": [], "date": "2024-01-01",
  "date_string": "2024-01-01", "tools_in_user_message": False}
tpls = {}
for p in sorted((ROOT/"templates").glob("*.jinja")): tpls[p.stem] = p.read_text()
tpls.update({f"shared-{json.loads(l)['template_name']}": json.loads(l)["template"] for l in open(str(Path(__file__).resolve().parents[4].parent / "shared/testdata/chat-templates/cases.jsonl"))})
for tn, src in tpls.items():
    for rp in sorted((ROOT/"requests").glob("*.json")):
        req = json.loads(rp.read_text())
        for m in req.get("messages", []):
            for tc in m.get("tool_calls", []) or []:
                f = tc.get("function", {})
                if isinstance(f.get("arguments"), str):
                    try: f["arguments"] = json.loads(f["arguments"])
                    except Exception: pass
        extra = dict(extra_base); extra["tools"] = req.get("tools")
        case = {"name": f"{tn}/{rp.stem}", "template": src, "messages": req.get("messages"), "extra": extra,
                "add_generation_prompt": True, "bos_token": "<s>", "eos_token": "</s>"}
        try:
            case["expected"] = env.from_string(src).render(messages=req.get("messages"), add_generation_prompt=True, bos_token="<s>", eos_token="</s>", documents=None, **extra)
        except Raised as e:
            case["expected"] = None; case["error"] = str(e)
        except Exception as e:
            case["expected"] = None; case["error"] = f"{type(e).__name__}: {e}"; case["engine_error"] = True
        print(json.dumps(case, ensure_ascii=False))
