"""The positioned YAML reader against an oracle built the plain way from the same parser.

`engine.files.load` walks libyaml's events in one loop tuned for speed: a plain scalar's first character
picks how it may resolve, one pattern (with possessive quantifiers) tells every kind of number apart, a
file of printable ASCII skips the search for forbidden characters, a file with no backslash skips the
check of what double-quoted escapes stand for, a key's path is built once and kept for its value. The
oracle builds the same Document without any of that: `yaml.compose` (libyaml's own tree of nodes), each
plain scalar resolved by the YAML 1.2 core schema's patterns as the spec writes them, the position of
each node and key taken from its start mark.

The texts are generated: nested block and flow mappings and lists, plain, single- and double-quoted,
literal and folded scalars, numbers and strings that only start like numbers, null and boolean words
(and `yes`/`no`/`on`, which stay strings), dates, unicode, CRLF line ends and a BOM. A clean text must
give the oracle's data (types included), positions of values and of keys, and no problem; a clean text
with one hazard appended (a duplicate key, an anchor and its alias, a tag, a list as a key, a second
document, a forbidden character or escape, an integer or a float out of range, nesting too deep) must
give exactly that hazard's problem.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from engine.files.load import MAX_DEPTH, Document, PathKey, Position, parse

# Plain scalars that are safe in block and flow context alike: words, the core schema's null and boolean
# words and the YAML 1.1 ones that stay strings, numbers of every form, and strings that start like one
PLAIN = ("alpha", "fact", "title", "note", "nothing", "trueish", "Côte", "été", "x_1", "中文",
         "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
         "yes", "no", "on", "off", "y", "n", "nan", "inf", "NaN",
         "0", "7", "-3", "+4", "0123", "1.5", "-.5", "+.5e3", "1e5", "1E-5", "1.", ".5", "-0.0",
         "12e", "1.2.3", "2012-12-31", "2020-13-45", "1_000", "0x1F", "0o7", "+", ".", "-.", "1e+",
         ".inf", "-.Inf", "+.INF", ".nan", ".NaN", ".NAN", "-.nan", "..inf", "1 2")
KEYS = ("id", "title", "fact", "true", "null", "1", "1e5", "-2", "2012-12-31", "~", "é", "on", "a b")
TEXT = st.text(st.sampled_from("abz AZ09 .,:#-_'\"\\éç€中🙂"), max_size=12)
INDENT = 2


def _core(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema (spec 10.3.2), written out as the spec lists it."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if re.fullmatch(r"[-+]?[0-9]+", text):
        return int(text)
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", text):
        return -math.inf if text.startswith("-") else math.inf
    if re.fullmatch(r"\.(nan|NaN|NAN)", text):
        return math.nan
    return text


class _Plain(yaml.CSafeLoader):
    """libyaml's composer, each scalar's tag saying only whether it was plain (the oracle resolves it)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return "plain" if kind is yaml.ScalarNode and implicit[0] else "other"


def oracle(text: str) -> tuple[Any, dict[PathKey, Position], dict[PathKey, Position]]:
    """The data, value positions and key positions of a clean text, from its tree of nodes."""
    values: dict[PathKey, Position] = {}
    keys: dict[PathKey, Position] = {}

    def build(node: Any, path: PathKey) -> Any:
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            data = {}
            for key, value in node.value:
                where = (*path, key.value)
                keys[where] = (key.start_mark.line + 1, key.start_mark.column + 1)
                data[key.value] = build(value, where)
            return data
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, index)) for index, item in enumerate(node.value)]
        return _core(node.value) if node.tag == "plain" else node.value

    return build(yaml.compose(text, Loader=_Plain), ()), values, keys


def typed(data: Any) -> Any:
    """`data` with every scalar's type beside it, and NaN comparable: True is not 1, nor 1 1.0."""
    if isinstance(data, dict):
        return {key: typed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [typed(item) for item in data]
    return (type(data).__name__, "nan" if isinstance(data, float) and math.isnan(data) else data)


# --- the generated texts ----------------------------------------------------------------------------------

def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


ESCAPED = st.sampled_from(('"tab\\there"', '"caf\\u00e9"', '"\\x41\\x42"', '"two\\nlines"', '"q\\"q"'))
FLOW_SCALARS = st.one_of(st.sampled_from(PLAIN), TEXT.map(_single), TEXT.map(_double), ESCAPED)


@st.composite
def flow(draw: st.DrawFn, depth: int = 0) -> str:
    """A scalar, or a flow mapping or list (nested), as it is written inside brackets."""
    kind = draw(st.sampled_from(("scalar", "scalar", "map", "seq")) if depth < 3 else st.just("scalar"))
    if kind == "scalar":
        return draw(FLOW_SCALARS)
    if kind == "seq":
        return "[" + ", ".join(draw(st.lists(flow(depth + 1), max_size=3))) + "]"
    names = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3))
    return "{" + ", ".join(f"{_key(name)}: {draw(flow(depth + 1))}" for name in names) + "}"


def _key(name: str) -> str:
    return _single(name) if " " in name else name


@st.composite
def block(draw: st.DrawFn, indent: int, depth: int = 0, root: bool = False) -> list[str]:
    """The lines of a block mapping (or, below the root, a list) at `indent`, its entries drawn."""
    pad = " " * indent
    sequence = not root and draw(st.booleans())
    names = [None] * draw(st.integers(1, 3)) if sequence else \
        draw(st.lists(st.sampled_from(KEYS), unique=True, min_size=1, max_size=4))
    lines: list[str] = []
    for name in names:
        head = f"{pad}-" if name is None else f"{pad}{_key(name)}:"
        kind = draw(st.sampled_from(("scalar", "empty", "flow", "block", "literal")) if depth < 4
                    else st.sampled_from(("scalar", "flow")))
        if kind == "scalar":
            lines.append(f"{head} {draw(FLOW_SCALARS)}")
        elif kind == "empty":
            lines.append(head)
        elif kind == "flow":
            lines.append(f"{head} {draw(flow())}")
        elif kind == "block":
            lines += [head, *draw(block(indent + INDENT, depth + 1))]
        else:
            body = draw(st.lists(st.text(st.sampled_from("ab z09#:-'\"é"), min_size=1, max_size=8)
                                 .filter(lambda line: not line.startswith(" ")), min_size=1, max_size=3))
            lines += [f"{head} {draw(st.sampled_from(('|', '>', '|-', '>+')))}",
                      *(" " * (indent + INDENT) + line for line in body)]
    return lines


@st.composite
def clean_texts(draw: st.DrawFn) -> list[str]:
    """The lines of a clean file: a block mapping at the root."""
    return draw(block(0, root=True))


def _encode(lines: list[str], crlf: bool, bom: bool) -> bytes:
    end = "\r\n" if crlf else "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + end.join(lines).encode("utf-8") + end.encode()


# --- the tests --------------------------------------------------------------------------------------------

@given(clean_texts(), st.booleans(), st.booleans())
@example(["a: 1", "b: [2012-12-31, .5, 1e5, +.INF, -.nan, '1', yes, ~]", "c:", "  - {d: 0123, e: 1.2.3}"],
         False, False)
@example(["title: \"two\\nlines\"", "note: >", "  folded", "  text", "fact: |-", "  kept"], True, True)
@example([f"all: [{', '.join(PLAIN)}]", *(f"{_key(name)}: {name}" for name in KEYS)], False, False)
def test_clean_texts_give_the_oracles_document(lines: list[str], crlf: bool, bom: bool) -> None:
    raw = _encode(lines, crlf, bom)
    doc, problems = parse(raw, "x.yaml")
    assert problems == []
    assert isinstance(doc, Document)
    data, values, keys = oracle(raw.decode("utf-8-sig"))
    assert typed(doc.data) == typed(data)
    assert doc.values == values
    assert doc.keys == keys


# One hazard, appended as the last entry of the root mapping: the entry's text and the problem it must
# give (code, column on its line, message); "KEY" stands for the root mapping's first key.
HAZARDS = {
    "duplicate": ("KEY: 1", "duplicate-key", 1, "key 'KEY' appears twice in this mapping (first at line 1)"),
    "alias": ("zz: [&a 1, *a]", "alias", 6,
              "anchor '&a' is not allowed (repeated by 1 alias '*a'); write the values out in full"),
    "tag": ("zz: !!int 5", "tag", 5, "tag '!!int' is not allowed; remove it"),
    "local-tag": ("zz: !x {a: 1}", "tag", 5, "tag '!x' is not allowed; remove it"),
    "escape": ('zz: "a\\eb"', "encoding", 5,
               "ESC (U+001B), written here as an escape, is not allowed in a rule or case file; delete it"),
    "integer": ("zz: -" + "9" * 301, "out-of-range", 5, "integer of 301 digits is too large"),
    "float": ("zz: 1e999", "out-of-range", 5, "number '1e999' is too large to represent"),
    "complex-key": ("zz: {[a]: 1}", "yaml-syntax", 6, "a key must be a plain word, not a list or mapping"),
    "documents": ("---", "multiple-documents", 1, "file holds more than one YAML document ('---'); keep one per file"),
    "control": ("zz: a\x1bb", "encoding", 6, "ESC (U+001B) is not allowed in a rule or case file; delete it"),
    "separator": ("zz: é\u2028b", "encoding", 6,
                  "LINE SEPARATOR (U+2028) is not allowed in a rule or case file; delete it"),
    "deep": ("zz: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "too-deep", 5 + MAX_DEPTH - 1,
             f"nesting is deeper than {MAX_DEPTH} levels"),
}


@given(clean_texts(), st.sampled_from(sorted(HAZARDS)), st.booleans())
def test_a_hazard_gives_its_problem_and_no_other(lines: list[str], hazard: str, crlf: bool) -> None:
    entry, code, column, message = HAZARDS[hazard]
    first = lines[0].split(":")[0]
    raw = _encode([*lines, entry.replace("KEY", first)], crlf, False)
    doc, problems = parse(raw, "x.yaml")
    assert doc is None
    assert [(p.code, p.line, p.column, p.message) for p in problems] == \
        [(code, len(lines) + 1, column, message.replace("KEY", first.strip("'")))]


def test_a_non_specific_tag_keeps_a_scalar_a_string() -> None:
    """`! 12` is the string '12': libyaml still calls such a scalar plain (implicit), the reader does not
    resolve it, as it resolves no tagged scalar."""
    doc, problems = parse(b"a: ! 12\nb: ! true\nc: !!str 5\nd: 12\n", "x.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": "12", "b": "true", "c": "5", "d": 12}


def test_a_position_is_of_the_value_else_its_key_else_the_nearest_parent() -> None:
    doc, _ = parse(b"a:\n  b: [1, 2]\nc: x\n", "x.yaml")
    assert doc is not None
    assert dict(doc.values) == {(): (1, 1), ("a",): (2, 3), ("a", "b"): (2, 6), ("a", "b", 0): (2, 7),
                                ("a", "b", 1): (2, 10), ("c",): (3, 4)}
    assert dict(doc.keys) == {("a",): (1, 1), ("a", "b"): (2, 3), ("c",): (3, 1)}
    assert doc.at(("a", "b", 1)) == (2, 10)
    assert doc.at(("a", "b", 5)) == (2, 6)  # no such item: the list it would be in
    assert doc.at(("a", "b"), key=True) == (2, 3)
    assert doc.at(("a", "z"), key=True) == (1, 1)
    assert doc.at(("zz",)) == (1, 1)
    assert doc.problem(("c",), "value", "x").line == 3
