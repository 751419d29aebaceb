"""The text reports (engine.reports.text): read top-down, wrapped to a width, coloured only when asked,
and never carrying a control character from a file. Through the public functions, on the bundled pack
and cases and on the pact test pack (see tests/test_cli.py for alpha's numbers by hand)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from support import ALPHA, PACT_RULES

from engine import compile_pack, load_case, load_pack, score
from engine.analysis.assess import assess
from engine.analysis.compare import compare
from engine.analysis.timeline import timeline
from engine.core.evaluate import Result
from engine.core.model import Calibration, Case, Observation, Pack
from engine.reports.text import backtest_text, compare_text, timeline_text, to_text

ROOT = Path(__file__).parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
SGR = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = "Evil\x1b[31m red\x1b]0;title\x07 \x9b2J\u202egnp.exe\r\nnext\tline\x00"
SECTIONS = ["What drove it", "Evaluated, did not apply (0 points)",
            "Not evaluated (no evidence either way; lowers the coverage)", "Facts worth collecting next",
            "What would change the band", "History", "Warnings"]


@pytest.fixture(scope="module")
def pact() -> Pack:
    return load_pack(PACT_RULES)


@pytest.fixture(scope="module")
def alpha(pact: Pack) -> Case:
    return load_case(ALPHA, pact)


@pytest.fixture(scope="module")
def bundled() -> Pack:
    return load_pack(ROOT / "rules")


def titles(text: str) -> list[str]:
    """Section titles: unindented lines after a blank line, past the title and the headline."""
    lines = text.splitlines()
    return [line for before, line in itertools.pairwise(lines) if not before and line in SECTIONS]


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
    return [line for line in lines[start:end] if line]


def assert_fits(text: str, width: int) -> None:
    """No line over `width`, but for one carrying a word too long to share a line (a long fact name)."""
    for line in text.splitlines():
        if len(line) > width:
            assert max(len(word) for word in line.split()) > width // 2, (width, line)


def assert_clean(text: str) -> None:
    """Nothing but printable characters and line ends."""
    bad = [char for char in SGR.sub("", text) if not char.isprintable() and char != "\n"]
    assert bad == [], bad


# --- one case -------------------------------------------------------------------------------------------

def _headline_at(lines: list[str]) -> int:
    """The headline's line: the first after the lead paragraph (which may wrap, with the pack's folder)."""
    return lines.index("", 2) + 1


def test_pact_report_reads_top_down(pact: Pack, alpha: Case) -> None:
    text = to_text(assess(alpha, compile_pack(pact)))
    lines = text.splitlines()
    h = _headline_at(lines)
    assert lines[0] == "Alpha and Beta in 2021 (alpha)"
    assert "lead Alpha, follower Beta" in lines[2]
    assert "the folder" in " ".join(lines[2:h]) and "pact/rules" in " ".join(lines[2:h])  # which pack, where
    assert lines[h] == "Durability score 46.2 / 100: middling (roughly even)."
    labels = [line.split()[0] for line in lines[h + 2:h + 5]]
    assert labels == ["coverage", "bounds", "sensitivity"]
    assert "80% of the rule weight" in lines[h + 2]
    assert "could lie anywhere from 46.2 to 56.2 if the unknown facts were known" in lines[h + 3]
    assert titles(text) == [s for s in SECTIONS if s not in ("Evaluated, did not apply (0 points)", "History")]
    drove = "\n".join(section(text, "What drove it"))
    for expected in ("-5.76", "+5.12", "-3.20", "Alpha embargoes arms while the press is cool.",
                     "Alpha cut 4 tariff lines for Beta.", "Beta courts east, south."):
        assert expected in drove
    assert re.search(r"^  all\s+\+5\.12\s+-8\.96\s+-3\.84\s+3\s+3\s+4$", drove, re.M)  # the totals row
    assert re.search(r"treaty\s.*treaty_signed", text)
    assert any(line.split()[:4] == ["treaty_signed", "46.2", "56.2", "middling"]
               for line in section(text, "Facts worth collecting next"))
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_rules_by_points_with_weight_degree_confidence_decay(pact: Pack, alpha: Case) -> None:
    rows = [line.split() for line in section(to_text(score(alpha, pact)), "What drove it") if "  -" in line
            or "  +" in line]
    by_rule = {row[2]: row for row in rows if len(row) > 6 and row[2] in ("embargo", "tariffs", "hedge")}
    assert by_rule["tariffs"][:7] == ["+5.12", "+++++++++++", "tariffs", "10", "0.40", "0.64", "1.00"]
    assert by_rule["hedge"][:7] == ["-3.20", "-------", "hedge", "4", "1.00", "0.80", "0.50"]
    assert list(by_rule) == ["embargo", "tariffs", "hedge"]  # largest first


def test_without_leverage_there_are_no_bounds(pact: Pack, alpha: Case) -> None:
    text = to_text(score(alpha, pact))
    assert "bounds" not in text and "Facts worth collecting next" not in text
    assert titles(text) == ["What drove it", "Not evaluated (no evidence either way; lowers the coverage)",
                            "Warnings"]


def test_rules_that_did_not_fire_read_neutrally(pact: Pack, alpha: Case) -> None:
    text = to_text(score(alpha, pact, dt.date(2022, 2, 1)))
    idle = section(text, "Evaluated, did not apply (0 points)")
    assert any(line.split()[:2] == ["embargo", "6"] and "did not apply: Arms embargo" in line for line in idle)


def test_missing_facts_are_aligned_over_every_rule(pact: Pack, alpha: Case) -> None:
    text = to_text(score(alpha, pact, dt.date(2020, 1, 1)))
    rows = section(text, "Not evaluated (no evidence either way; lowers the coverage)")
    column = rows[0].index("missing facts")
    assert [row.split()[0] for row in rows[1:]] == ["tariffs", "treaty", "hedge"]
    for row in rows[1:]:
        assert row[column - 2:column] == "  " and row[column] != " "
    assert rows[3][column:] == "rivals_courted, loan_share"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("width", [40, 60, 80, 100, 132])
def test_bundled_cases_fit_the_width(bundled: Pack, path: Path, width: int) -> None:
    result = assess(load_case(path, bundled), compile_pack(bundled))
    text = to_text(result, width=width)
    assert_fits(text, width)
    if width >= 80:
        assert max(len(line) for line in text.splitlines()) <= width
    assert "\x1b" not in text
    assert titles(text) == [s for s in SECTIONS if s in titles(text)]  # in order
    for contribution in result.contributions:  # every rule is named, whatever the width
        assert contribution.rule in text


def test_colour_only_when_asked_and_only_over_the_same_text(pact: Pack, alpha: Case) -> None:
    result = assess(alpha, compile_pack(pact))
    plain, coloured = to_text(result), to_text(result, color=True)
    assert "\x1b" not in plain
    assert "\x1b[1m" in coloured and "\x1b[31m" in coloured and "\x1b[32m" in coloured
    assert SGR.sub("", coloured) == plain


def test_control_characters_from_files_never_reach_the_output(pact: Pack, alpha: Case) -> None:
    rules = tuple(dataclasses.replace(r, title=HOSTILE) for r in pact.rules)
    hostile_pack = dataclasses.replace(pact, rules=rules, name=HOSTILE)
    facts = dict(alpha.facts, press_tone=(Observation("cool", note=HOSTILE),))
    case = dataclasses.replace(alpha, title=HOSTILE, parties={"lead": HOSTILE, "follower": "Beta"}, facts=facts)
    compiled = compile_pack(hostile_pack)
    for result in (assess(case, compiled), assess(case, compiled, dt.date(2022, 2, 1))):
        for coloured in (False, True):
            text = to_text(result, color=coloured, width=60)
            assert_clean(text)
            assert "\\x1b[31m" in text and "\\u202e" in text and "\\x9b" in text
            assert_fits(SGR.sub("", text), 60)
    steps = timeline(case, lambda day: assess(case, compiled, day))
    assert_clean(timeline_text(steps, color=True))
    assert_clean(compare_text(compare(steps[0].result, steps[-1].result), color=True))


def test_probability_leads_the_headline(pact: Pack, alpha: Case) -> None:
    calibrated = dataclasses.replace(pact, calibration=Calibration(3.0, 0.6, 0.08))
    result = assess(alpha, compile_pack(calibrated))
    assert result.probability is not None
    p = result.probability
    lines = to_text(result).splitlines()
    h = _headline_at(lines)
    assert p.term == "likely"
    assert lines[h] == (f"Likely ({round(100 * p.endures)}%, {round(100 * p.low)}-{round(100 * p.high)}%) "
                        "to endure three years.")
    assert lines[h + 1] == "Durability score 46.2 / 100: middling (roughly even)."
    one_year = assess(alpha, compile_pack(dataclasses.replace(calibrated, calibration=Calibration(1.0, -2.5, 0.0))))
    lines = to_text(one_year).splitlines()
    assert lines[_headline_at(lines)].startswith("Very unlikely (8%, 8-8%) to endure one year.")


def test_thin_evidence_says_so_instead_of_a_band(pact: Pack, alpha: Case) -> None:
    calibrated = dataclasses.replace(pact, calibration=Calibration(2.5, 0.6, 0.08))
    result = assess(alpha, compile_pack(calibrated), dt.date(2020, 1, 1))
    assert result.coverage < 0.5
    lines = to_text(result).splitlines()
    h = _headline_at(lines)
    headline = lines[h]
    assert headline.startswith("Durability score 50.0 / 100: the evidence is too thin to judge")
    assert result.band.label not in headline and "likely" not in headline.lower()
    figures = "\n".join(lines[h + 1:h + 10])
    assert "middling (roughly even) on this evidence" in figures
    assert "to endure 2.5 years" in figures


# --- compare, timeline, backtest ------------------------------------------------------------------------

def _alpha_at(pact: Pack, alpha: Case, day: dt.date) -> Result:
    return assess(alpha, compile_pack(pact), day)


def test_compare_text(pact: Pack, alpha: Case) -> None:
    comparison = compare(_alpha_at(pact, alpha, dt.date(2020, 1, 1)), _alpha_at(pact, alpha, dt.date(2021, 6, 30)))
    text = compare_text(comparison, width=80)
    lines = text.splitlines()
    assert lines[0] == "Alpha and Beta in 2021 (alpha): 2020-01-01 to 2021-06-30"
    assert lines[2] == "The score fell by 3.8 points, from 50.0 (middling) to 46.2 (middling)."
    assert re.match(r"from\s+alpha\s+2020-01-01\s+50\.0\s+middling", lines[5])
    rules = [line.split()[1] for line in lines if re.match(r"^  +[-+]\d+\.\d\d  ", line)]
    assert rules == [c.rule for c in comparison.changes] == ["embargo", "tariffs", "hedge"]
    assert "moved: arms_embargo false -> true" in text
    assert "moved: tariff_cuts unstated -> 4" in text
    assert "before: did not apply: Arms embargo" in text and "before: not evaluated" in text
    assert "after: Alpha cut 4 tariff lines for Beta." in text
    assert_fits(text, 80)


def test_timeline_text(pact: Pack, alpha: Case) -> None:
    compiled = compile_pack(pact)
    steps = timeline(alpha, lambda day: assess(alpha, compiled, day))
    text = timeline_text(steps, width=100)
    rows = [line for line in text.splitlines() if re.match(r"^  \d{4}-\d\d-\d\d ", line)]
    assert [row.split()[0] for row in rows] == [s.result.as_of.isoformat() for s in steps]
    header = next(line for line in text.splitlines() if line.strip().startswith("as of"))
    assert header.split() == ["as", "of", "score", "band", "coverage", "bounds", "largest", "changes"]
    last = rows[-1].split()
    assert last[1:4] == ["46.2", "middling", "80%"]
    assert "+5.12 tariffs" in rows[1] or any("+5.12 tariffs" in row for row in rows)
    plain = timeline_text([dataclasses.replace(s, result=score(alpha, pact, s.result.as_of)) for s in steps])
    assert "bounds" not in plain
    assert_fits(timeline_text(steps, width=50), 50)


def backtest_dict() -> dict[str, Any]:
    """A backtest report by hand: the contract's keys, then diagnostics of the shapes they take."""
    return {
        "cases": 3, "held": 2, "broke": 1, "base_rate": 2 / 3, "auc": 1.0, "brier": 0.12345678, "log_loss": None,
        "results": [{"case": "alpha", "as_of": "2021-06-30", "score": 46.16, "outcome": "held", "probability": 0.6},
                    {"case": "a-much-longer-case-id", "as_of": "2020-01-01", "score": 62.5, "outcome": "held",
                     "probability": None},
                    {"case": "gamma", "as_of": "1999-12-31", "score": 30.0, "outcome": "broke", "probability": 0.2}],
        "cv_auc": 0.5,
        "cross_validation": {"method": "leave-one-out", "folds": 3,
                             "penalty": {"prior": "gaussian", "intercept_sd": 1.5, "slope_sd": 0.1}},
        "calibration": None,
        "calibration_table": [{"term": "unlikely", "low": 0.2, "high": 0.45, "cases": 1, "held": 0,
                               "mean_probability": 0.2, "observed_rate": 0.0},
                              {"term": "roughly even chance", "low": 0.45, "high": 0.55, "cases": 0, "held": 0,
                               "mean_probability": None, "observed_rate": None}],
        "rules": [{"rule": "embargo", "effect": "weakens", "weight": 6,
                   "held": {"cases": 2, "evaluated": 2, "fired": 1, "fire_rate": 0.5, "mean_points": -2.88},
                   "broke": {"cases": 1, "evaluated": 1, "fired": 1, "fire_rate": 1.0, "mean_points": -5.76},
                   "auc": 0.75}],
    }


@pytest.mark.parametrize("width", [60, 100, 160])
def test_backtest_text_renders_whatever_it_carries(width: int) -> None:
    text = backtest_text(backtest_dict(), width=width)
    lines = text.splitlines()
    assert lines[0] == "Backtest"
    assert lines[2] == ("3 case(s): 2 held, 1 broke; AUC 1: a case that held scored above one that broke in 100% "
                        "of the pairs.")[:len(lines[2])]
    for figure in ("base rate", "0.6667", "brier", "0.1235", "log loss", "n/a", "cv auc"):
        assert figure in text
    heads = [line for line in lines if line and not line.startswith(" ")]
    assert heads[heads.index("Results, case by case"):] == ["Results, case by case", "Cross-validation",
                                                            "Calibration table", "Rule diagnostics"]
    assert "penalty intercept sd" in text and "1.5" in text and "held fire rate" in text
    results = section(text, "Results, case by case")
    score_at = results[0].index("score") + len("score")  # numbers right-aligned under their header
    for row, value in zip(results[1:4], ("46.16", "62.5", "30"), strict=True):  # the first panel
        assert row[:score_at].rstrip().endswith(value)
    assert_fits(text, width)
    assert max(len(line) for line in lines) <= width


def test_backtest_text_without_diagnostics() -> None:
    data = {key: value for key, value in backtest_dict().items()
            if key in ("cases", "held", "broke", "base_rate", "auc", "brier", "log_loss", "results")}
    data.update(held=0, broke=3, auc=None)
    text = backtest_text(data)
    assert "AUC undefined" in text and "Rule diagnostics" not in text


def test_a_result_with_its_history_shows_the_dates(pact: Pack, alpha: Case) -> None:
    compiled = compile_pack(pact)
    steps = timeline(alpha, lambda day: assess(alpha, compiled, day))
    text = to_text(dataclasses.replace(steps[-1].result, history=steps))
    history = section(text, "History")
    assert [row.split()[0] for row in history[1:] if re.match(r"  \d{4}-", row)] == [
        s.result.as_of.isoformat() for s in steps]
