"""The `durability` command (contract sections 5 and 6), through click's CliRunner and as installed.

Uses the small `trade-pact` test pack (tests/packs/pact) and packs written to tmp_path; never the
bundled pack's content. Click 8.2+ keeps stderr apart: `result.stdout` and `result.stderr`.

The pact case `alpha` by hand (W = 6 + 10 + 5 + 4 = 25; the pack's multipliers B = 0.8, 2 = 0.8,
3 = 0.6, unsourced 0.5; no pack half-life; as of 2021-06-30):
    embargo  weakens 6: arms_embargo in use is the 2021-03-01 `true` (the 2022 one is in the future),
             press_tone cool is not warm -> fires; c = min(0.8 x 0.6, 0.5 x 1) = 0.48
             points = 50 x -1 x 6 x 1 x 0.48 x 1 / 25 = -5.76
    tariffs  strengthens 10: 4 cuts, degree (4 - 0) / (10 - 0) = 0.4; c = 0.8 x 0.8 = 0.64
             points = 50 x 10 x 0.4 x 0.64 / 25 = 5.12
    hedge    weakens 4, half-life 365: courts east; c = 0.8; observed 2020-06-30, 365 days -> t = 0.5
             points = 50 x -1 x 4 x 0.8 x 0.5 / 25 = -3.2
    treaty   not evaluated: treaty_signed is not stated
    score = 50 - 5.76 + 5.12 - 3.2 = 46.16 (middling, from 40); coverage = (6 + 10 + 4) / 25 = 0.8
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ALPHA, LOCATED, PACT, PACT_RULES, invoke, write_yaml
from support import approx as _approx

import engine
from engine.files.locate import bundled_pack, default_rules
from engine.files.shape import validate_report

PROBLEM_LINE = LOCATED
ALPHA_POINTS = {"embargo": -5.76, "tariffs": 5.12, "hedge": -3.2}


def score_json(*args: str | Path) -> Any:
    result = invoke("score", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def pact(tmp_path: Path) -> Path:
    """A private copy of the pact test pack and case, to break or rearrange."""
    target = tmp_path / "pact"
    shutil.copytree(PACT, target)
    return target


def problem_lines(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [line for line in lines if PROBLEM_LINE.match(line)]


# --- score -----------------------------------------------------------------------------------------

def test_score_text(tmp_path: Path) -> None:
    result = invoke("score", ALPHA, "--rules", PACT_RULES)
    assert result.exit_code == 0
    out = result.stdout
    assert "46.2" in out and "middling" in out and "roughly even" in out
    for because in ("Alpha embargoes arms while the press is cool.", "Alpha cut 4 tariff lines for Beta.",
                    "Beta courts east, south."):
        assert because in out
    assert re.search(r"treaty\s.*treaty_signed", out)
    assert "-5.76" in out and "+5.12" in out and "-3.20" in out
    # the ignored 2022 observation and the unsourced press_tone, each on one located line
    warnings = problem_lines(result.stderr)
    assert any("warning[future]" in line and "arms_embargo" in line for line in warnings)
    assert any("warning[unsourced]" in line and "press_tone" in line for line in warnings)
    assert all(PROBLEM_LINE.match(line) for line in result.stderr.splitlines() if line.strip())


def assert_pact_head(report: dict[str, Any]) -> None:
    """The pact pack as the report names it, and alpha's bounds and its one gap."""
    assert report["pack"] == {"name": "trade-pact", "version": "0.3.1", "installed": False, "bands": [
        {"from": 0, "label": "weak", "outlook": "unlikely to last"},
        {"from": 40, "label": "middling", "outlook": "roughly even"},
        {"from": 60, "label": "firm", "outlook": "likely to last"}]}
    assert report["bounds"] == {"low": _approx(46.16), "high": _approx(56.16)}  # treaty_signed alone is unknown
    assert report["gaps"] == [{"fact": "treaty_signed", "low": _approx(46.16), "high": _approx(56.16),
                               "bands": ["middling"]}]


def test_score_json_one_case_is_one_object() -> None:
    report = score_json(ALPHA, "--rules", PACT_RULES)
    assert isinstance(report, dict)
    assert validate_report(report) == []
    assert report["case"] == "alpha"
    assert report["title"] == "Alpha and Beta in 2021"
    assert_pact_head(report)
    assert report["as_of"] == "2021-06-30"
    assert report["score"] == _approx(46.16)
    assert report["band"] == {"label": "middling", "outlook": "roughly even"}
    assert report["coverage"] == _approx(0.8)
    assert [c["rule"] for c in report["contributions"]] == ["embargo", "tariffs", "hedge"]  # |points| desc
    assert {c["rule"]: c["points"] for c in report["contributions"]} == {
        rule: _approx(points) for rule, points in ALPHA_POINTS.items()}
    embargo = {key: value for key, value in report["contributions"][0].items()
               if key not in ("evidence", "weight_range")}
    assert embargo == {
        "rule": "embargo", "title": "Arms embargo", "category": "arms", "effect": "weakens", "weight": 6,
        "fired": True, "degree": 1.0, "confidence": _approx(0.48), "decay": 1.0, "points": _approx(-5.76),
        "because": "Alpha embargoes arms while the press is cool.",
        "facts": {"arms_embargo": True, "press_tone": "cool"}, "sources": ["wire"]}
    hedge = report["contributions"][2]
    assert (hedge["decay"], hedge["facts"]) == (_approx(0.5), {"rivals_courted": ["east", "south"]})
    assert report["contributions"][1]["degree"] == _approx(0.4)
    assert [(n["rule"], n["missing"]) for n in report["not_evaluated"]] == [("treaty", ["treaty_signed"])]
    assert [w.split(":")[0] for w in report["warnings"]] == ["future", "ungraded", "unsourced", "ungraded"]
    assert report["score"] - 50 == _approx(sum(c["points"] for c in report["contributions"]))


def test_score_json_numbers_are_not_rounded(tmp_path: Path) -> None:
    # the JSON holds exactly the floats the scoring computed (46.16 is 46.160000000000004 in binary)
    pack = engine.load_pack(PACT_RULES)
    result = engine.assess(engine.load_case(ALPHA, pack), engine.compile_pack(pack))
    report = score_json(ALPHA, "--rules", PACT_RULES)
    assert report == json.loads(json.dumps(engine.to_dict(result)))
    assert report["score"] == result.score
    assert report["coverage"] == result.coverage
    assert [c["points"] for c in report["contributions"]] == [c.points for c in result.contributions]
    assert [c["confidence"] for c in report["contributions"]] == [c.confidence for c in result.contributions]
    # thirds: one rule of weight 1 fires in a pack of W = 3 -> points 50 / 3, score 50 + 50 / 3, coverage 1 / 3
    write_yaml(tmp_path / "pack" / "pack.yaml", {"pack": "thirds", "version": "1.0.0", "roles": ["a", "b"],
                                                 "bands": [{"from": 0, "label": "one"}]})
    write_yaml(tmp_path / "pack" / "facts.yaml", {"facts": {"f": {"type": "boolean"}, "g": {"type": "boolean"}}})
    for rule_id, fact in (("r1", "f"), ("r2", "g"), ("r3", "g")):
        write_yaml(tmp_path / "pack" / f"{rule_id}.yaml", {"id": rule_id, "title": rule_id, "category": "c",
                                                          "effect": "strengthens", "weight": 1,
                                                          "when": {"fact": fact}})
    case = write_yaml(tmp_path / "case.yaml", {"case": "thirds", "title": "Thirds", "as_of": "2020-01-01",
                                               "parties": {"a": "A", "b": "B"}, "facts": {"f": True}})
    thirds = score_json(case, "--rules", tmp_path / "pack")
    points = thirds["contributions"][0]["points"]
    assert points == pytest.approx(50 / 3, rel=1e-15)
    assert thirds["score"] == pytest.approx(50 + 50 / 3, rel=1e-15)
    assert thirds["coverage"] == pytest.approx(1 / 3, rel=1e-15)
    assert all(points != round(points, digits) for digits in range(11))
    assert all(thirds["coverage"] != round(thirds["coverage"], digits) for digits in range(11))


def test_score_several_cases_is_an_array(pact: Path) -> None:
    beta = yaml.safe_load((pact / "cases" / "alpha.yaml").read_text())
    beta.update(case="beta", title="Beta alone", facts={"tariff_cuts": 10, "treaty_signed": "2020-01-01"})
    write_yaml(pact / "cases" / "beta.yaml", beta)
    reports = score_json(pact / "cases" / "beta.yaml", pact / "cases" / "alpha.yaml", "--rules", pact / "rules")
    assert isinstance(reports, list)
    assert [r["case"] for r in reports] == ["beta", "alpha"]       # in the order given
    assert all(validate_report(r) == [] for r in reports)
    # beta: tariffs 50 x 10 x 1 x 0.5 (unsourced) / 25 = 10; treaty degree 1 (at `to`), 50 x 5 x 0.5 / 25 = 5
    assert reports[0]["score"] == _approx(65.0)
    assert reports[0]["band"]["label"] == "firm"
    assert reports[1]["score"] == _approx(46.16)


def test_score_markdown() -> None:
    result = invoke("score", ALPHA, "--rules", PACT_RULES, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("#")
    assert "Alpha and Beta in 2021" in out
    assert "46.2" in out and "middling" in out
    lines = out.splitlines()
    start = lines.index("| points | rule | weight | degree | confidence | decay | reason |")
    rows = lines[start:start + 6]
    assert rows[1].startswith("|---") and lines[start + 5] == ""  # header, separator, one row per evaluated rule
    for rule, because in (("embargo", "Alpha embargoes arms while the press is cool."),
                          ("tariffs", "Alpha cut 4 tariff lines for Beta."), ("hedge", "Beta courts east, south.")):
        assert any(rule in row and because in row for row in rows)
    assert "treaty" in out and "treaty_signed" in out


def test_score_markdown_and_text_of_several_cases(pact: Path) -> None:
    case = pact / "cases" / "alpha.yaml"
    for output in ("text", "markdown"):
        result = invoke("score", case, case, "--rules", pact / "rules", "--format", output)
        assert result.exit_code == 0
        assert result.stdout.count("Alpha and Beta in 2021") == 2


@pytest.mark.parametrize(("as_of", "score", "fired"), [
    # arms_embargo: the 2022-01-01 `false` is now in use -> embargo evaluated, not fired;
    # hedge: 581 days old -> t = 0.5 ^ (581 / 365); points = 50 x -4 x 0.8 x t / 25
    ("2022-02-01", 50 + 5.12 - 6.4 * 0.5 ** (581 / 365), {"tariffs": True, "hedge": True, "embargo": False}),
    # tariff_cuts (2021-01-01) and rivals_courted (2020-06-30) are in the future: only embargo is evaluated,
    # on the 2019 `false` -> no points at all
    ("2020-01-01", 50.0, {"embargo": False}),
    # the 2021-03-01 `true` holds from its own date on
    ("2021-03-01", None, {"embargo": True, "tariffs": True, "hedge": True}),
])
def test_as_of_changes_the_observation_in_use(as_of: str, score: float | None, fired: dict[str, bool]) -> None:
    report = score_json(ALPHA, "--rules", PACT_RULES, "--as-of", as_of)
    assert report["as_of"] == as_of
    assert {c["rule"]: c["fired"] for c in report["contributions"]} == fired
    if score is not None:
        assert report["score"] == _approx(score)
    assert validate_report(report) == []


def test_as_of_coverage_and_missing_facts() -> None:
    report = score_json(ALPHA, "--rules", PACT_RULES, "--as-of", "2020-01-01")
    assert report["coverage"] == _approx(6 / 25)
    missing = {n["rule"]: set(n["missing"]) for n in report["not_evaluated"]}
    assert missing == {"tariffs": {"tariff_cuts"}, "treaty": {"treaty_signed"},
                       "hedge": {"rivals_courted", "loan_share"}}
    # the 2022 observation lies after the case's own date (a warning of its own); three are replayed away
    assert sum(w.startswith("future:") for w in report["warnings"]) == 1
    assert [w for w in report["warnings"] if w.startswith("as-of:")] == [
        "as-of: assessed as of 2020-01-01, before the case's date 2021-06-30: 3 later observation(s) are ignored"]


# --- the JSON report's order and null fields (section 6), on a pack written here -------------------

def _ordering_pack(root: Path) -> Path:
    write_yaml(root / "pack.yaml", {"pack": "order", "version": "2.0.0", "roles": ["big", "small"],
                                    "bands": [{"from": 0, "label": "all", "outlook": "n/a"}]})
    write_yaml(root / "facts.yaml", {"facts": {"on": {"type": "boolean"}, "off": {"type": "boolean"},
                                               "count": {"type": "number"}}})
    rules = [  # W = 10 + 10 + 20 + 5 + 30 + 25 = 100
        ("b-tie", "strengthens", 10, {"fact": "on"}),      # +5
        ("a-tie", "weakens", 10, {"fact": "on"}),          # -5: same size as b-tie, so a-tie first
        ("big", "strengthens", 20, {"fact": "on"}),        # +10
        ("z-idle", "weakens", 5, {"fact": "off"}),         # evaluated, not fired: 0 points
        ("c-idle", "strengthens", 30, {"fact": "off"}),    # evaluated, not fired: 0 points
        ("unknown", "strengthens", 25, {"fact": "count", "above": 1}),  # not evaluated
    ]
    for rule_id, effect, weight, when in rules:
        write_yaml(root / f"{rule_id}.yaml", {"id": rule_id, "title": rule_id.title(), "category": "c",
                                             "effect": effect, "weight": weight, "when": when,
                                             "because": "{big} and {small}: {{literal}}"})
    return root


def test_contributions_order_and_fields_of_rules_that_did_not_fire(tmp_path: Path) -> None:
    rules = _ordering_pack(tmp_path / "pack")
    case = write_yaml(tmp_path / "case.yaml", {"case": "order-case", "title": "Order", "as_of": "2024-02-29",
                                               "parties": {"big": "Bigland", "small": "Smallia"},
                                               "facts": {"on": True, "off": False}})
    report = score_json(case, "--rules", rules)
    assert validate_report(report) == []
    assert [c["rule"] for c in report["contributions"]] == ["big", "a-tie", "b-tie", "c-idle", "z-idle"]
    assert [c["points"] for c in report["contributions"]] == [
        _approx(10.0), _approx(-5.0), _approx(5.0), 0, 0]
    idle = report["contributions"][3:]
    assert all(c["fired"] is False and c["because"] is None and c["points"] == 0 for c in idle)
    assert all(c["degree"] == 0 for c in idle)
    assert report["contributions"][0]["because"] == "Bigland and Smallia: {literal}"
    assert [(n["rule"], n["missing"]) for n in report["not_evaluated"]] == [("unknown", ["count"])]
    assert report["score"] == _approx(60.0)              # 50 + 10 - 5 + 5
    assert report["coverage"] == _approx(0.75)           # 75 of 100
    assert report["as_of"] == "2024-02-29"


# --- usage errors: exit 2 --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["2020-13-01", "yesterday", "2020-1-1", "20200101", "2021-02-29", "2021-06-30T00",
                                 "2021-W26-3"])
def test_bad_as_of_is_a_usage_error(bad: str) -> None:
    result = invoke("score", ALPHA, "--rules", PACT_RULES, "--as-of", bad)
    assert result.exit_code == 2
    assert "--as-of" in result.stderr
    assert result.stdout == ""


def test_bad_as_of_in_explain_is_a_usage_error() -> None:
    assert invoke("explain", ALPHA, "--rule", "embargo", "--rules", PACT_RULES, "--as-of", "soon").exit_code == 2


@pytest.mark.parametrize("args", [
    ["score", "no-such-case.yaml", "--rules", str(PACT_RULES)],
    ["explain", "no-such-case.yaml", "--rule", "embargo", "--rules", str(PACT_RULES)],
    ["score", str(ALPHA), "--rules", "no-such-folder"],
    ["score", str(ALPHA), "--rules", str(PACT_RULES), "--format", "yaml"],
    ["score"],
    ["explain", str(ALPHA), "--rules", str(PACT_RULES)],
    ["no-such-command"],
    ["rules", "--rules", str(ALPHA)],
])
def test_wrong_usage_exits_two(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_unknown_rule_in_explain_suggests_the_closest() -> None:
    result = invoke("explain", ALPHA, "--rule", "embargoes", "--rules", PACT_RULES)
    assert result.exit_code == 2
    assert "embargoes" in result.stderr
    assert "did you mean 'embargo'" in result.stderr


# --- invalid input: exit 1 -------------------------------------------------------------------------

def test_score_of_an_invalid_case_exits_one_with_located_problems(pact: Path) -> None:
    case = pact / "cases" / "alpha.yaml"
    case.write_text(case.read_text().replace("press_tone: cool", "press_tone: cold\n  tarif_cuts: 1"))
    result = invoke("score", case, "--rules", pact / "rules", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = [line for line in problem_lines(result.stderr) if ": error[" in line]
    assert any(":15:15: error[value]" in line and "cold" in line for line in errors)
    assert any(":16:3: error[unknown-fact]" in line and "did you mean 'tariff_cuts'" in line for line in errors)


def test_score_against_an_invalid_pack_exits_one(pact: Path) -> None:
    rule = pact / "rules" / "core" / "tariffs.yaml"
    rule.write_text(rule.read_text().replace("at_least: 1", "at_least: one"))
    result = invoke("score", pact / "cases" / "alpha.yaml", "--rules", pact / "rules")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert any("tariffs.yaml:" in line and ": error[" in line for line in problem_lines(result.stderr))


# --- validate ---------------------------------------------------------------------------------------

def test_validate_a_pack_folder() -> None:
    result = invoke("validate", PACT_RULES)
    assert result.exit_code == 0
    assert "ok" in result.stdout and "1 pack" in result.stdout and "0 case" in result.stdout


def test_validate_a_case_folder_against_rules() -> None:
    result = invoke("validate", PACT / "cases", "--rules", PACT_RULES)
    assert result.exit_code == 0
    assert "1 case" in result.stdout
    assert result.stderr.count("warning[future]") == 1       # warnings are shown but are not errors


def test_validate_a_case_file_and_a_pack_together() -> None:
    result = invoke("validate", PACT_RULES, ALPHA, "--rules", PACT_RULES)
    assert result.exit_code == 0
    assert "1 pack" in result.stdout and "1 case" in result.stdout


def test_validate_reports_every_problem_and_exits_one(pact: Path) -> None:
    (pact / "rules" / "core" / "tariffs.yaml").write_text(
        (pact / "rules" / "core" / "tariffs.yaml").read_text().replace("fact: tariff_cuts, at_least",
                                                                       "fact: tarif_cuts, at_least"))
    (pact / "rules" / "hedge.yml").write_text((pact / "rules" / "hedge.yml").read_text().replace("weight: 4",
                                                                                                   "weight: 400"))
    result = invoke("validate", pact / "rules")
    assert result.exit_code == 1
    errors = [line for line in problem_lines(result.stderr) if ": error[" in line]
    assert any(line.startswith(str(pact / "rules" / "core" / "tariffs.yaml") + ":")
               and "error[unknown-fact]" in line and "tariff_cuts" in line for line in errors)
    assert any("hedge.yml:" in line and "error[weight]" in line for line in errors)
    assert "ok:" not in result.stdout


def test_validate_an_invalid_case_folder_exits_one(pact: Path) -> None:
    bad = pact / "cases" / "sub" / "bad.yaml"
    write_yaml(bad, {"case": "bad", "title": "Bad", "as_of": "2021-01-01", "parties": {"lead": "A", "boss": "B"},
                     "facts": {}})
    result = invoke("validate", pact / "cases", "--rules", pact / "rules")
    assert result.exit_code == 1
    errors = [line for line in problem_lines(result.stderr) if ": error[" in line]
    assert errors and all("bad.yaml:" in line for line in errors)
    assert any("error[role]" in line for line in errors)


def test_validate_with_no_path_checks_rules_and_cases(pact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(pact)
    result = invoke("validate")
    assert result.exit_code == 0
    assert "1 pack" in result.stdout and "1 case" in result.stdout


def test_validate_yaml_syntax_error(pact: Path) -> None:
    (pact / "cases" / "broken.yaml").write_text("case: broken\ntitle: [unclosed\n")
    result = invoke("validate", pact / "cases" / "broken.yaml", "--rules", pact / "rules")
    assert result.exit_code == 1
    assert any("broken.yaml:" in line and "error[yaml-syntax]" in line for line in problem_lines(result.stderr))


# --- test -------------------------------------------------------------------------------------------

def test_test_passes() -> None:
    result = invoke("test", "--rules", PACT_RULES)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "8 passed, 0 failed"
    assert result.stderr == ""


def test_test_fails_on_a_failing_example(pact: Path) -> None:
    rule = pact / "rules" / "core" / "tariffs.yaml"
    rule.write_text(rule.read_text().replace("degree: 0.5", "degree: 0.6").replace(
        "{facts: {tariff_cuts: 0}, fires: false}", "{facts: {tariff_cuts: 0}, fires: true}"))
    result = invoke("test", "--rules", pact / "rules")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "6 passed, 2 failed"
    failures = [line for line in problem_lines(result.stderr) if "tariffs.yaml:" in line]
    assert len(failures) == 2


def test_test_with_an_unknown_example_reports_it(pact: Path) -> None:
    # an example that leaves the condition's fact unstated: the rule is not evaluated, so it cannot fire
    rule = pact / "rules" / "treaty.yaml"
    rule.write_text(rule.read_text().replace("{facts: {treaty_signed: 2010-01-01}, fires: false}",
                                             "{facts: {}, fires: true}"))
    result = invoke("test", "--rules", pact / "rules")
    assert result.exit_code == 1
    assert "7 passed, 1 failed" in result.stdout


def test_test_against_an_invalid_pack_exits_one(pact: Path) -> None:
    (pact / "rules" / "pack.yaml").write_text("pack: x\n")
    result = invoke("test", "--rules", pact / "rules")
    assert result.exit_code == 1
    assert any("pack.yaml:1:1: error[required]" in line for line in problem_lines(result.stderr))


# --- help and version --------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["score", "validate", "test", "rules", "explain"])
def test_every_command_has_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--rules" in result.stdout


def test_top_level_help_lists_the_commands() -> None:
    out = invoke("--help").stdout
    assert all(command in out for command in ("score", "validate", "test", "rules", "explain"))


def test_version() -> None:
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0
    assert version("alliance-durability") in result.stdout


# --- rules ------------------------------------------------------------------------------------------

def test_rules_lists_the_pack() -> None:
    result = invoke("rules", "--rules", PACT_RULES)
    assert result.exit_code == 0
    out = result.stdout
    assert "trade-pact" in out and "0.3.1" in out and "25" in out
    for rule_id, category, effect, weight, title in [
            ("embargo", "arms", "weakens", "6", "Arms embargo"),
            ("tariffs", "money", "strengthens", "10", "Tariff cuts bind the follower"),
            ("treaty", "money", "strengthens", "5", "A recent treaty"),
            ("hedge", "mood", "weakens", "4", "Follower courts rivals")]:
        line = next(line for line in out.splitlines() if line.split()[:1] == [rule_id])
        assert line.split()[1:4] == [category, effect, weight]
        assert line.endswith(title)


# --- explain ----------------------------------------------------------------------------------------

def _line(out: str, head: str, *parts: str) -> str:
    """The first line of `out` that starts (after its indent) with `head` and holds every one of `parts`."""
    found = [line for line in out.splitlines() if line.strip().startswith(head) and all(p in line for p in parts)]
    assert found, f"no line starting with {head!r} and holding {parts} in:\n{out}"
    return found[0]


def test_explain_shows_each_leaf_and_its_truth() -> None:
    result = invoke("explain", ALPHA, "--rule", "embargo", "--rules", PACT_RULES)
    assert result.exit_code == 0
    out = result.stdout
    assert _line(out, "when").rstrip().endswith("true")
    assert _line(out, "all").rstrip().endswith("true")
    assert _line(out, "arms_embargo").rstrip().endswith("true")
    assert _line(out, "press_tone", "warm").rstrip().endswith("false")
    assert _line(out, "not").rstrip().endswith("true")
    assert "cool" in _line(out, "press_tone", "warm")        # the value in use is shown
    assert "1" in _line(out, "degree")
    assert "0.48" in _line(out, "confidence")
    assert "1" in _line(out, "decay")
    assert "-5.76" in _line(out, "points")
    assert "Alpha embargoes arms while the press is cool." in out


def test_explain_shows_unknown_leaves_degree_and_decay() -> None:
    hedge = invoke("explain", ALPHA, "--rule", "hedge", "--rules", PACT_RULES).stdout
    assert _line(hedge, "loan_share").rstrip().endswith("unknown")
    assert _line(hedge, "rivals_courted", "east").rstrip().endswith("true")
    assert _line(hedge, "any").rstrip().endswith("true")
    assert "0.5" in _line(hedge, "decay")
    assert "365" in hedge
    assert "-3.2" in _line(hedge, "points")
    tariffs = invoke("explain", ALPHA, "--rule", "tariffs", "--rules", PACT_RULES).stdout
    assert "0.4" in _line(tariffs, "degree")
    assert "0.64" in _line(tariffs, "confidence")
    assert "5.12" in _line(tariffs, "points")


def test_explain_a_rule_that_is_not_evaluated() -> None:
    result = invoke("explain", ALPHA, "--rule", "treaty", "--rules", PACT_RULES)
    assert result.exit_code == 0
    assert _line(result.stdout, "treaty_signed").rstrip().endswith("unknown")
    assert "not evaluated" in result.stdout


def test_explain_with_as_of() -> None:
    out = invoke("explain", ALPHA, "--rule", "embargo", "--rules", PACT_RULES, "--as-of", "2022-02-01").stdout
    assert "2022-02-01" in out
    assert _line(out, "arms_embargo").rstrip().endswith("false")
    assert _line(out, "when").rstrip().endswith("false")


# --- the --rules default ------------------------------------------------------------------------------

def test_rules_default_is_the_local_rules_folder(pact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(pact)
    report = score_json("cases/alpha.yaml")
    assert_pact_head(report)
    assert report["score"] == _approx(46.16)
    assert "trade-pact" in invoke("rules").stdout
    assert invoke("test").exit_code == 0


def test_rules_default_is_the_bundled_pack_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_rules().resolve() == bundled_pack().resolve()
    result = invoke("rules")
    assert result.exit_code == 0
    assert "trade-pact" not in result.stdout


def test_a_rules_folder_without_pack_yaml_is_not_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules").mkdir()
    write_yaml(tmp_path / "rules" / "facts.yaml", {"facts": {}})
    monkeypatch.chdir(tmp_path)
    assert default_rules().resolve() == bundled_pack().resolve()
    assert invoke("rules").exit_code == 0


# --- the installed command -----------------------------------------------------------------------------

def _installed() -> Path:
    script = Path(sys.executable).parent / ("durability.exe" if sys.platform == "win32" else "durability")
    if not script.exists():
        pytest.fail(f"the durability command is not installed next to {sys.executable}")
    return script


COMMANDS = {"durability": lambda: [str(_installed())], "python -m engine": lambda: [sys.executable, "-m", "engine"]}


def _run(command: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMANDS[command](), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_installed_score_json(command: str, tmp_path: Path) -> None:
    done = _run(command, "score", ALPHA, "--rules", PACT_RULES, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert validate_report(report) == []
    assert report["score"] == _approx(46.16)
    assert [c["rule"] for c in report["contributions"]] == ["embargo", "tariffs", "hedge"]
    assert all(PROBLEM_LINE.match(line) for line in done.stderr.splitlines())


@pytest.mark.parametrize("command", list(COMMANDS))
def test_installed_validate(command: str, tmp_path: Path, pact: Path) -> None:
    done = _run(command, "validate", PACT_RULES, PACT / "cases", "--rules", PACT_RULES, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout
    (pact / "cases" / "alpha.yaml").write_text("case: alpha\ncase: again\n")
    bad = _run(command, "validate", pact / "cases", "--rules", PACT_RULES, cwd=tmp_path)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert any("alpha.yaml:2:1: error[duplicate-key]" in line for line in bad.stderr.splitlines())


@pytest.mark.parametrize("command", list(COMMANDS))
def test_installed_usage_error(command: str, tmp_path: Path) -> None:
    done = _run(command, "score", ALPHA, "--rules", PACT_RULES, "--as-of", "2021-02-30", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_installed_default_rules_from_an_empty_folder(tmp_path: Path) -> None:
    done = _run("durability", "rules", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
