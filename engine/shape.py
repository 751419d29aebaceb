"""Check a document's shape against the JSON Schemas shipped in `engine/schemas/`.

A valid file never imports jsonschema (over 50 ms of start-up): each schema is first compiled
into a plain predicate (`accepts`) covering the keywords our schemas use. Only when that predicate
says no does jsonschema run, to name every problem with its path. A property test checks that the
predicate and jsonschema agree on every instance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from .load import Document, PathKey
from .problems import Problem, did_you_mean

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
def accepts(name: str) -> Predicate:
    """A compiled predicate that is true exactly when jsonschema finds the instance valid."""
    root = schema(name)
    return _Compiler(root).compile(root)


@cache
def _validator(name: str) -> Any:
    import jsonschema  # deferred: only invalid files pay for it

    return jsonschema.Draft202012Validator(schema(name))


def check(document: Document, name: str) -> list[Problem]:
    """Every shape problem of `document` against schema `name`, located."""
    if accepts(name)(document.data):
        return []
    problems: list[Problem] = []
    for error in _validator(name).iter_errors(document.data):
        problems.extend(_describe(document, error))
    return problems


def validate_report(report: Any) -> list[str]:
    """Messages for every way a JSON report breaks the report schema (empty when it is valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator("report").iter_errors(report)]


# --- turning jsonschema errors into located problems -----------------------------------------

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "nothing"}
_RANGE_WORDS = {"minimum": "at least", "maximum": "at most",
                "exclusiveMinimum": "above", "exclusiveMaximum": "below"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
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
                yield document.problem((*where, key), unknown_code,
                                       f"unknown {what} '{key}'{did_you_mean(key, known)}; "
                                       f"allowed: {', '.join(sorted(known))}", key=True)
        return
    if keyword == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        expected = " or ".join(_TYPE_NAMES[t] for t in types)
        yield document.problem(where, "type-mismatch", f"expected {expected}, got {_kind(error.instance)}"
                               + (f" ({hint})" if hint else ""))
        return
    if keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        mean = did_you_mean(str(error.instance), choices) if isinstance(error.instance, str) else ""
        yield document.problem(where, code, f"{_kind(error.instance)} is not one of: "
                               f"{', '.join(choices)}{mean}")
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

_IGNORED = {"$schema", "$id", "$defs", "$comment", "title", "description"}


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


def _equal(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema sees it: true and 1 differ, 1 and 1.0 do not."""
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
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def compile(self, node: dict[str, Any]) -> Predicate:
        checks = [self._keyword(key, value, node) for key, value in node.items()
                  if key not in _IGNORED and not key.startswith("x-") and key not in ("then", "else")]
        tests = [c for c in checks if c is not None]
        return lambda v: all(t(v) for t in tests)

    def _ref(self, ref: str) -> Predicate:
        if ref not in self.refs:
            if not ref.startswith("#/$defs/"):
                raise ValueError(f"unsupported $ref {ref}")
            cell: list[Predicate] = []
            self.refs[ref] = lambda v: cell[0](v)  # recursive schemas reach the cell first
            cell.append(self.compile(self.root["$defs"][ref[len("#/$defs/"):]]))
        return self.refs[ref]

    def _keyword(self, key: str, value: Any, node: dict[str, Any]) -> Predicate | None:
        if key == "type":
            tests = [_TYPE_TESTS[t] for t in (value if isinstance(value, list) else [value])]
            return lambda v: any(t(v) for t in tests)
        if key == "$ref":
            return self._ref(value)
        if key == "enum":
            return lambda v: any(_equal(v, e) for e in value)
        if key == "required":
            return lambda v: not isinstance(v, dict) or all(k in v for k in value)
        if key == "properties":
            props = {k: self.compile(s) for k, s in value.items()}
            return lambda v: not isinstance(v, dict) or all(props[k](v[k]) for k in props if k in v)
        if key == "additionalProperties":
            known = set(node.get("properties", {}))
            if value is False:
                return lambda v: not isinstance(v, dict) or all(k in known for k in v)
            extra = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in known)
        if key == "propertyNames":
            names = self.compile(value)
            return lambda v: not isinstance(v, dict) or all(names(k) for k in v)
        if key == "items":
            each = self.compile(value)
            return lambda v: not isinstance(v, list) or all(each(x) for x in v)
        if key == "if":
            cond = self.compile(value)
            then = self.compile(node.get("then", {}))
            otherwise = self.compile(node.get("else", {}))
            return lambda v: then(v) if cond(v) else otherwise(v)
        return self._bound(key, value)

    @staticmethod
    def _bound(key: str, value: Any) -> Predicate:
        if key == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= value
        if key == "maxItems":
            return lambda v: not isinstance(v, list) or len(v) <= value
        if key == "uniqueItems":
            return lambda v: not (value and isinstance(v, list)) or not any(
                _equal(v[i], v[j]) for i in range(len(v)) for j in range(i + 1, len(v)))
        if key == "minProperties":
            return lambda v: not isinstance(v, dict) or len(v) >= value
        if key == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= value
        if key == "pattern":
            regex = re.compile(value)
            return lambda v: not isinstance(v, str) or regex.search(v) is not None
        if key == "minimum":
            return lambda v: not _is_number(v) or v >= value
        if key == "maximum":
            return lambda v: not _is_number(v) or v <= value
        if key == "exclusiveMinimum":
            return lambda v: not _is_number(v) or v > value
        if key == "exclusiveMaximum":
            return lambda v: not _is_number(v) or v < value
        raise ValueError(f"schema keyword {key!r} is not supported by the compiled checker")
