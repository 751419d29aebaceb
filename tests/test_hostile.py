"""Hostile input (issue 4): alias bombs, deep nesting, huge files and arbitrary bytes fail fast and cleanly.

The time bounds are functional, not benchmarks: each file is refused in well under a second, so a
bound of one second only fails when the loader expands, recurses or reads what it must not.
The property tests feed the loaders arbitrary bytes and arbitrary YAML-shaped data and accept only
two outcomes: a model with no error, or no model and a list of problems, each with a code and a
1-based position (or none, for a problem of the whole file). They never set max_examples: the
profile in tests/conftest.py decides how many examples run.
"""

from __future__ import annotations

import copy
import math
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.files.case import check_case
from engine.cli import main
from engine.files.load import MAX_BYTES, MAX_DEPTH, parse, read
from engine.core.model import Pack
from engine.files.pack import check_pack, load_pack
from engine.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"
BASE = BAD / "base"
PACT_RULES = ROOT / "tests" / "packs" / "pact" / "rules"
SECOND = 1.0
HOSTILE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1
    except TypeError:
        return CliRunner()  # click 8.2+ keeps stderr apart by default


def validate(*args: str | Path) -> Result:
    result = _runner().invoke(main, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    return result


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    outcome = action()
    return outcome, time.perf_counter() - start


def assert_located(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.code and problem.code == problem.code.lower() and " " not in problem.code, problem
        assert problem.severity in ("error", "warning"), problem
        assert (problem.line is None) == (problem.column is None), problem
        if problem.line is not None:
            assert isinstance(problem.line, int) and problem.line >= 1, problem
            assert isinstance(problem.column, int) and problem.column >= 1, problem
        assert "\n" not in str(problem) and "\r" not in str(problem), problem


# --- alias bombs ---------------------------------------------------------------------------------

def billion_laughs(levels: int = 9) -> bytes:
    """The classic: each level is nine aliases of the one before, 9 ** levels strings if expanded."""
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("name", "raw"), [
    ("billion-laughs", billion_laughs()),
    ("billion-laughs-30", billion_laughs(30)),
    ("self-alias", b"case: &loop {title: *loop}\n"),
    ("self-alias-list", b"facts: &a [*a, *a, [*a]]\n"),
])
def test_alias_bombs_fail_fast_in_small_memory(name: str, raw: bytes) -> None:
    tracemalloc.start()
    try:
        (document, problems), seconds = timed(lambda: parse(raw, f"{name}.yaml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert document is None
    assert problems and all(p.code == "alias" for p in problems)
    assert_located(problems)
    assert seconds < SECOND
    assert peak < 5 * 1024 * 1024


def test_the_corpus_billion_laughs_fails_fast_through_the_command() -> None:
    result, seconds = timed(lambda: validate("--rules", PACT_RULES, BAD / "cases" / "billion-laughs.yaml"))
    assert result.exit_code == 1
    assert "error[alias]" in result.stderr
    assert seconds < SECOND


# --- depth ---------------------------------------------------------------------------------------

DEEP = 50_000


@pytest.mark.parametrize(("name", "raw"), [
    ("flow-lists", b"case: x\ntitle: " + b"[" * DEEP + b"]" * DEEP + b"\n"),
    ("flow-maps", b"case: x\nfacts: " + b"{a: " * DEEP + b"1" + b"}" * DEEP + b"\n"),
    ("block-lists", b"case: x\ntitle:\n" + b"- " * DEEP + b"deep\n"),
    ("unclosed", b"[" * DEEP),
    ("condition", b"id: deep\nwhen: " + b"{not: " * DEEP + b"{fact: x}" + b"}" * DEEP + b"\n"),
])
def test_a_50000_deep_file_fails_fast_without_recursion(tmp_path: Path, name: str, raw: bytes) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(raw)
    (document, problems), seconds = timed(lambda: read(path))
    assert document is None
    assert [p.code for p in problems] == ["too-deep"]
    assert_located(problems)
    assert seconds < SECOND
    result, seconds = timed(lambda: validate("--rules", PACT_RULES, path))
    assert result.exit_code == 1
    assert f"{path}:1:" in result.stderr or f"{path}:2:" in result.stderr or f"{path}:3:" in result.stderr
    assert "error[too-deep]" in result.stderr
    assert seconds < SECOND


def test_a_pack_just_inside_the_depth_limit_loads(tmp_path: Path) -> None:
    """The deepest condition the loader accepts goes through shape, meaning, compile and score."""
    pack = copy_base(tmp_path)
    levels = MAX_DEPTH - 3  # the rule mapping, `when`, and the leaf mapping itself
    rule = yaml.safe_load((pack / "tariffs.yaml").read_text(encoding="utf-8"))
    rule["when"] = "WHEN"
    text = yaml.safe_dump(rule, sort_keys=False).replace(
        "WHEN", "{not: " * levels + "{fact: tariff_cuts, at_least: 1}" + "}" * levels)
    (pack / "tariffs.yaml").write_text(text, encoding="utf-8")
    loaded, problems = check_pack(pack)
    assert loaded is not None, problems
    (pack / "tariffs.yaml").write_text(text.replace("at_least", "at_leest"), encoding="utf-8")
    loaded, problems = check_pack(pack)
    assert loaded is None
    assert [p.code for p in problems] == ["unknown-operator"]
    assert problems[0].column == len("when: ") + len("{not: ") * levels + len("{fact: tariff_cuts, ") + 1


# --- size ----------------------------------------------------------------------------------------

def test_a_70_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: written in no time, whatever the disk
        handle.write(b"case: huge\ntitle: ")
        handle.truncate(70 * 1024 * 1024)
    (document, problems), seconds = timed(lambda: read(path))
    assert document is None
    assert [(p.code, p.line, p.column) for p in problems] == [("too-large", 1, 1)]
    assert seconds < SECOND
    result, seconds = timed(lambda: validate("--rules", PACT_RULES, path))
    assert result.exit_code == 1
    assert f"{path}:1:1: error[too-large]: " in result.stderr
    assert seconds < SECOND


def test_bytes_over_the_limit_are_refused_by_parse_too() -> None:
    document, problems = parse(b"#" * (MAX_BYTES + 1), "big.yaml")
    assert document is None
    assert [p.code for p in problems] == ["too-large"]


# --- arbitrary bytes -----------------------------------------------------------------------------

YAML_ALPHABET = st.sampled_from([*" \n\t-:?,[]{}#&*!|>'\"%@`.~0123456789aeEnNoOsStTyY_\\/\r",
                                 "\u2028", "\x85", "\ufeff", "\x00", "é", "😀", "---", "...", "!!python/", ".nan"])


@HOSTILE
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_document_or_located_problems(raw: bytes) -> None:
    check_parse(raw)


@HOSTILE
@given(st.lists(YAML_ALPHABET, max_size=300).map("".join))
def test_yaml_like_text_gives_a_document_or_located_problems(text: str) -> None:
    check_parse(text.encode("utf-8"))
    check_parse(text.encode("utf-8", "replace")[::-1])


def check_parse(raw: bytes) -> None:
    document, problems = parse(raw, "fuzz.yaml")
    assert_located(problems)
    if document is None:
        assert problems and any(p.is_error for p in problems)
    else:
        assert problems == []
        assert isinstance(document.data, dict)
        for line, column in (*document.values.values(), *document.keys.values()):
            assert line >= 1 and column >= 1


# --- arbitrary YAML-shaped data through the pack and case loaders ---------------------------------

SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["yes", "No", "on", "2020-02-30", "2020-13-45", "2020-09-12", "{partner.__class__}",
                              "{x:>100000000}", "tariff_cuts", "joint_drills", "east", "warm", "wire", "lead"]))
KEYS = st.text(max_size=10) | st.sampled_from(
    ["fact", "equals", "at_least", "between", "one_of", "contains", "known", "all", "any", "not", "from", "to",
     "value", "source", "observed", "credibility", "tariff_cuts", "press_tone", "rivals_courted", "treaty_signed",
     "lead", "follower"])
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=20)

STRINGS = st.text(max_size=12) | st.sampled_from(
    ["yes", "No", "on", "2020-02-30", "2020-13-45", "2020-09-12", "2015-01-01", "{partner.__class__}",
     "{x:>100000000}", "{tariff_cuts}", "{lead} and {follower}", "tariff_cuts", "joint_drills", "loan_share",
     "press_tone", "rivals_courted", "treaty_signed", "arms_embargo", "east", "warm", "wire", "lead", "money",
     "weakens", "B", "G"])
NUMBERS = (st.integers(min_value=-3, max_value=60) | st.integers(min_value=-(10 ** 30), max_value=10 ** 30)
           | st.floats(allow_nan=True, allow_infinity=True))

# A rule of the base pack that uses every form of condition, a degree, a half-life and an example.
RULE: dict[str, Any] = {
    "id": "tariffs", "title": "Tariff cuts", "category": "money", "effect": "strengthens", "weight": 10,
    "half_life_days": 365,
    "when": {"all": [{"fact": "tariff_cuts", "between": [1, 40]},
                     {"any": [{"fact": "press_tone", "one_of": ["cool", "warm"]},
                              {"fact": "rivals_courted", "contains": "east"},
                              {"not": {"fact": "arms_embargo"}}]},
                     {"fact": "treaty_signed", "above": "2015-01-01"},
                     {"fact": "loan_share", "known": True}]},
    "degree": {"fact": "tariff_cuts", "from": 0, "to": 10},
    "because": "{lead} cut {tariff_cuts} tariff lines for {follower}.",
    "examples": [{"facts": {"tariff_cuts": 5, "press_tone": "cool", "treaty_signed": "2016-01-01",
                            "loan_share": 0.5}, "fires": True, "degree": 0.5}],
}
CASE = yaml.safe_load((ROOT / "tests" / "packs" / "pact" / "cases" / "alpha.yaml").read_text(encoding="utf-8"))


def similar(old: Any) -> st.SearchStrategy[Any]:
    """Data of the same YAML type as `old` (so the shape often still holds and the meaning checks run)."""
    if isinstance(old, bool):
        return st.booleans() | st.just("yes")
    if isinstance(old, (int, float)):
        return NUMBERS
    if isinstance(old, str):
        return STRINGS
    if isinstance(old, list):
        return st.lists(similar(old[0]) if old else SCALARS, max_size=4)
    return DATA


def mutated(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`base` with a value replaced or added at one to three random places, mostly by one of its type."""
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        data = copy.deepcopy(base)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            node: Any = data
            key: Any = None
            while True:
                keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
                if not keys:
                    break
                key = draw(st.sampled_from(keys))
                if not isinstance(node[key], (dict, list)) or draw(st.integers(0, 3)) == 0:
                    break
                node = node[key]
            if isinstance(node, dict) and (key is None or draw(st.integers(0, 4)) == 0):
                key = draw(KEYS)  # a new key
            if isinstance(node, list) and not node:
                continue
            old = node[key] if isinstance(node, list) or key in node else None
            node[key] = draw(similar(old) if draw(st.integers(0, 4)) else SCALARS | DATA)
        return data
    return build()


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def copy_base(tmp: Path) -> Path:
    pack = tmp / "pack"
    shutil.copytree(BASE, pack)
    return pack


@contextmanager
def scratch_pack() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield copy_base(Path(tmp))


def check_outcome(model: object, problems: list[Problem]) -> None:
    assert_located(problems)
    if model is None:
        assert any(p.is_error for p in problems)
    else:
        assert not any(p.is_error for p in problems)


@HOSTILE
@given(DATA | mutated(RULE))
def test_any_yaml_data_as_a_rule_gives_a_pack_or_located_problems(data: Any) -> None:
    """Arbitrary data, or the full rule above with a few values changed, as the pack's one rule."""
    with scratch_pack() as pack:
        (pack / "tariffs.yaml").write_text(dump(data), encoding="utf-8")
        loaded, problems = check_pack(pack)
        check_outcome(loaded, problems)
        if loaded is not None:
            from engine.core.examples import run_examples

            run_examples(loaded)  # the loaded rule compiles and evaluates


@HOSTILE
@given(st.sampled_from(["pack.yaml", "facts.yaml"]), DATA)
def test_any_yaml_data_as_pack_or_facts_gives_a_pack_or_located_problems(file: str, data: Any) -> None:
    with scratch_pack() as pack:
        (pack / file).write_text(dump(data), encoding="utf-8")
        check_outcome(*check_pack(pack))


_PACT: list[Pack] = []


def pact() -> Pack:
    if not _PACT:
        _PACT.append(load_pack(PACT_RULES))
    return _PACT[0]


@HOSTILE
@given(DATA | mutated(CASE))
def test_any_yaml_data_as_a_case_gives_a_case_or_located_problems(data: Any) -> None:
    """Arbitrary data, or the pact case `alpha` with a few values changed, as a case of the pact pack."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        path.write_text(dump(data), encoding="utf-8")
        case, problems = check_case(path, pact())
        check_outcome(case, problems)
        if case is not None:
            from engine.core.evaluate import score

            result = score(case, pact())
            assert 0 <= result.score <= 100 and math.isfinite(result.score)


def test_a_file_of_many_anchors_stops_at_the_limit() -> None:
    """Every anchor is an error already: past MAX_ANCHORS the file is not read further, so a large
    hostile file fails fast and with a bounded number of lines."""
    from engine.files.load import MAX_ANCHORS

    anchors = 150_000
    raw = ("a: [" + ", ".join(f"&a{i} x" for i in range(anchors)) + "]\n"
           "b: [" + ", ".join(f"*a{i}" for i in range(anchors)) + "]\n").encode()
    started = time.perf_counter()
    document, problems = parse(raw, "many.yaml")
    assert time.perf_counter() - started < 1.0
    assert document is None and len(problems) == MAX_ANCHORS + 1
    assert all(p.code == "alias" for p in problems)
    assert sum("the rest of the file is not read" in p.message for p in problems) == 1
