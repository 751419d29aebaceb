"""Compile a rule's condition and degree once into closures over a dict of fact values.

Evaluating a case is then a call per rule: no tree is walked and no operator is looked up.
A closure answers True, False or None (unknown: a fact it reads is not stated), by Kleene logic.

Each operator gets its own closure, and a negated leaf is compiled as one closure. The first
decisive part settles an `all`/`any`; a part that is unknown makes it unknown only when no part is
decisive; `equals`/`one_of` keep true apart from 1 (Python's `True == 1` would make them equal).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import AnyOf, Condition, Degree, Leaf, Not, Pack, Rule, Value

Values = Mapping[str, Value]
Truth = bool | None
Test = Callable[[Values], Truth]
Measure = Callable[[Values], float | None]


def compile_condition(condition: Condition) -> Test:
    """A closure computing the condition's three-valued truth."""
    if isinstance(condition, Leaf):
        return _leaf(condition, negated=False)
    if isinstance(condition, Not):
        if isinstance(condition.part, Leaf):
            return _leaf(condition.part, negated=True)
        return _negate(compile_condition(condition.part))
    parts = tuple(compile_condition(part) for part in condition.parts)
    return _combine(parts, decisive=isinstance(condition, AnyOf))


def _negate(inner: Test) -> Test:
    def negate(values: Values) -> Truth:
        truth = inner(values)
        return None if truth is None else not truth
    return negate


def _combine(parts: tuple[Test, ...], decisive: bool) -> Test:
    """Kleene `all` (decisive False) or `any` (decisive True): the first decisive part settles it (the
    later parts are not asked); else an unknown part makes it unknown; else it is `not decisive`."""
    if len(parts) == 1:
        return parts[0]

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


def _leaf(leaf: Leaf, *, negated: bool) -> Test:
    """The leaf's closure; `negated` compiles `not: leaf` (unknown stays unknown)."""
    name, operator, operand = leaf.fact, leaf.operator, leaf.operand
    if operator == "known":
        if bool(operand) is not negated:
            return lambda values: name in values
        return lambda values: name not in values
    if operator == "is_true":
        if negated:
            return lambda values: None if (v := values.get(name)) is None else v is not True
        return lambda values: None if (v := values.get(name)) is None else v is True
    if operator in ("equals", "not_equals"):
        return _equality(name, operand, (operator == "equals") is not negated)
    if operator in ("one_of", "none_of"):
        assert isinstance(operand, tuple)
        return _membership(name, operand, (operator == "one_of") is not negated)
    return _ordered(name, operator, operand, negated)


def _equality(name: str, operand: Any, same: bool) -> Test:
    """`equals` (same=True) or `not_equals`: JSON equality, in which true and 1 differ."""
    if isinstance(operand, bool):  # only a boolean equals a boolean: and True, False are singletons
        if same:
            return lambda values: None if (v := values.get(name)) is None else v is operand
        return lambda values: None if (v := values.get(name)) is None else v is not operand
    if isinstance(operand, (int, float)):  # a number never equals a boolean, though 1 == True in Python
        if same:
            return lambda values: None if (v := values.get(name)) is None else (
                type(v) is not bool and v == operand)
        return lambda values: None if (v := values.get(name)) is None else (
            type(v) is bool or v != operand)
    # a string or a date: no boolean equals it, so Python's own equality is JSON equality
    if same:
        return lambda values: None if (v := values.get(name)) is None else v == operand
    return lambda values: None if (v := values.get(name)) is None else v != operand


def _membership(name: str, operand: tuple[Any, ...], inside: bool) -> Test:
    """`one_of` (inside=True) or `none_of`, with the equality of `equals`."""
    booleans = [isinstance(item, bool) for item in operand]
    numbers = [isinstance(item, (int, float)) and not isinstance(item, bool) for item in operand]
    if (any(booleans) and not all(booleans)) or (any(numbers) and not all(numbers)):
        keys = frozenset(_key(item) for item in operand)  # a mixed list: compare (is-a-boolean, value) pairs
        return lambda values: None if (v := values.get(name)) is None else (_key(v) in keys) is inside
    items = frozenset(operand)
    if booleans and all(booleans):
        if inside:
            return lambda values: None if (v := values.get(name)) is None else type(v) is bool and v in items
        return lambda values: None if (v := values.get(name)) is None else type(v) is not bool or v not in items
    if numbers and all(numbers):
        if inside:
            return lambda values: None if (v := values.get(name)) is None else type(v) is not bool and v in items
        return lambda values: None if (v := values.get(name)) is None else type(v) is bool or v not in items
    if inside:  # strings or dates: no boolean equals one
        return lambda values: None if (v := values.get(name)) is None else v in items
    return lambda values: None if (v := values.get(name)) is None else v not in items


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "at_least": operator.ge, "at_most": operator.le, "above": operator.gt, "below": operator.lt,
    "contains": lambda value, item: item in value,
}


def _ordered(name: str, operator_name: str, operand: Any, negated: bool) -> Test:
    """at_least, at_most, above, below, between and contains; `negated` is `not (...)`, not the converse."""
    if operator_name == "between":
        low, high = operand
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not low <= v <= high
        return lambda values: None if (v := values.get(name)) is None else low <= v <= high
    compare = _ORDER[operator_name]
    if negated:
        return lambda values: None if (v := values.get(name)) is None else not compare(v, operand)
    return lambda values: None if (v := values.get(name)) is None else compare(v, operand)


def _key(value: Any) -> Any:
    """Equality that keeps true apart from 1 (Python's True == 1 would make them equal)."""
    return (type(value) is bool, value)


def compile_degree(degree: Degree | None) -> Measure:
    """A closure giving the degree in [0, 1] (None when its fact is unknown); 1 without a degree."""
    if degree is None:
        return lambda values: 1.0
    name = degree.fact
    # halved, so that bounds near the largest float cannot overflow `to - from` to infinity
    start, end = _scalar(degree.start) / 2, _scalar(degree.end) / 2
    span = end - start

    def measure(values: Values) -> float | None:
        v: Any = values.get(name)
        if v is None:
            return None
        fraction = (_scalar(v) / 2 - start) / span
        return 0.0 if fraction <= 0 else 1.0 if fraction >= 1 else fraction
    return measure


def _scalar(value: Any) -> float:
    return float(value.toordinal()) if isinstance(value, dt.date) else float(value)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to score: its closures and the constants of its points."""

    rule: Rule
    when: Test
    degree: Measure | None   # None: the rule has no degree (it counts 1)
    facts: tuple[str, ...]   # every fact the rule reads, in the order written (when, then degree)
    tested: tuple[str, ...]  # the facts whose absence makes it unknown (all but `known:`-only ones)
    half_life: float | None  # the rule's own, else the pack's; None: no decay
    base: float              # 50 * sign * weight: the first factors of its points, in the contract's order


def compile_rule(rule: Rule, default_half_life: float | None = None) -> CompiledRule:
    leaves = list(_leaves(rule.when))
    degree = [rule.degree.fact] if rule.degree else []
    names = [leaf.fact for leaf in leaves] + degree
    tested = [leaf.fact for leaf in leaves if leaf.operator != "known"] + degree
    half_life = rule.half_life_days if rule.half_life_days is not None else default_half_life
    return CompiledRule(rule, compile_condition(rule.when), compile_degree(rule.degree) if rule.degree else None,
                        tuple(dict.fromkeys(names)), tuple(dict.fromkeys(tested)), half_life,
                        50 * rule.sign * rule.weight)


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return _leaves(condition.part)
    return [leaf for part in condition.parts for leaf in _leaves(part)]


@dataclass(frozen=True, slots=True)
class CompiledPack:
    pack: Pack
    rules: tuple[CompiledRule, ...]
    total_weight: float  # W, the sum of the weights of all the pack's rules


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule of the pack once."""
    default = pack.evidence.half_life_days
    return CompiledPack(pack, tuple(compile_rule(rule, default) for rule in pack.rules), pack.total_weight)
