"""The fast path of the shape check answers exactly as the JSON Schemas do.

A valid file never imports jsonschema: `engine.shape.accepts(name)` is each schema compiled into
a plain predicate, and only a file it refuses goes to jsonschema for the located problems. So the
predicate must accept exactly what `jsonschema.Draft202012Validator(schema).is_valid` accepts, or a
file the schema refuses would load (or a valid one would be reported with no problem to show).

The instances are JSON data as the YAML reader builds it (None, booleans, integers, floats
including NaN and infinities, strings, lists, mappings with string keys), drawn three ways:

- guided by the schema: mappings whose keys are the schema's property names (and others), values
  built from the sub-schemas or drawn at random, strings from the schema's patterns with and
  without a trailing newline, numbers at and beyond every bound, true against 1 and 1.0 against 1;
- mutations of real documents: the files of the test packs (and the bundled pack and cases when
  present) read with `engine.load.read`, and a report of a scored case, with one part replaced,
  removed, added to or retyped;
- any JSON value at all.

`check` itself uses `accepts(name, finite=True)`, which also refuses a NaN under a numeric bound
(jsonschema lets NaN through every bound, as every comparison with NaN is false; the engine reports
it): that variant is checked against a jsonschema validator whose bounds also refuse NaN.

Both oracles read `pattern` as JSON Schema means it (ECMA-262: `$` matches only at the very end),
where jsonschema uses Python's `re.search`, whose `$` also matches before a final newline (so
"a\\n" would pass `^a$`). The oracle does not reuse the engine's translation: every pattern of our
schemas is anchored at both ends, and such a pattern holds exactly when Python's `re.fullmatch`
of its body does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.files import shape
from engine.files.load import read

ROOT = Path(__file__).resolve().parent.parent
NAMES = [name for name in shape.SCHEMAS if (shape.SCHEMA_DIR / f"{name}.schema.json").is_file()]
NAN, INF = float("nan"), float("inf")


# --- the two oracles: jsonschema with ECMA-262 patterns, and with bounds that also refuse NaN -------

def _ecma_pattern(checker: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    assert pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"), \
        f"the oracle knows only patterns anchored at both ends: {pattern!r}"
    if isinstance(instance, str) and re.fullmatch(pattern[1:-1], instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def validator(name: str) -> Any:
    return EcmaValidator(shape.schema(name))


def _bound(keyword: str) -> Any:
    plain = EcmaValidator.VALIDATORS[keyword]

    def bound(checker: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, float) and math.isnan(instance):
            yield jsonschema.ValidationError(f"NaN is not {keyword} {limit}")
            return
        yield from plain(checker, limit, instance, schema)
    return bound


FiniteValidator = jsonschema.validators.extend(
    EcmaValidator,
    {keyword: _bound(keyword) for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")})


@cache
def finite_validator(name: str) -> Any:
    return FiniteValidator(shape.schema(name))


def agree(name: str, instance: Any) -> None:
    expected = validator(name).is_valid(instance)
    assert shape.accepts(name)(instance) is expected, f"{name}: jsonschema says {expected} for {instance!r}"
    # the validator `check` describes problems with (its own pattern and uniqueItems) answers the same
    assert shape._validator(name).is_valid(instance) is expected, f"{name}: the engine's jsonschema differs"
    expected = finite_validator(name).is_valid(instance)
    assert shape.accepts(name, finite=True)(instance) is expected, \
        f"{name} (finite): jsonschema says {expected} for {instance!r}"


# --- what a schema is made of ----------------------------------------------------------------------

def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


@cache
def words(name: str) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[str, ...], tuple[float, ...]]:
    """The schema's property names, enum values, patterns and numeric bounds."""
    keys: dict[str, None] = {}
    enums: list[Any] = []
    patterns: dict[str, None] = {}
    bounds: dict[float, None] = {}
    for node in _nodes(shape.schema(name)):
        keys.update(dict.fromkeys(node.get("properties", {}) if isinstance(node.get("properties"), dict) else {}))
        keys.update(dict.fromkeys(node.get("required", []) if isinstance(node.get("required"), list) else []))
        if isinstance(node.get("enum"), list):
            enums.extend(node["enum"])
        if isinstance(node.get("pattern"), str):
            patterns[node["pattern"]] = None
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                        "minLength", "minProperties"):
            if isinstance(node.get(keyword), (int, float)) and not isinstance(node.get(keyword), bool):
                bounds[node[keyword]] = None
    return tuple(keys), tuple(enums), tuple(patterns), tuple(bounds)


@cache
def pattern_strings(name: str) -> st.SearchStrategy[str]:
    """Strings that match the schema's patterns, and the same with a trailing newline or a space."""
    _, _, patterns, _ = words(name)
    if not patterns:
        return st.text(max_size=8)
    matching = st.one_of([st.from_regex(re.compile(p), fullmatch=True) for p in patterns])
    return st.one_of(matching, matching.map(lambda s: s + "\n"), matching.map(lambda s: s + " "),
                     matching.map(lambda s: "\n" + s), matching.map(str.upper))


@cache
def numbers(name: str) -> st.SearchStrategy[Any]:
    """Numbers at and around each bound: the bound as int and float, just inside and outside; NaN, inf."""
    _, _, _, bounds = words(name)
    near = [value for bound in bounds for value in
            (bound, float(bound), int(bound), bound - 1, bound + 1, bound - 0.5, bound + 0.5,
             math.nextafter(float(bound), INF), math.nextafter(float(bound), -INF))]
    return st.one_of(st.sampled_from([*near, NAN, INF, -INF, 0, 0.0, -0.0, 1, 1.0, 1.5, -1, 10**30, 2.0**60]),
                     st.integers(-3, 130), st.floats(allow_nan=True, allow_infinity=True))


@cache
def scalars(name: str) -> st.SearchStrategy[Any]:
    keys, enums, _, _ = words(name)
    named = [*keys, *enums, "", " ", "\n", "2020-09-12", "2020-09-12\n", "2020-9-12", "1.0.0", "1.0.0\n", "A",
             "a", "a-b", "a_b", "-a", "é", "true", "null", "1"]
    return st.one_of(st.none(), st.booleans(), numbers(name), st.sampled_from(named), pattern_strings(name),
                     st.text(max_size=6))


@cache
def json_values(name: str) -> st.SearchStrategy[Any]:
    keys, _, _, _ = words(name)
    key = st.one_of(st.sampled_from(keys) if keys else st.text(max_size=4), st.text(max_size=4),
                    pattern_strings(name))
    return st.recursive(scalars(name), lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(key, children, max_size=5)), max_leaves=16)


# --- instances guided by the schema ----------------------------------------------------------------

@st.composite
def guided(draw: st.DrawFn, name: str, node: Any = None, depth: int = 0, noisy: bool | None = None) -> Any:
    """An instance built from the schema node. Half of them keep to the schema (valid but for what the
    schema cannot say in one node, such as if/then/else); the other half take random detours at every
    level: a random value, a missing required key, an extra key, a string with a newline, a number
    beyond a bound, an array one item too long or too short, a duplicate item."""
    root = shape.schema(name)
    node = root if node is None else node
    noisy = draw(st.booleans()) if noisy is None else noisy
    if not isinstance(node, dict) or depth > 5 or (noisy and draw(st.integers(0, 9)) == 0):
        return draw(json_values(name) if depth < 3 else scalars(name))
    while "$ref" in node and (not noisy or draw(st.integers(0, 5))):
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if "if" in node:
        branch = node.get("then") if draw(st.booleans()) else node.get("else")
        if isinstance(branch, dict):
            return draw(guided(name, branch, depth + 1, noisy))
    if "enum" in node:
        return draw(st.sampled_from(node["enum"]))
    kinds = node.get("type", ["object", "array", "string", "number", "integer", "boolean", "null"])
    kind = draw(st.sampled_from(kinds if isinstance(kinds, list) else [kinds]))
    if kind == "object":
        properties = node.get("properties", {})
        result: dict[str, Any] = {}
        for key in node.get("required", []):
            if not noisy or draw(st.integers(0, 15)):
                result[key] = draw(guided(name, properties.get(key, {}), depth + 1, noisy))
        for key in draw(st.lists(st.sampled_from(sorted(properties)), max_size=4, unique=True)) if properties else []:
            result[key] = draw(guided(name, properties[key], depth + 1, noisy))
        extra = node.get("additionalProperties")
        names = node.get("propertyNames", {})
        for _ in range(draw(st.integers(0, 1 if extra is False or not noisy else 3))):
            if extra is False and not noisy:
                break
            if "enum" in names:
                key = str(draw(st.sampled_from(names["enum"])))
            elif "pattern" in names and not noisy:
                key = draw(st.from_regex(re.compile(names["pattern"]), fullmatch=True))
            else:
                key = draw(st.one_of(pattern_strings(name), st.text(max_size=5),
                                     st.sampled_from(words(name)[0] or ("k",))))
            result[key] = draw(guided(name, extra if isinstance(extra, dict) else {}, depth + 1, noisy))
        return result
    if kind == "array":
        low = node.get("minItems", 0)
        high = node.get("maxItems", low + 2)
        size = draw(st.integers(max(0, low - 1), high + 1) if noisy else st.integers(low, high))
        items = draw(st.lists(guided(name, node.get("items", {}), depth + 1, noisy), min_size=size, max_size=size,
                              unique_by=(lambda item: json.dumps(item, sort_keys=True))
                              if node.get("uniqueItems") and not noisy else None))
        if items and noisy and draw(st.integers(0, 4)) == 0:
            items.append(items[0])  # a duplicate, against uniqueItems
        return items
    if kind == "string":
        if noisy:
            return draw(st.one_of(pattern_strings(name), st.sampled_from(["", "x", "a b", "\n"]), st.text(max_size=6)))
        if "pattern" in node:
            return draw(st.from_regex(re.compile(node["pattern"]), fullmatch=True))
        return draw(st.text(min_size=node.get("minLength", 0), max_size=8))
    if kind in ("number", "integer"):
        if noisy:
            return draw(numbers(name))
        low = node.get("minimum", node.get("exclusiveMinimum", -1e6))
        high = node.get("maximum", node.get("exclusiveMaximum", 1e6))
        inside = st.integers(math.ceil(low), math.floor(high)) if kind == "integer" else st.floats(
            low, high, exclude_min="exclusiveMinimum" in node, exclude_max="exclusiveMaximum" in node)
        return draw(inside | st.sampled_from([low, high]) if kind == "number" else inside)
    if kind == "boolean":
        return draw(st.sampled_from([True, False, 1, 0, 1.0]) if noisy else st.booleans())
    return None


# --- mutations of real documents -------------------------------------------------------------------

def _documents() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {name: [] for name in NAMES}
    packs = [ROOT / "tests" / "packs" / "pact" / "rules", ROOT / "rules"]
    for folder in packs:
        if not (folder / "pack.yaml").is_file():
            continue
        for path in sorted(folder.rglob("*.y*ml")):
            kind = {"pack.yaml": "pack", "facts.yaml": "facts"}.get(path.name, "rule")
            document, _ = read(path)
            if document is not None and kind in found:
                found[kind].append(document.data)
    for path in [*sorted((ROOT / "tests" / "packs").rglob("cases/*.yaml")), *sorted((ROOT / "cases").glob("*.yaml"))]:
        document, _ = read(path)
        if document is not None and "case" in found:
            found["case"].append(document.data)
    if "report" in found:
        found["report"].append(_report())
    return found


def _report() -> Any:
    import engine

    pack = engine.load_pack(ROOT / "tests" / "packs" / "pact" / "rules")
    case = engine.load_case(ROOT / "tests" / "packs" / "pact" / "cases" / "alpha.yaml", pack)
    return json.loads(json.dumps(engine.to_dict(engine.score(case, pack))))


DOCUMENTS = _documents()


def _paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*where, index))


def _retype(value: Any) -> list[Any]:
    """Values that look like `value` to a person but may not to a schema."""
    if isinstance(value, bool):
        return [int(value), float(value), str(value).lower(), not value]
    if isinstance(value, int):
        return [float(value), value == 1, str(value), -value, value + 1, NAN, INF]
    if isinstance(value, float):
        return [int(value) if math.isfinite(value) else 0, NAN, -INF, INF, str(value), -value]
    if isinstance(value, str):
        return [value + "\n", "", value.upper(), " " + value, value[:-1], [value], {value: value}, 1]
    if isinstance(value, list):
        return [[], value[:1], value * 2, [*value, None], {}, list(reversed(value))]
    if isinstance(value, dict):
        return [{}, [value], dict(list(value.items())[:1]), {**value, "extra": 1}]
    return [0, "", [], {}]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> Any:
    """A real document of schema `name` with one to three of its parts changed."""
    document = json.loads(json.dumps(draw(st.sampled_from(DOCUMENTS[name]))))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(_paths(document))))
        if not where:
            continue
        parent = document
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        action = draw(st.integers(0, 4))
        if action == 0 and isinstance(parent, dict):
            del parent[last]
        elif action == 1 and isinstance(parent, dict):
            parent[draw(st.sampled_from(words(name)[0] or ("k",)))] = draw(scalars(name))
        elif action == 2:
            parent[last] = draw(st.sampled_from(_retype(parent[last])))
        else:
            parent[last] = draw(guided(name) if action == 3 else json_values(name))
    return document


# --- the tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@settings(deadline=None)
@given(data=st.data())
def test_accepts_what_the_schema_accepts_guided(name: str, data: st.DataObject) -> None:
    agree(name, data.draw(guided(name)))


@pytest.mark.parametrize("name", [n for n in NAMES if DOCUMENTS.get(n)])
@settings(deadline=None)
@given(data=st.data())
def test_accepts_what_the_schema_accepts_mutated(name: str, data: st.DataObject) -> None:
    agree(name, data.draw(mutated(name)))


@pytest.mark.parametrize("name", NAMES)
@settings(deadline=None)
@given(data=st.data())
def test_accepts_what_the_schema_accepts_anything(name: str, data: st.DataObject) -> None:
    agree(name, data.draw(json_values(name)))


@pytest.mark.parametrize("name", [n for n in NAMES if DOCUMENTS.get(n)])
def test_the_real_documents_are_valid(name: str) -> None:
    for document in DOCUMENTS[name]:
        assert shape.accepts(name)(document), document
        agree(name, document)


@pytest.mark.parametrize("name", [n for n in NAMES if DOCUMENTS.get(n)])
def test_every_single_change_of_the_real_documents(name: str) -> None:
    """Each part of the smaller real documents, in turn, retyped, emptied or dropped: what random draws may miss."""
    small = [document for document in DOCUMENTS[name] if len(list(_paths(document))) <= 100][:4]
    for original in small:
        for where in list(_paths(original))[1:]:
            for change in range(len(_retype(_at(original, where))) + 1):
                document = json.loads(json.dumps(original))
                parent = _at(document, where[:-1])
                if change == 0:
                    if not isinstance(parent, dict):
                        continue
                    del parent[where[-1]]
                else:
                    parent[where[-1]] = _retype(parent[where[-1]])[change - 1]
                agree(name, document)


def _at(document: Any, where: tuple[Any, ...]) -> Any:
    for step in where:
        document = document[step]
    return document


# Hand-picked cases where a predicate written by eye would go wrong.
@pytest.mark.parametrize("name, instance", [
    ("pack", {"pack": "p", "version": "1.0.0\n", "roles": ["a", "b"], "bands": [{"from": 0, "label": "x"}]}),
    ("pack", {"pack": "p", "version": "1.0.0", "roles": ["a", "a"], "bands": [{"from": 0, "label": "x"}]}),
    ("pack", {"pack": "p", "version": "1.0.0", "roles": ["a", "b"], "bands": [{"from": NAN, "label": "x"}]}),
    ("pack", {"pack": "p", "version": "1.0.0", "roles": ["a", "b"], "bands": [{"from": True, "label": "x"}]}),
    ("pack", {"pack": "p", "version": "1.0.0", "roles": ["a", "b"], "bands": [{"from": 0, "label": ""}],
              "evidence": {"reliability": {"A": NAN}, "credibility": {"1": 1, "7": 1}, "half_life_days": None}}),
    ("rule", {"id": "a", "title": "t", "category": "c", "effect": "weakens", "weight": NAN, "when": {"fact": "a"}}),
    ("rule", {"id": "a", "title": "t", "category": "c", "effect": "weakens", "weight": 100.0, "when": {}}),
    ("rule", {"id": "a\n", "title": "t", "category": "c", "effect": "weakens", "weight": 1, "when": {"fact": "a"}}),
    ("rule", {"id": "a", "title": "t", "category": "c", "effect": "weakens", "weight": 1,
              "when": {"all": [{"not": {"fact": "a", "between": [1, True]}}]}}),
    ("case", {"case": "c", "title": "t", "parties": {"a": "b"}, "as_of": "2020-09-12",
              "facts": {"x": [], "y": [{"value": 1}], "z": [1, {"value": 2}], "w": {"value": [1]}}}),
    ("case", {"case": "c", "title": "t", "parties": {"a": "b"}, "as_of": "2020-09-12",
              "facts": {"x": {"value": 1, "credibility": 2.0}}}),
    ("case", {"case": "c", "title": "t", "parties": {"a": "b"}, "as_of": "2020-09-12",
              "facts": {"y": {"value": 1, "credibility": True}}}),
    ("case", {"case": "c", "title": "t", "parties": {"a": "b"}, "as_of": "2020-09-12",
              "facts": {"y": {"value": 1, "credibility": 6.5}}}),
])
def test_tricky_instances(name: str, instance: Any) -> None:
    if name in NAMES:
        agree(name, instance)


@example(1.0)
@example(True)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text()))
def test_json_equality_keeps_true_apart_from_one(value: Any) -> None:
    """`enum` and `uniqueItems` compare as jsonschema does: true is not 1, 1.0 is 1, NaN is itself.

    (uniqueItems applies only to lists of strings in our schemas, where any pairwise test agrees.)
    """
    utils = pytest.importorskip("jsonschema._utils")  # private: skip if jsonschema reorganises it
    for other in (value, 1, 1.0, True, 0, False, "1", None, NAN, [value], {"a": value}):
        assert shape._equal(value, other) is bool(utils.equal(value, other))


@example(1.0)
@example(True)
@example(float("nan"))
@given(json_values("case"))
def test_the_unique_items_key_is_json_equality(value: Any) -> None:
    """uniqueItems hashes `_json_key`: two keys are equal exactly when jsonschema finds the values equal."""
    utils = pytest.importorskip("jsonschema._utils")
    for other in (value, 1, 1.0, True, 0, False, "1", None, NAN, [value], {"a": value}, [1], [True], {"a": 1.0}):
        assert (shape._json_key(value) == shape._json_key(other)) is bool(utils.equal(value, other))
        assert (not list(shape._repeats([value, other]))) is bool(utils.uniq([value, other]))


@pytest.mark.parametrize(("pattern", "python"), [
    ("^a$", "^a\\Z"), ("^a\\$$", "^a\\$\\Z"), ("^[$]$", "^[$]\\Z"), ("^a\\\\$", "^a\\\\\\Z"),
    ("^(a|b$)", "^(a|b\\Z)"), ("^[\\]$]+$", "^[\\]$]+\\Z"), ("^(?:a)$", "^(?:a)\\Z"), ("^[\\b]$", "^[\\b]\\Z"),
])
def test_a_pattern_dollar_matches_only_at_the_very_end(pattern: str, python: str) -> None:
    assert shape.ecma_regex(pattern).pattern == python
    assert shape.ecma_regex("^a$").search("a\n") is None
    assert shape.ecma_regex("^a$").search("a") is not None


@pytest.mark.parametrize("pattern", ["^\\d$", "^\\w+$", "^a\\s", "\\bword", "^.$", "^[]a]$", "^[^]a]$",
                                     "(?P<name>a)", "(?i)a", "\\Aa\\Z"])
def test_a_pattern_that_python_would_read_differently_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="differs between ECMA-262 and Python"):
        shape.ecma_regex(pattern)


# --- any schema the compiled checker supports, not only ours -----------------------------------------
#
# The compiler folds each node's keywords into one closure per instance type, tests a declared type
# inside that closure, and has shortcuts for string enums and type unions: schemas drawn from every
# keyword it supports (type unions such as integer with string, bounds on strings, `if` without `else`,
# recursive `$ref`s) check those paths where our own schemas do not reach, so a schema edit cannot meet
# a path no test has run.

_SYNTHETIC_NAMES = ("a", "b", "c")
_SYNTHETIC_PATTERNS = ("^[a-c]+$", "^a(-b)*$", "^[0-9]{2}$", "^x?$")
_SYNTHETIC_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_SYNTHETIC_REFS = ("#/$defs/d0", "#/$defs/d1")
_SYNTHETIC_STRINGS = ("", "a", "ab", "a-b", "12", "x", "x\n", "a\n", "abc", "b")
_SYNTHETIC_SCALARS = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, 1, -1, 2, 3, 0.0, -0.0, 1.0, 0.5, 2.5, -1.5, 10**30, NAN, INF, -INF]),
    st.sampled_from(_SYNTHETIC_STRINGS))
_SYNTHETIC_BOUND = st.sampled_from([0, 1, 2, -1, 0.5, 1.0, 2.5])


# The keywords by the type of instance they apply to ("any": to every instance).
_SYNTHETIC_GROUPS = {
    "object": ("required", "properties", "additionalProperties", "propertyNames", "minProperties"),
    "array": ("items", "minItems", "maxItems", "uniqueItems"),
    "string": ("pattern", "minLength"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
    "any": ("enum", "if", "then", "else", "x-hint"),
}


def _synthetic_node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A schema node: keywords of one type of instance, a type or none, and now and then a keyword for
    any instance (with keywords drawn from all at once, nearly every instance fails one of them, and a
    wrong test of another goes unseen). `children` may be a bare $ref, so it goes only where the check
    descends into the instance (items, properties): there a recursive $ref ends."""
    inline = children.map(lambda sub: {} if "$ref" in sub else sub)  # `if` and its branches test the instance
    enum_values = st.recursive(_SYNTHETIC_SCALARS, lambda c: st.lists(c, max_size=2), max_leaves=3)
    keywords: dict[str, st.SearchStrategy[Any]] = {
        "required": st.lists(st.sampled_from(_SYNTHETIC_NAMES), max_size=2, unique=True),
        "properties": st.dictionaries(st.sampled_from(_SYNTHETIC_NAMES), children, max_size=2),
        "additionalProperties": st.one_of(st.just(False), children),
        "propertyNames": st.one_of(st.fixed_dictionaries({"pattern": st.sampled_from(_SYNTHETIC_PATTERNS)}),
                                   st.fixed_dictionaries({"minLength": st.integers(0, 2)})),
        "minProperties": st.integers(0, 2),
        "items": children,
        "minItems": st.integers(0, 2),
        "maxItems": st.integers(0, 3),
        "uniqueItems": st.booleans(),
        "pattern": st.sampled_from(_SYNTHETIC_PATTERNS),
        "minLength": st.integers(0, 2),
        "minimum": _SYNTHETIC_BOUND,
        "maximum": _SYNTHETIC_BOUND,
        "exclusiveMinimum": _SYNTHETIC_BOUND,
        "exclusiveMaximum": _SYNTHETIC_BOUND,
        "enum": st.lists(enum_values.filter(lambda v: v == v), min_size=1, max_size=3),  # JSON has no NaN
        "if": inline,
        "then": inline,
        "else": inline,
        "x-hint": st.just("ignored by both"),
    }

    @st.composite
    def node(draw: st.DrawFn) -> dict[str, Any]:
        group = draw(st.sampled_from(sorted(_SYNTHETIC_GROUPS)))
        names = draw(st.lists(st.sampled_from(_SYNTHETIC_GROUPS[group]), max_size=3, unique=True))
        if group != "any" and draw(st.integers(0, 3)) == 0:
            names.append(draw(st.sampled_from(_SYNTHETIC_GROUPS["any"])))
        drawn = {name: draw(keywords[name]) for name in dict.fromkeys(names)}
        own = [group] if group in ("object", "array", "string") else ["number"] if group == "number" else []
        types = draw(st.one_of(st.just(None), st.just(own or None), st.just(["integer"] if own == ["number"] else None),
                               st.lists(st.sampled_from(_SYNTHETIC_TYPES), min_size=1, max_size=3, unique=True)
                               .map(lambda union: sorted({*union, *own}))))
        if types is not None:
            drawn["type"] = types[0] if len(types) == 1 and draw(st.booleans()) else types
        return drawn
    return node()


_SYNTHETIC_REF = st.sampled_from([{"$ref": ref} for ref in _SYNTHETIC_REFS])
_SYNTHETIC_SUBSCHEMAS = st.recursive(st.one_of(_SYNTHETIC_REF, _synthetic_node(st.just({}))),
                                     lambda children: st.one_of(_SYNTHETIC_REF, _synthetic_node(children)),
                                     max_leaves=6)


@st.composite
def synthetic_schemas(draw: st.DrawFn) -> dict[str, Any]:
    root = draw(_synthetic_node(_SYNTHETIC_SUBSCHEMAS))
    return {**root, "$defs": {ref.rsplit("/", 1)[-1]: draw(_synthetic_node(_SYNTHETIC_SUBSCHEMAS))
                              for ref in _SYNTHETIC_REFS}}


synthetic_instances = st.recursive(
    _SYNTHETIC_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from((*_SYNTHETIC_NAMES, "ab", "12", "x", "z")), children,
                                               max_size=3)),
    max_leaves=8)


@st.composite
def fitting(draw: st.DrawFn, root: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """An instance built for a synthetic schema node, as `guided` builds one for ours: of a declared type,
    with the required and known keys, items of the item schema, strings of the patterns, numbers at and
    around the bounds, the enum's values; and now and then anything at all, at any level."""
    if not isinstance(node, dict) or depth > 4 or draw(st.integers(0, 7)) == 0:
        return draw(synthetic_instances)
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if "enum" in node and draw(st.booleans()):
        choice = draw(st.sampled_from(node["enum"]))
        return draw(st.sampled_from([choice, *_retype(choice)]))  # true for 1, 1.0 for 1, [x] for x, ...
    if "if" in node and draw(st.booleans()):
        node = {**node, **draw(st.sampled_from([node["if"], node.get("then", {}), node.get("else", {})]))}
    # of a declared type; with none, mostly of the type the node's keywords are for
    own = [group for group in ("object", "array", "string", "number") if set(_SYNTHETIC_GROUPS[group]) & set(node)]
    declared = node.get("type", own * 4 + list(_SYNTHETIC_TYPES))
    kind = draw(st.sampled_from(declared if isinstance(declared, list) else [declared]))
    if kind == "object":
        properties = node.get("properties", {})
        extra = node.get("additionalProperties", {})
        names = [*node.get("required", []), *draw(st.lists(st.sampled_from([*properties, "x", "ab"]), max_size=3))]
        return {name: draw(fitting(root, properties.get(name, extra), depth + 1)) for name in names}
    if kind == "array":
        size = draw(st.integers(max(0, node.get("minItems", 0) - 1), node.get("maxItems", 3) + 1))
        items = [draw(fitting(root, node.get("items", {}), depth + 1)) for _ in range(size)]
        return items + items[:1] if node.get("uniqueItems") and draw(st.booleans()) else items
    if kind == "string":
        if "pattern" in node and draw(st.booleans()):
            return draw(st.from_regex(node["pattern"][1:-1], fullmatch=True))
        return draw(st.sampled_from(_SYNTHETIC_STRINGS))
    if kind in ("number", "integer"):
        bounds = [node[key] for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if key in node]
        near = [value for bound in bounds for value in (bound, float(bound), bound - 0.5, bound + 0.5, bound + 1)]
        return draw(st.sampled_from([*near, 0, 1, 1.0, 1.5, -1, NAN, INF, True]))
    if kind == "boolean":
        return draw(st.sampled_from([True, False, 1, 0.0]))
    return None


def _pairwise_unique(checker: Any, unique: bool, instance: Any, schema: Any) -> Iterator[Any]:
    """uniqueItems by JSON equality, item against item: jsonschema's sorting shortcut misses a repeat
    around a NaN ([1, NaN, 1] sorts as it is, and no two neighbours are equal)."""
    from jsonschema._utils import equal

    if unique and isinstance(instance, list) and any(
            equal(instance[i], instance[j]) for j in range(len(instance)) for i in range(j)):
        yield jsonschema.ValidationError(f"{instance!r} has non-unique elements")


SyntheticValidator = jsonschema.validators.extend(EcmaValidator, {"uniqueItems": _pairwise_unique})
SyntheticFiniteValidator = jsonschema.validators.extend(FiniteValidator, {"uniqueItems": _pairwise_unique})


@settings(deadline=None, max_examples=300)
@given(schema=synthetic_schemas(), data=st.data())
def test_the_compiled_checker_agrees_with_jsonschema_on_any_supported_schema(
        schema: dict[str, Any], data: st.DataObject) -> None:
    instances = data.draw(st.lists(fitting(schema, schema), min_size=4, max_size=16))
    for finite, oracle in ((False, SyntheticValidator(schema)), (True, SyntheticFiniteValidator(schema))):
        predicate = shape._Compiler(schema, finite=finite).compile(schema)
        for instance in instances:
            expected = oracle.is_valid(instance)
            assert predicate(instance) is expected, f"finite={finite}: jsonschema says {expected} for {instance!r}"


# Small schemas, one path of the compiler each, against values that look alike to Python but not to JSON
_LOOKALIKES = [None, True, False, 0, 1, 1.0, 1.5, 6, 6.5, 100, 100.5, -0.0, NAN, INF, -INF, "", "a", "x", "x\n", "1",
               [], ["a"], ["a", "a"], [1, True], [1, 1.0], ["x", 1], [NAN, 1, NAN], {}, {"a": 1}, {"x": 1},
               {"a": {"a": {}}}, {"a": {"b": 1}}, {"a": "x", "b": 1}, {"ab": True}, [[1], [True]],
               [{"a": 1}, {"a": 1.0}]]
_TREE = {"type": "object", "properties": {"a": {"$ref": "#/$defs/tree"}}, "additionalProperties": False}


@pytest.mark.parametrize("schema", [
    {"enum": [1, "a"]}, {"enum": [True]}, {"enum": [1.0, None]}, {"enum": ["a", "x"]}, {"enum": [[1], {"a": 1}]},
    {"type": "array", "minItems": 1}, {"type": ["array", "string"], "minItems": 1, "pattern": "^a$"},
    {"items": {"type": "string"}}, {"type": "array", "maxItems": 1, "uniqueItems": True}, {"uniqueItems": True},
    {"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"required": ["a"]},
    {"type": "object", "minProperties": 1}, {"propertyNames": {"pattern": "^[a-c]+$"}},
    {"type": "object", "additionalProperties": {"type": "integer"}, "properties": {"a": {"type": "string"}}},
    {"type": "number", "exclusiveMinimum": 0, "maximum": 100}, {"minimum": 1}, {"exclusiveMaximum": 6},
    {"type": "integer", "minimum": 1, "maximum": 6}, {"type": ["integer", "string"], "maximum": 6, "minLength": 1},
    {"type": "string", "pattern": "^x?$", "minLength": 1}, {"type": "boolean"}, {"type": "null"},
    {"if": {"type": "object"}, "then": {"required": ["a"]}, "else": {"type": "string"}}, {"if": {"type": "string"}},
    {"if": {"type": "number"}, "then": {"maximum": 6}, "else": {"type": "array"}},
    {"if": {"type": "array", "minItems": 1}, "then": {"maxItems": 1}, "else": {"type": "null"}},
    {"type": ["string", "number", "boolean", "array"], "items": {"type": "string"}},
    {"type": ["object", "null"], "required": ["a"]}, {"type": ["string", "integer"], "pattern": "^x?$"},
    {"type": ["number", "integer"], "minimum": 1}, {"type": "integer", "maximum": 6.5},
    {"type": "string", "pattern": "^[a-c]+$", "minItems": 1},
    {"$ref": "#/$defs/tree", "$defs": {"tree": _TREE}},
    {"items": {"$ref": "#/$defs/s"}, "properties": {"a": {"$ref": "#/$defs/s"}}, "$defs": {"s": {"type": "string"}}},
])
def test_each_path_of_the_compiler_is_jsonschema_s(schema: dict[str, Any]) -> None:
    for finite, oracle in ((False, SyntheticValidator(schema)), (True, SyntheticFiniteValidator(schema))):
        predicate = shape._Compiler(schema, finite=finite).compile(schema)
        for instance in _LOOKALIKES:
            expected = oracle.is_valid(instance)
            assert predicate(instance) is expected, f"finite={finite}: jsonschema says {expected} for {instance!r}"


@pytest.mark.parametrize("types", [["integer", "string"], ["integer", "boolean"], ["number", "integer"],
                                   ["number", "boolean"], ["boolean", "null"], ["integer"], ["number"]])
@pytest.mark.parametrize("instance", [True, False, 0, 1, 1.0, 1.5, NAN, INF, "1", None, [], {}])
def test_a_type_union_is_jsonschema_s(types: list[str], instance: Any) -> None:
    """true is a boolean only, 1.0 an integer, NaN a number but no integer: in every union."""
    schema = {"type": types}
    assert shape._Compiler(schema, finite=True).compile(schema)(instance) is \
        EcmaValidator(schema).is_valid(instance)
