#!/usr/bin/env python3
"""Generates features.jsonl: chat-template feature cases rendered by Python
Jinja2 configured the way transformers' apply_chat_template configures it
(immutable sandbox, trim_blocks, lstrip_blocks, loop controls, its own
tojson, raise_exception and strftime_now). The Go tests compare against
this file; they never run Python. Regenerate with:

    python3 gen_features.py > features.jsonl
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = datetime(2026, 1, 4, 9, 5, 7)


class Raised(Exception):
    pass


def raise_exception(message):
    raise Raised(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent,
                      separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                    extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

U = [{"role": "user", "content": "Hi"}]
CONV = [
    {"role": "system", "content": "  Be brief.  "},
    {"role": "user", "content": "Hello"},
    {"role": "assistant", "content": "Hey!"},
    {"role": "user", "content": "Bye"},
]
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather <now> & \"later\" — ünïcode 日本",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 10},
        "scale": {"type": "number", "default": 1.0, "big": 1e16, "mid": 1234567.5, "tiny": 1e-05}},
        "required": ["city"]}}}]

CASES = [
    # whitespace control
    ("trim_blocks", "{% if true %}\nA\n{% endif %}\nB\n", U, {}),
    ("lstrip_blocks", "x\n    {% if true %}\n    y\n    {% endif %}\nz", U, {}),
    ("lstrip_not_expressions", "  {{ 'a' }}\n  {% set x = 1 %}\nb", U, {}),
    ("minus_modifiers", "a  {%- if true -%}  b  {%- endif -%}  c\n{{- ' d ' -}}\n e", U, {}),
    ("plus_modifier", "x\n    {%+ if true %}y{% endif %}", U, {}),
    ("trailing_newline_dropped", "{{ 'a' }}\n", U, {}),
    ("crlf_normalised", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc", U, {}),
    ("comment", "a {# note #}b\n{# whole line #}\nc", U, {}),
    ("raw_block", "{% raw %}{{ x | tojson }}{% endraw %}", U, {}),
    # loops
    ("loop_vars", "{% for m in messages %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }};{% endfor %}", CONV, {}),
    ("loop_prev_next", "{% for m in messages %}[{{ loop.previtem.role if loop.previtem is defined else '-' }}>{{ loop.nextitem.role if loop.nextitem is defined else '-' }}]{% endfor %}", CONV, {}),
    ("loop_cycle", "{% for m in messages %}{{ loop.cycle('odd', 'even') }} {% endfor %}", CONV, {}),
    ("loop_break", "{% for m in messages %}{% if m.role == 'assistant' %}{% break %}{% endif %}{{ m.role }} {% endfor %}", CONV, {}),
    ("loop_continue", "{% for m in messages %}{% if m.role == 'user' %}{% continue %}{% endif %}{{ m.role }} {% endfor %}", CONV, {}),
    ("loop_else", "{% for m in [] %}x{% else %}empty{% endfor %}", U, {}),
    ("loop_filter_if", "{% for m in messages if m.role == 'user' %}{{ loop.index }}{{ m.content }} {% endfor %}", CONV, {}),
    ("loop_nested", "{% for m in messages %}{% for c in m.role[:2] %}{{ c }}{% endfor %}.{% endfor %}", CONV, {}),
    ("loop_dict_items", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }},{% endfor %}", U, {}),
    ("loop_range", "{% for i in range(3) %}{{ i }}{% endfor %}|{% for i in range(1, 7, 2) %}{{ i }}{% endfor %}", U, {}),
    # raise_exception
    ("raise", "{% if messages[0].role != 'system' %}{{ raise_exception('Conversation must start with a system message, got ' + messages[0].role) }}{% endif %}", U, {}),
    ("raise_alternate", "{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% endfor %}", CONV, {}),
    # tojson
    ("tojson_compact", "{{ tools | tojson }}", U, {"tools": TOOLS}),
    ("tojson_indent4", "{{ tools[0] | tojson(indent=4) }}", U, {"tools": TOOLS}),
    ("tojson_indent2_sort", "{{ tools[0].function.parameters | tojson(indent=2, sort_keys=True) }}", U, {"tools": TOOLS}),
    ("tojson_separators", "{{ tools | tojson(separators=(',', ':')) }}", U, {"tools": TOOLS}),
    ("tojson_ascii", "{{ 'ü日\U0001F600\u2028' | tojson(ensure_ascii=True) }}", U, {}),
    ("tojson_scalars", "{{ [1, 1.0, -0.5, 1e16, 1e15, 1e-05, 0.0001, 123456789.125, true, false, none, 'a\"b\\\\c\\n\\t\\u0001\u2028<&>'] | tojson }}", U, {}),
    ("tojson_empty", "{{ [] | tojson }}{{ {} | tojson(indent=2) }}{{ [[], {}] | tojson(indent=2) }}", U, {}),
    ("tojson_message", "{% for m in messages %}{{ m | tojson }}\n{% endfor %}", CONV, {}),
    ("tojson_spaced", "{{ tools[0].type|tojson }}{{ tools[0].type |  tojson }}{{ 'a|tojson' }}", U, {"tools": TOOLS}),
    # strftime_now and date_string
    ("strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%-d %B %Y, %A %H:%M:%S %p %j %y') }}|{{ strftime_now('%Y-%m-%d') }}", U, {}),
    ("date_string_default", "{% if date_string is not defined %}{% set date_string = '26 Jul 2024' %}{% endif %}{{ date_string }}", U, {}),
    ("date_string_given", "{% if date_string is not defined %}{% set date_string = '26 Jul 2024' %}{% endif %}{{ date_string }}", U, {"date_string": "01 Feb 2025"}),
    # namespace
    ("namespace", "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'assistant' %}{% set ns.found = true %}{% endif %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.found }} {{ ns.n }}", CONV, {}),
    ("set_in_loop_scoped", "{% set x = 0 %}{% for m in messages %}{% set x = x + 1 %}{% endfor %}{{ x }}", CONV, {}),
    ("set_block", "{% set sys %}System: {{ messages[0].content | trim }}{% endset %}[{{ sys }}]", CONV, {}),
    # string methods and filters
    ("str_strip", "[{{ messages[0].content.strip() }}][{{ messages[0].content.lstrip() }}][{{ messages[0].content.rstrip() }}][{{ 'xxhixx'.strip('x') }}]", CONV, {}),
    ("str_split", "{{ 'a b  c'.split() }}{{ 'a,b,,c'.split(',') }}{{ 'a,b,c'.split(',', 1) }}{{ 'a b c'.split()[1] }}", U, {}),
    ("str_starts_ends", "{{ 'Hello'.startswith('He') }}{{ 'Hello'.endswith('lo') }}{{ 'Hello'.startswith('lo') }}{{ 'Hello'.startswith(('x', 'H')) }}", U, {}),
    ("str_case", "{{ 'hello World'.upper() }} {{ 'Hello'.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'Hello' | upper }} {{ 'hello world' | title }} {{ 'hELLO' | capitalize }}", U, {}),
    ("str_replace_find", "{{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c' | replace('-', '') }} {{ 'abc'.find('c') }} {{ 'abc'.find('z') }} {{ 'a-b'.count('-') }}", U, {}),
    ("str_join_in", "{{ ', '.join(['a', 'b']) }} {{ ['a', 'b'] | join('+') }} {{ 'ell' in 'Hello' }} {{ 'x' not in 'Hello' }}", U, {}),
    ("str_slices", "{{ 'Hello'[1:3] }} {{ 'Hello'[::-1] }} {{ 'Hello'[-1] }} {{ 'Hello'[0] }} {{ messages[1:] | length }} {{ messages[-1].content }}", CONV, {}),
    ("str_concat", "{{ 'a' + 'b' }}{{ 'a' ~ 1 ~ 2.5 }}{{ messages[0]['role'] + ':' }}", CONV, {}),
    ("filters_misc", "{{ '  x  ' | trim }}|{{ undefined_var | default('dflt') }}|{{ messages | length }}|{{ messages | first | attr('role') if false else (messages | first).role }}|{{ (messages | last).role }}|{{ 3.7 | int }}|{{ '5' | int + 1 }}|{{ 5 | string + 'x' }}", CONV, {}),
    ("filters_select", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ messages | rejectattr('role', 'equalto', 'user') | list | length }}|{{ messages | map(attribute='role') | unique | list | length }}", CONV, {}),
    ("tests", "{{ 'a' is string }}{{ 1 is string }}{{ none is none }}{{ x is defined }}{{ messages is iterable }}{{ messages[0] is mapping }}{{ 3 is odd }}{{ 4 is even }}{{ 1 is number }}", U, {}),
    ("dict_access", "{{ messages[0].get('name', 'anon') }} {{ messages[0]['role'] }} {{ messages[0].role }} {{ 'content' in messages[0] }} {{ messages[0].keys() | list | length }}", U, {}),
    ("if_elif_else", "{% for m in messages %}{% if m.role == 'system' %}S{% elif m.role == 'user' %}U{% else %}A{% endif %}{% endfor %}", CONV, {}),
    ("ternary_parenthesised", "{{ ('[' + messages[0].role + ']' if messages[0].role == 'system' else '') }}x", CONV, {}),
    ("arith_compare", "{{ 7 // 2 }} {{ 7 % 3 }} {{ 2.0 ** 3 }} {{ 1 < 2 and not 2 < 1 }} {{ 1 == 1.0 }} {{ (messages | length) - 1 }}", CONV, {}),
    ("macro", "{% macro tag(r, c) %}<{{ r }}>{{ c }}</{{ r }}>{% endmacro %}{% for m in messages %}{{ tag(m.role, m.content) }}{% endfor %}", U, {}),
    ("tools_none", "{% if tools is not none %}tools{% else %}no tools{% endif %}|{{ tools is defined }}", U, {}),
    ("add_generation_prompt", "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}", U, {}),
    ("bos_eos", "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}", U, {}),
    ("print_none_bool", "[{{ none }}][{{ true }}][{{ undefined_var }}]", U, {}),
    ("print_float", "[{{ 1.0 }}][{{ 2.5 }}][{{ 1e16 }}]", U, {}),
    # Python semantics where the engine alone is lenient or different
    ("undefined_plus_raises", "{{ messages[0]['content'][0]['text'] + '\\n\\n' }}", U, {}),
    ("str_index_by_str_is_undefined", "[{{ 'abc'['x'] }}][{{ 'abc'['x'] is defined }}][{{ 'abc'[1] }}][{{ 'ñé'[-1] }}]", U, {}),
    ("undefined_attr_raises", "{{ nothing.x }}", U, {}),
    ("undefined_item_raises", "{{ nothing['x'] }}", U, {}),
    ("undefined_method_raises", "{{ nothing.strip() }}", U, {}),
    ("undefined_soft_uses", "[{{ nothing }}][{{ nothing | length }}][{% for x in nothing %}x{% endfor %}][{{ nothing is defined }}][{{ nothing ~ 'a' }}][{{ messages[0].missing }}][{{ messages[7] is defined }}]", U, {}),
    ("str_plus_int_raises", "{{ 'a' + 1 }}", U, {}),
    ("concat_none", "{{ 'a' ~ none ~ 1.0 ~ true }}", U, {}),
    ("arith_python", "{{ 2 ** 3 }} {{ 2 ** -1 }} {{ 7 // -2 }} {{ -7 % 3 }} {{ 7.5 % 2 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 1 + 2.5 }} {{ true + 1 }} {{ 10 - 2 * 3 }} {{ -(messages | length) }}", CONV, {}),
    ("sequence_ops", "{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 3 * 'x' }} {{ ('a', 'b') | join('-') }}", U, {}),
    ("percent_format", "{{ '%s is %d years, %.2f%% %r' % ('Bob', 30, 1.5, 'x') }}|{{ '%05.1f|%-4s|%x' % (3.14159, 'ab', 255) }}|{{ 'n=%s' % messages | length }}", CONV, {}),
    ("item_and_dot_index", "{{ messages[-1].role }} {{ messages.0.role }} {{ messages[1:3] | map(attribute='role') | join(',') }} {{ messages[::-1][0].role }}", CONV, {}),
    ("nested_dict_literal", "{{ {'a': {'b': [1, {'c': none}]}} | tojson }}{% set d = {'k': {'v': 1}} %}{{ d.k.v }}", U, {}),
    ("compare_chain_in", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'user' in messages | map(attribute='role') | list }} {{ 'x' not in ['y'] }}", CONV, {}),
    ("not_precedence", "{{ not messages[0].role == 'user' }} {{ not false and true }} {{ (not false) or false }}", U, {}),
    ("filter_on_neg", "{{ -1 | abs }} {{ -messages[0].content | length }}", U, {}),
    ("is_tests_args", "{{ 3 is divisibleby 3 }} {{ messages[0] is sameas messages[0] }} {{ 'a' is in 'cat' }} {{ none is none and not (1 is none) }}", U, {}),
    ("adjacent_strings", "{{ 'a' 'b' \"c\" }}", U, {}),
    ("str_format", "[{{ '{}-{}'.format('a', 1) }}][{{ '{1}{0}'.format('x', 'y') }}][{{ '{n:>5}|{n:<4}|{n:^7}|{n:*^7}'.format(n='ab') }}][{{ '{:05.1f}|{:+d}|{:,}'.format(3.14159, 7, 1) if false else '{:05.1f}|{:+d}|{:x}|{:.0%}'.format(3.14159, 7, 255, 0.25) }}][{{ '{!r} {{}} {:.2}'.format('q', 'abc') }}][{{ '{} {}'.format(1.0, none) }}][{{ '{:08.3f}'.format(-2.5) }}]", U, {}),
    ("str_methods_more", "{{ 'abcabc'.rfind('c') }} {{ 'abcabc'.index('b') }} {{ '123'.isdigit() }} {{ 'ab1'.isalpha() }} {{ ' '.isspace() }} {{ 'abC'.islower() }} {{ 'A1'.isupper() }} [{{ '-7'.zfill(4) }}] [{{ 'ab'.center(7, '*') }}] [{{ 'ab'.ljust(4, '.') }}] [{{ 'ab'.rjust(4) }}] {{ 'a\\nb\\r\\nc\\n'.splitlines() }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'a=b=c'.partition('=') | join('|') }} {{ 'a=b=c'.rpartition('=') | join('|') }} {{ 'HeLLo'.swapcase() }}", U, {}),
    ("seq_filters", "{{ ['a', 'b'] | map('upper') | join }} {{ [[1, 2], [3]] | map('length') | list }} {{ messages | map(attribute='name', default='anon') | list }} {{ [0, 1, none, 2] | select | list }} {{ [0, 1, none, 2] | reject | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }} {{ messages | rejectattr('role', 'in', ['user', 'system']) | list | length }} {{ messages | selectattr('name') | list }}", CONV, {}),
    ("unsafe_append", "{% set l = [] %}{{ l.append(1) }}{{ l }}", U, {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% for k, v in [['x', 1], ['y', 2]] %}{{ k }}{{ v }}{% endfor %}", U, {}),
]


def main():
    for name, src, messages, extra in CASES:
        for agp in (True,) if name != "add_generation_prompt" else (True, False):
            case = {"name": name if name != "add_generation_prompt" else f"{name}_{agp}",
                    "template": src, "messages": messages, "extra": extra,
                    "add_generation_prompt": agp, "bos_token": "<s>", "eos_token": "</s>"}
            kwargs = dict(extra)
            kwargs.setdefault("tools", None)
            kwargs.setdefault("documents", None)
            try:
                out = env.from_string(src).render(
                    messages=messages, add_generation_prompt=agp,
                    bos_token="<s>", eos_token="</s>", **kwargs)
                case["expected"] = out
            except Raised as e:
                case["expected"] = None
                case["error"] = str(e)
            except Exception as e:  # a case the reference itself refuses
                case["expected"] = None
                case["error"] = f"{type(e).__name__}: {e}"
                case["engine_error"] = True
            sys.stdout.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
