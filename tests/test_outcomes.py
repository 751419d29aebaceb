"""The outcomes file of a backtest (contract section 8): read, checked, matched to the cases.

The bad files are data: `tests/bad_outcomes/NAME.yaml`, one mistake each, with `NAME.expected` beside it
holding the expected `LINE:COL: error[CODE]` of the problem. Each file is checked, and when it reads, its
outcomes are matched against the pact pack's case `alpha` (as_of 2021-06-30), so the corpus covers both
stages. Paths print as the test names them, `tests/bad_outcomes/...`, from the repository root.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support import ALPHA, PACT_RULES

from engine.core.model import Case
from engine.files.case import load_case
from engine.files.outcomes import Outcomes, check_outcomes, match_outcomes
from engine.files.pack import load_pack

ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/bad_outcomes")
NAMES = sorted(path.stem for path in (ROOT / BAD).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def alpha() -> Case:
    return load_case(ALPHA, load_pack(PACT_RULES))


def _all_problems(path: Path, alpha: Case) -> list[str]:
    outcomes, problems = check_outcomes(path)
    if outcomes is not None:
        assert problems == []
        problems = match_outcomes(outcomes, [alpha])
    return [str(p) for p in problems]


def test_the_corpus_has_an_expectation_beside_every_file() -> None:
    expected = sorted(path.stem for path in (ROOT / BAD).glob("*.expected"))
    assert expected == NAMES
    assert len(NAMES) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_outcomes_file_is_located(name: str, alpha: Case) -> None:
    path = BAD / f"{name}.yaml"
    expected = (ROOT / BAD / f"{name}.expected").read_text(encoding="utf-8").strip()
    found = _all_problems(path, alpha)
    assert found, f"{name}: no problem found"
    assert any(line.startswith(f"{path}:{expected}: ") for line in found), found
    assert all(line.startswith(f"{path}:") and "\n" not in line for line in found)


def test_messages_say_what_was_meant(alpha: Case) -> None:
    assert "did you mean 'held'?" in _all_problems(BAD / "outcome-misspelt.yaml", alpha)[0]
    assert "did you mean 'justification'?" in _all_problems(BAD / "unknown-key.yaml", alpha)[0]
    missing = _all_problems(BAD / "missing-case.yaml", alpha)[0]
    assert "'alpha'" in missing and str(ALPHA) in missing


def test_nothing_executes(alpha: Case) -> None:
    _all_problems(BAD / "python-tag.yaml", alpha)
    assert not (ROOT / "PWNED").exists()


def test_a_file_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("a: {outcome: hold}\nb: {outcome: held, as_of: 2020-02-30}\nc: {outcome: broke, why: x}\n"
                    "d: {outcome: broke, break_date: 2020-1-1}\n", encoding="utf-8")
    outcomes, problems = check_outcomes(path, shown="o.yaml")
    assert outcomes is None
    assert [(p.line, p.column, p.code) for p in problems] == [
        (1, 14, "value"), (2, 27, "date"), (3, 21, "unknown-key"), (4, 33, "date")]
    assert all(str(p).startswith("o.yaml:") for p in problems)


def test_a_valid_file_reads_every_key(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_bytes(b"\xef\xbb\xbf# outcomes\r\nalpha:\r\n  outcome: broke\r\n  break_date: 2022-01-15\r\n"
                     b"  as_of: 2021-06-30\r\n  justification: The pact lapsed.\r\n  source: Wire, 2022\r\n"
                     b"  caveat: 'One reading: disputed.'\r\nbeta: {outcome: held, break_date: null}\r\n")
    outcomes, problems = check_outcomes(path)
    assert problems == [] and outcomes is not None
    assert list(outcomes.entries) == ["alpha", "beta"]
    alpha = outcomes.entries["alpha"]
    assert (alpha.outcome, alpha.held, alpha.break_date, alpha.as_of) == (
        "broke", False, dt.date(2022, 1, 15), dt.date(2021, 6, 30))
    assert (alpha.justification, alpha.source, alpha.caveat) == (
        "The pact lapsed.", "Wire, 2022", "One reading: disputed.")
    assert (alpha.at, alpha.as_of_at, outcomes.at) == ((2, 1), (5, 10), (2, 1))
    beta = outcomes.entries["beta"]
    assert (beta.held, beta.break_date, beta.as_of, beta.as_of_at, beta.caveat) == (True, None, None, None, None)


def test_an_empty_mapping_is_a_file_with_no_entries(tmp_path: Path, alpha: Case) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("{}\n", encoding="utf-8")
    outcomes, problems = check_outcomes(path)
    assert problems == [] and outcomes is not None and outcomes.entries == {}
    assert [(p.line, p.column, p.code) for p in match_outcomes(outcomes, [alpha])] == [(1, 1, "required")]


def test_matching_ignores_other_entries_and_reports_each_case_once(tmp_path: Path, alpha: Case) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("zeta: {outcome: held, as_of: 1999-01-01}\nalpha: {outcome: held, as_of: 2021-06-30}\n",
                    encoding="utf-8")
    outcomes, _ = check_outcomes(path)
    assert isinstance(outcomes, Outcomes)
    assert match_outcomes(outcomes, [alpha, alpha]) == []
    other = Case("omega", "Omega", {"lead": "A", "follower": "B"}, dt.date(2020, 1, 1), {}, path="cases/omega.yaml")
    found = match_outcomes(outcomes, [alpha, other, other])
    assert [str(p) for p in found] == [
        f"{path}:1:1: error[required]: no outcome for case 'omega' (cases/omega.yaml); "
        "add 'omega: {outcome: held}' or 'omega: {outcome: broke}'"]


def test_a_missing_file_is_a_whole_file_problem(tmp_path: Path) -> None:
    outcomes, problems = check_outcomes(tmp_path / "none.yaml", shown="none.yaml")
    assert outcomes is None
    assert [str(p).split(": ")[0:2] for p in problems] == [["none.yaml", "error[file]"]]
