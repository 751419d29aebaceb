"""Compile a rule's condition and degree once into closures over a dict of fact values.

Evaluating a case is then a call per rule: no tree is walked and no operator is looked up.
A closure answers True, False or None (unknown: a fact it reads is not stated), by Kleene logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from .model import AnyOf, Condition, Degree, Leaf, Not, Pack, Rule, Value

Values = Mapping[str, Value]
Truth = bool | None
Test = Callable[[Values], Truth]
Measure = Callable[[Values], float | None]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda v, x: v == x,
    "not_equals": lambda v, x: v != x,
    "at_least": lambda v, x: v >= x,
    "at_most": lambda v, x: v <= x,
    "above": lambda v, x: v > x,
    "below": lambda v, x: v < x,
    "between": lambda v, x: x[0] <= v <= x[1],
    "one_of": lambda v, x: v in x,
    "none_of": lambda v, x: v not in x,
    "contains": lambda v, x: x in v,
}


def compile_condition(condition: Condition) -> Test:
    """A closure computing the condition's three-valued truth."""
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Not):
        inner = compile_condition(condition.part)

        def negate(values: Values) -> Truth:
            truth = inner(values)
            return None if truth is None else not truth
        return negate
    parts = tuple(compile_condition(part) for part in condition.parts)
    decisive = isinstance(condition, AnyOf)  # the value that settles the whole: True for any, False for all

    def combine(values: Values) -> Truth:
        result: Truth = not decisive
        for part in parts:
            truth = part(values)
            if truth is decisive:
                return decisive
            if truth is None:
                result = None
        return result
    return combine


def _leaf(leaf: Leaf) -> Test:
    name, operand = leaf.fact, cast(Any, leaf.operand)
    if leaf.operator == "known":
        wanted = bool(operand)
        return lambda values: (name in values) is wanted
    if leaf.operator == "is_true":
        return lambda values: None if (v := values.get(name)) is None else v is True
    compare = _COMPARE[leaf.operator]
    if leaf.operator in ("equals", "not_equals", "one_of", "none_of"):
        operand = _exact(operand)
    if leaf.operator in ("equals", "not_equals"):
        same = leaf.operator == "equals"

        def equality(values: Values) -> Truth:
            v = values.get(name)
            return None if v is None else (_key(v) == operand) is same
        return equality
    if leaf.operator in ("one_of", "none_of"):
        inside = leaf.operator == "one_of"
        return lambda values: None if (v := values.get(name)) is None else (_key(v) in operand) is inside

    def ordered(values: Values) -> Truth:
        v = values.get(name)
        return None if v is None else compare(v, operand)
    return ordered


def _key(value: Any) -> Any:
    """Equality that keeps true apart from 1 (Python's True == 1 would make them equal)."""
    return (type(value) is bool, value)


def _exact(operand: Any) -> Any:
    if isinstance(operand, tuple) and not isinstance(operand, str):
        return frozenset(_key(item) for item in operand)
    return _key(operand)


def compile_degree(degree: Degree | None) -> Measure:
    """A closure giving the degree in [0, 1] (None when its fact is unknown); 1 without a degree."""
    if degree is None:
        return lambda values: 1.0
    name = degree.fact
    start, end = _scalar(degree.start), _scalar(degree.end)
    span = end - start

    def measure(values: Values) -> float | None:
        v = values.get(name)
        if v is None:
            return None
        fraction = (_scalar(v) - start) / span
        return 0.0 if fraction <= 0 else 1.0 if fraction >= 1 else fraction
    return measure


def _scalar(value: Any) -> float:
    return float(value.toordinal()) if isinstance(value, dt.date) else float(value)


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    when: Test
    degree: Measure
    facts: tuple[str, ...]   # every fact the rule reads, in the order written (when, then degree)
    tested: tuple[str, ...]  # the facts whose absence makes it unknown (all but `known:`-only ones)


def compile_rule(rule: Rule) -> CompiledRule:
    leaves = list(_leaves(rule.when))
    names = [leaf.fact for leaf in leaves] + ([rule.degree.fact] if rule.degree else [])
    tested = [leaf.fact for leaf in leaves if leaf.operator != "known"] + (
        [rule.degree.fact] if rule.degree else [])
    return CompiledRule(rule, compile_condition(rule.when), compile_degree(rule.degree),
                        tuple(dict.fromkeys(names)), tuple(dict.fromkeys(tested)))


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return _leaves(condition.part)
    return [leaf for part in condition.parts for leaf in _leaves(part)]


@dataclass(frozen=True)
class CompiledPack:
    pack: Pack
    rules: tuple[CompiledRule, ...]


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule of the pack once."""
    return CompiledPack(pack, tuple(compile_rule(rule) for rule in pack.rules))


__all__ = ["CompiledPack", "CompiledRule", "compile_condition", "compile_degree", "compile_pack",
           "compile_rule"]
