"""Hypothesis strategies for the leverage figures: small packs (so that a brute force over every fact at once
stays cheap) with `weight_range` on some rules and now and then `evidence.ungraded`, and a case for each; cases
stating facts exactly where the analysis splits their domains (`spots`), and packs of private facts whose
counterfactuals come from plans (`private_packs_and_cases`)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

import leverage_reference as naive
import strategies as gen
from hypothesis import strategies as st
from strategies import PackData

FRACTIONS = st.sampled_from((0.1, 0.5, 0.9, 1.0))


def with_ranges(draw: st.DrawFn, pack: PackData) -> PackData:
    """Some rules get `weight_range: [LO, HI]` with 0 < LO <= weight <= HI <= 100."""
    for rule in pack.rules.values():
        if draw(st.booleans()):
            weight = rule["weight"]
            low = min(weight, max(0.001, round(weight * draw(FRACTIONS), 3)))
            high = max(weight, min(100, round(weight + draw(st.sampled_from((0, 1, 10, 50, 100))), 3)))
            rule["weight_range"] = [low, high]
    if draw(st.integers(0, 3)) == 0:
        pack.settings.setdefault("evidence", {})["ungraded"] = draw(st.sampled_from((0.0, 0.5, 0.8, 1.0)))
    return pack


@st.composite
def small_packs_and_cases(draw: st.DrawFn, max_facts: int = 3, max_rules: int = 4) -> tuple[PackData, dict[str, Any]]:
    """A pack of a few facts and rules (weight ranges on some) and a case for it."""
    facts = draw(gen.fact_tables(max_size=max_facts))
    pack = with_ranges(draw, draw(gen.packs(max_rules=max_rules, facts=facts)))
    return pack, draw(gen.cases(pack))


@st.composite
def ranged_packs_and_cases(draw: st.DrawFn, max_rules: int = 6) -> tuple[PackData, dict[str, Any]]:
    """More rules (for the weights' corners), most of them with a weight range."""
    pack = draw(gen.packs(min_rules=2, max_rules=max_rules))
    return with_ranges(draw, pack), draw(gen.cases(pack))


def spots(pack: PackData, name: str) -> list[list[Any]]:
    """Where the analysis splits an integer, number or date fact's domain, as values a case may state (within
    the fact's bounds): the values its rules' conditions name, the ends of their degrees, and the midpoint of
    each two successive ones of those and the bounds, which for a number is the value tried inside that piece.
    For a list, the sets that may have one form only: the empty one, and each item a rule names alone. For the
    other types, none."""
    spec = pack.facts[name]
    kind = spec["type"]
    low, high = spec.get("min"), spec.get("max")
    rules = pack.rule_list()
    if kind == "list":
        return [[[]], [[item] for item in dict.fromkeys(naive.operands(rules, name, kind))]]
    if kind not in gen.ORDERED:
        return []
    ends = [rule["degree"][side] for rule in rules if rule.get("degree", {}).get("fact") == name
            for side in ("from", "to")]
    named = naive.operands([{"when": rule["when"]} for rule in rules], name, kind)
    if kind == "date":
        days = sorted({dt.date.fromisoformat(day).toordinal() for day in ends} | {day.toordinal() for day in named})
        middles = [dt.date.fromordinal((left + right) // 2) for left, right in itertools.pairwise(days)]
        return [[day.isoformat() for day in found] for found in (named, list(map(dt.date.fromisoformat, ends)),
                                                                   middles)]
    within = [[float(v) for v in found if (low is None or v >= low) and (high is None or v <= high)]
              for found in (named, ends)]
    splits = sorted({*within[0], *within[1], *(float(b) for b in (low, high) if b is not None)})
    within.append([left / 2 + right / 2 for left, right in itertools.pairwise(splits)])  # as `_number_probes`
    if kind == "integer":  # whole numbers only: a named value or middle that is not one, next to it
        return [[math.floor(v) for v in found if low is None or math.floor(v) >= low] for found in within]
    return within


@st.composite
def pinned_cases(draw: st.DrawFn, pack: PackData) -> dict[str, Any]:
    """A case for `pack` in which some integer, number, date and list facts are stated, bare or as one
    observation, exactly at one of their `spots`: on a value a condition names, on a degree's end, or in the
    middle of a piece of the domain (a kind of spot drawn first, then a spot of that kind)."""
    case = draw(gen.cases(pack))
    sources = sorted(case.get("sources", {}))
    for name in sorted(pack.facts):
        kinds = [found for found in spots(pack, name) if found]
        if kinds and draw(st.integers(0, 3)):
            value = draw(st.sampled_from(draw(st.sampled_from(kinds))))
            pinned = value if draw(st.booleans()) else gen.draw_observation(draw, pack.facts[name], sources, None,
                                                                            value)
            case.setdefault("facts", {})[name] = pinned
    return case


@st.composite
def pinned_packs_and_cases(draw: st.DrawFn) -> tuple[PackData, dict[str, Any]]:
    """A pack and a case stating some of its facts at their `spots` (`pinned_cases`)."""
    pack = draw(gen.packs())
    return pack, draw(pinned_cases(pack))


# strict comparisons twice: where one turns, a degree ending there has a limit the analysis must keep
COMPARISONS = ("below", "above", "below", "above", "at_least", "at_most", "equals", "not_equals", "between", "one_of",
               "none_of")
ITEM_TESTS = ("contains", "contains", "known")


def _marked_condition(draw: st.DrawFn, name: str, kind: str, marks: list[Any], depth: int = 1) -> dict[str, Any]:
    """A test of fact `name` (of type `kind`) with its marks, or (`depth` deep) not / all / any of such tests."""
    form = draw(st.sampled_from(("leaf", "leaf", "leaf", "not", "all", "any"))) if depth else "leaf"
    if form == "not":
        return {"not": _marked_condition(draw, name, kind, marks, depth - 1)}
    if form != "leaf":
        return {form: [_marked_condition(draw, name, kind, marks, depth - 1) for _ in range(2)]}
    operator = draw(st.sampled_from(ITEM_TESTS if kind == "list" else COMPARISONS))
    if operator == "known":
        return {"fact": name, "known": draw(st.booleans())}
    if operator == "between":
        return {"fact": name, "between": sorted(draw(st.lists(st.sampled_from(marks), min_size=2, max_size=2)))}
    if operator in ("one_of", "none_of"):
        return {"fact": name, operator: draw(st.lists(st.sampled_from(marks), min_size=1, max_size=2))}
    return {"fact": name, operator: draw(st.sampled_from(marks))}


def _meeting(draw: st.DrawFn, name: str, kind: str, marks: list[Any]) -> dict[str, Any]:
    """A rule's `when` and `degree` where the analysis must keep a value of a plan no other value stands for.
    For an ordered fact, a degree rising to its end just where a strict comparison stops holding (the greatest
    degree there is a limit, never attained), or just after one starts to. For a list, a test of every mark:
    declared as its values, no item is then left over, and the empty set and each one-item set have a single
    form (`_list_probes` leaves it out where it is the current value)."""
    if kind == "list":
        return {"when": {draw(st.sampled_from(("any", "all"))): [{"fact": name, "contains": m} for m in marks]}}
    low, high = sorted(draw(st.permutations(marks))[:2])  # numbers, or ISO dates (they sort as the dates do)
    if draw(st.booleans()):
        return {"when": {"fact": name, "below": high}, "degree": {"fact": name, "from": low, "to": high}}
    return {"when": {"fact": name, "above": low}, "degree": {"fact": name, "from": high, "to": low}}


@st.composite
def private_packs_and_cases(draw: st.DrawFn) -> tuple[PackData, dict[str, Any]]:
    """One or two integer, number, date or list facts, each rule reading only one of them (so each fact's
    counterfactual comes from its plan): a test or two with a few marks of the fact, and mostly a degree between
    two of them, the first rule mostly one `_meeting` the plan's corners; and a case stating some of them at
    their `spots` (`pinned_cases`)."""
    kinds = draw(st.sampled_from([("number",), ("number",), ("number",), ("integer",), ("date",), ("list",),
                                  ("number", "integer"), ("number", "date"), ("number", "list")]))
    facts = {f"x{i}": gen.draw_fact_spec(draw, kind) for i, kind in enumerate(kinds)}
    marks = {}
    for name, spec in facts.items():
        kind = spec["type"]
        pool = st.sampled_from(gen.WORDS) if kind == "list" else gen.DATES if kind == "date" else gen.operands(spec)
        marks[name] = draw(st.lists(pool, min_size=1 if kind == "list" else 2, max_size=3, unique=True))
        if kind == "list" and "values" in spec:
            spec["values"] = marks[name]
    pack = draw(gen.packs(min_rules=1, max_rules=3, facts=facts))
    for place, rule in enumerate(pack.rules.values()):
        name = draw(st.sampled_from(sorted(facts)))
        kind = facts[name]["type"]
        rule.pop("degree", None)
        if place == 0 and draw(st.integers(0, 3)):
            rule.update(_meeting(draw, name, kind, marks[name]))
        else:
            rule["when"] = _marked_condition(draw, name, kind, marks[name])
            if kind != "list" and draw(st.integers(0, 3)):
                start, end = draw(st.permutations(marks[name]))[:2]
                rule["degree"] = {"fact": name, "from": start, "to": end}
        if "because" in rule:  # it may name the other fact
            rule["because"] = "A reason."
    return pack, draw(pinned_cases(pack))
