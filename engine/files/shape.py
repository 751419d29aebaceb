"""Check a document's shape against the JSON Schemas shipped in `engine/schemas/`.

A valid file never imports jsonschema (over 50 ms of start-up): each schema is first compiled
into a plain predicate (`accepts`) covering the keywords our schemas use. Only when that predicate
says no does jsonschema run, to name every problem with its path. A property test checks that the
predicate and jsonschema agree on every instance.

Two keywords are given their JSON Schema meaning in both, where Python's would differ: a `pattern`
is an ECMA-262 regular expression, whose `$` matches only at the very end (Python's `$` also matches
before a final newline, so "x\\n" would pass `^x$`); and `uniqueItems` is checked in linear time
by hashing each item under JSON equality (jsonschema's own check, and a pairwise one, are quadratic
in the worst case: seconds for a list of 10,000 items). A file past MAX_PROBLEMS shape problems is
not checked further.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..core.operators import SYNONYMS
from ..problems import Problem, did_you_mean
from .load import MAX_PROBLEMS, Document, PathKey, excerpt
from .values import YAML11_WORDS, show

SCHEMA_DIR = Path(__file__).parent.parent / "schemas"
SCHEMAS = ("pack", "facts", "rule", "case", "report", "outcomes")

Predicate = Callable[[Any], bool]


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema `name` (pack, facts, rule, case or report)."""
    with (SCHEMA_DIR / f"{name}.schema.json").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def accepts(name: str, *, finite: bool = False) -> Predicate:
    """A compiled predicate that is true exactly when jsonschema finds the instance valid.

    With `finite`, a NaN under a numeric bound (minimum, maximum, ...) also makes it false: jsonschema
    lets NaN pass every bound, the engine does not (`check` reports it).
    """
    root = schema(name)
    return _Compiler(root, finite=finite).compile(root)


@cache
def _validator(name: str) -> Any:
    import jsonschema  # deferred: only invalid files pay for it
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, value: str, instance: Any, node: Any) -> Iterable[Any]:
        if isinstance(instance, str) and ecma_regex(value).search(instance) is None:
            yield ValidationError(f"{excerpt(repr(instance))} does not match {value!r}")

    def unique(validator: Any, value: bool, instance: Any, node: Any) -> Iterable[Any]:
        if value and isinstance(instance, list):
            for repeat in _repeats(instance):  # located at the repeated item
                yield ValidationError(f"{show(instance[repeat.index])} is already in this list, as item "
                                      f"{repeat.first + 1}", path=(repeat.index,))

    extended = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # jsonschema leaves it untyped
        jsonschema.Draft202012Validator, {"pattern": pattern, "uniqueItems": unique})
    return extended(schema(name))


def check(document: Document, name: str) -> list[Problem]:
    """Every shape problem of `document` against schema `name`, located (at most MAX_PROBLEMS and
    a line saying the rest of the file was not checked)."""
    if accepts(name, finite=True)(document.data):
        return []
    problems: list[Problem] = []
    for error in _validator(name).iter_errors(document.data):
        for problem in _describe(document, error):
            problems.append(problem)
            if len(problems) >= MAX_PROBLEMS:
                problems.append(Problem(document.path, problem.line, problem.column, "too-many-problems",
                                        f"{MAX_PROBLEMS:,} shape problems found; any more are not reported"))
                return problems
    if not problems:
        # The finite predicate and jsonschema differ only on NaN: `.nan` fails every bound for the
        # predicate, none for jsonschema. So a NaN under a bound is what the predicate refused.
        root = schema(name)
        for where in _nans(document.data, ()):
            sub = _schema_at(root, where) or {}
            code = sub.get("x-code", "value")
            expected = f" ({sub['x-hint']})" if "x-hint" in sub else ""
            problems.append(document.problem(where, "out-of-range" if code == "value" else code,
                                             f"'.nan' is not a number; write a finite number{expected}"))
    return problems


# After a shape problem, the rest of a file's meaning can still be checked once the part the problem
# lies in is set aside, where that part is one nothing else depends on: an unknown key (outside a
# condition, where dropping an operator would change the test), one fact of a case, or a rule's
# examples, references or description. `*` stands for any one key.
_SET_ASIDE: dict[str, tuple[PathKey, ...]] = {
    "case": (("facts", "*"),),
    "rule": (("examples",), ("references",), ("description",)),
}


def remainder(document: Document, name: str) -> Document | None:
    """The document without the parts its shape problems lie in, or None when no such part can be
    set aside safely: what is left has the right shape, so its meaning can be checked too."""
    patterns = _SET_ASIDE.get(name, ())
    data = _Pruned(document.data)
    for count, error in enumerate(_validator(name).iter_errors(document.data)):
        if count >= MAX_PROBLEMS:  # `check` stopped here too: a file this wrong is not checked further
            return None
        where: PathKey = tuple(error.absolute_path)
        sub = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "additionalProperties" and "x-unknown-code" not in sub:
            cuts = [(*where, key) for key in error.instance if key not in sub.get("properties", {})]
        else:
            cut = next((where[:len(p)] for p in patterns if len(where) >= len(p)
                        and all(a in ("*", b) for a, b in zip(p, where, strict=False))), None)
            if cut is None:
                return None
            cuts = [cut]
        for cut in cuts:
            data.drop(cut)
    if not accepts(name, finite=True)(data.root):
        return None
    return Document(document.path, data.root, document.values, document.keys)


class _Pruned:
    """The data with parts dropped, copying only the containers on the way to each dropped part (the
    rest is shared with the original, which stays as it is): a deep copy of a large file costs more
    than its shape check."""

    def __init__(self, data: Any) -> None:
        self.root = _shallow(data)
        self.copies = {id(self.root)}

    def drop(self, where: PathKey) -> None:
        node = self.root
        for step in where[:-1]:
            try:
                child = node[step]
            except (KeyError, IndexError, TypeError):
                return  # an enclosing part was dropped already
            if id(child) not in self.copies:
                child = node[step] = _shallow(child)
                self.copies.add(id(child))
            node = child
        if isinstance(node, dict):
            node.pop(where[-1], None)


def _shallow(node: Any) -> Any:
    """A container of YAML data copied one level deep (a scalar is immutable: itself)."""
    return node.copy() if isinstance(node, (dict, list)) else node


def _schema_at(root: dict[str, Any], where: PathKey) -> dict[str, Any] | None:
    """The sub-schema that applies at `where`, following properties, items and $ref (None if unsure)."""
    node: Any = root
    for step in where:
        while isinstance(node, dict) and "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if not isinstance(node, dict):
            return None
        if isinstance(step, int):
            node = node.get("items")
        elif step in node.get("properties", {}):
            node = node["properties"][step]
        else:
            node = node.get("additionalProperties")
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node if isinstance(node, dict) else None


def _nans(value: Any, where: PathKey) -> Iterable[PathKey]:
    if isinstance(value, float) and math.isnan(value):
        yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nans(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nans(item, (*where, index))


def validate_report(report: Any) -> list[str]:
    """Messages for every way a JSON report breaks the report schema (empty when it is valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator("report").iter_errors(report)]


# --- turning jsonschema errors into located problems -----------------------------------------

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "nothing"}
# Names an analyst may reach for, and the operator that does it: the did-you-mean of an unknown operator.
_RANGE_WORDS = {"minimum": "at least", "maximum": "at most",
                "exclusiveMinimum": "above", "exclusiveMaximum": "below"}


@dataclass(frozen=True)
class _Failure:
    """One jsonschema error in a document, with what its sub-schema says about it."""

    document: Document
    error: Any
    where: PathKey
    sub: dict[str, Any]
    hint: str | None
    code: str

    @property
    def instance(self) -> Any:
        return self.error.instance

    def problem(self, message: str, code: str | None = None, where: PathKey | None = None, *,
                key: bool = False) -> Problem:
        return self.document.problem(self.where if where is None else where, code or self.code, message, key=key)

    def hinted(self, message: str) -> str:
        return f"{message} ({self.hint})" if self.hint else message


def _describe(document: Document, error: Any) -> Iterable[Problem]:
    """The located problems of one jsonschema error, worded by its keyword's describer."""
    sub = error.schema if isinstance(error.schema, dict) else {}
    failure = _Failure(document, error, tuple(error.absolute_path), sub, sub.get("x-hint"), sub.get("x-code", "value"))
    if len(error.schema_path) >= 2 and error.schema_path[-2] == "propertyNames":
        return _property_name(failure)
    if error.validator == "minProperties" and sub.get("title") == "condition":
        return [failure.problem("empty condition; write {fact: NAME, OPERATOR: VALUE}", "value")]
    return _DESCRIBERS.get(error.validator, _otherwise)(failure)


def _property_name(f: _Failure) -> Iterable[Problem]:
    suffix = f"; expected {f.hint}" if f.hint else ""
    yield f.problem(f"name '{excerpt(f.instance)}' is not allowed here{suffix}", where=(*f.where, f.instance),
                    key=True)


def _required(f: _Failure) -> Iterable[Problem]:
    for key in f.error.validator_value:
        if key not in f.instance:
            yield f.problem(f"missing required key '{key}'", "required")


def _additional(f: _Failure) -> Iterable[Problem]:
    known = set(f.sub.get("properties", {}))
    unknown_code = f.sub.get("x-unknown-code", "unknown-key")
    what = "operator" if unknown_code == "unknown-operator" else "key"
    for key in f.instance:
        if key not in known:
            mean = did_you_mean(key, known)
            if not mean and what == "operator":
                import difflib  # a mistake's message: not on a clean start

                synonym = difflib.get_close_matches(key.lower(), SYNONYMS, n=1, cutoff=0.8)
                if synonym and SYNONYMS[synonym[0]] in known:
                    mean = f" (did you mean '{SYNONYMS[synonym[0]]}'?)"
            yield f.problem(f"unknown {what} '{excerpt(key)}'{mean}; allowed: {', '.join(sorted(known))}",
                            unknown_code, (*f.where, key), key=True)


def _type(f: _Failure) -> Iterable[Problem]:
    if f.code == "date":  # a date written as a number or a list is still a bad date
        yield f.problem(f"expected {f.hint}, got {show(f.instance)}", "date")
        return
    value = f.error.validator_value
    types = value if isinstance(value, list) else [value]
    hint = f.hint
    if types == ["boolean"] and isinstance(f.instance, str) and f.instance.lower() in YAML11_WORDS:
        hint = "YAML 1.1 words like yes/no/on/off are plain strings here"
    yield f.problem(f"expected {' or '.join(_TYPE_NAMES[t] for t in types)}, got {show(f.instance)}"
                    + (f" ({hint})" if hint else ""), "type-mismatch")


def _enum(f: _Failure) -> Iterable[Problem]:
    choices = [str(c) for c in f.error.validator_value]
    mean = did_you_mean(str(f.instance), choices) if isinstance(f.instance, str) else ""
    yield f.problem(f.hinted(f"{show(f.instance)} is not one of: {', '.join(choices)}{mean}"))


def _items(f: _Failure) -> Iterable[Problem]:
    if not isinstance(f.instance, list):
        yield from _otherwise(f)
        return
    count, bound = len(f.instance), f.error.validator_value
    expected = f.hint or (f"{'at least' if f.error.validator == 'minItems' else 'at most'} {bound} "
                          f"item{'s' if bound != 1 else ''}")
    yield f.problem(f"a list of {count} item{'s' if count != 1 else ''}; expected {expected}")


def _range(f: _Failure) -> Iterable[Problem]:
    yield f.problem(f.hinted(f"{show(f.instance)} must be {_RANGE_WORDS[f.error.validator]} "
                             f"{f.error.validator_value}"), "out-of-range" if f.code == "value" else f.code)


def _pattern(f: _Failure) -> Iterable[Problem]:
    yield f.problem(f"{show(f.instance)} is not " + (f.hint or f"of the form {f.error.validator_value}"))


def _otherwise(f: _Failure) -> Iterable[Problem]:
    """A keyword no describer words: jsonschema's own message (it quotes the instance: cut short)."""
    message = excerpt(f.error.message, 200)
    yield f.problem(message if not f.hint else f"{message} (expected {f.hint})")


_DESCRIBERS: dict[str, Callable[[_Failure], Iterable[Problem]]] = {
    "required": _required, "additionalProperties": _additional, "type": _type, "enum": _enum,
    "minItems": _items, "maxItems": _items, "pattern": _pattern,
    **{keyword: _range for keyword in _RANGE_WORDS},
}


# --- the compiled predicate ----------------------------------------------------------------------
#
# It covers the keywords our schemas use and refuses any other when it compiles, so a schema edit
# cannot silently outgrow it. Equality (enum, uniqueItems) is jsonschema's: true is not 1, 1.0 is 1.

_IGNORED = {"$schema", "$id", "$defs", "$comment", "title", "description", "then", "else"}  # then/else: with if


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPE_TESTS: dict[str, Predicate] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


@dataclass(frozen=True)
class _Repeat:
    """Item `index` of a list equals item `first`, the first of its value."""

    index: int
    first: int


def _repeats(items: list[Any]) -> Iterator[_Repeat]:
    """Each item equal (as JSON Schema compares) to an earlier one, in linear time."""
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        first = seen.setdefault(_json_key(item), index)
        if first != index:
            yield _Repeat(index, first)


def _json_key(value: Any) -> Any:
    """A hashable key, equal for two values exactly when `_equal` holds: booleans apart from numbers
    (true is not 1), numbers by value (1 is 1.0), containers by their contents. A NaN stays itself:
    tuples compare items by identity first, so a NaN equals itself only, as in jsonschema."""
    if isinstance(value, bool):
        return ("bool", value)
    if _is_number(value):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("list", tuple(_json_key(item) for item in value))
    if isinstance(value, dict):
        return ("mapping", frozenset((key, _json_key(item)) for key, item in value.items()))
    return ("null", value)


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A schema `pattern` (ECMA-262, as JSON Schema defines it) compiled to mean the same in Python.

    `$` outside a character class becomes `\\Z`: in ECMA-262 it matches only at the very end, where
    Python's `$` also matches before a final newline. Constructs whose meaning differs in a way this
    does not translate (`.`, `\\d`, `\\w`, `\\s`, `\\b` and their negations, which are Unicode-aware in
    Python; a class opening with `]`; Python-only `(?...)` groups and `\\A`/`\\Z`) are refused, so a
    schema edit cannot silently change meaning.
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1:index + 2]
            if escaped in tuple("dDwWsSbBAZ") and not (in_class and escaped == "b"):
                raise ValueError(f"pattern {pattern!r}: '\\{escaped}' differs between ECMA-262 and Python")
            out.append(pattern[index:index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "]" or pattern[index + 1:index + 3] == "^]":
                raise ValueError(f"pattern {pattern!r}: a class opening with ']' differs between ECMA-262 and Python")
        elif char == "." or (char == "(" and pattern[index + 1:index + 2] == "?"
                             and pattern[index + 2:index + 3] not in (":", "=", "!")):
            raise ValueError(f"pattern {pattern!r}: {pattern[index:index + 3]!r} differs between ECMA-262 and Python")
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out))


def _equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


class _Compiler:
    """A JSON Schema as a predicate on the data the YAML reader builds.

    The keywords of a node that apply to one type of instance (an object's, an array's, a string's, a
    number's) are tested by one closure per type; when the node has keywords of one type only and
    declares it (alone, or among others, as `["string", "array"]`; for numbers, `number` or `integer`
    alone), the closure tests the declared types too. So a node costs one call, not one per keyword:
    this runs for every node of every file.

    With `finite`, a NaN fails every numeric bound, which jsonschema lets it pass (every comparison
    with NaN is false); `check` then names it.
    """

    def __init__(self, root: dict[str, Any], *, finite: bool) -> None:
        self.root = root
        self.finite = finite
        self.refs: dict[str, Predicate] = {}

    def compile(self, node: dict[str, Any]) -> Predicate:
        keywords = {key: value for key, value in node.items() if key not in _IGNORED and not key.startswith("x-")}
        for key in keywords:
            if key not in _GENERAL and key not in _GROUP_OF:
                raise ValueError(f"schema keyword {key!r} is not supported by the compiled checker")
        declared = keywords.get("type")
        types = None if declared is None else declared if isinstance(declared, list) else [declared]
        groups = [(group, present) for group in _GROUPS
                  if (present := {key: value for key, value in keywords.items() if _GROUP_OF.get(key) == group})]
        # The one group of a node can test the declared type too, in the same call: what is not of the
        # group's type is then tested against the other declared types (an integer is a number that is whole)
        folded = (types is not None and len(groups) == 1
                  and (groups[0][0] in types if groups[0][0] != "number" else types in (["number"], ["integer"])))
        tests: list[Predicate] = []
        if types is not None and not folded:
            tests.append(_type_test(types))
        for group, present in groups:
            rest = [name for name in types or () if name != group] if folded else None
            other = None if rest is None else _type_test(rest) if rest else _never
            if group == "number":
                tests.append(self._number(present, other, whole=folded and types == ["integer"]))
            else:
                compile_group = {"object": self._object, "array": self._array, "string": self._string}[group]
                tests.append(compile_group(present, other))
        if "enum" in keywords:
            tests.append(_one_of(keywords["enum"]))
        if "$ref" in keywords:
            tests.append(self._ref(keywords["$ref"]))
        if "if" in keywords:
            then = self.compile(node.get("then", {}))
            otherwise = self.compile(node.get("else", {}))
            classes = _classes_only(keywords["if"])
            if classes is not None:  # a test of the type alone, as the case schema's `if`: no call for it
                tests.append(lambda v: then(v) if isinstance(v, classes) else otherwise(v))
            else:
                condition = self.compile(keywords["if"])
                tests.append(lambda v: then(v) if condition(v) else otherwise(v))
        return _every(tests)

    def _ref(self, ref: str) -> Predicate:
        found = self.refs.get(ref)
        if found is None:
            if not ref.startswith("#/$defs/"):
                raise ValueError(f"unsupported $ref {ref}")
            cell: list[Predicate] = []
            self.refs[ref] = lambda v: cell[0](v)  # what a recursive schema reaches before the cell is filled
            cell.append(self.compile(self.root["$defs"][ref[len("#/$defs/"):]]))
            found = self.refs[ref] = cell[0]  # every later reference calls the predicate itself
        return found

    # Each group's closure takes `other`: what an instance not of the group's type must pass, or None when
    # the closure does not test the type (any such instance passes; the node's type test, if any, comes first).

    def _object(self, keywords: dict[str, Any], other: Predicate | None) -> Predicate:
        required = frozenset(keywords.get("required", ()))
        least = keywords.get("minProperties", 0)
        test_of = {name: self.compile(sub) for name, sub in keywords.get("properties", {}).items()}.get
        additional = keywords.get("additionalProperties")
        closed = additional is False
        extra = self.compile(additional) if isinstance(additional, dict) else None
        names = self.compile(keywords["propertyNames"]) if "propertyNames" in keywords else None

        def mapping(v: Any) -> bool:
            if not isinstance(v, dict):
                return other is None or other(v)
            if len(v) < least or (required and not v.keys() >= required):
                return False
            for name, x in v.items():  # each name and its value in one pass
                if names is not None and not names(name):
                    return False
                test = test_of(name)
                if test is None:
                    if closed or (extra is not None and not extra(x)):
                        return False
                elif not test(x):
                    return False
            return True
        return mapping

    def _array(self, keywords: dict[str, Any], other: Predicate | None) -> Predicate:
        each = self.compile(keywords["items"]) if "items" in keywords else None
        least, most = keywords.get("minItems", 0), keywords.get("maxItems")
        unique = keywords.get("uniqueItems", False)

        def array(v: Any) -> bool:
            if not isinstance(v, list):
                return other is None or other(v)
            if len(v) < least or (most is not None and len(v) > most):
                return False
            if unique and next(_repeats(v), None) is not None:
                return False
            if each is not None:
                for x in v:
                    if not each(x):
                        return False
            return True
        return array

    def _string(self, keywords: dict[str, Any], other: Predicate | None) -> Predicate:
        search = ecma_regex(keywords["pattern"]).search if "pattern" in keywords else None
        least = keywords.get("minLength", 0)

        def string(v: Any) -> bool:
            if not isinstance(v, str):
                return other is None or other(v)
            return len(v) >= least and (search is None or search(v) is not None)
        return string

    def _number(self, keywords: dict[str, Any], other: Predicate | None, *, whole: bool) -> Predicate:
        """With `whole`, a number that is not whole fails (the node's type is integer)."""
        # finite: every bound holds, which NaN never does; else, as jsonschema tests, no bound fails
        checks = tuple((_HOLDS[key], bound, True) if self.finite else (_FAILS[key], bound, False)
                       for key, bound in keywords.items())

        def number(v: Any) -> bool:
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                return other is None or other(v)
            if whole and not (isinstance(v, int) or v.is_integer()):
                return False
            for compare, bound, holds in checks:  # noqa: SIM110  (a loop, not all() over a generator)
                if compare(v, bound) is not holds:
                    return False
            return True
        return number


# The keywords that apply to instances of one type only, and the rest the compiled checker knows.
_GROUP_OF = {**dict.fromkeys(("required", "properties", "additionalProperties", "propertyNames", "minProperties"),
                             "object"),
             **dict.fromkeys(("items", "minItems", "maxItems", "uniqueItems"), "array"),
             **dict.fromkeys(("pattern", "minLength"), "string"),
             **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"), "number")}
_GROUPS = ("object", "array", "string", "number")
_GENERAL = ("type", "$ref", "enum", "if")
_HOLDS = {"minimum": operator.ge, "maximum": operator.le,
          "exclusiveMinimum": operator.gt, "exclusiveMaximum": operator.lt}
_FAILS = {"minimum": operator.lt, "maximum": operator.gt,  # jsonschema's own tests: NaN fails none of them
          "exclusiveMinimum": operator.le, "exclusiveMaximum": operator.ge}
_CLASSES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
                                         "null": (type(None),), "number": (int, float)}


def _type_test(types: list[str]) -> Predicate:
    """Whether a value is of one of the JSON Schema `types` (true is not a number; 1.0 is an integer)."""
    names = set(types) - ({"integer"} if "number" in types else set())  # every integer is a number
    if "integer" in names:  # a float without a fraction is an integer: no class says so
        tests = [_TYPE_TESTS[name] for name in names]
        return tests[0] if len(tests) == 1 else lambda v: any(test(v) for test in tests)
    classes = tuple(cls for name in names for cls in _CLASSES[name])
    if "number" in names and "boolean" not in names:  # a bool is an int to Python
        return lambda v: isinstance(v, classes) and not isinstance(v, bool)
    return lambda v: isinstance(v, classes)


def _never(v: Any) -> bool:
    return False


def _classes_only(node: Any) -> tuple[type, ...] | None:
    """The classes a node tests, when it tests only the type, one its class alone says (not a number:
    a boolean is an int to Python; not an integer: 1.0 is one)."""
    keywords = {key: value for key, value in node.items() if key not in _IGNORED and not key.startswith("x-")}
    declared = keywords.get("type")
    if keywords.keys() != {"type"} or declared not in ("object", "array", "string", "null"):
        return None
    return _CLASSES[declared]


def _one_of(choices: list[Any]) -> Predicate:
    if all(isinstance(choice, str) for choice in choices):  # a string equals only a string, by ==
        strings = frozenset(choices)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: any(_equal(v, choice) for choice in choices)


def _every(tests: list[Predicate]) -> Predicate:
    """The conjunction of `tests`, with no loop for the usual one or two."""
    if not tests:
        return lambda v: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) and second(v)

    def every(v: Any) -> bool:
        for test in tests:  # noqa: SIM110  (a loop, not all() over a generator)
            if not test(v):
                return False
        return True
    return every
