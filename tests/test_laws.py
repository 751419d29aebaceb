"""Laws the engine must obey on every valid pack and case (issue 5), checked by Hypothesis.

Packs and cases are generated as the YAML an analyst writes (`tests/strategies.py`), written to a fresh
folder and loaded through the real loaders, then scored. `tests/reference.py` is a naive second reading
of the contract for the differential law. Run more examples with HYPOTHESIS_PROFILE=thorough.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import random
import re
from collections.abc import Callable
from typing import Any

import pytest
import reference
import strategies as gen
import yaml
from hypothesis import assume, given, note
from hypothesis import strategies as st
from strategies import PackData

from engine.core.compile import compile_condition
from engine.core.evaluate import Result, score
from engine.files.load import parse
from engine.files.shape import validate_report
from engine.reports.data import to_dict

TOLERANCE = 1e-9
ASSESSMENT_DATES = st.one_of(st.none(), gen.CASE_DATES.map(dt.date.fromisoformat))


def run(pack: PackData, case: dict[str, Any], as_of: dt.date | None = None, style: str = "block") -> Result:
    loaded, model = gen.load_generated(pack, case, style)
    assert model is not None
    return score(model, loaded, as_of)


def report(pack: PackData, case: dict[str, Any], as_of: dt.date | None = None, style: str = "block") -> dict[str, Any]:
    return to_dict(run(pack, case, as_of, style))


def without_warnings(data: dict[str, Any]) -> dict[str, Any]:
    """The report but its warnings (which name, say, every unsourced or future observation)."""
    return {key: value for key, value in data.items() if key != "warnings"}


def points_by_rule(result: Result) -> dict[str, float]:
    return {c.rule: c.points for c in result.contributions}


class Lazy:
    """A note rendered only when Hypothesis reports it (dumping YAML for every example is not free)."""

    def __init__(self, render: Callable[[], str]) -> None:
        self.render = render

    def __repr__(self) -> str:
        return self.render()


def show(pack: PackData, case: dict[str, Any]) -> None:
    note(Lazy(lambda: "pack files:\n" + "\n".join(f"--- {path}\n{gen.dump(data)}"
                                                   for path, data in pack.files().items())))
    note(Lazy(lambda: "case:\n" + gen.dump(case)))


def dumped(title: str, data: Any) -> Lazy:
    return Lazy(lambda: f"{title}:\n{gen.dump(data)}")


# --- 1. bounds -------------------------------------------------------------------------------------------

@given(gen.packs_and_cases(), ASSESSMENT_DATES)
def test_law_01_bounds(pack_and_case: tuple[PackData, dict[str, Any]], as_of: dt.date | None) -> None:
    """The score is finite and within [0, 100]; coverage within [0, 1]; every factor within [0, 1]."""
    pack, case = pack_and_case
    show(pack, case)
    result = run(pack, case, as_of)
    assert math.isfinite(result.score) and 0 <= result.score <= 100
    assert math.isfinite(result.coverage) and 0 <= result.coverage <= 1
    total = sum(rule["weight"] for rule in pack.rule_list())
    for c in result.contributions:
        assert 0 <= c.degree <= 1 and 0 <= c.confidence <= 1 and 0 <= c.decay <= 1, c
        assert math.isfinite(c.points) and abs(c.points) <= 50 * c.weight / total + TOLERANCE, c


@pytest.mark.parametrize(("value", "degree"), [(0.0, 0.5), (1e308, 1.0)])
def test_law_01_bounds_at_float_extremes(value: float, degree: float) -> None:
    """Law 1 on a degree whose bounds are finite but far apart: from -1e308 to 1e308 (a valid rule)."""
    pack = PackData({"pack": "p", "version": "1.0.0", "roles": ["patron", "partner"],
                     "bands": [{"from": 0, "label": "all"}]}, {"x": {"type": "number"}},
                    {"r.yaml": {"id": "r", "title": "R", "category": "c", "effect": "strengthens", "weight": 10,
                                "when": {"fact": "x", "known": True},
                                "degree": {"fact": "x", "from": -1e308, "to": 1e308}}})
    case = {"case": "c", "title": "C", "parties": {"patron": "A", "partner": "B"}, "as_of": "2020-01-01",
            "facts": {"x": value}}
    result = run(pack, case)
    assert 0 <= result.score <= 100
    assert result.contributions[0].degree == pytest.approx(degree)
    assert result.score == pytest.approx(50 + 50 * degree)
    json.dumps(to_dict(result), allow_nan=False)


# --- 2. points add up ------------------------------------------------------------------------------------

@given(gen.packs_and_cases(), ASSESSMENT_DATES)
def test_law_02_points_add_up(pack_and_case: tuple[PackData, dict[str, Any]], as_of: dt.date | None) -> None:
    """50 + the sum of the points is the score; a rule not evaluated has no points; one that did not fire, 0."""
    pack, case = pack_and_case
    show(pack, case)
    result = run(pack, case, as_of)
    assert abs(50 + math.fsum(c.points for c in result.contributions) - result.score) <= TOLERANCE
    evaluated = [c.rule for c in result.contributions]
    skipped = [n.rule for n in result.not_evaluated]
    assert sorted(evaluated + skipped) == sorted(r["id"] for r in pack.rule_list())  # each rule exactly once
    for c in result.contributions:
        if not c.fired:
            assert c.points == 0 and c.because is None, c
    for entry in to_dict(result)["not_evaluated"]:
        assert entry.get("points", 0) == 0


# --- 3. order does not matter ----------------------------------------------------------------------------

def shuffle_parts(condition: dict[str, Any], rnd: Any) -> dict[str, Any]:
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = [shuffle_parts(part, rnd) for part in condition[key]]
        rnd.shuffle(parts)
        return {key: parts}
    if "not" in condition:
        return {"not": shuffle_parts(condition["not"], rnd)}
    return condition


def missing_as_sets(data: dict[str, Any]) -> dict[str, Any]:
    """The report with the lists that follow the order a rule names its facts in (`missing`, `evidence`) sorted."""
    return {**data, "not_evaluated": [{**n, "missing": sorted(n["missing"])} for n in data["not_evaluated"]],
            "contributions": [{**c, "evidence": sorted(c["evidence"], key=lambda e: e["fact"])}
                              for c in data["contributions"]]}


@given(gen.packs_and_cases(), st.integers(0, 2**32 - 1))
def test_law_03_order_does_not_matter(pack_and_case: tuple[PackData, dict[str, Any]], seed: int) -> None:
    """Reading rule files in another order, and reordering facts, sources, observations and every mapping's
    keys, changes nothing in the report (but the order warnings are listed in, which follows the lines)."""
    pack, case = pack_and_case
    show(pack, case)
    rnd = random.Random(seed)
    before = report(pack, case)
    other_pack, other_case = gen.shuffled(pack, case, rnd)
    note(dumped("shuffled case", other_case))
    after = report(other_pack, other_case)
    assert without_warnings(after) == without_warnings(before)
    assert sorted(after["warnings"]) == sorted(before["warnings"])
    # Kleene's all and any are commutative too; only the order `missing` lists facts in may follow the text.
    for rule in other_pack.rules.values():
        rule["when"] = shuffle_parts(rule["when"], rnd)
    assert missing_as_sets(without_warnings(report(other_pack, other_case))) == missing_as_sets(
        without_warnings(before))


# --- 4. scale invariance ---------------------------------------------------------------------------------

@given(gen.packs_and_cases(), st.data())
def test_law_04_scale_invariance(pack_and_case: tuple[PackData, dict[str, Any]], data: st.DataObject) -> None:
    """Multiplying every weight by the same k > 0 changes no score, coverage or rule's points."""
    pack, case = pack_and_case
    show(pack, case)
    heaviest = max(r["weight"] for r in pack.rule_list())
    k = data.draw(st.one_of(st.sampled_from([0.5, 2.0, 0.1, 1 / 3]), st.floats(0.01, 100)).filter(
        lambda k: k * heaviest <= 100), label="k")
    scaled = pack.copy()
    for rule in scaled.rules.values():
        rule["weight"] = rule["weight"] * k
    before, after = run(pack, case), run(scaled, case)
    assert after.score == pytest.approx(before.score, abs=TOLERANCE)
    assert after.coverage == pytest.approx(before.coverage, abs=TOLERANCE)
    assert after.band == before.band or abs(after.score - before.score) <= TOLERANCE
    old, new = points_by_rule(before), points_by_rule(after)
    assert old.keys() == new.keys()
    for rule_id, points in old.items():
        assert new[rule_id] == pytest.approx(points, abs=TOLERANCE), rule_id


# --- 5. monotonicity -------------------------------------------------------------------------------------

PROBE_FACT, PROBE_RULE = "probe_fact", "probe-rule"


@st.composite
def degree_probes(draw: st.DrawFn) -> tuple[PackData, dict[str, Any], dict[str, Any], int]:
    """A pack plus a rule `probe-rule` whose degree reads a fact no other rule reads, and two cases that
    differ only in that fact's value: the second's makes the degree at least as high. Returns the pack,
    both cases and the rule's sign."""
    pack, case = draw(gen.packs_and_cases())
    spec = gen.draw_fact_spec(draw, draw(st.sampled_from(gen.ORDERED)))
    pack.facts[PROBE_FACT] = spec
    start = draw(gen.ordered_operands(spec))
    end = draw(gen.ordered_operands(spec).filter(
        lambda raw: gen.as_ordered(spec["type"], raw) != gen.as_ordered(spec["type"], start)))
    others = {name: s for name, s in pack.facts.items() if name != PROBE_FACT}
    when = draw(st.sampled_from(["known", "other", "both"]))
    condition = {"fact": PROBE_FACT, "known": True} if when == "known" else gen.draw_condition(draw, others)
    if when == "both":
        condition = {"all": [{"fact": PROBE_FACT, "known": True}, condition]}
    effect = draw(st.sampled_from(["strengthens", "weakens"]))
    pack.rules[f"{PROBE_RULE}.yaml"] = {
        "id": PROBE_RULE, "title": "Probe", "category": draw(st.sampled_from(
            pack.settings.get("categories", ["probe"]))), "effect": effect,
        "weight": draw(gen.WEIGHTS), "when": condition, "degree": {"fact": PROBE_FACT, "from": start, "to": end}}
    first, second = (gen.as_ordered(spec["type"], draw(gen.values(spec))) for _ in range(2))
    low, high = sorted([first, second])
    if gen.as_ordered(spec["type"], start) > gen.as_ordered(spec["type"], end):  # a falling degree
        low, high = high, low
    as_of = dt.date.fromisoformat(case["as_of"])
    sources = sorted(case.get("sources", {}))
    observed = gen.draw_observed(draw, as_of, future=False) if draw(st.booleans()) else None
    entry = gen.draw_observation(draw, spec, sources, observed, value=0)
    lower, higher = copy.deepcopy(case), copy.deepcopy(case)
    for variant, value in ((lower, low), (higher, high)):
        variant.setdefault("facts", {})[PROBE_FACT] = {**entry, "value": gen.iso(value) if spec["type"] == "date"
                                                        else value}
    return pack, lower, higher, 1 if effect == "strengthens" else -1


@given(degree_probes())
def test_law_05a_monotone_in_degree(probe: tuple[PackData, dict[str, Any], dict[str, Any], int]) -> None:
    """Raising a rule's degree (through its degree fact, read by no other rule) moves the score its way:
    never down for a strengthening rule, never up for a weakening one; no other rule's points move."""
    pack, lower, higher, sign = probe
    show(pack, lower)
    note(dumped("higher", higher["facts"][PROBE_FACT]))
    before, after = run(pack, lower), run(pack, higher)
    assert sign * (after.score - before.score) >= -TOLERANCE
    old, new = points_by_rule(before), points_by_rule(after)
    assert old.keys() == new.keys()
    for rule_id in old:
        if rule_id == PROBE_RULE:
            assert abs(new[rule_id]) >= abs(old[rule_id]) - TOLERANCE
            assert sign * new[rule_id] >= 0 and sign * old[rule_id] >= 0
        else:
            assert new[rule_id] == old[rule_id], rule_id


def multipliers(pack: PackData) -> tuple[dict[str | None, float], dict[int | None, float], float]:
    evidence = pack.settings.get("evidence", {})
    reliability: dict[str | None, float] = {**reference.DEFAULT_RELIABILITY, **evidence.get("reliability", {}),
                                            None: 1.0}
    credibility: dict[int | None, float] = {**reference.DEFAULT_CREDIBILITY, None: 1.0}
    credibility.update({int(k): v for k, v in evidence.get("credibility", {}).items()})
    return reliability, credibility, evidence.get("unsourced", 1.0)


@given(gen.packs_and_cases(), st.data())
def test_law_05b_better_grades_never_shrink_points(pack_and_case: tuple[PackData, dict[str, Any]],
                                                   data: st.DataObject) -> None:
    """Regrading evidence to grades whose multipliers are at least as high (under the pack's own tables:
    a source's reliability, an observation's credibility, or a source for an unsourced observation) never
    shrinks any rule's points in absolute value, and never changes which rules fire."""
    pack, case = pack_and_case
    show(pack, case)
    reliability, credibility, unsourced = multipliers(pack)
    better = copy.deepcopy(case)
    sources = better.get("sources", {})
    changes = []
    for source_id, source in sources.items():
        now = reliability[source.get("reliability")]
        grades = [g for g in gen.GRADES if reliability[g] >= now]
        changes += [("reliability", source_id, g) for g in grades]
    for name, raw in better.get("facts", {}).items():
        if not (isinstance(raw, list) and raw and all(isinstance(x, dict) for x in raw)):
            better["facts"][name] = raw = raw if isinstance(raw, dict) else {"value": raw}
        for index, entry in enumerate(gen.entries(raw)):
            now = credibility[entry.get("credibility")]
            changes += [("credibility", (name, index), c) for c in gen.CREDIBILITIES if credibility[c] >= now]
            if "source" not in entry:
                changes += [("source", (name, index), s) for s in sources
                            if reliability[sources[s].get("reliability")] >= unsourced]
    assume(changes)
    for what, where, grade in data.draw(st.lists(st.sampled_from(changes), min_size=1, max_size=4), label="changes"):
        if what == "reliability":
            sources[where]["reliability"] = grade
            continue
        name, index = where
        entry = gen.entries(better["facts"][name])[index]
        entry[what] = grade
    note(dumped("better case", better))
    before, after = run(pack, case), run(pack, better)
    assert sorted((c.rule, c.fired) for c in before.contributions) == sorted((c.rule, c.fired)
                                                                              for c in after.contributions)
    new = points_by_rule(after)
    for rule_id, points in points_by_rule(before).items():
        assert abs(new[rule_id]) >= abs(points) - TOLERANCE, rule_id
        assert new[rule_id] * points >= 0, rule_id


# --- 6. Kleene logic -------------------------------------------------------------------------------------

KLEENE_FACTS: dict[str, dict[str, Any]] = {
    "b": {"type": "boolean"},
    "n": {"type": "integer", "min": 0, "max": 2},
    "s": {"type": "string", "values": ["alpha", "beta"]},
    "l": {"type": "list", "values": ["alpha", "beta"]},
    "d": {"type": "date"},
}
# Every value each fact may take in the brute force; absent from an assignment = unknown.
KLEENE_DOMAINS: dict[str, list[Any]] = {
    "b": [True, False],
    "n": [0, 1, 2],
    "s": ["alpha", "beta"],
    "l": [(), ("alpha",), ("beta",), ("alpha", "beta")],
    "d": [dt.date(2016, 4, 11), dt.date(2020, 9, 12)],
}
UNSTATED = object()


def assignments() -> list[dict[str, Any]]:
    names = sorted(KLEENE_DOMAINS)
    every = itertools.product(*([UNSTATED, *KLEENE_DOMAINS[name]] for name in names))
    return [{name: value for name, value in zip(names, combo, strict=True) if value is not UNSTATED}
            for combo in every]


ASSIGNMENTS = assignments()


def has_known(condition: dict[str, Any]) -> bool:
    return any("known" in leaf for leaf in reference.leaves(condition))


def kleene_pack(conditions: list[dict[str, Any]]) -> PackData:
    pack = PackData({"pack": "kleene", "version": "1.0.0", "roles": ["patron", "partner"],
                     "bands": [{"from": 0, "label": "all"}]}, KLEENE_FACTS)
    for index, condition in enumerate(conditions):
        pack.rules[f"c{index}.yaml"] = {"id": f"c{index}", "title": "A condition", "category": "logic",
                                        "effect": "strengthens", "weight": 1, "when": condition}
    return pack


@given(st.lists(gen.conditions(KLEENE_FACTS), min_size=1, max_size=4))
def test_law_06_kleene_logic(conditions: list[dict[str, Any]]) -> None:
    """Compiled conditions agree with a brute-force three-valued reference on every assignment of five facts
    (each unknown or one of its values); and a condition without `known:` that is true (or false) with
    unknowns stays so however they are filled in. (`known:` is exempt by design: `{known: false}` is true
    of an unknown fact and false once it is stated.)"""
    note(dumped("conditions", conditions))
    loaded, _ = gen.load_generated(kleene_pack(conditions))
    for index, condition in enumerate(conditions):
        model = loaded.rule(f"c{index}")
        assert model is not None
        test = compile_condition(model.when)
        table = {}
        for values in ASSIGNMENTS:
            expected = reference.truth(condition, values, KLEENE_FACTS)
            got = test(values)
            assert got is expected, (condition, values, got, expected)
            table[tuple(sorted(values.items()))] = got
        if has_known(condition):
            continue
        for values in ASSIGNMENTS:
            settled = table[tuple(sorted(values.items()))]
            unknown = [name for name in KLEENE_DOMAINS if name not in values]
            if settled is None or not unknown:
                continue
            for filling in itertools.product(*(KLEENE_DOMAINS[name] for name in unknown)):
                completed = {**values, **dict(zip(unknown, filling, strict=True))}
                assert table[tuple(sorted(completed.items()))] is settled, (condition, values, completed)


def test_law_06_kleene_tables() -> None:
    """The three-valued connectives, spelled out once, on the engine's own closures."""
    truths = {True: {"fact": "b"}, False: {"not": {"fact": "b"}}, None: {"fact": "n", "equals": 1}}
    state = {"b": True}
    loaded, _ = gen.load_generated(kleene_pack([{"all": [truths[x], truths[y]]} for x in truths for y in truths]
                                               + [{"any": [truths[x], truths[y]]} for x in truths for y in truths]
                                               + [{"not": truths[x]} for x in truths]))
    order = {False: 0, None: 1, True: 2}
    index = 0
    for op in ("all", "any"):
        for x in truths:
            for y in truths:
                rule = loaded.rule(f"c{index}")
                assert rule is not None
                got = compile_condition(rule.when)(state)
                pick = min if op == "all" else max
                assert got is pick(x, y, key=order.__getitem__), (op, x, y)
                index += 1
    for x in truths:
        rule = loaded.rule(f"c{index}")
        assert rule is not None
        assert compile_condition(rule.when)(state) is (None if x is None else not x)
        index += 1


# --- 7. knowledge ----------------------------------------------------------------------------------------

UNREAD = "unread_fact"


@given(gen.packs_and_cases(), st.data())
def test_law_07a_unread_fact_changes_nothing(pack_and_case: tuple[PackData, dict[str, Any]],
                                             data: st.DataObject) -> None:
    """Stating a fact that no rule reads (in `when`, `degree` or `because`) changes nothing but warnings."""
    pack, case = pack_and_case
    spec = gen.draw_fact_spec(data.draw, data.draw(st.sampled_from(gen.FACT_TYPES), label="type"))
    pack.facts[UNREAD] = spec
    read = set().union(*(gen.rule_facts(rule) for rule in pack.rule_list()))
    read |= {name for rule in pack.rule_list() for name in re.findall(r"\{([a-z][a-z0-9_]*)\}", rule.get("because",
                                                                                                       ""))}
    unread = sorted(name for name in pack.facts if name not in read and name not in case.get("facts", {}))
    name = data.draw(st.sampled_from(unread), label="unread")
    show(pack, case)
    more = copy.deepcopy(case)
    more.setdefault("facts", {})[name] = gen.draw_statement(data.draw, pack.facts[name],
                                                            sorted(case.get("sources", {})),
                                                            dt.date.fromisoformat(case["as_of"]))
    note(f"stating {name}: {more['facts'][name]!r}")
    assert without_warnings(report(pack, more)) == without_warnings(report(pack, case))


@st.composite
def empty_cases(draw: st.DrawFn) -> tuple[PackData, dict[str, Any]]:
    pack = draw(gen.packs())
    return pack, draw(gen.cases(pack, facts=False))


@given(empty_cases(), ASSESSMENT_DATES)
def test_law_07b_no_facts_scores_50(pack_and_case: tuple[PackData, dict[str, Any]], as_of: dt.date | None) -> None:
    """A case that states no fact scores 50 unless a `known: false` condition fires: only rules that test
    `known:` can even be evaluated, and the score moves only when one of them fires."""
    pack, case = pack_and_case
    show(pack, case)
    result = run(pack, case, as_of)
    knowing = {rule["id"] for rule in pack.rule_list() if has_known(rule["when"])}
    assert {c.rule for c in result.contributions} <= knowing
    if not any(c.fired for c in result.contributions):
        assert result.score == 50
    if not knowing:
        assert result.score == 50 and result.coverage == 0 and not result.contributions


# --- 8. as-of --------------------------------------------------------------------------------------------

@given(gen.packs_and_cases(), st.data())
def test_law_08_as_of(pack_and_case: tuple[PackData, dict[str, Any]], data: st.DataObject) -> None:
    """Observations dated after the assessment date are ignored: adding some changes nothing but warnings;
    and scoring at an earlier date D equals scoring the case with every observation after D struck out."""
    pack, case = pack_and_case
    show(pack, case)
    as_of = dt.date.fromisoformat(case["as_of"])
    sources = sorted(case.get("sources", {}))
    later = copy.deepcopy(case)
    stated = later.setdefault("facts", {})
    for name in data.draw(st.lists(st.sampled_from(sorted(pack.facts)), min_size=1, unique=True), label="facts"):
        history = list(gen.entries(stated[name])) if name in stated else []
        taken = {entry.get("observed") for entry in history}
        for days in data.draw(st.lists(st.integers(1, 4000), min_size=1, max_size=3, unique=True), label="days"):
            observed = gen.iso(as_of + dt.timedelta(days=days))
            if observed not in taken:
                history.append(gen.draw_observation(data.draw, pack.facts[name], sources, observed))
        stated[name] = history
    note(dumped("with later observations", later))
    assert without_warnings(report(pack, later)) == without_warnings(report(pack, case))

    date = as_of - dt.timedelta(days=data.draw(st.integers(0, 6000), label="days earlier"))
    struck = copy.deepcopy(case)
    for name, raw in list(struck.get("facts", {}).items()):
        kept = [e for e in gen.entries(raw) if "observed" not in e or dt.date.fromisoformat(e["observed"]) <= date]
        if kept:
            struck["facts"][name] = kept
        else:
            del struck["facts"][name]
    assert without_warnings(report(pack, struck, date)) == without_warnings(report(pack, case, date))


# --- 9. round trips --------------------------------------------------------------------------------------

@given(gen.packs_and_cases(), st.sampled_from(["flow", "json"]), ASSESSMENT_DATES)
def test_law_09_round_trips(pack_and_case: tuple[PackData, dict[str, Any]], style: str,
                            as_of: dt.date | None) -> None:
    """The JSON report survives json.dumps/json.loads (no NaN, no infinity), validates against the report
    schema and orders its contributions as section 6 says. The same pack and case written in another YAML
    style load to the same models and score; so do the loaded models written back out as YAML."""
    pack, case = pack_and_case
    show(pack, case)
    loaded, model = gen.load_generated(pack, case)
    assert model is not None
    result = score(model, loaded, as_of)
    data = to_dict(result)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert validate_report(json.loads(text)) == []
    keys = [(-abs(c["points"]), c["rule"]) for c in data["contributions"]]
    assert keys == sorted(keys)
    for c in data["contributions"]:
        assert (c["because"] is None) == (not c["fired"])

    styled, styled_case = gen.load_generated(pack, case, style)
    assert styled_case is not None
    assert gen.same_model(styled, loaded) and gen.same_model(styled_case, model)

    written, written_case = gen.pack_data(loaded), gen.case_data(model)
    note(dumped("written back", [written.files(), written_case]))
    again, again_case = gen.load_generated(written, written_case)
    assert again_case is not None
    assert gen.same_model(again, loaded) and gen.same_model(again_case, model)
    assert without_warnings(to_dict(score(again_case, again, as_of))) == without_warnings(data)


# --- 10. differential --------------------------------------------------------------------------------------

@given(gen.packs_and_cases(), ASSESSMENT_DATES)
def test_law_10_agrees_with_naive_reference(pack_and_case: tuple[PackData, dict[str, Any]],
                                           as_of: dt.date | None) -> None:
    """A naive reading of sections 2-4 (tests/reference.py) agrees with the engine rule by rule."""
    pack, case = pack_and_case
    show(pack, case)
    result = run(pack, case, as_of)
    expected = reference.score(pack.settings, pack.facts, pack.rule_list(), case, as_of)
    assert result.score == pytest.approx(expected.score, abs=TOLERANCE)
    assert result.coverage == pytest.approx(expected.coverage, abs=TOLERANCE)
    if all(abs(expected.score - b["from"]) > TOLERANCE for b in pack.settings["bands"]):
        assert result.band.label == expected.band
    contributions = {c.rule: c for c in result.contributions}
    skipped = {n.rule: n for n in result.not_evaluated}
    for rule_id, outcome in expected.rules.items():
        if not outcome.evaluated:
            assert rule_id in skipped, rule_id
            assert set(skipped[rule_id].missing) == outcome.missing, rule_id
            continue
        c = contributions[rule_id]
        assert c.fired == outcome.fired, rule_id
        assert c.degree == pytest.approx(outcome.degree, abs=TOLERANCE), rule_id
        assert c.confidence == pytest.approx(outcome.confidence, abs=TOLERANCE), rule_id
        assert c.decay == pytest.approx(outcome.decay, abs=TOLERANCE), rule_id
        assert c.points == pytest.approx(outcome.points, abs=TOLERANCE), rule_id
        assert set(c.facts) == set(outcome.evidence), rule_id
        for name, value in outcome.evidence.items():
            assert c.facts[name] == (tuple(value) if isinstance(value, list) else value), (rule_id, name)
        assert list(c.sources) == outcome.sources, rule_id
        if outcome.because is not None:
            assert c.because == outcome.because, rule_id


# --- 11. robustness ----------------------------------------------------------------------------------------

FUZZ_FACTS: dict[str, dict[str, Any]] = {
    "a": {"type": "integer", "min": 0, "max": 10}, "x": {"type": "number"}, "b": {"type": "boolean"},
    "d": {"type": "date"}, "s": {"type": "string", "values": ["alpha", "beta"]}, "l": {"type": "list"},
}
FUZZ_PACK = PackData({"pack": "fuzz", "version": "1.0.0", "roles": ["patron", "partner"],
                      "bands": [{"from": 0, "label": "low"}, {"from": 50, "label": "high"}]}, FUZZ_FACTS,
                     {"core/base.yaml": {"id": "base", "title": "Base", "category": "c", "effect": "strengthens",
                                         "weight": 1, "when": {"fact": "b"}}})
FRAGMENTS = (
    "id: ", "title: ", "category: ", "effect: ", "weight: ", "when:", "degree:", "because: ", "half_life_days: ",
    "case: ", "parties:", "as_of: ", "sources:", "facts:", "value: ", "observed: ", "source: ", "credibility: ",
    "reliability: ", "fact: ", "at_least: ", "between: ", "one_of: ", "contains: ", "known: ", "all:", "any:",
    "not:", "from: ", "to: ", "a", "b", "d", "s", "l", "x", "patron", "partner", "strengthens", "1", "0", "-3",
    "2.5", "1e5", "1e999", ".nan", ".inf", "-.inf", "2020-02-30", "2020-09-12", "true", "no", "null", "~",
    "\n", "\n  ", "\n    ", "  ", "- ", "{", "}", "[", "]", ", ", ": ", "'", '"', "#", "&x ", "*x", "!!str ",
    "!!python/object:os.system ", "---\n", "...\n", "? ", "|\n", ">-\n", "%YAML 1.2\n", "\t", "\\", "{x}", "{{",
    "é", "\u2028", "\x85", "\ufeff", "\x00", "9" * 400, "[" * 70,
)
RULE_TEXT_KEYS = ("id", "title", "category", "effect", "weight", "when", "degree", "because", "half_life_days",
                  "references", "examples", "fact", "from", "to", "equals", "at_least", "between", "one_of",
                  "contains", "known", "all", "any", "not", "facts", "fires", "case", "parties", "as_of",
                  "sources", "value", "observed", "source", "credibility", "reliability", "patron", "a", "b", "d")
SCALARS = st.one_of(st.sampled_from(["a", "b", "d", "s", "base", "strengthens", "weakens", "2020-09-12",
                                     "2020-02-30", "alpha", "{a}", "{nope}", "{a.b}", "A", "patron"]),
                    st.integers(-3, 200), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                    st.just(10 ** 400), st.text(max_size=5))
TREES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(RULE_TEXT_KEYS), inner,
                                                                      max_size=5)), max_leaves=12)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        how = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "indent"]))
        at = draw(st.integers(0, len(text)))
        if how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        elif how == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        else:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if how == "duplicate":
                lines.insert(j, lines[i])
            elif how == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
            text = "\n".join(lines)
    return text


HOSTILE = st.one_of(
    st.sampled_from(["2020-02-30", "2020-13-01", "0001-01-01", "9999-12-31", "", "{", "{x.y}", "{nope}", "a", "b",
                     "d", "s", "l", "zz", "A", "G", "patron", "weakens", "1e5", "alpha", "gamma", "known"]),
    st.sampled_from([0, -1, 7, 11, 101, 1e308, -1e308, 5e-324, -0.0, 2.5, 10 ** 400, True, False, None]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from([[], {}, [1, 2, 3], ["2020-01-01", "2019-01-01"], {"fact": "nope"}, {"fact": "a", "known": 1},
                     {"value": 1}, [{"value": 1}], {"all": []}, {"not": {}}]).map(copy.deepcopy),
)


INVALID_DATES = st.sampled_from(["2020-02-30", "2021-02-29", "2020-00-10", "2020-1-01", "20200101", "2020-09-12T00:00",
                                 "0000-01-01", " 2020-09-12"])


def near_miss(value: Any) -> st.SearchStrategy[Any]:
    """A wrong value close to a right one: an impossible date for a date, an extreme for a number."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return INVALID_DATES
    if isinstance(value, bool):
        return st.sampled_from(["true", "yes", 1, 0, None])
    if isinstance(value, (int, float)):
        return st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 1e308, -1e308, 10 ** 400, 10 ** 299, 5e-324,
                                2.5, True, "1"])
    if isinstance(value, str):
        return st.sampled_from(["", "{", "}", "{x.y}", "{nope}", value + "x", value.upper(), "gamma", "A", "G"])
    return HOSTILE


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def broken(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Valid data with an edit or two deep inside: a value made a near miss or replaced, a key dropped or
    added. One edit at a time mostly, so that the edit is not hidden behind a shape error elsewhere."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
        everywhere = paths(data)[1:] or [("id",)]
        scalars = [p for p in everywhere if not isinstance(_at(data, p), (dict, list))]
        dates = [p for p in scalars if isinstance(_at(data, p), str) and re.fullmatch(r"[0-9-]{10}", _at(data, p))]
        pick = draw(st.integers(0, 3))
        where = draw(st.sampled_from(dates if dates and pick == 0 else scalars if scalars and pick > 1
                                     else everywhere))
        parent = _at(data, where[:-1])
        how = draw(st.sampled_from(["near miss", "near miss", "replace", "drop", "add"]))
        if how == "near miss":
            parent[where[-1]] = draw(near_miss(parent[where[-1]]))
        elif how == "replace":
            parent[where[-1]] = draw(HOSTILE)
        elif how == "drop":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(RULE_TEXT_KEYS))] = draw(HOSTILE)
        else:
            parent.append(draw(HOSTILE))
    return data


def _at(data: Any, where: tuple[Any, ...]) -> Any:
    for step in where:
        data = data[step]
    return data


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, str]:
    """(what it is meant as, the text): arbitrary text, text strung from YAML and format fragments, and
    generated mappings (meant as either); valid rule or case files with a few edits to their text; valid
    rule or case data with a few edits deep inside (so the checks of meaning, not only of shape, run)."""
    kind = draw(st.sampled_from(["text", "fragments", "tree", "rule", "case", "rule data", "case data",
                                 "rule data", "case data"]))
    if kind == "text":
        return "either", draw(st.text(max_size=200))
    if kind == "fragments":
        return "either", "".join(draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)),
                                               max_size=30)))
    if kind == "tree":
        return "either", yaml.safe_dump(draw(TREES), allow_unicode=True, default_flow_style=draw(st.booleans()))
    meant = kind.split()[0]
    if meant == "rule":
        data = gen.draw_rule(draw, "fuzzed", FUZZ_FACTS, ["patron", "partner"], None)
    else:
        data = draw(gen.cases(FUZZ_PACK))
    style = draw(st.sampled_from(gen.STYLES[:2]))
    if kind.endswith("data"):
        return meant, yaml.safe_dump(draw(broken(data)), allow_unicode=True, default_flow_style=style == "flow",
                                     sort_keys=False)
    return meant, draw(mutated(gen.dump(data, style)))


CODE = re.compile(r"[a-z][a-z0-9-]*\Z")


def assert_located(problems: list[Any], name: str, text: str, model: Any) -> None:
    """Every problem is well formed; those in the fuzzed file name a line and column inside it."""
    assert (model is None) == any(p.is_error for p in problems), problems
    lines = len(re.split(r"\r\n|\r|\n", text))  # YAML's line breaks; a mark may sit just past the end
    for p in problems:
        assert CODE.match(p.code) and p.message and p.severity in ("error", "warning"), p
        str(p)
        if p.path.endswith(name):
            assert p.line is not None and p.column is not None, p
            assert 1 <= p.line <= lines + 1 and p.column >= 1, p


@given(texts(), st.sampled_from(["fuzzed", "fuzzed", "fuzzed", "base-2", "pack"]))
def test_law_11_robust_to_any_text(meant_and_text: tuple[str, str], stem: str) -> None:
    """Any text as a rule file or a case file gives a model or located problems, never an exception."""
    meant, text = meant_and_text
    note(repr(text))
    raw = text.encode("utf-8")
    document, problems = parse(raw, "fuzzed.yaml")
    assert (document is None) == bool(problems)
    assert_located(problems, "fuzzed.yaml", text, document)

    from engine.files.case import check_case
    from engine.files.pack import check_pack

    with gen.scratch() as root:
        if meant in ("rule", "either"):
            pack_dir = gen.write_pack(root / "rules", FUZZ_PACK)
            (pack_dir / "core" / f"{stem}.yaml").write_bytes(raw)
            loaded, problems = check_pack(pack_dir)
            assert_located(problems, f"{stem}.yaml", text, loaded)
        if meant in ("case", "either"):
            good, _ = check_pack(gen.write_pack(root / "good", FUZZ_PACK))
            assert good is not None
            (root / "case.yaml").write_bytes(raw)
            case, problems = check_case(root / "case.yaml", good)
            assert_located(problems, "case.yaml", text, case)
            if case is not None:
                result = score(case, good)
                assert 0 <= result.score <= 100
                json.dumps(to_dict(result), allow_nan=False)


def test_law_leaf_operators_all_generated() -> None:
    """The strategies reach every operator of section 2 (a guard against a strategy silently narrowing)."""
    seen: set[str] = set()

    @given(gen.conditions(KLEENE_FACTS | {"x": {"type": "number"}}))
    def collect(condition: dict[str, Any]) -> None:
        for leaf in reference.leaves(condition):
            operators = [key for key in leaf if key != "fact"]
            seen.add(operators[0] if operators else "is_true")

    collect()
    assert seen == {op for ops in gen.OPERATORS.values() for op in ops}
