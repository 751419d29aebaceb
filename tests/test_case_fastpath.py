"""A case's observations as `check_case` builds them: one fact written as a single mapping (the usual,
read without the history's checks), as a history of one or more, or as a bare value, and its dates, read
through a cache that must keep no error."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from engine.files.case import check_case
from engine.files.pack import load_pack
from engine.files.values import Misfit, parse_date
from engine.problems import Problem

PACK = load_pack(Path(__file__).parent.parent / "rules")
FACT = "top_level_visits_per_year"
HEAD = """case: c
title: t
parties: {patron: P, partner: Q}
as_of: 2020-12-31
sources:
  s: {title: a source, reliability: B}
facts:
"""  # the fact's first line is line 8


def _check(tmp_path: Path, fact: str) -> tuple[Any, list[Problem]]:
    """`fact`: the fact's YAML after its name (a value, a mapping, or a history on the lines below)."""
    path = tmp_path / "c.yaml"
    path.write_text(f"{HEAD}  {FACT}: {fact}\n", encoding="utf-8")
    return check_case(path, PACK)


ENTRY = "{value: 3, source: s, credibility: 2, observed: 2020-06-01, note: n, quote: q}"


def test_one_observation_is_the_same_as_a_mapping_or_a_history_of_one(tmp_path: Path) -> None:
    single, problems = _check(tmp_path, ENTRY)
    assert problems == []
    history, problems = _check(tmp_path, f"\n    - {ENTRY}")
    assert problems == []
    (one,), (other,) = single.facts[FACT], history.facts[FACT]
    assert (one.value, one.source, one.credibility, one.observed, one.note, one.quote) == \
        (3, "s", 2, dt.date(2020, 6, 1), "n", "q")
    assert replace(one, line=0, column=0) == replace(other, line=0, column=0)
    assert (one.line, one.column, other.line, other.column) == (8, 30, 9, 7)  # the mapping, the history's item
    bare, problems = _check(tmp_path, "3")
    assert problems == []
    assert [(o.value, o.line, o.column) for o in bare.facts[FACT]] == [(3, 8, 30)]


@pytest.mark.parametrize(("fact", "expected"), [
    ("{value: 3, source: nowhere, observed: 2020-02-30}",
     [("unknown-source", 8, "source 'nowhere' is not listed under 'sources'"),
      ("date", 8, "'2020-02-30' is not a real date (day is out of range for month)")]),
    ("\n    - {value: 3, observed: 2020-02-30}\n    - {value: 4, observed: 2020-02-30}",
     [("date", 9, "'2020-02-30' is not a real date (day is out of range for month)"),
      ("date", 10, "'2020-02-30' is not a real date (day is out of range for month)")]),
    ("\n    - {value: 3, observed: 2020-01-01}\n    - {value: 4, observed: 2020-01-01}\n    - {value: 500}",
     [("date", 10, f"two observations of '{FACT}' on 2020-01-01 (the other at line 9); the one in use would depend "
                   "on their order"),
      ("out-of-range", 11, f"500 is above the maximum 100 of '{FACT}'")]),
    ("\n    - {value: 3}\n    - {value: 4}",
     [("date", 10, f"two observations of '{FACT}' without an 'observed' date (the other at line 9); the one in use "
                   "would depend on their order")]),
])
def test_each_wrong_observation_is_reported_each_time(tmp_path: Path, fact: str,
                                                      expected: list[tuple[str, int, str]]) -> None:
    case, problems = _check(tmp_path, fact)
    assert case is None
    assert [(p.code, p.line, p.message) for p in problems] == expected


def test_a_date_read_twice_is_the_same_and_a_wrong_one_fails_each_time() -> None:
    assert parse_date("2020-09-12") is parse_date("2020-09-12") == dt.date(2020, 9, 12)
    for _ in range(2):
        with pytest.raises(Misfit, match="is not a real date"):
            parse_date("2020-13-45")
        with pytest.raises(Misfit, match="expected an ISO date such as 2020-09-12, got 12"):
            parse_date(12)
