"""The scoring core's fast paths against careful ones, on generated inputs (issue 16).

`compile_condition` pushes negations down (De Morgan), splices nested `all`/`any` settled by the same
value, and asks the value leaves of a combinator in one loop of its own; `compile_factors` specialises a
rule's confidence and decay by its shape; `Evidence` prices each (source, credibility) once per case and
counts ages in ordinals. Each is checked here against a plain walk written from the contract's words: the
condition tree walked part by part with each leaf's own closure, the least confidence and the oldest age
taken in a loop, every observation priced on its own.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import replace
from typing import Any

import strategies as gen
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ALPHA, PACT_RULES

import engine
from engine.core.compile import compile_condition, compile_factors, compile_pack, compile_rule
from engine.core.evaluate import Evidence, in_use
from engine.core.model import AllOf, AnyOf, Condition, Leaf, Not, Rule, leaves
from engine.core.operators import OPERATORS, Truth
from engine.core.template import parse

DAYS = (dt.date(2001, 1, 1), dt.date(2010, 6, 30), dt.date(2020, 2, 29))
WORDS = ("alpha", "beta", "gamma")
# each fact's values (the leaves that may test it are `_operands`)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "b": st.booleans(),
    "n": st.integers(-2, 2),
    "x": st.sampled_from((-1.5, -0.0, 0.0, 0.5, 1.0, 2.0)),
    "s": st.sampled_from(WORDS),
    "d": st.sampled_from(DAYS),
    "l": st.lists(st.sampled_from(WORDS), unique=True, max_size=3).map(tuple),
}
_ORDERED = ("at_least", "at_most", "above", "below")


def _operands(fact: str) -> list[tuple[str, st.SearchStrategy[Any]]]:
    if fact == "l":
        return [("contains", st.sampled_from(WORDS))]
    value = VALUES[fact]
    pair = st.tuples(value, value).map(sorted).map(tuple)
    items = st.lists(value, min_size=1, max_size=3).map(tuple)
    found = [("equals", value), ("not_equals", value), ("one_of", items), ("none_of", items)]
    if fact == "b":
        return [("is_true", st.none()), *found]
    if fact != "s":
        found += [(name, value) for name in _ORDERED] + [("between", pair)]
    return found


@st.composite
def leaf_conditions(draw: st.DrawFn) -> Leaf:
    fact = draw(st.sampled_from(sorted(VALUES)))
    if draw(st.integers(0, 9)) == 0:
        return Leaf(fact, "known", draw(st.booleans()))
    operator, operand = draw(st.sampled_from(_operands(fact)))
    return Leaf(fact, operator, draw(operand))


CONDITIONS: st.SearchStrategy[Condition] = st.recursive(
    leaf_conditions(),
    lambda inner: st.one_of(inner.map(Not),
                            st.lists(inner, min_size=1, max_size=4).map(lambda parts: AllOf(tuple(parts))),
                            st.lists(inner, min_size=1, max_size=4).map(lambda parts: AnyOf(tuple(parts)))),
    max_leaves=12)
ASSIGNMENTS = st.lists(st.fixed_dictionaries({}, optional=VALUES), min_size=1, max_size=8)


def walked(condition: Condition, values: dict[str, Any]) -> Truth:
    """Kleene logic as the contract words it, each leaf through its operator's own closure."""
    if isinstance(condition, Leaf):
        return OPERATORS[condition.operator].compile(condition.fact, condition.operand, False)(values)
    if isinstance(condition, Not):
        inner = walked(condition.part, values)
        return None if inner is None else not inner
    parts = [walked(part, values) for part in condition.parts]
    decisive = isinstance(condition, AnyOf)
    if decisive in parts:
        return decisive
    return None if None in parts else not decisive


@given(CONDITIONS, ASSIGNMENTS)
def test_compiled_conditions_agree_with_the_walk(condition: Condition, assignments: list[dict[str, Any]]) -> None:
    test, negated = compile_condition(condition), compile_condition(condition, negated=True)
    for values in assignments:
        expected = walked(condition, values)
        assert test(values) is expected, (condition, values)
        assert negated(values) is (None if expected is None else not expected), (condition, values)


@given(CONDITIONS)
def test_a_rule_reads_the_facts_of_its_leaves_in_the_order_written(condition: Condition) -> None:
    """Compiling collects the facts as it goes (it reorders the parts it asks): the order written stays."""
    item = compile_rule(Rule("r", "A rule", "logic", "strengthens", 10, condition, parse("Because.")[0]))
    read = leaves(condition)
    assert item.facts == tuple(dict.fromkeys(leaf.fact for leaf in read))
    assert item.tested == tuple(dict.fromkeys(leaf.fact for leaf in read if leaf.operator != "known"))


# --- a rule's confidence and decay -----------------------------------------------------------------------

NAMES = ("a", "b", "c", "d", "e")
CONFIDENCES = st.sampled_from((0.0, -0.0, 0.25, 0.5, 0.9, 1.0))  # -0.0: a pack may write it, and it must show


def looped(facts: tuple[str, ...], half_life: float | None, confidences: dict[str, float],
           ages: dict[str, int]) -> tuple[float, float]:
    """The weakest stated evidence (from 1) and the decay of the oldest, in one loop over the facts."""
    confidence, oldest = 1.0, 0
    for name in facts:
        if name in confidences:
            if confidences[name] < confidence:
                confidence = confidences[name]
            oldest = max(oldest, ages[name])
    return confidence, 1.0 if half_life is None else 0.5 ** (oldest / half_life)


@given(st.lists(st.sampled_from(NAMES), unique=True, min_size=1, max_size=5).map(tuple),
       st.one_of(st.none(), st.sampled_from((1.0, 30.0, 365.25, 1825.0))),
       st.dictionaries(st.sampled_from(NAMES), st.tuples(CONFIDENCES, st.integers(0, 4000))))
def test_factors_agree_with_the_loop(facts: tuple[str, ...], half_life: float | None,
                                     stated: dict[str, tuple[float, int]]) -> None:
    confidences = {name: c for name, (c, _) in stated.items()}
    ages = {name: a for name, (_, a) in stated.items()}
    got = compile_factors(facts, half_life)(confidences, ages)
    assert repr(got) == repr(looped(facts, half_life, confidences, ages))  # repr: the sign of a zero counts


# --- the evidence of a case --------------------------------------------------------------------------------

@settings(max_examples=40)
@given(gen.packs_and_cases(), st.one_of(st.none(), gen.CASE_DATES.map(dt.date.fromisoformat)), st.data())
def test_evidence_prices_every_observation_as_on_its_own(pack_and_case: tuple[gen.PackData, dict[str, Any]],
                                                         as_of: dt.date | None, data: st.DataObject) -> None:
    """Some observations stated for a what-if (`--set`) too: they share their grades with others, not their price."""
    pack, case = gen.load_generated(*pack_and_case)
    assert case is not None
    date = as_of or case.as_of
    chosen, _ = in_use(case, date)
    observations = {name: replace(o, hypothetical=data.draw(st.booleans())) for name, o in chosen.items()}
    evidence = Evidence(pack, case, observations, date)
    multipliers = pack.evidence
    for name, o in observations.items():
        if o.hypothetical:
            reliability, credibility = 1.0, 1.0
        else:
            grade = case.sources[o.source].reliability if o.source is not None else None
            reliability = multipliers.unsourced if o.source is None else \
                multipliers.reliability[grade] if grade else multipliers.ungraded
            credibility = multipliers.credibility[o.credibility] if o.credibility else multipliers.ungraded
        assert repr(evidence.confidences[name]) == repr(reliability * credibility), name
        assert evidence.ages[name] == (0 if o.observed is None else max(0, (date - o.observed).days)), name
    assert set(evidence.ages) == set(evidence.confidences) == set(observations)


def test_a_what_if_shares_its_grades_with_an_observation_but_not_its_price() -> None:
    pack = engine.load_pack(PACT_RULES)
    case = engine.load_case(ALPHA, pack)
    chosen, _ = in_use(case, case.as_of)
    graded = chosen["tariff_cuts"]  # from the wire (graded B), credibility 2
    price = pack.evidence.reliability["B"] * pack.evidence.credibility[2]
    assert price < 1.0
    for first, second in ((True, False), (False, True)):
        observations = {"a": replace(graded, hypothetical=first), "b": replace(graded, hypothetical=second)}
        confidences = Evidence(pack, case, observations, case.as_of).confidences
        assert confidences == {"a": 1.0 if first else price, "b": 1.0 if second else price}


# --- compiling a pack --------------------------------------------------------------------------------------

def test_compiling_leaves_the_garbage_collector_as_it_found_it() -> None:
    pack, _ = gen.load_generated(gen.PackData({"pack": "gc", "version": "1.0.0", "roles": ["patron", "partner"],
                                               "bands": [{"from": 0, "label": "all"}]},
                                              {"b": {"type": "boolean"}},
                                              {"r.yaml": {"id": "r", "title": "R", "category": "c",
                                                          "effect": "strengthens", "weight": 1,
                                                          "when": {"fact": "b"}}}))
    assert gc.isenabled()
    try:
        compile_pack(pack)
        assert gc.isenabled()
        gc.disable()
        compile_pack(pack)
        assert not gc.isenabled()
    finally:
        gc.enable()
