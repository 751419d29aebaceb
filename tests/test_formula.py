"""The score of contract section 4, term by term, on tiny packs whose arithmetic is done by hand.

Every pack here is written to `tmp_path` as YAML and loaded through the public API
(`engine.load_pack`, `engine.load_case`, `engine.score`, `engine.to_dict`). Unless a test says
otherwise the pack's rules weigh W = 100 in all: the rule under test weighs 40 and a `filler`
rule of weight 60 reads a fact no case states, so it is never evaluated. Then

    points = 50 * s * w * a * c * t / W = 50 * 40 / 100 * s * a * c * t = 20 * s * a * c * t.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from support import approx as _approx
from support import write_yaml

import engine

AS_OF = "2022-01-01"
# Days before AS_OF: 50 -> 2021-11-12, 100 -> 2021-09-23, 200 -> 2021-06-15, 1000 -> 2019-04-07.
DAYS_BEFORE = {0: "2022-01-01", 50: "2021-11-12", 100: "2021-09-23", 200: "2021-06-15", 1000: "2019-04-07"}

FACTS: dict[str, Any] = {
    "n": {"type": "integer", "min": 0, "max": 100, "unit": "things"},
    "x": {"type": "number"},
    "d": {"type": "date"},
    "p": {"type": "boolean"},
    "q": {"type": "boolean"},
    "filler": {"type": "boolean", "description": "never stated by any case here"},
}
BANDS = [
    {"from": 0, "label": "low", "outlook": "poor"},
    {"from": 40, "label": "mid", "outlook": "even"},
    {"from": 60, "label": "high", "outlook": "good"},
]
SOURCES = {
    **{f"src-{grade.lower()}": {"title": f"graded {grade}", "reliability": grade} for grade in "ABCDEF"},
    "ungraded": {"title": "a source with no reliability grade"},
}


def rule(rule_id: str, when: dict[str, Any], *, weight: float = 40, effect: str = "strengthens",
         **extra: Any) -> dict[str, Any]:
    """A rule file's data; `extra` adds degree, half_life_days, because, ..."""
    return {"id": rule_id, "title": f"Rule {rule_id}", "category": "test", "effect": effect, "weight": weight,
            "when": when, **extra}


def write_pack(root: Path, rules: list[dict[str, Any]], *, evidence: dict[str, Any] | None = None,
               bands: list[dict[str, Any]] | None = None, filler: bool = True) -> Path:
    """A pack folder; with `filler`, a never-evaluated rule brings the total weight up to 100."""
    head: dict[str, Any] = {"pack": "tiny", "version": "0.0.1", "roles": ["donor", "client"],
                            "bands": bands or BANDS}
    if evidence is not None:
        head["evidence"] = evidence
    write_yaml(root / "pack.yaml", head)
    write_yaml(root / "facts.yaml", {"facts": FACTS})
    total = sum(r["weight"] for r in rules)
    if filler and total < 100:
        rules = [*rules, rule("filler", {"fact": "filler"}, weight=100 - total)]
    for data in rules:
        write_yaml(root / "rules" / f"{data['id']}.yaml", data)
    return root


def write_case(path: Path, facts: dict[str, Any], *, as_of: str = AS_OF,
               sources: dict[str, Any] | None = None) -> Path:
    return write_yaml(path, {"case": "tiny-case", "title": "A tiny case", "parties": {"donor": "Dee", "client": "Cee"},
                             "as_of": as_of, "sources": SOURCES if sources is None else sources, "facts": facts})


def run(tmp_path: Path, rules: list[dict[str, Any]], facts: dict[str, Any], *,
        evidence: dict[str, Any] | None = None, bands: list[dict[str, Any]] | None = None,
        filler: bool = True, as_of: str = AS_OF, assess: dt.date | None = None) -> engine.Result:
    pack = engine.load_pack(write_pack(tmp_path / "pack", rules, evidence=evidence, bands=bands, filler=filler))
    case = engine.load_case(write_case(tmp_path / "case.yaml", facts, as_of=as_of), pack)
    return engine.score(case, pack, assess)


def contribution(result: engine.Result, rule_id: str) -> engine.Contribution:
    found = [c for c in result.contributions if c.rule == rule_id]
    assert len(found) == 1, f"{rule_id} is not among the evaluated rules {[c.rule for c in result.contributions]}"
    return found[0]


ALWAYS_N = {"fact": "n", "at_least": 0}  # true whenever n is stated


# --- degree: a_i -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "degree"), [
    (6, 0.5),     # (6 - 2) / (10 - 2) = 4/8
    (4, 0.25),    # (4 - 2) / 8 = 2/8
    (2, 0.0),     # at `from`: 0/8 = 0
    (0, 0.0),     # (0 - 2) / 8 = -0.25, clamped up to 0
    (10, 1.0),    # at `to`: 8/8 = 1
    (30, 1.0),    # (30 - 2) / 8 = 3.5, clamped down to 1
])
def test_integer_degree_rising(tmp_path: Path, n: int, degree: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N, degree={"fact": "n", "from": 2, "to": 10})], {"n": n})
    c = contribution(result, "r")
    assert c.fired is True
    assert c.degree == _approx(degree)
    # points = 20 * a (c = t = 1: an unsourced, undated fact in a pack with the default multipliers)
    assert c.points == _approx(20 * degree)
    assert result.score == _approx(50 + 20 * degree)


@pytest.mark.parametrize(("n", "degree"), [
    (4, 0.75),    # from 10 to 2: (4 - 10) / (2 - 10) = -6 / -8
    (8, 0.25),    # (8 - 10) / -8 = 0.25
    (10, 0.0),    # at `from`
    (12, 0.0),    # (12 - 10) / -8 = -0.25, clamped to 0
    (2, 1.0),     # at `to`
    (0, 1.0),     # (0 - 10) / -8 = 1.25, clamped to 1
])
def test_integer_degree_falling(tmp_path: Path, n: int, degree: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N, degree={"fact": "n", "from": 10, "to": 2})], {"n": n})
    c = contribution(result, "r")
    assert c.degree == _approx(degree)
    assert c.points == _approx(20 * degree)


@pytest.mark.parametrize(("start", "end", "x", "degree"), [
    (0.5, 2.5, 1.0, 0.25),   # (1.0 - 0.5) / (2.5 - 0.5) = 0.5 / 2
    (0.5, 2.5, 2.0, 0.75),   # 1.5 / 2
    (0.5, 2.5, 0.1, 0.0),    # -0.4 / 2 = -0.2, clamped to 0
    (0.5, 2.5, 3.0, 1.0),    # 2.5 / 2 = 1.25, clamped to 1
    (2.5, 0.5, 1.0, 0.75),   # falling: (1.0 - 2.5) / (0.5 - 2.5) = -1.5 / -2
    (2.5, 0.5, 2.0, 0.25),   # falling: -0.5 / -2
])
def test_number_degree(tmp_path: Path, start: float, end: float, x: float, degree: float) -> None:
    result = run(tmp_path, [rule("r", {"fact": "x", "above": -1000},
                                 degree={"fact": "x", "from": start, "to": end})], {"x": x})
    c = contribution(result, "r")
    assert c.degree == _approx(degree)
    assert c.points == _approx(20 * degree)


@pytest.mark.parametrize(("start", "end", "d", "degree"), [
    ("2021-01-01", "2021-01-11", "2021-01-04", 0.3),   # 3 days of 10
    ("2021-01-01", "2021-01-11", "2021-01-06", 0.5),   # 5 days of 10
    ("2021-01-01", "2021-01-11", "2020-12-01", 0.0),   # 31 days before `from`: clamped to 0
    ("2021-01-01", "2021-01-11", "2021-06-01", 1.0),   # long after `to`: clamped to 1
    ("2021-01-11", "2021-01-01", "2021-01-04", 0.7),   # falling: -7 days / -10 days
    ("2020-02-28", "2020-03-01", "2020-02-29", 0.5),   # leap day: 1 day of 2
])
def test_date_degree(tmp_path: Path, start: str, end: str, d: str, degree: float) -> None:
    result = run(tmp_path, [rule("r", {"fact": "d", "at_least": "1900-01-01"},
                                 degree={"fact": "d", "from": start, "to": end})], {"d": d})
    c = contribution(result, "r")
    assert c.degree == _approx(degree)
    assert c.points == _approx(20 * degree)


def test_degree_is_zero_when_the_condition_is_false(tmp_path: Path) -> None:
    # when n > 50 is false for n = 40, so a = 0 even though the degree fact would give 0.4
    result = run(tmp_path, [rule("r", {"fact": "n", "above": 50}, degree={"fact": "n", "from": 0, "to": 100})],
                 {"n": 40})
    c = contribution(result, "r")
    assert (c.fired, c.degree, c.points, c.because) == (False, 0, 0, None)
    assert result.score == 50
    assert result.coverage == _approx(0.4)  # 40 of 100 evaluated


def test_degree_fact_unknown_while_condition_false_is_still_evaluated(tmp_path: Path) -> None:
    # when {p} is false: a = 0 whatever the degree, so the unstated degree fact n does not matter
    result = run(tmp_path, [rule("r", {"fact": "p"}, degree={"fact": "n", "from": 0, "to": 10})], {"p": False})
    assert contribution(result, "r").fired is False
    assert [n.rule for n in result.not_evaluated] == ["filler"]


def test_degree_fact_unknown_while_condition_holds_is_not_evaluated(tmp_path: Path) -> None:
    result = run(tmp_path, [rule("r", {"fact": "p"}, degree={"fact": "n", "from": 0, "to": 10})], {"p": True})
    assert result.contributions == ()
    assert {n.rule: n.missing for n in result.not_evaluated} == {"r": ("n",), "filler": ("filler",)}
    assert result.score == 50
    assert result.coverage == 0


# --- confidence: c_i -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("grade", "multiplier"), [
    ("A", 1.0), ("B", 0.9), ("C", 0.75), ("D", 0.5), ("E", 0.25), ("F", 0.5),
])
def test_confidence_from_each_reliability_grade_default(tmp_path: Path, grade: str, multiplier: float) -> None:
    # c = reliability(grade) x credibility (none given: 1.0); points = 20 * c
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "source": f"src-{grade.lower()}"}})
    c = contribution(result, "r")
    assert c.confidence == _approx(multiplier)
    assert c.points == _approx(20 * multiplier)
    assert c.sources == (f"src-{grade.lower()}",)


@pytest.mark.parametrize(("grade", "multiplier"), [
    (1, 1.0), (2, 0.9), (3, 0.75), (4, 0.5), (5, 0.25), (6, 0.5),
])
def test_confidence_from_each_credibility_grade_default(tmp_path: Path, grade: int, multiplier: float) -> None:
    # the source has no reliability grade (counts 1.0), so c = 1.0 x credibility(grade)
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "source": "ungraded", "credibility": grade}})
    c = contribution(result, "r")
    assert c.confidence == _approx(multiplier)
    assert c.points == _approx(20 * multiplier)


@pytest.mark.parametrize(("grade", "credibility", "confidence"), [
    ("A", 1, 1.0),       # 1.0 x 1.0
    ("B", 2, 0.81),      # 0.9 x 0.9
    ("B", 3, 0.675),     # 0.9 x 0.75
    ("C", 3, 0.5625),    # 0.75 x 0.75
    ("D", 4, 0.25),      # 0.5 x 0.5
    ("E", 5, 0.0625),    # 0.25 x 0.25
    ("F", 6, 0.25),      # 0.5 x 0.5
    ("A", 5, 0.25),      # 1.0 x 0.25
    ("E", 1, 0.25),      # 0.25 x 1.0
])
def test_confidence_is_reliability_times_credibility(tmp_path: Path, grade: str, credibility: int,
                                                     confidence: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N)],
                 {"n": {"value": 1, "source": f"src-{grade.lower()}", "credibility": credibility}})
    assert contribution(result, "r").confidence == _approx(confidence)
    assert result.score == _approx(50 + 20 * confidence)


OWN_EVIDENCE = {"reliability": {"A": 0.95, "B": 0.6, "C": 0.5, "D": 0.4, "E": 0.3, "F": 0.1},
                "credibility": {1: 0.9, 2: 0.3, 3: 0.7, 4: 0.6, 5: 0.2, 6: 0.05}}


@pytest.mark.parametrize(("grade", "credibility", "confidence"), [
    ("A", 1, 0.855),     # 0.95 x 0.9
    ("B", 2, 0.18),      # 0.6 x 0.3
    ("C", 3, 0.35),      # 0.5 x 0.7
    ("D", 4, 0.24),      # 0.4 x 0.6
    ("E", 5, 0.06),      # 0.3 x 0.2
    ("F", 6, 0.005),     # 0.1 x 0.05
])
def test_confidence_with_the_packs_own_multipliers(tmp_path: Path, grade: str, credibility: int,
                                                   confidence: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N)],
                 {"n": {"value": 1, "source": f"src-{grade.lower()}", "credibility": credibility}},
                 evidence=OWN_EVIDENCE)
    assert contribution(result, "r").confidence == _approx(confidence)
    assert contribution(result, "r").points == _approx(20 * confidence)


@pytest.mark.parametrize(("grade", "credibility", "confidence"), [
    ("B", 2, 0.18),      # both overridden: 0.6 x 0.3
    ("B", 1, 0.6),       # credibility 1 keeps its default 1.0: 0.6 x 1.0
    ("C", 2, 0.225),     # reliability C keeps its default 0.75: 0.75 x 0.3
])
def test_pack_multipliers_given_in_part_keep_the_other_defaults(tmp_path: Path, grade: str, credibility: int,
                                                                confidence: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N)],
                 {"n": {"value": 1, "source": f"src-{grade.lower()}", "credibility": credibility}},
                 evidence={"reliability": {"B": 0.6}, "credibility": {2: 0.3}})
    assert contribution(result, "r").confidence == _approx(confidence)


@pytest.mark.parametrize(("observation", "evidence", "confidence"), [
    (1, None, 1.0),                                        # bare value, default unsourced multiplier 1.0
    (1, {"unsourced": 0.4}, 0.4),                          # bare value: the pack's unsourced 0.4
    ({"value": 1}, {"unsourced": 0.4}, 0.4),               # an observation with no source: 0.4
    ({"value": 1, "credibility": 3}, {"unsourced": 0.4}, 0.3),  # 0.4 x credibility 3 (0.75)
    ({"value": 1, "credibility": 2}, None, 0.9),           # 1.0 x 0.9
    ({"value": 1, "source": "src-c"}, {"unsourced": 0.4}, 0.75),  # a sourced fact ignores `unsourced`
])
def test_unsourced_multiplier(tmp_path: Path, observation: Any, evidence: dict[str, Any] | None,
                              confidence: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": observation}, evidence=evidence)
    assert contribution(result, "r").confidence == _approx(confidence)
    assert contribution(result, "r").points == _approx(20 * confidence)


def test_missing_grades_count_one(tmp_path: Path) -> None:
    # an ungraded source and no credibility: 1.0 x 1.0, even when the pack's multipliers are all lower
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "source": "ungraded"}},
                 evidence={**OWN_EVIDENCE, "unsourced": 0.1})
    assert contribution(result, "r").confidence == 1.0
    assert result.score == _approx(70.0)


def test_confidence_is_the_minimum_over_the_rules_evidence(tmp_path: Path) -> None:
    # p: A x 1 = 1.0; q: D x 2 = 0.5 x 0.9 = 0.45 -> c = min(1.0, 0.45) = 0.45; points = 20 x 0.45 = 9
    result = run(tmp_path, [rule("r", {"all": [{"fact": "p"}, {"fact": "q"}]})],
                 {"p": {"value": True, "source": "src-a", "credibility": 1},
                  "q": {"value": True, "source": "src-d", "credibility": 2}})
    c = contribution(result, "r")
    assert c.confidence == _approx(0.45)
    assert c.points == _approx(9.0)
    assert c.sources == ("src-a", "src-d")
    assert c.facts == {"p": True, "q": True}


def test_the_degree_fact_is_evidence(tmp_path: Path) -> None:
    # when reads p (A: 1.0); the degree reads n (E: 0.25); n = 5 of 0..10 -> a = 0.5
    # points = 20 x 0.5 x min(1.0, 0.25) = 2.5
    result = run(tmp_path, [rule("r", {"fact": "p"}, degree={"fact": "n", "from": 0, "to": 10})],
                 {"p": {"value": True, "source": "src-a"}, "n": {"value": 5, "source": "src-e"}})
    c = contribution(result, "r")
    assert (c.degree, c.confidence) == (_approx(0.5), _approx(0.25))
    assert c.points == _approx(2.5)


def test_a_fact_tested_by_known_is_evidence(tmp_path: Path) -> None:
    # `named anywhere in its when`: n under `known: true` counts (E: 0.25) -> points = 20 x 0.25 = 5
    result = run(tmp_path, [rule("r", {"all": [{"fact": "p"}, {"fact": "n", "known": True}]})],
                 {"p": {"value": True, "source": "src-a"}, "n": {"value": 3, "source": "src-e"}})
    assert contribution(result, "r").confidence == _approx(0.25)
    assert contribution(result, "r").points == _approx(5.0)


def test_an_unstated_fact_is_no_evidence(tmp_path: Path) -> None:
    # any(p, q): p is true (E: 0.25) and settles it; q is unstated and brings no evidence -> c = 0.25
    result = run(tmp_path, [rule("r", {"any": [{"fact": "p"}, {"fact": "q"}]})],
                 {"p": {"value": True, "source": "src-e"}})
    c = contribution(result, "r")
    assert c.confidence == _approx(0.25)
    assert c.facts == {"p": True}


def test_no_evidence_gives_confidence_and_decay_one(tmp_path: Path) -> None:
    # `known: false` on an unstated fact is true with no evidence at all: c = 1, t = 1 despite a half-life
    result = run(tmp_path, [rule("r", {"fact": "n", "known": False})], {},
                 evidence={"unsourced": 0.2, "half_life_days": 10})
    c = contribution(result, "r")
    assert (c.fired, c.confidence, c.decay, c.facts, c.sources) == (True, 1.0, 1.0, {}, ())
    assert c.points == _approx(20.0)


# --- decay: t_i ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "decay"), [
    (0, 1.0),                       # 0.5 ^ (0 / 100)
    (50, 0.7071067811865476),       # 0.5 ^ (50 / 100) = sqrt(0.5)
    (100, 0.5),                     # 0.5 ^ 1
    (200, 0.25),                    # 0.5 ^ 2
    (1000, 0.0009765625),           # 0.5 ^ 10 = 1/1024
])
def test_decay_with_the_packs_half_life(tmp_path: Path, age: int, decay: float) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "observed": DAYS_BEFORE[age]}},
                 evidence={"half_life_days": 100})
    c = contribution(result, "r")
    assert c.decay == _approx(decay)
    assert c.points == _approx(20 * decay)


def test_the_rules_half_life_overrides_the_packs(tmp_path: Path) -> None:
    # pack 100 days, rule 50 days; 100 days old -> 0.5 ^ (100 / 50) = 0.25 (the pack's would give 0.5)
    result = run(tmp_path, [rule("r", ALWAYS_N, half_life_days=50)],
                 {"n": {"value": 1, "observed": DAYS_BEFORE[100]}}, evidence={"half_life_days": 100})
    assert contribution(result, "r").decay == _approx(0.25)
    assert contribution(result, "r").points == _approx(5.0)


def test_a_rules_half_life_applies_without_one_in_the_pack(tmp_path: Path) -> None:
    # pack: none; rule 200 days; 100 days old -> 0.5 ^ (100 / 200) = sqrt(0.5)
    result = run(tmp_path, [rule("r", ALWAYS_N, half_life_days=200)],
                 {"n": {"value": 1, "observed": DAYS_BEFORE[100]}})
    assert contribution(result, "r").decay == _approx(0.7071067811865476)


def test_no_half_life_means_no_decay(tmp_path: Path) -> None:
    # 1000 days old, but neither pack nor rule sets a half-life: t = 1
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "observed": DAYS_BEFORE[1000]}},
                 evidence={"half_life_days": None})
    assert contribution(result, "r").decay == 1.0
    assert result.score == _approx(70.0)


@pytest.mark.parametrize("observation", [3, {"value": 3}, {"value": 3, "source": "src-a"}])
def test_an_undated_observation_has_age_zero(tmp_path: Path, observation: Any) -> None:
    result = run(tmp_path, [rule("r", ALWAYS_N, half_life_days=1)], {"n": observation})
    assert contribution(result, "r").decay == 1.0


def test_decay_is_the_minimum_over_the_rules_evidence(tmp_path: Path) -> None:
    # p is 0 days old (t = 1), q is 200 days old (t = 0.5 ^ 2 = 0.25): t = 0.25, points = 20 x 0.25 = 5
    result = run(tmp_path, [rule("r", {"all": [{"fact": "p"}, {"fact": "q"}]})],
                 {"p": {"value": True, "observed": DAYS_BEFORE[0]}, "q": {"value": True, "observed": DAYS_BEFORE[200]}},
                 evidence={"half_life_days": 100})
    assert contribution(result, "r").decay == _approx(0.25)
    assert contribution(result, "r").points == _approx(5.0)


def test_decay_counts_from_the_assessment_date(tmp_path: Path) -> None:
    # observed 2021-09-23; assessed at 2021-11-12 instead of 2022-01-01: 50 days, t = sqrt(0.5)
    result = run(tmp_path, [rule("r", ALWAYS_N)], {"n": {"value": 1, "observed": DAYS_BEFORE[100]}},
                 evidence={"half_life_days": 100}, assess=dt.date(2021, 11, 12))
    assert contribution(result, "r").decay == _approx(0.7071067811865476)
    assert result.as_of == dt.date(2021, 11, 12)


def test_all_terms_multiply(tmp_path: Path) -> None:
    # a = (5 - 0) / (10 - 0) = 0.5; c = B (0.9) x 3 (0.75) = 0.675; t = 0.5 ^ (100 / 100) = 0.5
    # points = 50 x 1 x 40 x 0.5 x 0.675 x 0.5 / 100 = 3.375
    result = run(tmp_path, [rule("r", ALWAYS_N, degree={"fact": "n", "from": 0, "to": 10})],
                 {"n": {"value": 5, "source": "src-b", "credibility": 3, "observed": DAYS_BEFORE[100]}},
                 evidence={"half_life_days": 100})
    c = contribution(result, "r")
    assert (c.degree, c.confidence, c.decay) == (_approx(0.5), _approx(0.675), _approx(0.5))
    assert c.points == _approx(3.375)
    assert result.score == _approx(53.375)


# --- sign, sum, coverage, W ---------------------------------------------------------------------------

def test_weakens_gives_negative_points(tmp_path: Path) -> None:
    # s = -1: points = 50 x -1 x 40 x 1 x 1 x 1 / 100 = -20, score = 30
    result = run(tmp_path, [rule("r", ALWAYS_N, effect="weakens")], {"n": 1})
    assert contribution(result, "r").points == _approx(-20.0)
    assert result.score == _approx(30.0)


def test_weakens_with_degree_confidence_and_decay(tmp_path: Path) -> None:
    # a = 0.25 (n = 2 of 0..8), c = C (0.75), t = 0.5 -> points = -20 x 0.25 x 0.75 x 0.5 = -1.875
    result = run(tmp_path, [rule("r", ALWAYS_N, effect="weakens", degree={"fact": "n", "from": 0, "to": 8},
                                 half_life_days=100)],
                 {"n": {"value": 2, "source": "src-c", "observed": DAYS_BEFORE[100]}})
    assert contribution(result, "r").points == _approx(-1.875)
    assert result.score == _approx(48.125)


def test_a_weakening_rule_with_no_points_has_plain_zero(tmp_path: Path) -> None:
    # fires at degree 0 (n at `from`): points = 50 x -1 x 40 x 0 / 100, which must be 0, not -0
    result = run(tmp_path, [rule("r", ALWAYS_N, effect="weakens", degree={"fact": "n", "from": 3, "to": 9})],
                 {"n": 3})
    c = contribution(result, "r")
    assert (c.fired, c.points) == (True, 0)
    assert '"points": 0.0' in json.dumps(engine.to_dict(result)["contributions"][0])
    assert result.score == 50


def test_score_is_fifty_plus_the_sum_of_points(tmp_path: Path) -> None:
    rules = [
        rule("r1", {"fact": "p"}, weight=30),                                   # +50 x 30 / 100 = +15
        rule("r2", {"fact": "q"}, weight=20, effect="weakens"),                 # -50 x 20 x 0.5 / 100 = -5
        rule("r3", ALWAYS_N, weight=10, degree={"fact": "n", "from": 0, "to": 8}),  # +50 x 10 x 0.25 / 100 = +1.25
        rule("r4", {"fact": "x", "above": 1}, weight=10, effect="weakens"),     # false: 0 points, evaluated
    ]                                                                           # filler: 30, not evaluated
    result = run(tmp_path, rules, {"p": True, "q": {"value": True, "source": "src-d"}, "n": 2, "x": 0.5})
    points = {c.rule: c.points for c in result.contributions}
    assert points == {"r1": _approx(15.0), "r2": _approx(-5.0), "r3": _approx(1.25), "r4": 0}
    assert result.score == _approx(61.25)                   # 50 + 15 - 5 + 1.25 + 0
    assert result.score - 50 == _approx(sum(points.values()))
    assert result.coverage == _approx(0.7)                  # (30 + 20 + 10 + 10) / 100
    assert [n.rule for n in result.not_evaluated] == ["filler"]
    report = engine.to_dict(result)
    assert report["score"] == _approx(61.25)
    assert report["coverage"] == _approx(0.7)


def test_coverage_one_when_every_rule_is_evaluated(tmp_path: Path) -> None:
    # r (40) true, s (60) false: coverage = 100 / 100; score = 50 + 20 + 0
    result = run(tmp_path, [rule("r", {"fact": "p"}), rule("s", {"fact": "q"}, weight=60)],
                 {"p": True, "q": False}, filler=False)
    assert result.coverage == 1.0
    assert result.score == _approx(70.0)
    assert result.not_evaluated == ()


def test_coverage_zero_and_score_fifty_when_nothing_is_evaluated(tmp_path: Path) -> None:
    result = run(tmp_path, [rule("r", {"fact": "p"})], {})
    assert (result.score, result.coverage, result.contributions) == (50, 0, ())
    assert sorted(n.rule for n in result.not_evaluated) == ["filler", "r"]


def test_w_counts_rules_that_are_not_evaluated(tmp_path: Path) -> None:
    # with the filler (60, not evaluated): W = 100, points = 50 x 40 / 100 = 20
    with_filler = run(tmp_path / "a", [rule("r", {"fact": "p"})], {"p": True})
    # without it: W = 40, points = 50 x 40 / 40 = 50
    alone = run(tmp_path / "b", [rule("r", {"fact": "p"})], {"p": True}, filler=False)
    assert contribution(with_filler, "r").points == _approx(20.0)
    assert contribution(alone, "r").points == _approx(50.0)
    assert (with_filler.score, alone.score) == (_approx(70.0), _approx(100.0))
    assert (with_filler.coverage, alone.coverage) == (_approx(0.4), 1.0)


def test_w_counts_rules_that_did_not_fire(tmp_path: Path) -> None:
    # s (60) is false: still in W = 100 -> r gets 20 points, not 50
    result = run(tmp_path, [rule("r", {"fact": "p"}), rule("s", {"fact": "q"}, weight=60)],
                 {"p": True, "q": False}, filler=False)
    assert contribution(result, "r").points == _approx(20.0)


def test_fractional_weights(tmp_path: Path) -> None:
    # weights 2.5 and 7.5: W = 10; r fires: 50 x 2.5 / 10 = 12.5
    result = run(tmp_path, [rule("r", {"fact": "p"}, weight=2.5), rule("s", {"fact": "q"}, weight=7.5)],
                 {"p": True}, filler=False)
    assert contribution(result, "r").points == _approx(12.5)
    assert result.coverage == _approx(0.25)


# --- bands --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("weight", "effect", "score", "label"), [
    (100, "weakens", 0.0, "low"),         # 50 - 50 = 0: the first band
    (21, "weakens", 39.5, "low"),         # 50 - 50 x 21 / 100 = 39.5: just below 40
    (20, "weakens", 40.0, "mid"),         # 50 - 10 = 40: exactly the `from` of mid
    (19, "strengthens", 59.5, "mid"),     # 50 + 9.5
    (20, "strengthens", 60.0, "high"),    # 50 + 10 = 60: exactly the `from` of high
    (100, "strengthens", 100.0, "high"),  # 50 + 50 = 100: the last band includes 100
])
def test_band_boundaries(tmp_path: Path, weight: float, effect: str, score: float, label: str) -> None:
    result = run(tmp_path, [rule("r", {"fact": "p"}, weight=weight, effect=effect)], {"p": True})
    assert result.score == score
    assert result.band.label == label
    report = engine.to_dict(result)
    assert report["band"] == {"label": label, "outlook": {"low": "poor", "mid": "even", "high": "good"}[label]}


def test_no_net_evidence_scores_fifty(tmp_path: Path) -> None:
    result = run(tmp_path, [rule("r", {"fact": "p"})], {"p": False})
    assert result.score == 50
    assert result.band.label == "mid"


def test_a_band_without_outlook(tmp_path: Path) -> None:
    bands = [{"from": 0, "label": "all"}, {"from": 99.5, "label": "top"}]
    low = run(tmp_path / "a", [rule("r", {"fact": "p"})], {"p": True}, bands=bands)
    assert (low.band.label, engine.to_dict(low)["band"]) == ("all", {"label": "all", "outlook": None})
    top = run(tmp_path / "b", [rule("r", {"fact": "p"})], {"p": True}, bands=bands, filler=False)
    assert (top.score, top.band.label) == (100.0, "top")
