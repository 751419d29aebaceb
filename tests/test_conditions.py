"""Conditions (contract section 2) and the observation in use (section 3).

A condition's truth is read through the public API: a pack with one rule whose `when` is the
condition under test; the rule fired (true), was evaluated without firing (false), or was not
evaluated (unknown). The Kleene tables are also checked one stage down, on compiled conditions.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from support import write_yaml

import engine
from engine.core.compile import compile_condition
from engine.core.model import AllOf, AnyOf, Leaf, Not

T, F, U = True, False, None
AS_OF = "2020-12-31"

FACTS: dict[str, Any] = {
    "p": {"type": "boolean"},
    "q": {"type": "boolean"},
    "r": {"type": "boolean"},
    "n": {"type": "integer", "min": 0},
    "x": {"type": "number"},
    "d": {"type": "date"},
    "tone": {"type": "string", "values": ["hostile", "cool", "warm"]},
    "label": {"type": "string"},
    "tags": {"type": "list", "values": ["a", "b", "c"]},
}


def write_pack(root: Path, when: dict[str, Any], **extra: Any) -> Path:
    write_yaml(root / "pack.yaml", {"pack": "logic", "version": "1.0.0", "roles": ["one", "two"],
                                    "bands": [{"from": 0, "label": "any"}]})
    write_yaml(root / "facts.yaml", {"facts": FACTS})
    write_yaml(root / "r.yaml", {"id": "r", "title": "The rule under test", "category": "logic",
                                 "effect": "strengthens", "weight": 10, "when": when, **extra})
    return root


def write_case(path: Path, facts: dict[str, Any], *, as_of: str = AS_OF, sources: dict[str, Any] | None = None) -> Path:
    data: dict[str, Any] = {"case": "logic-case", "title": "Logic", "parties": {"one": "Uno", "two": "Dos"},
                            "as_of": as_of, "facts": facts}
    if sources is not None:
        data["sources"] = sources
    return write_yaml(path, data)


def outcome(tmp_path: Path, when: dict[str, Any], facts: dict[str, Any], *, as_of: str = AS_OF,
            sources: dict[str, Any] | None = None, assess: dt.date | None = None) -> engine.Result:
    pack = engine.load_pack(write_pack(tmp_path / "pack", when))
    case = engine.load_case(write_case(tmp_path / "case.yaml", facts, as_of=as_of, sources=sources), pack)
    return engine.score(case, pack, assess)


def truth(tmp_path: Path, when: dict[str, Any], facts: dict[str, Any]) -> bool | None:
    """True if the rule fired, False if evaluated without firing, None if not evaluated."""
    result = outcome(tmp_path, when, facts)
    if result.contributions:
        assert [n.rule for n in result.not_evaluated] == []
        return result.contributions[0].fired
    assert [n.rule for n in result.not_evaluated] == ["r"]
    return None


def stated(values: dict[str, bool | None]) -> dict[str, bool]:
    """Case facts for boolean truths: None leaves the fact unstated (unknown)."""
    return {name: value for name, value in values.items() if value is not None}


# --- Kleene truth tables, written out ------------------------------------------------------------------

ALL_TABLE = {
    (T, T): T, (T, F): F, (T, U): U,
    (F, T): F, (F, F): F, (F, U): F,
    (U, T): U, (U, F): F, (U, U): U,
}
ANY_TABLE = {
    (T, T): T, (T, F): T, (T, U): T,
    (F, T): T, (F, F): F, (F, U): U,
    (U, T): T, (U, F): U, (U, U): U,
}
NOT_TABLE = {T: F, F: T, U: U}

ALL3_TABLE = {  # three parts: false wins, then unknown
    (T, T, T): T, (T, T, U): U, (T, U, U): U, (U, U, U): U,
    (T, T, F): F, (U, U, F): F, (F, U, T): F, (U, T, U): U,
}
ANY3_TABLE = {  # three parts: true wins, then unknown
    (F, F, F): F, (F, F, U): U, (F, U, U): U, (U, U, U): U,
    (F, F, T): T, (U, U, T): T, (T, U, F): T, (U, F, U): U,
}


@pytest.mark.parametrize(("parts", "expected"), list(ALL_TABLE.items()))
def test_all_truth_table(tmp_path: Path, parts: tuple[bool | None, ...], expected: bool | None) -> None:
    when = {"all": [{"fact": "p"}, {"fact": "q"}]}
    assert truth(tmp_path, when, stated(dict(zip("pq", parts, strict=True)))) is expected


@pytest.mark.parametrize(("parts", "expected"), list(ANY_TABLE.items()))
def test_any_truth_table(tmp_path: Path, parts: tuple[bool | None, ...], expected: bool | None) -> None:
    when = {"any": [{"fact": "p"}, {"fact": "q"}]}
    assert truth(tmp_path, when, stated(dict(zip("pq", parts, strict=True)))) is expected


@pytest.mark.parametrize(("part", "expected"), list(NOT_TABLE.items()))
def test_not_truth_table(tmp_path: Path, part: bool | None, expected: bool | None) -> None:
    assert truth(tmp_path, {"not": {"fact": "p"}}, stated({"p": part})) is expected


@pytest.mark.parametrize(("parts", "expected"), list(ALL3_TABLE.items()))
def test_all_of_three(tmp_path: Path, parts: tuple[bool | None, ...], expected: bool | None) -> None:
    when = {"all": [{"fact": "p"}, {"fact": "q"}, {"fact": "r"}]}
    assert truth(tmp_path, when, stated(dict(zip("pqr", parts, strict=True)))) is expected


@pytest.mark.parametrize(("parts", "expected"), list(ANY3_TABLE.items()))
def test_any_of_three(tmp_path: Path, parts: tuple[bool | None, ...], expected: bool | None) -> None:
    when = {"any": [{"fact": "p"}, {"fact": "q"}, {"fact": "r"}]}
    assert truth(tmp_path, when, stated(dict(zip("pqr", parts, strict=True)))) is expected


@pytest.mark.parametrize("value", [T, F, U])
@pytest.mark.parametrize("combinator", ["all", "any"])
def test_one_part_combination_is_that_part(tmp_path: Path, combinator: str, value: bool | None) -> None:
    assert truth(tmp_path, {combinator: [{"fact": "p"}]}, stated({"p": value})) is value


# The same tables one stage down: the compiled closure over a dict of values.

def _bare(name: str) -> Leaf:
    return Leaf(name, "is_true", None)


@pytest.mark.parametrize(("parts", "expected"), list(ALL_TABLE.items()))
def test_compiled_all(parts: tuple[bool | None, ...], expected: bool | None) -> None:
    test = compile_condition(AllOf((_bare("p"), _bare("q"))))
    assert test(stated(dict(zip("pq", parts, strict=True)))) is expected


@pytest.mark.parametrize(("parts", "expected"), list(ANY_TABLE.items()))
def test_compiled_any(parts: tuple[bool | None, ...], expected: bool | None) -> None:
    test = compile_condition(AnyOf((_bare("p"), _bare("q"))))
    assert test(stated(dict(zip("pq", parts, strict=True)))) is expected


@pytest.mark.parametrize(("part", "expected"), list(NOT_TABLE.items()))
def test_compiled_not(part: bool | None, expected: bool | None) -> None:
    assert compile_condition(Not(_bare("p")))(stated({"p": part})) is expected


@pytest.mark.parametrize(("leaf", "value", "expected"), [
    (Leaf("n", "equals", 1), True, F),          # true is not 1
    (Leaf("n", "not_equals", 1), True, T),
    (Leaf("p", "equals", True), 1, F),          # 1 is not true
    (Leaf("n", "one_of", (1, 2)), True, F),
    (Leaf("n", "none_of", (1, 2)), True, T),
    (Leaf("p", "one_of", (True,)), 1, F),
    (Leaf("n", "equals", 1), 1.0, T),           # 1 and 1.0 are the same number
    (Leaf("p", "equals", False), 0, F),         # 0 is not false
])
def test_compiled_equality_keeps_booleans_apart_from_numbers(leaf: Leaf, value: Any, expected: bool) -> None:
    assert compile_condition(leaf)({leaf.fact: value}) is expected


# --- every operator on every applicable type --------------------------------------------------------------

OPERATOR_CASES: list[tuple[str, dict[str, Any], Any, bool]] = [
    # integer n = 5
    ("n", {"equals": 5}, 5, T), ("n", {"equals": 4}, 5, F), ("n", {"equals": 5.0}, 5, T),
    ("n", {"not_equals": 5}, 5, F), ("n", {"not_equals": 4}, 5, T),
    ("n", {"at_least": 5}, 5, T), ("n", {"at_least": 6}, 5, F), ("n", {"at_least": 4.5}, 5, T),
    ("n", {"at_most": 5}, 5, T), ("n", {"at_most": 4}, 5, F),
    ("n", {"above": 4}, 5, T), ("n", {"above": 5}, 5, F),
    ("n", {"below": 6}, 5, T), ("n", {"below": 5}, 5, F),
    ("n", {"between": [5, 9]}, 5, T), ("n", {"between": [1, 5]}, 5, T), ("n", {"between": [5, 5]}, 5, T),
    ("n", {"between": [6, 9]}, 5, F), ("n", {"between": [1, 4]}, 5, F),
    ("n", {"one_of": [1, 5]}, 5, T), ("n", {"one_of": [1, 2]}, 5, F),
    ("n", {"none_of": [1, 5]}, 5, F), ("n", {"none_of": [1, 2]}, 5, T),
    # number x = 2.5
    ("x", {"equals": 2.5}, 2.5, T), ("x", {"equals": 2}, 2.5, F),
    ("x", {"not_equals": 2.5}, 2.5, F), ("x", {"not_equals": 2}, 2.5, T),
    ("x", {"at_least": 2.5}, 2.5, T), ("x", {"at_least": 2.6}, 2.5, F),
    ("x", {"at_most": 2.5}, 2.5, T), ("x", {"at_most": 2}, 2.5, F),
    ("x", {"above": 2}, 2.5, T), ("x", {"above": 2.5}, 2.5, F),
    ("x", {"below": 3}, 2.5, T), ("x", {"below": 2.5}, 2.5, F),
    ("x", {"between": [2.5, 2.5]}, 2.5, T), ("x", {"between": [-1, 2.49]}, 2.5, F),
    ("x", {"one_of": [1.5, 2.5]}, 2.5, T), ("x", {"none_of": [2.5]}, 2.5, F), ("x", {"none_of": [2]}, 2.5, T),
    ("x", {"equals": 3.0}, 3, T), ("x", {"equals": 3}, 3.0, T),   # whole numbers written either way
    # date d = 2020-06-15
    ("d", {"equals": "2020-06-15"}, "2020-06-15", T), ("d", {"equals": "2020-06-16"}, "2020-06-15", F),
    ("d", {"not_equals": "2020-06-15"}, "2020-06-15", F), ("d", {"not_equals": "2020-06-16"}, "2020-06-15", T),
    ("d", {"at_least": "2020-06-15"}, "2020-06-15", T), ("d", {"at_least": "2020-06-16"}, "2020-06-15", F),
    ("d", {"at_most": "2020-06-15"}, "2020-06-15", T), ("d", {"at_most": "2020-06-14"}, "2020-06-15", F),
    ("d", {"above": "2020-06-14"}, "2020-06-15", T), ("d", {"above": "2020-06-15"}, "2020-06-15", F),
    ("d", {"below": "2020-06-16"}, "2020-06-15", T), ("d", {"below": "2020-06-15"}, "2020-06-15", F),
    ("d", {"above": "2019-12-31"}, "2020-01-01", T),   # across a year: dates, not text
    ("d", {"between": ["2020-06-15", "2020-12-31"]}, "2020-06-15", T),
    ("d", {"between": ["2020-01-01", "2020-06-14"]}, "2020-06-15", F),
    ("d", {"one_of": ["2020-06-15", "2021-01-01"]}, "2020-06-15", T),
    ("d", {"none_of": ["2020-06-15"]}, "2020-06-15", F),
    # boolean
    ("p", {}, True, T), ("p", {}, False, F),
    ("p", {"equals": True}, True, T), ("p", {"equals": False}, True, F), ("p", {"equals": False}, False, T),
    ("p", {"not_equals": False}, True, T), ("p", {"not_equals": True}, True, F),
    ("p", {"one_of": [True]}, False, F), ("p", {"none_of": [True]}, False, T),
    # string with allowed values, and a free string
    ("tone", {"equals": "cool"}, "cool", T), ("tone", {"equals": "warm"}, "cool", F),
    ("tone", {"not_equals": "warm"}, "cool", T), ("tone", {"not_equals": "cool"}, "cool", F),
    ("tone", {"one_of": ["warm", "cool"]}, "cool", T), ("tone", {"one_of": ["warm"]}, "cool", F),
    ("tone", {"none_of": ["warm", "hostile"]}, "cool", T), ("tone", {"none_of": ["cool"]}, "cool", F),
    ("label", {"equals": "1"}, "1", T), ("label", {"equals": "Yes"}, "yes", F),
    # list
    ("tags", {"contains": "a"}, ["a", "b"], T), ("tags", {"contains": "b"}, ["a", "b"], T),
    ("tags", {"contains": "c"}, ["a", "b"], F), ("tags", {"contains": "a"}, [], F),
    # known, on every type
    ("n", {"known": True}, 0, T), ("n", {"known": False}, 0, F),
    ("p", {"known": True}, False, T), ("tags", {"known": False}, [], F),
]


@pytest.mark.parametrize(("fact", "operator", "value", "expected"), OPERATOR_CASES)
def test_operator(tmp_path: Path, fact: str, operator: dict[str, Any], value: Any, expected: bool) -> None:
    assert truth(tmp_path, {"fact": fact, **operator}, {fact: value}) is expected


UNSTATED_CASES = [
    ("n", {"equals": 5}), ("n", {"not_equals": 5}), ("n", {"at_least": 1}), ("n", {"at_most": 1}),
    ("x", {"above": 1}), ("x", {"below": 1}), ("d", {"between": ["2020-01-01", "2020-12-31"]}),
    ("tone", {"one_of": ["cool"]}), ("tone", {"none_of": ["cool"]}), ("tags", {"contains": "a"}),
    ("p", {}), ("p", {"equals": False}),
]


@pytest.mark.parametrize(("fact", "operator"), UNSTATED_CASES)
def test_every_operator_is_unknown_on_an_unstated_fact(tmp_path: Path, fact: str, operator: dict[str, Any]) -> None:
    result = outcome(tmp_path, {"fact": fact, **operator}, {"q": True})
    assert result.contributions == ()
    assert [(n.rule, n.missing) for n in result.not_evaluated] == [("r", (fact,))]


@pytest.mark.parametrize(("known", "expected"), [(True, F), (False, T)])
def test_known_on_an_unstated_fact_is_never_unknown(tmp_path: Path, known: bool, expected: bool) -> None:
    assert truth(tmp_path, {"fact": "n", "known": known}, {"q": True}) is expected


@pytest.mark.parametrize(("when", "code"), [
    ({"fact": "p", "equals": 1}, "type-mismatch"),            # a boolean is not 1
    ({"fact": "p", "one_of": [True, 1]}, "type-mismatch"),
    ({"fact": "n", "equals": True}, "type-mismatch"),         # an integer is not true
    ({"fact": "n", "none_of": [1, True]}, "type-mismatch"),
    ({"fact": "x", "not_equals": False}, "type-mismatch"),
    ({"fact": "label", "equals": 1}, "type-mismatch"),        # a string fact needs a quoted "1"
    ({"fact": "tone", "at_least": 1}, "type-mismatch"),
    ({"fact": "p", "below": 1}, "type-mismatch"),
    ({"fact": "tags", "above": 1}, "type-mismatch"),
    ({"fact": "n", "contains": "a"}, "type-mismatch"),
    ({"fact": "tags", "equals": "a"}, "type-mismatch"),
    ({"fact": "n"}, "type-mismatch"),                         # a bare {fact: F} needs a boolean
    ({"fact": "d", "above": "2020-13-01"}, "date"),
    ({"fact": "d", "above": 2020}, "date"),
    ({"fact": "tone", "equals": "cold"}, "value"),            # not an allowed value
    ({"fact": "tags", "contains": "z"}, "value"),
    ({"fact": "nope", "equals": 1}, "unknown-fact"),
    ({"fact": "n", "at_least": 1, "at_most": 3}, "operator"),  # one operator per leaf
    ({"fact": "n", "between": [3, 1]}, "value"),
])
def test_operator_and_operand_must_fit_the_fact_at_load(tmp_path: Path, when: dict[str, Any], code: str) -> None:
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_pack(write_pack(tmp_path / "pack", when))
    codes = {(Path(p.path).name, p.code) for p in raised.value.problems}
    assert ("r.yaml", code) in codes


@pytest.mark.parametrize(("fact", "value"), [("p", 1), ("n", True), ("n", 2.5), ("label", 7), ("tags", "a")])
def test_case_values_must_fit_the_facts_type(tmp_path: Path, fact: str, value: Any) -> None:
    pack = engine.load_pack(write_pack(tmp_path / "pack", {"fact": "p"}))
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_case(write_case(tmp_path / "case.yaml", {fact: value}), pack)
    assert [p.code for p in raised.value.problems] == ["type-mismatch"]


# --- nested conditions ---------------------------------------------------------------------------------

NESTED = {"all": [
    {"any": [{"not": {"fact": "p"}}, {"fact": "n", "at_least": 3}]},
    {"not": {"all": [{"fact": "q"}, {"fact": "tone", "equals": "warm"}]}},
]}


@pytest.mark.parametrize(("facts", "expected"), [
    # any(not T = F, 5 >= 3 = T) = T; not all(T, cool = warm: F) = not F = T; all(T, T) = T
    ({"p": True, "n": 5, "q": True, "tone": "cool"}, T),
    # any(F, 1 >= 3 = F) = F; all(F, ...) = F
    ({"p": True, "n": 1, "q": True, "tone": "cool"}, F),
    # any(F, U) = U; not all(F, U) = not F = T; all(U, T) = U
    ({"p": True, "q": False}, U),
    # any(U, T) = T; not all(T, U) = not U = U; all(T, U) = U
    ({"n": 5, "q": True}, U),
    # any(not F = T, U) = T; not all(T, warm = warm: T) = F; all(T, F) = F
    ({"p": False, "q": True, "tone": "warm"}, F),
    # any(U, U) = U; not all(U, U) = U; all(U, U) = U
    ({}, U),
    # any(T, U) = T; not all(F, U) = T; all(T, T) = T
    ({"p": False, "q": False}, T),
])
def test_nested_conditions(tmp_path: Path, facts: dict[str, Any], expected: bool | None) -> None:
    assert truth(tmp_path, NESTED, facts) is expected


def test_not_evaluated_lists_the_unstated_facts(tmp_path: Path) -> None:
    result = outcome(tmp_path, NESTED, {"p": True, "q": False})   # unknown, as above
    assert len(result.not_evaluated) == 1
    assert set(result.not_evaluated[0].missing) == {"n", "tone"}
    assert engine.to_dict(result)["not_evaluated"][0]["rule"] == "r"
    assert set(engine.to_dict(result)["not_evaluated"][0]["missing"]) == {"n", "tone"}


@pytest.mark.parametrize(("p", "expected"), [(T, F), (F, T), (U, U)])
def test_triple_negation(tmp_path: Path, p: bool | None, expected: bool | None) -> None:
    assert truth(tmp_path, {"not": {"not": {"not": {"fact": "p"}}}}, stated({"p": p})) is expected


def test_known_makes_an_otherwise_unknown_condition_decidable(tmp_path: Path) -> None:
    # any(known false on n, n >= 3): n unstated -> any(T, U) = T
    when = {"any": [{"fact": "n", "known": False}, {"fact": "n", "at_least": 3}]}
    assert truth(tmp_path, when, {}) is T
    # all(known true on n, n >= 3): n unstated -> all(F, U) = F
    assert truth(tmp_path / "b", {"all": [{"fact": "n", "known": True}, {"fact": "n", "at_least": 3}]}, {}) is F


# --- the observation in use (section 3) -------------------------------------------------------------------

HISTORY = [
    {"value": 1, "observed": "2019-01-01", "source": "wire"},
    {"value": 2, "observed": "2020-06-01", "source": "wire"},
    {"value": 3, "observed": "2021-06-01", "source": "wire"},    # after AS_OF 2020-12-31
]
SOURCES = {"wire": {"title": "Wire", "reliability": "B"}}
READ_N = {"fact": "n", "at_least": 0}


def used(result: engine.Result, fact: str = "n") -> Any:
    return {c.rule: c for c in result.contributions}["r"].facts[fact]


def codes(result: engine.Result) -> list[str]:
    """The warnings' codes, but `ungraded` (these cases leave grades out on purpose; see test_evidence.py)."""
    return [w.code for w in result.warnings if w.code != "ungraded"]


def ignored(result: engine.Result) -> int:
    """Observations ignored as after the assessment date: a `future` warning each when they lie after the
    case's own date too, else counted in the one `as-of` warning of an earlier --as-of."""
    replayed = [int(found.group(1)) for w in result.warnings
                if w.code == "as-of" and (found := re.search(r": (\d+) later", w.message))]
    return codes(result).count("future") + sum(replayed)


@pytest.mark.parametrize("history", [HISTORY, HISTORY[::-1], [HISTORY[2], HISTORY[0], HISTORY[1]]],
                         ids=["ascending", "descending", "shuffled"])
def test_history_uses_the_latest_observation_on_or_before_the_date(tmp_path: Path,
                                                                   history: list[dict[str, Any]]) -> None:
    result = outcome(tmp_path, READ_N, {"n": history}, sources=SOURCES)
    assert used(result) == 2
    assert codes(result) == ["future"]
    assert all(w.severity == "warning" for w in result.warnings)
    assert "2021-06-01" in next(w for w in result.warnings if w.code == "future").message


@pytest.mark.parametrize(("assess", "value", "later"), [
    (dt.date(2019, 6, 1), 1, 2),     # only 2019-01-01 is on or before; two observations are in the future
    (dt.date(2020, 6, 1), 2, 1),     # on the date itself counts
    (dt.date(2020, 5, 31), 1, 2),    # the day before it does not
    (dt.date(2022, 1, 1), 3, 0),     # after every observation: the latest, no future warning
])
def test_the_assessment_date_picks_the_observation(tmp_path: Path, assess: dt.date, value: int, later: int) -> None:
    result = outcome(tmp_path, READ_N, {"n": HISTORY}, sources=SOURCES, assess=assess)
    assert used(result) == value
    assert ignored(result) == later
    assert codes(result).count("future") == (1 if assess < dt.date(2021, 6, 1) else 0)  # only 2021-06-01 is
    # after the case's own date (2020-12-31); the rest are merely replayed away by an earlier --as-of
    assert result.as_of == assess


def test_observations_only_after_the_date_leave_the_fact_unstated(tmp_path: Path) -> None:
    result = outcome(tmp_path, READ_N, {"n": [HISTORY[2]]}, sources=SOURCES)
    assert result.contributions == ()
    assert [(n.rule, n.missing) for n in result.not_evaluated] == [("r", ("n",))]
    assert "future" in codes(result)


@pytest.mark.parametrize(("known", "expected"), [(True, F), (False, T)])
def test_a_fact_stated_only_after_the_date_is_not_known(tmp_path: Path, known: bool, expected: bool) -> None:
    result = outcome(tmp_path, {"fact": "n", "known": known}, {"n": [HISTORY[2]]}, sources=SOURCES)
    assert [c.fired for c in result.contributions] == [expected]


def test_a_single_observation_after_the_date_is_ignored(tmp_path: Path) -> None:
    result = outcome(tmp_path, READ_N, {"n": {"value": 4, "observed": "2021-01-01", "source": "wire"}},
                     sources=SOURCES)
    assert result.contributions == ()
    assert "future" in codes(result)


@pytest.mark.parametrize("order", [0, 1])
def test_an_undated_observation_wins_a_tie_with_one_dated_on_the_assessment_date(tmp_path: Path, order: int) -> None:
    history = [{"value": 7, "observed": AS_OF, "source": "wire"}, {"value": 8, "source": "wire"}]
    result = outcome(tmp_path, READ_N, {"n": history if order == 0 else history[::-1]}, sources=SOURCES)
    assert used(result) == 8


def test_an_undated_observation_counts_as_the_assessment_date(tmp_path: Path) -> None:
    # undated 9 beats the dated 2020-06-01; assessed earlier, the undated one still counts as that date
    history = [{"value": 9, "source": "wire"}, HISTORY[1]]
    assert used(outcome(tmp_path / "a", READ_N, {"n": history}, sources=SOURCES)) == 9
    early = outcome(tmp_path / "b", READ_N, {"n": history}, sources=SOURCES, assess=dt.date(2019, 1, 1))
    assert used(early) == 9
    assert codes(early) == ["as-of"]   # the 2020-06-01 observation, before the case's own date
    assert ignored(early) == 1


@pytest.mark.parametrize("history", [
    [{"value": 1, "observed": "2020-01-01"}, {"value": 2, "observed": "2020-01-01"}],
    [{"value": 1}, {"value": 2}],
])
def test_two_observations_of_one_date_are_a_validation_error(tmp_path: Path, history: list[dict[str, Any]]) -> None:
    pack = engine.load_pack(write_pack(tmp_path / "pack", READ_N))
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_case(write_case(tmp_path / "case.yaml", {"n": history}), pack)
    assert [p.code for p in raised.value.problems] == ["date"]


def test_unsourced_warnings_name_the_facts_in_use_without_a_source(tmp_path: Path) -> None:
    facts = {"n": 3,                                                       # bare value: unsourced
             "x": {"value": 1.5, "source": "wire"},                        # sourced
             "p": [{"value": True, "observed": "2019-01-01"},             # in use: the 2020 one, sourced
                   {"value": False, "observed": "2020-01-01", "source": "wire"}],
             "q": [{"value": True, "observed": "2019-01-01", "source": "wire"},
                   {"value": False, "observed": "2020-01-01"}]}            # in use: unsourced
    result = outcome(tmp_path, READ_N, facts, sources=SOURCES)
    unsourced = sorted(w.message for w in result.warnings if w.code == "unsourced")
    assert len(unsourced) == 2
    assert "'n'" in unsourced[0]
    assert "'q'" in unsourced[1]
    assert all(w.severity == "warning" for w in result.warnings)


def test_future_warning_points_at_the_observation(tmp_path: Path) -> None:
    write_pack(tmp_path / "pack", READ_N)
    (tmp_path / "case.yaml").write_text(
        "case: lines\n"
        "title: Lines\n"
        "parties: {one: Uno, two: Dos}\n"
        "as_of: 2020-12-31\n"
        "facts:\n"
        "  n:\n"
        "    - {value: 1, observed: 2019-01-01}\n"
        "    - {value: 3, observed: 2021-06-01}\n", encoding="utf-8")
    pack = engine.load_pack(tmp_path / "pack")
    result = engine.score(engine.load_case(tmp_path / "case.yaml", pack), pack)
    future = [w for w in result.warnings if w.code == "future"]
    assert [(w.line, w.column) for w in future] == [(8, 7)]
    assert future[0].path.endswith("case.yaml")
    assert used(result) == 1
