"""Compile a rule's condition and degree once into closures over a dict of fact values.

Evaluating a case is then a call per rule: no tree is walked and no operator is looked up.
A closure answers True, False or None (unknown: a fact it reads is not stated), by Kleene logic.

Each operator gets its own closure (the comparison is inlined, not looked up and called), a
negated leaf is compiled as one closure, and `all`/`any` of two or three parts are unrolled.
They give exactly the answers of the plain definitions: the first decisive part settles an
`all`/`any`, a part that is unknown makes it unknown only when no part is decisive, and
`equals`/`one_of` keep true apart from 1 (Python's `True == 1` would make them equal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

from .model import AnyOf, Condition, Degree, Leaf, Not, Pack, Rule, Value

Values = Mapping[str, Value]
Truth = bool | None
Test = Callable[[Values], Truth]
Measure = Callable[[Values], float | None]
Pick = Callable[[Mapping[str, float]], Any]  # a float for a rule reading one fact, else a tuple of them


def compile_condition(condition: Condition) -> Test:
    """A closure computing the condition's three-valued truth."""
    if isinstance(condition, Leaf):
        return _leaf(condition, negated=False)
    if isinstance(condition, Not):
        if isinstance(condition.part, Leaf):
            return _leaf(condition.part, negated=True)
        return _negate(compile_condition(condition.part))
    parts = tuple(compile_condition(part) for part in condition.parts)
    return _any(parts) if isinstance(condition, AnyOf) else _all(parts)


def _negate(inner: Test) -> Test:
    def negate(values: Values) -> Truth:
        truth = inner(values)
        return None if truth is None else not truth
    return negate


def _all(parts: tuple[Test, ...]) -> Test:
    """Kleene conjunction: False if a part is False (the later parts are not asked), else None if one is None."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def all2(values: Values) -> Truth:
            a = first(values)
            if a is False:
                return False
            b = second(values)
            if b is False:
                return False
            return None if a is None or b is None else True
        return all2
    if len(parts) == 3:
        first, second, third = parts

        def all3(values: Values) -> Truth:
            a = first(values)
            if a is False:
                return False
            b = second(values)
            if b is False:
                return False
            c = third(values)
            if c is False:
                return False
            return None if a is None or b is None or c is None else True
        return all3

    def all_parts(values: Values) -> Truth:
        result: Truth = True
        for part in parts:
            truth = part(values)
            if truth is False:
                return False
            if truth is None:
                result = None
        return result
    return all_parts


def _any(parts: tuple[Test, ...]) -> Test:
    """Kleene disjunction: True if a part is True (the later parts are not asked), else None if one is None."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def any2(values: Values) -> Truth:
            a = first(values)
            if a is True:
                return True
            b = second(values)
            if b is True:
                return True
            return None if a is None or b is None else False
        return any2
    if len(parts) == 3:
        first, second, third = parts

        def any3(values: Values) -> Truth:
            a = first(values)
            if a is True:
                return True
            b = second(values)
            if b is True:
                return True
            c = third(values)
            if c is True:
                return True
            return None if a is None or b is None or c is None else False
        return any3

    def any_parts(values: Values) -> Truth:
        result: Truth = False
        for part in parts:
            truth = part(values)
            if truth is True:
                return True
            if truth is None:
                result = None
        return result
    return any_parts


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


def _ordered(name: str, operator: str, operand: Any, negated: bool) -> Test:
    """at_least, at_most, above, below, between and contains; `negated` is `not (...)`, not the converse."""
    x: Any = operand
    if operator == "between":
        low, high = x
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not low <= v <= high
        return lambda values: None if (v := values.get(name)) is None else low <= v <= high
    if operator == "contains":
        def contains(values: Values) -> Truth:
            v: Any = values.get(name)  # a list fact's value: a tuple of strings
            return None if v is None else x in v

        def lacks(values: Values) -> Truth:
            v: Any = values.get(name)
            return None if v is None else x not in v
        return lacks if negated else contains
    if operator == "at_least":
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not v >= x
        return lambda values: None if (v := values.get(name)) is None else v >= x
    if operator == "at_most":
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not v <= x
        return lambda values: None if (v := values.get(name)) is None else v <= x
    if operator == "above":
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not v > x
        return lambda values: None if (v := values.get(name)) is None else v > x
    if operator == "below":
        if negated:
            return lambda values: None if (v := values.get(name)) is None else not v < x
        return lambda values: None if (v := values.get(name)) is None else v < x
    raise ValueError(f"unknown operator {operator!r}")


def _key(value: Any) -> Any:
    """Equality that keeps true apart from 1 (Python's True == 1 would make them equal)."""
    return (type(value) is bool, value)


def compile_degree(degree: Degree | None) -> Measure:
    """A closure giving the degree in [0, 1] (None when its fact is unknown); 1 without a degree."""
    if degree is None:
        return lambda values: 1.0
    name = degree.fact
    start, end = _scalar(degree.start), _scalar(degree.end)
    span = end - start

    def measure(values: Values) -> float | None:
        v: Any = values.get(name)
        if v is None:
            return None
        fraction = ((v.toordinal() if isinstance(v, dt.date) else v) - start) / span  # int - float: as float(v)
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

    @cached_property
    def base(self) -> float:
        """50 * sign * weight: the first factors of the rule's points, multiplied in the contract's order."""
        return 50 * self.rule.sign * self.rule.weight

    @cached_property
    def pick(self) -> Pick:
        """From a table of fact -> number, this rule's facts' numbers: one float, or a tuple when it reads several."""
        return itemgetter(*self.facts)


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


# One rule as the scoring loop reads it: the compiled rule, its `when`, its degree (None when it has
# none: 1), the picker of its facts' numbers, whether it reads several facts, its half-life (its own,
# else the pack's; None: no decay), its `base` and its weight.
Step = tuple[CompiledRule, Test, Measure | None, Pick, bool, float | None, float, float]


@dataclass(frozen=True)
class CompiledPack:
    pack: Pack
    rules: tuple[CompiledRule, ...]

    @cached_property
    def total_weight(self) -> float:
        """W, the sum of the weights of all the pack's rules."""
        return self.pack.total_weight

    @cached_property
    def steps(self) -> tuple[Step, ...]:
        """The rules, flattened for the scoring loop (see `Step`)."""
        default = self.pack.evidence.half_life_days
        return tuple((item, item.when, item.degree if item.rule.degree is not None else None, item.pick,
                      len(item.facts) > 1,
                      item.rule.half_life_days if item.rule.half_life_days is not None else default, item.base,
                      item.rule.weight)
                     for item in self.rules)

    @cached_property
    def facts_read(self) -> tuple[str, ...]:
        """Every fact some rule reads."""
        return tuple(dict.fromkeys(name for item in self.rules for name in item.facts))

    @cached_property
    def longest_half_life(self) -> float:
        """The longest half-life that applies to a rule (0 when none does)."""
        return max((step[5] for step in self.steps if step[5] is not None), default=0.0)


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule of the pack once."""
    return CompiledPack(pack, tuple(compile_rule(rule) for rule in pack.rules))


__all__ = ["CompiledPack", "CompiledRule", "compile_condition", "compile_degree", "compile_pack",
           "compile_rule"]
