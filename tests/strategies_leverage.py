"""Hypothesis strategies for the leverage figures: small packs (so that a brute force over every fact at once
stays cheap) with `weight_range` on some rules and now and then `evidence.ungraded`, and a case for each."""

from __future__ import annotations

from typing import Any

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
