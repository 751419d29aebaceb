"""Compile a rule's condition, degree and evidence factors once into closures over a case's dicts.

Evaluating a case is then a call per rule: no tree is walked and no operator is looked up.
A closure answers True, False or None (unknown: a fact it reads is not stated), by Kleene logic.

Each leaf compiles through its operator's entry in `operators.OPERATORS`. A decisive part settles an
`all`/`any`; a part that is unknown makes it unknown only when no part is decisive. Since asking a part
has no effect, the closures are free to ask in the cheapest way: negations are pushed to the leaves,
nested combinators of one kind are merged, and the value leaves of a combinator are tested in its own
loop (see `_combine`). The score depends on none of this: only truths leave a condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from . import collector
from .model import AllOf, AnyOf, Condition, Degree, Leaf, Not, Pack, Rule
from .operators import OPERATORS, Test, Truth, Values, ValueTest

T = TypeVar("T")
Measure = Callable[[Values], float | None]


def compile_condition(condition: Condition, negated: bool = False) -> Test:
    """A closure computing the condition's three-valued truth; `negated`: that of `not: condition`.

    A negation is pushed down to the leaves by De Morgan's laws, which hold in Kleene logic (`not all`
    is `any` of the negated parts), so that no closure only negates another.
    """
    return _compile(condition, negated, [])


def _compile(condition: Condition, negated: bool, read: list[Leaf]) -> Test:
    """`compile_condition`, adding the leaves it reads to `read` in the order written (the rule's facts)."""
    while isinstance(condition, Not):
        condition, negated = condition.part, not negated
    if isinstance(condition, Leaf):
        read.append(condition)
        return OPERATORS[condition.operator].compile(condition.fact, condition.operand, negated)
    decisive = isinstance(condition, AnyOf) is not negated
    tests: list[ValueLeaf] = []
    parts: list[Test] = []
    _gather(condition, negated, decisive, tests, parts, read)
    if not tests and len(parts) == 1:
        return parts[0]
    return _combine(tuple(tests), tuple(parts), decisive)


ValueLeaf = tuple[str, ValueTest, bool]  # (fact, the test of its value, the test's answer that settles the whole)


def _gather(condition: AllOf | AnyOf, negated: bool, decisive: bool, tests: list[ValueLeaf], parts: list[Test],
            read: list[Leaf]) -> None:
    """The parts of an `all`/`any` settled by `decisive`: value leaves into `tests`, the rest compiled into
    `parts`. A nested combinator settled by the same value is spliced in, as Kleene `all` and `any` are
    associative: all(a, all(b, c)) is all(a, b, c)."""
    for part in condition.parts:
        flipped = negated
        while isinstance(part, Not):
            part, flipped = part.part, not flipped
        if isinstance(part, Leaf):
            read.append(part)
            entry = OPERATORS[part.operator]
            if entry.test is None:
                parts.append(entry.compile(part.fact, part.operand, flipped))
            else:  # its truth is the test's answer, flipped by its negations: it settles on `decisive`
                tests.append((part.fact, entry.test(part.operand), decisive is not (flipped is not entry.inverse)))
        elif (isinstance(part, AnyOf) is not flipped) is decisive:
            _gather(part, flipped, decisive, tests, parts, read)
        else:
            parts.append(_compile(part, flipped, read))


def _combine(tests: tuple[ValueLeaf, ...], parts: tuple[Test, ...], decisive: bool) -> Test:
    """Kleene `all` (decisive False) or `any` (decisive True): a decisive part settles it (the later
    parts are not asked); else an unknown part makes it unknown; else it is `not decisive`.

    The value leaves are asked first, in a loop of their own: a closure call per leaf costs more than
    its test. The order of the parts changes no truth, as asking a part has no effect.
    """
    def tested(values: Values) -> Truth:  # the most common shape: leaves only
        result: Truth = not decisive
        for name, holds, settles in tests:
            v = values.get(name)
            if v is None:
                result = None
            elif holds(v) is settles:
                return decisive
        return result
    if not parts:
        return tested

    def combine(values: Values) -> Truth:
        result = tested(values)
        if result is decisive:
            return decisive
        for part in parts:
            truth = part(values)
            if truth is decisive:
                return decisive
            if truth is None:
                result = None
        return result
    return combine


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


Factors = Callable[[Mapping[str, float], Mapping[str, int]], tuple[float, float]]


def compile_factors(facts: tuple[str, ...], half_life: float | None) -> Factors:
    """A closure giving a rule's confidence (its weakest evidence) and decay (its oldest) from a case's
    confidence and age of each stated fact; 1 and 1 without evidence.

    Starting the least from 1.0 changes nothing, as every confidence is a product of multipliers in
    [0, 1]; and 0.5 ^ (age / half-life) falls as the age grows, so the least decay is the oldest's.
    """
    if len(facts) == 1:  # the most common shape: no loop
        name = facts[0]

        def single(confidences: Mapping[str, float], ages: Mapping[str, int]) -> tuple[float, float]:
            stated = confidences.get(name)
            if stated is None:
                return 1.0, 1.0
            confidence = stated if stated < 1.0 else 1.0
            if half_life is None:
                return confidence, 1.0
            age = ages[name]
            return confidence, 0.5 ** ((age if age > 0 else 0) / half_life)
        return single

    if half_life is None:  # no decay: the ages are not read

        def weakest(confidences: Mapping[str, float], ages: Mapping[str, int]) -> tuple[float, float]:
            confidence = 1.0
            for name in facts:
                stated = confidences.get(name, 1.0)
                if stated < confidence:
                    confidence = stated
            return confidence, 1.0
        return weakest

    def decaying(confidences: Mapping[str, float], ages: Mapping[str, int]) -> tuple[float, float]:
        confidence, oldest = 1.0, 0
        for name in facts:
            if (stated := confidences.get(name)) is not None:
                if stated < confidence:
                    confidence = stated
                if (age := ages[name]) > oldest:
                    oldest = age
        return confidence, 0.5 ** (oldest / half_life)
    return decaying


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
    factors: Factors         # (a case's confidences, ages) -> the rule's confidence and decay


def compile_rule(rule: Rule, default_half_life: float | None = None) -> CompiledRule:
    read: list[Leaf] = []
    when = _compile(rule.when, False, read)
    degree = [rule.degree.fact] if rule.degree else []
    names = tuple(dict.fromkeys([leaf.fact for leaf in read] + degree))
    tested = [leaf.fact for leaf in read if OPERATORS[leaf.operator].reads_value] + degree
    half_life = rule.half_life_days if rule.half_life_days is not None else default_half_life
    return CompiledRule(rule, when, compile_degree(rule.degree) if rule.degree else None,
                        names, tuple(dict.fromkeys(tested)), half_life, 50 * rule.sign * rule.weight,
                        compile_factors(names, half_life))


# what `weigh` reads of each rule, unpacked in one step: (rule, when, degree, factors, base, weight)
Step = tuple[CompiledRule, Test, Measure | None, Factors, float, float]


@dataclass(frozen=True, slots=True)
class CompiledPack:
    pack: Pack
    rules: tuple[CompiledRule, ...]
    total_weight: float  # W, the sum of the weights of all the pack's rules
    # what analyses derive from the pack alone (the bounds' index of readers, the weight ranges), kept with it
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    steps: tuple[Step, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple((item, item.when, item.degree, item.factors, item.base,
                                                 item.rule.weight) for item in self.rules))

    def kept(self, key: str, build: Callable[[], T]) -> T:
        """What `build` derives from this pack alone, built on first use and kept with the pack."""
        if key not in self.memo:
            self.memo[key] = build()
        return cast(T, self.memo[key])


def compile_pack(pack: Pack) -> CompiledPack:
    """Compile every rule of the pack once."""
    default = pack.evidence.half_life_days
    with collector.paused():  # many small closures and no cycles: see `collector`
        return CompiledPack(pack, tuple(compile_rule(rule, default) for rule in pack.rules), pack.total_weight)
