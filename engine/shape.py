"""Check a document's shape against the JSON Schemas shipped in `engine/schemas/`.

A valid file never imports jsonschema (over 50 ms of start-up): each schema is first compiled
into a plain predicate (`accepts`) covering the keywords our schemas use. Only when that predicate
says no does jsonschema run, to name every problem with its path. A property test checks that the
predicate and jsonschema agree on every instance.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from .load import Document, PathKey
from .problems import Problem, did_you_mean
from .values import YAML11_WORDS

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMAS = ("pack", "facts", "rule", "case", "report")

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

    return jsonschema.Draft202012Validator(schema(name))


def check(document: Document, name: str) -> list[Problem]:
    """Every shape problem of `document` against schema `name`, located."""
    if accepts(name, finite=True)(document.data):
        return []
    problems: list[Problem] = []
    for error in _validator(name).iter_errors(document.data):
        problems.extend(_describe(document, error))
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
_OPERATOR_SYNONYMS = {"greater": "above", "greater_than": "above", "gt": "above", "more_than": "above",
                      "over": "above", "less": "below", "less_than": "below", "lt": "below", "under": "below",
                      "min": "at_least", "gte": "at_least", "ge": "at_least", "max": "at_most", "lte": "at_most",
                      "le": "at_most", "eq": "equals", "is": "equals", "equal": "equals", "ne": "not_equals",
                      "in": "one_of", "not_in": "none_of", "range": "between", "has": "contains",
                      "includes": "contains", "and": "all", "or": "any", "exists": "known"}
_RANGE_WORDS = {"minimum": "at least", "maximum": "at most",
                "exclusiveMinimum": "above", "exclusiveMaximum": "below"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, float) and not math.isfinite(value):
        return "'.nan'" if math.isnan(value) else f"'{'-' if value < 0 else ''}.inf'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _describe(document: Document, error: Any) -> Iterable[Problem]:
    where: PathKey = tuple(error.absolute_path)
    keyword = error.validator
    sub = error.schema if isinstance(error.schema, dict) else {}
    hint = sub.get("x-hint")
    code = sub.get("x-code", "value")
    if len(error.schema_path) >= 2 and error.schema_path[-2] == "propertyNames":
        name = error.instance
        suffix = f"; expected {hint}" if hint else ""
        yield document.problem((*where, name), code, f"name '{name}' is not allowed here{suffix}", key=True)
        return
    if keyword == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        for key in missing:
            yield document.problem(where, "required", f"missing required key '{key}'")
        return
    if keyword == "additionalProperties":
        known = set(sub.get("properties", {}))
        unknown_code = sub.get("x-unknown-code", "unknown-key")
        what = "operator" if unknown_code == "unknown-operator" else "key"
        for key in error.instance:
            if key not in known:
                mean = did_you_mean(key, known)
                if not mean and what == "operator":
                    synonym = difflib.get_close_matches(key.lower(), _OPERATOR_SYNONYMS, n=1, cutoff=0.8)
                    if synonym and _OPERATOR_SYNONYMS[synonym[0]] in known:
                        mean = f" (did you mean '{_OPERATOR_SYNONYMS[synonym[0]]}'?)"
                yield document.problem((*where, key), unknown_code,
                                       f"unknown {what} '{key}'{mean}; allowed: {', '.join(sorted(known))}",
                                       key=True)
        return
    if keyword == "type":
        if code == "date":  # a date written as a number or a list is still a bad date
            yield document.problem(where, "date", f"expected {hint}, got {_kind(error.instance)}")
            return
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(_TYPE_NAMES[t] for t in types)
        if types == ["boolean"] and isinstance(error.instance, str) and error.instance.lower() in YAML11_WORDS:
            hint = "YAML 1.1 words like yes/no/on/off are plain strings here"
        yield document.problem(where, "type-mismatch", f"expected {expected}, got {_kind(error.instance)}"
                               + (f" ({hint})" if hint else ""))
        return
    if keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        mean = did_you_mean(str(error.instance), choices) if isinstance(error.instance, str) else ""
        yield document.problem(where, code, f"{_kind(error.instance)} is not one of: "
                               f"{', '.join(choices)}{mean}" + (f" ({hint})" if hint else ""))
        return
    if keyword in ("minItems", "maxItems") and isinstance(error.instance, list):
        count = len(error.instance)
        bound = "at least" if keyword == "minItems" else "at most"
        expected = hint or f"{bound} {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
        yield document.problem(where, code, f"a list of {count} item{'s' if count != 1 else ''}; "
                               f"expected {expected}")
        return
    if keyword in _RANGE_WORDS:
        out = "out-of-range" if code == "value" else code
        yield document.problem(where, out, f"{_kind(error.instance)} must be "
                               f"{_RANGE_WORDS[keyword]} {error.validator_value}"
                               + (f" ({hint})" if hint else ""))
        return
    if keyword == "pattern":
        yield document.problem(where, code, f"{_kind(error.instance)} is not "
                               + (hint if hint else f"of the form {error.validator_value}"))
        return
    if keyword == "minProperties" and sub.get("title") == "condition":
        yield document.problem(where, "value", "empty condition; write {fact: NAME, OPERATOR: VALUE}")
        return
    message = error.message if not hint else f"{error.message} (expected {hint})"
    yield document.problem(where, code, message)


# --- the compiled predicate ----------------------------------------------------------------------
#
# Each schema node compiles to one closure. The keywords that apply to one JSON type (objects: required,
# properties, additionalProperties, propertyNames, minProperties; arrays: items, minItems, maxItems,
# uniqueItems; strings: pattern, minLength; numbers: the bounds) are tested only once the instance is
# known to be of that type, as jsonschema does; the common shapes (a typed string with a pattern, a
# typed object, a bounded number, a $ref, an enum of strings) get a closure of their own. Equality
# (enum, const, uniqueItems) is jsonschema's: true is not 1, 1.0 is 1, an object is its own equal.

_IGNORED = {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "format",
            "deprecated", "readOnly", "writeOnly", "then", "else"}  # annotations; `then`/`else` go with `if`
_OBJECT_KEYWORDS = ("required", "properties", "additionalProperties", "propertyNames", "minProperties",
                    "maxProperties")
_ARRAY_KEYWORDS = ("items", "minItems", "maxItems", "uniqueItems")
_STRING_KEYWORDS = ("pattern", "minLength", "maxLength")
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_OTHER_KEYWORDS = ("type", "enum", "const", "$ref", "if", "allOf", "anyOf", "oneOf", "not")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


_TYPE_TESTS: dict[str, Predicate] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}

_ONLY = {name: frozenset([name]) for name in _TYPE_TESTS}
_CLASSES = (("object", dict), ("array", list), ("string", str), ("boolean", bool), ("null", type(None)))


def _type_test(allowed: frozenset[str]) -> Predicate:
    """`type` with one or more names, as one test (a boolean is neither a number nor an integer)."""
    classes = tuple(cls for name, cls in _CLASSES if name in allowed)
    if "number" in allowed:
        return lambda v: isinstance(v, classes) or (isinstance(v, (int, float)) and not isinstance(v, bool))
    if "integer" in allowed:
        return lambda v: isinstance(v, classes) or _is_integer(v)
    return lambda v: isinstance(v, classes)
_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _equal(one: Any, two: Any) -> bool:
    """Equality as jsonschema's `equal`: true and 1 differ, 1 and 1.0 do not, lists and objects deeply."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    return bool(_unbool(one) == _unbool(two))


def _unique(items: list[Any]) -> bool:
    """No two items equal, found as jsonschema's `uniq` finds them (sorted neighbours, else every pair)."""
    try:
        ordered = sorted(_unbool(item) for item in items)
        return not any(_equal(a, b) for a, b in pairwise(ordered))
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in items:
            item = _unbool(item)
            if any(_equal(other, item) for other in seen):
                return False
            seen.append(item)
        return True


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


class _Compiler:
    """A JSON Schema (draft 2020-12, the keywords listed above) as a predicate on JSON data.

    It answers as `jsonschema.Draft202012Validator(schema).is_valid` on the data the YAML reader builds
    (None, booleans, integers, floats, strings, lists, dicts with string keys). With `finite`, a NaN
    also fails every numeric bound, which jsonschema lets it pass (every comparison with NaN is false).
    """

    def __init__(self, root: dict[str, Any], *, finite: bool = False) -> None:
        self.root = root
        self.finite = finite
        self.refs: dict[str, Predicate] = {}

    def compile(self, node: Any) -> Predicate:
        if node is True:
            return _always
        if node is False:
            return _never
        keys = [key for key in node if key not in _IGNORED and not key.startswith("x-")]
        for key in keys:
            if key not in (*_OBJECT_KEYWORDS, *_ARRAY_KEYWORDS, *_STRING_KEYWORDS, *_NUMBER_KEYWORDS,
                           *_OTHER_KEYWORDS):
                raise ValueError(f"schema keyword {key!r} is not supported by the compiled checker")
        types = node.get("type")
        allowed = None if types is None else frozenset(types if isinstance(types, list) else [types])
        on_object = self._object(node)
        on_array = self._array(node)
        on_string = self._string(node)
        on_number = self._number(node)
        others = self._others(node)
        if not others:  # the common shapes
            if allowed == _ONLY["string"] and on_array is None and on_object is None and on_number is None:
                if on_string is None:
                    return _TYPE_TESTS["string"]
                string_test = on_string
                return lambda v: isinstance(v, str) and string_test(v)
            if allowed == _ONLY["object"] and on_array is None and on_string is None and on_number is None:
                if on_object is None:
                    return _TYPE_TESTS["object"]
                object_test = on_object
                return lambda v: isinstance(v, dict) and object_test(v)
            if (allowed in (_ONLY["number"], _ONLY["integer"]) and on_object is None and on_array is None
                    and on_string is None):
                kind = _TYPE_TESTS[next(iter(allowed))]
                if on_number is None:
                    return kind
                number_test = on_number
                return lambda v: kind(v) and number_test(v)
        elif len(others) == 1 and allowed is None and on_object is on_array is on_string is on_number is None:
            return others[0]
        return self._general(allowed, on_object, on_array, on_string, on_number, tuple(others))

    @staticmethod
    def _general(allowed: frozenset[str] | None, on_object: Predicate | None, on_array: Predicate | None,
                 on_string: Predicate | None, on_number: Predicate | None,
                 others: tuple[Predicate, ...]) -> Predicate:
        type_test = None if allowed is None else _type_test(allowed)
        if type_test is not None and on_object is on_array is on_string is on_number is None and not others:
            return type_test

        def check(v: Any) -> bool:
            if type_test is not None and not type_test(v):
                return False
            if isinstance(v, dict):
                if on_object is not None and not on_object(v):
                    return False
            elif isinstance(v, list):
                if on_array is not None and not on_array(v):
                    return False
            elif isinstance(v, str):
                if on_string is not None and not on_string(v):
                    return False
            elif (isinstance(v, (int, float)) and not isinstance(v, bool)
                  and on_number is not None and not on_number(v)):
                return False
            return all(test(v) for test in others)
        return check

    def _ref(self, ref: str) -> Predicate:
        if ref not in self.refs:
            if not ref.startswith("#/$defs/"):
                raise ValueError(f"unsupported $ref {ref}")
            cell: list[Predicate] = []
            self.refs[ref] = lambda v: cell[0](v)  # a recursive schema reaches the cell before it is filled
            compiled = self.compile(self.root["$defs"][ref[len("#/$defs/"):]])
            cell.append(compiled)
            self.refs[ref] = compiled  # later references call it directly
        return self.refs[ref]

    def _others(self, node: dict[str, Any]) -> list[Predicate]:
        tests: list[Predicate] = []
        if "$ref" in node:
            tests.append(self._ref(node["$ref"]))
        if "enum" in node:
            choices = list(node["enum"])
            if all(isinstance(choice, str) for choice in choices):
                names = frozenset(choices)
                tests.append(lambda v: isinstance(v, str) and v in names)
            else:
                tests.append(lambda v: any(_equal(choice, v) for choice in choices))
        if "const" in node:
            constant = node["const"]
            tests.append(lambda v: _equal(constant, v))
        if "if" in node:
            condition = self.compile(node["if"])
            then = self.compile(node.get("then", True))
            otherwise = self.compile(node.get("else", True))
            tests.append(lambda v: then(v) if condition(v) else otherwise(v))
        if "allOf" in node:
            every = tuple(self.compile(part) for part in node["allOf"])
            tests.append(lambda v: all(test(v) for test in every))
        if "anyOf" in node:
            some = tuple(self.compile(part) for part in node["anyOf"])
            tests.append(lambda v: any(test(v) for test in some))
        if "oneOf" in node:
            one = tuple(self.compile(part) for part in node["oneOf"])
            tests.append(lambda v: sum(1 for test in one if test(v)) == 1)
        if "not" in node:
            negated = self.compile(node["not"])
            tests.append(lambda v: not negated(v))
        return tests

    def _object(self, node: dict[str, Any]) -> Predicate | None:
        """The object keywords, for an instance known to be a dict (None: there are none)."""
        if not any(key in node for key in _OBJECT_KEYWORDS):
            return None
        required = tuple(node.get("required", ()))
        properties = {key: self.compile(sub) for key, sub in node.get("properties", {}).items()}
        extra_schema = node.get("additionalProperties", True)
        closed = extra_schema is False
        extra = None if extra_schema is True or closed else self.compile(extra_schema)
        names = self.compile(node["propertyNames"]) if "propertyNames" in node else None
        fewest = node.get("minProperties", 0)
        most = node.get("maxProperties")

        def check(v: dict[str, Any]) -> bool:
            if len(v) < fewest or (most is not None and len(v) > most):
                return False
            for key in required:
                if key not in v:
                    return False
            for key, value in v.items():
                test = properties.get(key)
                if test is not None:
                    if not test(value):
                        return False
                elif closed or (extra is not None and not extra(value)):
                    return False
                if names is not None and not names(key):
                    return False
            return True
        return check

    def _array(self, node: dict[str, Any]) -> Predicate | None:
        """The array keywords, for an instance known to be a list."""
        if not any(key in node for key in _ARRAY_KEYWORDS):
            return None
        each = self.compile(node["items"]) if "items" in node else None
        fewest = node.get("minItems", 0)
        most = node.get("maxItems")
        unique = bool(node.get("uniqueItems", False))

        def check(v: list[Any]) -> bool:
            if len(v) < fewest or (most is not None and len(v) > most):
                return False
            if each is not None:
                for item in v:
                    if not each(item):
                        return False
            return not unique or _unique(v)
        return check

    def _string(self, node: dict[str, Any]) -> Predicate | None:
        """The string keywords, for an instance known to be a str (`pattern` searches, as jsonschema's)."""
        if not any(key in node for key in _STRING_KEYWORDS):
            return None
        search = re.compile(node["pattern"]).search if "pattern" in node else None
        shortest = node.get("minLength", 0)
        longest = node.get("maxLength")
        if search is not None and not shortest and longest is None:
            return lambda v: search(v) is not None
        return lambda v: len(v) >= shortest and (longest is None or len(v) <= longest) and (
            search is None or search(v) is not None)

    def _number(self, node: dict[str, Any]) -> Predicate | None:
        """The bounds, for an instance known to be a number: jsonschema fails a bound only on a comparison
        that holds (`v < minimum`), so NaN passes them all, unless `finite`."""
        bounds = [(key, node[key]) for key in _NUMBER_KEYWORDS if key in node]
        if not bounds:
            return None
        low = node.get("minimum")
        high = node.get("maximum")
        above = node.get("exclusiveMinimum")
        below = node.get("exclusiveMaximum")
        finite = self.finite
        if low is not None and high is not None and above is None and below is None:
            if finite:
                return lambda v: low <= v <= high  # false for NaN
            return lambda v: not (v < low or v > high)

        def check(v: float) -> bool:
            if finite and v != v:  # NaN
                return False
            return not ((low is not None and v < low) or (high is not None and v > high)
                        or (above is not None and v <= above) or (below is not None and v >= below))
        return check
