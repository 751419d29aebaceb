"""The round-2 commands through the real CLI: score on folders (jsonl, --jobs, --keep-going, --set),
compare, timeline, backtest, calibrate, facts, rules --format json, new case, validate's band check,
and output errors. The pact test pack (tests/packs/pact) and packs written to tmp_path."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import support
import yaml
from click.testing import Result
from support import ALPHA, PACT, PACT_RULES, write_yaml

import engine
from engine.analysis import scoring
from engine.analysis.scoring import Job, score_files
from engine.core.compile import compile_pack
from engine.reports.registry import Style

REPO = Path(__file__).resolve().parent.parent
HISTORY = REPO / "cases" / "iran-russia-history.yaml"
RULES = REPO / "rules"


def invoke(*args: str | Path, code: int = 0) -> Result:
    """The shared invoker, expecting exit status 0 unless told otherwise."""
    return support.invoke(*args, code=code)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """A folder of pact cases: alpha, a copy at a later date, and one in a sub-folder."""
    folder = tmp_path / "cases"
    (folder / "sub").mkdir(parents=True)
    text = ALPHA.read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text.replace("case: alpha", "case: a"), encoding="utf-8")
    (folder / "b.yml").write_text(text.replace("case: alpha", "case: b").replace("as_of: 2021-06-30",
                                                                                  "as_of: 2021-09-30"),
                                  encoding="utf-8")
    (folder / "sub" / "c.yaml").write_text(text.replace("case: alpha", "case: c"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a case", encoding="utf-8")
    return folder


# --- score on folders ------------------------------------------------------------------------------

def test_a_folder_means_every_yaml_file_under_it_in_path_order(cases: Path) -> None:
    lines = invoke("score", cases, "--rules", PACT_RULES, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["case"] for line in lines] == ["a", "b", "c"]
    single = [json.loads(invoke("score", cases / name, "--rules", PACT_RULES, "--format", "json").stdout)
              for name in ("a.yaml", "b.yml", "sub/c.yaml")]
    assert [json.loads(line) for line in lines] == single


def test_jobs_give_the_same_bytes_as_one_job(cases: Path) -> None:
    for output in ("jsonl", "json", "text", "markdown"):
        one = invoke("score", cases, "--rules", PACT_RULES, "--format", output).stdout
        assert invoke("score", cases, "--rules", PACT_RULES, "--format", output, "--jobs", "2").stdout == one
        assert invoke("score", cases, "--rules", PACT_RULES, "--format", output, "--jobs", "0").stdout == one


def test_json_of_several_cases_is_an_array_of_the_single_reports(cases: Path) -> None:
    data = json.loads(invoke("score", cases, "--rules", PACT_RULES, "--format", "json").stdout)
    assert isinstance(data, list) and [d["case"] for d in data] == ["a", "b", "c"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_file_scores_nothing_unless_keep_going(cases: Path, jobs: str) -> None:
    (cases / "bad.yaml").write_text("case: bad\ntitle: [\n", encoding="utf-8")
    stopped = invoke("score", cases, "--rules", PACT_RULES, "--format", "jsonl", "--jobs", jobs, code=1)
    assert stopped.stdout == "" and "bad.yaml:" in stopped.stderr and "error[yaml-syntax]" in stopped.stderr
    going = invoke("score", cases, "--rules", PACT_RULES, "--format", "jsonl", "--keep-going", "--jobs", jobs,
                   code=1)
    assert [json.loads(line)["case"] for line in going.stdout.splitlines()] == ["a", "b", "c"]
    assert "error[yaml-syntax]" in going.stderr


def test_an_all_or_nothing_run_reads_each_file_once_and_scores_nothing_after_an_error(
        cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    scored: list[str] = []
    check_case, assess = scoring.check_case, scoring.assess
    monkeypatch.setattr(scoring, "check_case", lambda path, *more: read.append(path.name) or check_case(path, *more))
    monkeypatch.setattr(scoring, "assess", lambda case, *more: scored.append(case.id) or assess(case, *more))
    clean = invoke("score", cases, "--rules", PACT_RULES, "--format", "jsonl")
    assert read == ["a.yaml", "b.yml", "c.yaml"] and scored == ["a", "b", "c"]
    assert [json.loads(line)["case"] for line in clean.stdout.splitlines()] == ["a", "b", "c"]
    read.clear(), scored.clear()
    (cases / "b.yml").write_text("case: b\ntitle: [\n", encoding="utf-8")
    stopped = invoke("score", cases, "--rules", PACT_RULES, "--format", "jsonl", code=1)
    assert stopped.stdout == "" and "b.yml:3:1: error[yaml-syntax]" in stopped.stderr
    assert read == ["a.yaml", "b.yml", "c.yaml"] and scored == ["a"]  # c is checked, not scored


def test_more_chunks_than_the_window_keep_their_order_and_stop_at_an_error(tmp_path: Path) -> None:
    """Twelve files in two jobs: twelve chunks through a window of four, so results are read while
    later chunks are still being sent."""
    text = ALPHA.read_text(encoding="utf-8")
    for index in range(12):
        (tmp_path / f"c{index:02d}.yaml").write_text(text.replace("case: alpha", f"case: c{index:02d}"),
                                                    encoding="utf-8")
    one = invoke("score", tmp_path, "--rules", PACT_RULES, "--format", "jsonl").stdout
    assert [json.loads(line)["case"] for line in one.splitlines()] == [f"c{i:02d}" for i in range(12)]
    assert invoke("score", tmp_path, "--rules", PACT_RULES, "--format", "jsonl", "--jobs", "2").stdout == one
    (tmp_path / "c09.yaml").write_text("case: c09\ntitle: [\n", encoding="utf-8")
    stopped = invoke("score", tmp_path, "--rules", PACT_RULES, "--format", "jsonl", "--jobs", "2", code=1)
    assert stopped.stdout == "" and stopped.stderr.count("error[") == 1 and "c09.yaml:3:1:" in stopped.stderr


def test_scoring_streams_the_first_case_before_the_last_is_read(cases: Path) -> None:
    """With one job the outcomes are computed one by one, as they are asked for: a file removed after the
    first outcome came back is found missing, so it had not been read."""
    files = [cases / "a.yaml", cases / "b.yml", cases / "sub" / "c.yaml"]
    outcomes = score_files(Job(PACT_RULES.as_posix(), "jsonl", Style(), None), files)
    first = next(outcomes)
    assert json.loads(first.part)["case"] == "a"
    (cases / "sub" / "c.yaml").unlink()
    rest = list(outcomes)
    assert rest[0].part is not None and rest[1].part is None
    assert [p.code for p in rest[1].problems] == ["file"]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="only a forked worker inherits the pack")
def test_a_forked_worker_scores_with_the_parents_pack(cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack is loaded once, by the caller: a worker that loaded it again would fail here."""
    files = [cases / "a.yaml", cases / "b.yml", cases / "sub" / "c.yaml"]
    job = Job(PACT_RULES.as_posix(), "jsonl", Style(), None)
    expected = [outcome.part for outcome in score_files(job, files)]
    compiled = compile_pack(engine.load_pack(PACT_RULES))

    def refused(folder: object) -> None:
        raise AssertionError(f"the pack {folder} was loaded again")

    monkeypatch.setattr(scoring, "load_pack", refused)
    assert [outcome.part for outcome in score_files(job, files, 2, compiled)] == expected
    assert scoring._parent_pack is None  # not kept once the run is over


def test_set_states_a_fact_hypothetically(tmp_path: Path) -> None:
    report = json.loads(invoke("score", ALPHA, "--rules", PACT_RULES, "--format", "json",
                               "--set", "treaty_signed=2021-01-15", "--set", "press_tone=warm").stdout)
    assert report["hypothetical"] == {"press_tone": "warm", "treaty_signed": "2021-01-15"}
    treaty = next(c for c in report["contributions"] if c["rule"] == "treaty")
    assert treaty["confidence"] == 1.0 and treaty["decay"] == 1.0
    assert not any(n["rule"] == "treaty" for n in report["not_evaluated"])
    bad = invoke("score", ALPHA, "--rules", PACT_RULES, "--set", "treaty_signed=maybe", "--set", "nope=1",
                 "--set", "noequals", "--set", "tariff_cuts=many", code=1)
    assert bad.stdout == ""
    assert sorted(line.split(": ")[1] for line in bad.stderr.splitlines()) == [
        "error[date]", "error[type-mismatch]", "error[unknown-fact]", "error[value]"]


# --- compare and timeline --------------------------------------------------------------------------

def test_compare_two_cases_attributes_the_delta_to_rules(cases: Path) -> None:
    data = json.loads(invoke("compare", cases / "a.yaml", cases / "b.yml", "--rules", PACT_RULES,
                             "--format", "json").stdout)
    assert data["delta"] == data["to"]["score"] - data["from"]["score"]
    assert math.fsum(c["delta"] for c in data["changes"]) == pytest.approx(data["delta"], abs=1e-9)
    keys = [(-abs(c["delta"]), c["rule"]) for c in data["changes"]]
    assert keys == sorted(keys) and keys
    for change in data["changes"]:
        assert change["delta"] == change["to"] - change["from"]


def test_compare_one_case_at_two_dates() -> None:
    data = json.loads(invoke("compare", HISTORY, "--from", "2015-08-31", "--format", "json").stdout)
    assert (data["from"]["as_of"], data["to"]["as_of"]) == ("2015-08-31", "2025-07-31")
    before = json.loads(invoke("score", HISTORY, "--as-of", "2015-08-31", "--format", "json").stdout)
    assert data["from"] == before
    text = invoke("compare", HISTORY, "--from", "2015-08-31", "--to", "2020-09-12").stdout
    assert "moved: " in text and "2015-08-31 to" in text


@pytest.mark.parametrize("args", [["A", "B", "--from", "2020-01-01"], ["A"], ["A", "--as-of", "2020-01-01",
                                                                                 "--from", "2019-01-01"]])
def test_compare_usage_errors(args: list[str]) -> None:
    paths = [str(ALPHA) if a in ("A", "B") else a for a in args]
    assert invoke("compare", *paths, "--rules", PACT_RULES, code=2).stdout == ""


def test_each_timeline_entry_is_the_score_at_that_date() -> None:
    entries = json.loads(invoke("timeline", HISTORY, "--format", "json").stdout)
    case = engine.load_case(HISTORY, engine.load_pack(RULES))
    assert [e["as_of"] for e in entries] == sorted({o.observed.isoformat() for h in case.facts.values() for o in h
                                                    if o.observed and o.observed <= case.as_of}
                                                   | {case.as_of.isoformat()})
    previous: dict[str, float] = {}
    for entry in entries[::9] + entries[-1:]:
        report = json.loads(invoke("score", HISTORY, "--as-of", entry["as_of"], "--format", "json").stdout)
        assert (entry["score"], entry["band"], entry["coverage"]) == (report["score"], report["band"],
                                                                     report["coverage"])
        assert entry["bounds"] == report["bounds"]
    for entry in entries:
        points = previous.copy()
        for change in entry["changes"]:
            points[change["rule"]] = points.get(change["rule"], 0.0) + change["delta"]
        assert 50 + math.fsum(points.values()) == pytest.approx(entry["score"], abs=1e-9)
        previous = points


def test_timeline_within_dates_and_formats() -> None:
    entries = json.loads(invoke("timeline", HISTORY, "--from", "2020-01-01", "--to", "2021-12-31",
                                "--format", "json").stdout)
    assert entries and all("2020-01-01" <= e["as_of"] <= "2021-12-31" for e in entries)
    assert "Timeline:" in invoke("timeline", HISTORY, "--from", "2020-01-01", "--to", "2021-12-31").stdout
    assert invoke("timeline", HISTORY, "--from", "2030-01-01", code=2).stdout == ""


# --- backtest and calibrate ------------------------------------------------------------------------

def _outcomes(tmp_path: Path, entries: dict[str, Any]) -> Path:
    return write_yaml(tmp_path / "outcomes.yaml", entries)


def test_backtest_reports_the_contract_figures(cases: Path, tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, {"a": {"outcome": "held"}, "b": {"outcome": "broke", "break_date": "2022-01-01"},
                                    "c": {"outcome": "broke"}, "zzz": {"outcome": "held"}})
    data = json.loads(invoke("backtest", cases, "--outcomes", outcomes, "--rules", PACT_RULES,
                             "--format", "json").stdout)
    assert (data["cases"], data["held"], data["broke"], data["base_rate"]) == (3, 1, 2, 1 / 3)
    scores = {r["case"]: r["score"] for r in data["results"]}
    wins = [1.0 if scores["a"] > scores[x] else 0.5 if scores["a"] == scores[x] else 0.0 for x in ("b", "c")]
    assert data["auc"] == sum(wins) / 2
    assert data["brier"] is None and data["log_loss"] is None  # the pact pack has no calibration
    assert [r["case"] for r in data["results"]] == ["a", "b", "c"]
    assert "auc" in invoke("backtest", cases, "--outcomes", outcomes, "--rules", PACT_RULES).stdout.lower()


def test_backtest_needs_an_outcome_for_every_case(cases: Path, tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, {"a": {"outcome": "held"}})
    result = invoke("backtest", cases, "--outcomes", outcomes, "--rules", PACT_RULES, code=1)
    assert result.stdout == "" and result.stderr.count("error[required]") == 2


def test_calibrate_writes_only_when_asked_and_only_the_calibration(cases: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pact-rules"
    shutil.copytree(PACT_RULES, pack)
    before = (pack / "pack.yaml").read_bytes()
    outcomes = _outcomes(tmp_path, {"a": {"outcome": "held"}, "b": {"outcome": "broke"}, "c": {"outcome": "held"}})
    shown = invoke("calibrate", cases, "--outcomes", outcomes, "--rules", pack).stdout
    assert "intercept" in shown and (pack / "pack.yaml").read_bytes() == before
    invoke("calibrate", cases, "--outcomes", outcomes, "--rules", pack, "--write")
    after = (pack / "pack.yaml").read_bytes()
    assert after.startswith(before.rstrip(b"\n")) and b"calibration:" in after[len(before) - 1:]
    assert engine.load_pack(pack).calibration is not None
    again = invoke("calibrate", cases, "--outcomes", outcomes, "--rules", pack, "--write", code=1)
    assert len(again.stderr.strip().splitlines()) == 1
    invoke("calibrate", cases, "--outcomes", outcomes, "--rules", pack, "--write", "--force")
    report = json.loads(invoke("score", cases / "a.yaml", "--rules", pack, "--format", "json").stdout)
    assert {"endures", "low", "high", "term", "horizon_years"} == set(report["probability"])


def test_the_bundled_library_backtests(tmp_path: Path) -> None:
    data = json.loads(invoke("backtest", REPO / "cases" / "history", "--outcomes", REPO / "outcomes" / "history.yaml",
                             "--rules", RULES, "--format", "json").stdout)
    assert data["cases"] >= 40 and abs(data["held"] - data["broke"]) <= 4
    assert data["auc"] >= 0.8 and data["brier"] < 0.2  # what rules/README.md reports, with some room


# --- vocabulary, scaffold, validate ----------------------------------------------------------------

def test_facts_and_rules_as_json() -> None:
    facts = json.loads(invoke("facts", "--rules", PACT_RULES, "--format", "json").stdout)
    assert {f["name"] for f in facts} == set(engine.load_pack(PACT_RULES).facts)
    rules = json.loads(invoke("rules", "--rules", PACT_RULES, "--format", "json").stdout)
    embargo = next(r for r in rules if r["id"] == "embargo")
    assert set(embargo["facts"]) == {"arms_embargo", "press_tone"}
    assert "press_tone" in invoke("facts", "--rules", PACT_RULES).stdout


def test_new_case_is_a_valid_file_and_never_overwrites_by_surprise(tmp_path: Path) -> None:
    target = tmp_path / "gamma.yaml"
    invoke("new", "case", "gamma", "--rules", PACT_RULES, "--party", "lead=Gamma", "--out", target)
    invoke("validate", target, "--rules", PACT_RULES)
    refused = invoke("new", "case", "gamma", "--rules", PACT_RULES, "--out", target, code=1)
    assert "exists" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    invoke("new", "case", "gamma", "--rules", PACT_RULES, "--out", target, "--force")
    invoke("new", "case", "Not An Id", "--rules", PACT_RULES, code=2)
    invoke("new", "case", "gamma", "--rules", PACT_RULES, "--party", "broker=X", code=2)
    assert invoke("new", "case", "gamma", "--rules", PACT_RULES).stdout.startswith("#")


def test_validate_warns_of_a_band_no_case_can_reach(tmp_path: Path) -> None:
    pack = tmp_path / "rules"
    shutil.copytree(PACT_RULES, pack)
    settings = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    settings["bands"].append({"from": 95, "label": "unreachable"})
    write_yaml(pack / "pack.yaml", settings)
    result = invoke("validate", pack)
    warning = next(line for line in result.stderr.splitlines() if "warning[band]" in line)
    assert "'unreachable' can never be reached" in warning and warning.startswith(f"{pack.as_posix()}/pack.yaml:")
    assert "1 warning(s)" in result.stdout


def test_validate_on_a_rule_file_validates_its_pack() -> None:
    result = invoke("validate", PACT_RULES / "treaty.yaml")
    assert result.stderr == "" and result.stdout.startswith("ok: 1 pack(s), 0 case(s)")


# --- output ----------------------------------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_output_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "engine", "score", str(ALPHA), "--rules", str(PACT_RULES)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 1
    problems = [line for line in done.stderr.splitlines() if "error[" not in line and "warning[" not in line]
    assert problems == ["durability: cannot write the output: No space left on device"]


def test_html_is_offered_and_self_contained() -> None:
    page = invoke("score", ALPHA, "--rules", PACT_RULES, "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page and "<script" not in page
    assert PACT.is_dir()


def test_honest_defaults_warn(tmp_path: Path) -> None:
    """A case whose id is not its file's name, and an --as-of after the case's own date, are warned of."""
    renamed = tmp_path / "renamed.yaml"
    shutil.copy(ALPHA, renamed)
    result = invoke("score", renamed, "--rules", PACT_RULES, "--format", "json")
    assert "warning[case-id]: case id 'alpha' differs from the file name 'renamed'" in result.stderr
    later = json.loads(invoke("score", ALPHA, "--rules", PACT_RULES, "--format", "json",
                              "--as-of", "2030-01-01").stdout)
    assert any(w.startswith("as-of: assessed as of 2030-01-01, after the case's own date") for w in later["warnings"])


# --- batch -----------------------------------------------------------------------------------------

def _table(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "dyads.csv"
    path.write_text("case,lead,follower,as_of,tariff_cuts,arms_embargo,arms_embargo.source\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def test_batch_scores_a_table_like_the_cases_it_stands_for(tmp_path: Path) -> None:
    table = _table(tmp_path, ["a,Alpha,Beta,2021-06-30,4,true,", "b,Gamma,Delta,2021-06-30,,false,"])
    out = tmp_path / "scores.jsonl"
    result = invoke("batch", table, "--out", out, "--rules", PACT_RULES)
    assert "scored 2 row(s)" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["case"] for r in rows] == ["a", "b"]
    case = tmp_path / "a.yaml"
    write_yaml(case, {"case": "a", "title": "a", "parties": {"lead": "Alpha", "follower": "Beta"},
                      "as_of": "2021-06-30", "facts": {"tariff_cuts": 4, "arms_embargo": True}})
    report = json.loads(invoke("score", case, "--rules", PACT_RULES, "--format", "json").stdout)
    assert rows[0]["score"] == report["score"] and rows[0]["coverage"] == report["coverage"]
    assert rows[0]["points.tariffs"] == next(c["points"] for c in report["contributions"] if c["rule"] == "tariffs")
    assert rows[0]["bounds_low"] is None  # asked for with --bounds only
    bounded = tmp_path / "bounded.jsonl"
    invoke("batch", table, "--out", bounded, "--rules", PACT_RULES, "--bounds", "--jobs", "2")
    first = json.loads(bounded.read_text(encoding="utf-8").splitlines()[0])
    assert (first["bounds_low"], first["bounds_high"]) == (report["bounds"]["low"], report["bounds"]["high"])
    again = invoke("batch", table, "--out", out, "--rules", PACT_RULES, code=1)
    assert "already exists" in again.stderr
    for suffix in (".csv", ".parquet"):
        invoke("batch", table, "--out", tmp_path / f"scores{suffix}", "--rules", PACT_RULES, "--jobs", "2")


def test_batch_reports_bad_cells_where_they_are_and_writes_nothing(tmp_path: Path) -> None:
    table = _table(tmp_path, ["a,Alpha,Beta,2021-06-30,many,true,", "b,Gamma,Delta,2021-02-30,1,false,"])
    out = tmp_path / "scores.parquet"
    result = invoke("batch", table, "--out", out, "--rules", PACT_RULES, code=1)
    lines = [line for line in result.stderr.splitlines() if "error[" in line]
    assert [line.split(": ")[0:2] for line in lines] == [[f"{table.as_posix()}:2:5", "error[type-mismatch]"],
                                                         [f"{table.as_posix()}:3:4", "error[date]"]]
    assert not out.exists() and not list(tmp_path.glob(".scores*"))
    kept = invoke("batch", table, "--out", out, "--rules", PACT_RULES, "--keep-going", code=1)
    assert out.exists() and "error[" in kept.stderr


def test_a_large_pack_is_checked_against_its_outer_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past EXACT_UP_TO rules the reachable range is the outer one; a band beyond it still warns."""
    from engine.analysis import reach

    pack = tmp_path / "rules"
    shutil.copytree(PACT_RULES, pack)
    settings = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    settings["bands"].append({"from": 95, "label": "unreachable"})
    write_yaml(pack / "pack.yaml", settings)
    exact = reach.reachable(engine.compile_pack(engine.load_pack(pack)))
    monkeypatch.setattr(reach, "EXACT_UP_TO", 1)
    outer = reach.reachable(engine.compile_pack(engine.load_pack(pack)))
    assert outer.low <= exact.low and exact.high <= outer.high
    assert "warning[band]" in invoke("validate", pack).stderr
