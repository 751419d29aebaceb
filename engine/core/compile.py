"""Compile a rule's condition and degree once into closures over a dict of fact values.

Evaluating a case is then a call per rule: no tree is walked and no operator is looked up.
A closure answers True, False or None (unknown: a fact it reads is not stated), by Kleene logic.

Each leaf compiles through its operator's entry in `operators.OPERATORS`. The first decisive part
settles an `all`/`any`; a part that is unknown makes it unknown only when no part is decisive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from .model import AnyOf, Condition, Degree, Leaf, Not, Pack, Rule, leaves
from .operators import OPERATORS, Test, Truth, Values

T = TypeVar("T")
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
    """The leaf's closure, from its operator's entry; `negated` compiles `not: leaf`."""
    return OPERATORS[leaf.operator].compile(leaf.fact, leaf.operand, negated)


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
    read = leaves(rule.when)
    degree = [rule.degree.fact] if rule.degree else []
    names = [leaf.fact for leaf in read] + degree
    tested = [leaf.fact for leaf in read if OPERATORS[leaf.operator].reads_value] + degree
    half_life = rule.half_life_days if rule.half_life_days is not None else default_half_life
    return CompiledRule(rule, compile_condition(rule.when), compile_degree(rule.degree) if rule.degree else None,
                        tuple(dict.fromkeys(names)), tuple(dict.fromkeys(tested)), half_life,
                        50 * rule.sign * rule.weight)


@dataclass(frozen=True, slots=True)
class CompiledPack:
    pack: Pack
    rules: tuple[CompiledRule, ...]
    total_weight: float  # W, the sum of the weights of all the pack's rules
    # what analyses derive from the pack alone (the bounds' index of readers, the weight ranges), kept with it
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def kept(self, key: str, build: Callable[[], T]) -> T:
        """What `build` derives from this pack alone, built on first use and kept with the pack."""
        if key not in self.memo:
            self.memo[key] = build()
        return cast(T, self.memo[key])


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule of the pack once."""
    default = pack.evidence.half_life_days
    return CompiledPack(pack, tuple(compile_rule(rule, default) for rule in pack.rules), pack.total_weight)
