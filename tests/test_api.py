"""The public API without the command line, and each stage of the engine on its own.

load_pack / load_case / score / to_dict return plain dataclasses and data; InvalidInput carries
located Problems; loading is repeatable and the report deterministic, whatever the order of rule
files on disk or of keys in a case. Also: `because` templates (contract section 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ALPHA, PACT_RULES, write_yaml
from support import approx as _approx

import engine
from engine.core.compile import compile_degree
from engine.core.evaluate import in_use
from engine.core.model import Degree
from engine.core.present import render
from engine.core.template import parse as parse_template
from engine.files.load import parse
from engine.files.shape import check, validate_report
from engine.files.values import Misfit, fit

REPORT_KEYS = {"case", "title", "pack", "as_of", "score", "band", "coverage", "contributions", "not_evaluated",
               "warnings"}
CONTRIBUTION_KEYS = {"rule", "title", "category", "effect", "weight", "fired", "degree", "confidence", "decay",
                     "points", "because", "facts", "sources"}


def report_of(rules: Path, case: Path, as_of: dt.date | None = None) -> dict[str, Any]:
    pack = engine.load_pack(rules)
    return engine.to_dict(engine.score(engine.load_case(case, pack), pack, as_of))


# --- dataclasses all the way down ------------------------------------------------------------------

def test_load_pack_returns_dataclasses() -> None:
    pack = engine.load_pack(PACT_RULES)
    assert isinstance(pack, engine.Pack) and dataclasses.is_dataclass(pack)
    assert (pack.name, pack.version, pack.roles) == ("trade-pact", "0.3.1", ("lead", "follower"))
    assert pack.categories == ("money", "arms", "mood")
    assert [(b.start, b.label, b.outlook) for b in pack.bands] == [
        (0, "weak", "unlikely to last"), (40, "middling", "roughly even"), (60, "firm", "likely to last")]
    assert all(isinstance(b, engine.Band) for b in pack.bands)
    assert [r.id for r in pack.rules] == ["embargo", "hedge", "tariffs", "treaty"]
    assert all(isinstance(r, engine.Rule) for r in pack.rules)
    assert pack.total_weight == 25
    assert {name: f.type for name, f in pack.facts.items()} == {
        "tariff_cuts": "integer", "loan_share": "number", "arms_embargo": "boolean", "press_tone": "string",
        "rivals_courted": "list", "treaty_signed": "date"}
    assert all(isinstance(f, engine.Fact) for f in pack.facts.values())
    assert (pack.facts["tariff_cuts"].min, pack.facts["tariff_cuts"].max, pack.facts["tariff_cuts"].unit) == (0, 50,
                                                                                                                "cuts")
    assert pack.facts["press_tone"].values == ("hostile", "cool", "warm")
    assert pack.evidence.reliability["B"] == 0.8 and pack.evidence.credibility[3] == 0.6
    assert (pack.evidence.unsourced, pack.evidence.half_life_days) == (0.5, None)
    hedge = pack.rule("hedge")
    assert hedge is not None
    assert (hedge.effect, hedge.weight, hedge.half_life_days, hedge.category, hedge.sign) == (
        "weakens", 4, 365, "mood", -1)
    assert pack.rule("tariffs").degree == Degree("tariff_cuts", 0, 10)  # type: ignore[union-attr]
    assert pack.rule("treaty").degree == Degree("treaty_signed", dt.date(2015, 1, 1),  # type: ignore[union-attr]
                                                dt.date(2020, 1, 1))
    assert pack.rule("nothing") is None


def test_load_case_returns_dataclasses() -> None:
    case = engine.load_case(ALPHA, engine.load_pack(PACT_RULES))
    assert isinstance(case, engine.Case) and dataclasses.is_dataclass(case)
    assert (case.id, case.title, case.as_of) == ("alpha", "Alpha and Beta in 2021", dt.date(2021, 6, 30))
    assert case.parties == {"lead": "Alpha", "follower": "Beta"}
    assert isinstance(case.sources["wire"], engine.Source)
    assert case.sources["wire"].reliability == "B"
    history = case.facts["arms_embargo"]
    assert all(isinstance(o, engine.Observation) for o in history)
    assert [(o.value, o.observed, o.source, o.credibility) for o in history] == [
        (False, dt.date(2019, 1, 1), "wire", None), (True, dt.date(2021, 3, 1), "wire", 3),
        (False, dt.date(2022, 1, 1), "wire", None)]
    assert case.facts["press_tone"] == (engine.Observation("cool", line=15, column=15),)
    assert case.facts["rivals_courted"][0].value == ("east", "south")


def test_score_returns_a_result_of_dataclasses() -> None:
    pack = engine.load_pack(PACT_RULES)
    result = engine.score(engine.load_case(ALPHA, pack), pack)
    assert isinstance(result, engine.Result)
    assert result.score == _approx(46.16)
    assert result.band == engine.Band(40, "middling", "roughly even")
    assert all(isinstance(c, engine.Contribution) for c in result.contributions)
    assert all(isinstance(n, engine.NotEvaluated) for n in result.not_evaluated)
    assert [(n.rule, n.missing) for n in result.not_evaluated] == [("treaty", ("treaty_signed",))]
    assert all(isinstance(w, engine.Problem) and w.severity == "warning" for w in result.warnings)
    assert sorted(w.code for w in result.warnings) == ["future", "ungraded", "ungraded", "unsourced"]
    tariffs = result.contributions[1]
    fields = ("rule", "title", "category", "effect", "weight", "fired", "degree", "confidence", "decay", "points",
              "because", "facts", "sources")
    assert {key: getattr(tariffs, key) for key in fields} == {
        "rule": "tariffs", "title": "Tariff cuts bind the follower", "category": "money", "effect": "strengthens",
        "weight": 10, "fired": True, "degree": _approx(0.4), "confidence": _approx(0.64), "decay": 1.0,
        "points": _approx(5.12), "because": "Alpha cut 4 tariff lines for Beta.", "facts": {"tariff_cuts": 4},
        "sources": ("wire",)}


def test_score_accepts_a_compiled_pack_and_an_assessment_date() -> None:
    pack = engine.load_pack(PACT_RULES)
    case = engine.load_case(ALPHA, pack)
    compiled = engine.compile_pack(pack)
    assert isinstance(compiled, engine.CompiledPack)
    assert engine.score(case, compiled) == engine.score(case, pack)
    later = engine.score(case, compiled, dt.date(2022, 2, 1))
    assert later.as_of == dt.date(2022, 2, 1)
    assert {c.rule: c.fired for c in later.contributions}["embargo"] is False


def test_to_dict_is_the_json_report() -> None:
    report = report_of(PACT_RULES, ALPHA)
    assert set(report) >= REPORT_KEYS
    assert all(set(c) >= CONTRIBUTION_KEYS for c in report["contributions"])
    assert validate_report(report) == []
    assert json.loads(json.dumps(report)) == report     # plain JSON data: no dates, tuples or dataclasses
    assert report["as_of"] == "2021-06-30"
    assert next(c for c in report["contributions"] if c["rule"] == "hedge")["facts"] == {
        "rivals_courted": ["east", "south"]}


def test_validate_report_finds_a_broken_report() -> None:
    report = report_of(PACT_RULES, ALPHA)
    del report["coverage"]
    report["contributions"][0]["fired"] = "yes"
    messages = validate_report(report)
    assert len(messages) == 2
    assert any("coverage" in m for m in messages)
    assert any(m.startswith("contributions/0/fired") for m in messages)


def test_text_and_markdown_renderings() -> None:
    pack = engine.load_pack(PACT_RULES)
    result = engine.score(engine.load_case(ALPHA, pack), pack)
    text, markdown = engine.to_text(result), engine.to_markdown(result)
    for rendering in (text, markdown):
        assert "46.2" in rendering and "middling" in rendering
        assert "Alpha cut 4 tariff lines for Beta." in rendering and "treaty_signed" in rendering
        assert rendering.endswith("\n")
    assert "| tariffs |" in markdown


def test_explain_through_the_api() -> None:
    from click.testing import CliRunner

    from engine.cli import main

    ran = CliRunner().invoke(main, ["explain", str(ALPHA), "--rule", "hedge", "--rules", str(PACT_RULES)])
    assert ran.exit_code == 0
    pack = engine.load_pack(PACT_RULES)
    result = engine.score(engine.load_case(ALPHA, pack), pack)
    assert callable(engine.explain_rule)
    text = engine.explain_rule(result, pack.rule("hedge"))
    assert "loan_share" in text and "unknown" in text and "rivals_courted" in text


def test_examples_through_the_api() -> None:
    outcomes = engine.run_examples(engine.load_pack(PACT_RULES))
    assert len(outcomes) == 8
    assert [o.failure for o in outcomes] == [None] * 8


# --- InvalidInput carries located problems -------------------------------------------------------------

def test_invalid_pack_raises_invalid_input_with_problems(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PACT_RULES, rules)
    hedge = rules / "hedge.yml"
    hedge.write_text(hedge.read_text().replace("category: mood", "category: mod"))
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_pack(rules)
    problems = raised.value.problems
    assert problems and all(isinstance(p, engine.Problem) for p in problems)
    assert [(Path(p.path).name, p.line, p.column, p.code, p.severity) for p in problems] == [
        ("hedge.yml", 3, 11, "category", "error")]
    assert "did you mean 'mood'" in problems[0].message
    assert str(problems[0]) == f"{problems[0].path}:3:11: error[category]: {problems[0].message}"
    assert str(problems[0]) in str(raised.value)
    pack, found = engine.check_pack(rules)
    assert pack is None and found == problems


def test_invalid_case_raises_invalid_input_with_problems(tmp_path: Path) -> None:
    pack = engine.load_pack(PACT_RULES)
    case = tmp_path / "case.yaml"
    case.write_text(ALPHA.read_text().replace("follower: Beta", "folower: Beta").replace("tariff_cuts: {value: 4",
                                                                                        "tariff_cuts: {value: 99"))
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_case(case, pack)
    codes = [(p.line, p.code) for p in raised.value.problems]
    assert (3, "role") in codes                        # a party for an unknown role, and the missing one
    assert (10, "out-of-range") in codes               # 99 is above the max 50 of tariff_cuts
    assert all(p.severity == "error" for p in raised.value.problems)
    positions = [(p.line or 0, p.column or 0) for p in raised.value.problems]
    assert positions == sorted(positions)              # in the order of the file


def test_missing_pack_folder_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_pack(tmp_path / "nowhere")
    assert [(p.line, p.column, p.code) for p in raised.value.problems] == [(None, None, "file")]


def test_missing_case_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_case(tmp_path / "nowhere.yaml", engine.load_pack(PACT_RULES))
    assert [p.code for p in raised.value.problems] == ["file"]


# --- repeatable and deterministic -----------------------------------------------------------------------

def test_loading_twice_gives_equal_results() -> None:
    first, second = engine.load_pack(PACT_RULES), engine.load_pack(PACT_RULES)
    assert first == second
    assert first is not second
    assert engine.load_case(ALPHA, first) == engine.load_case(ALPHA, second)
    assert engine.score(engine.load_case(ALPHA, first), first) == engine.score(engine.load_case(ALPHA, second),
                                                                               second)


def test_same_json_twice() -> None:
    first = json.dumps(report_of(PACT_RULES, ALPHA), indent=2)
    second = json.dumps(report_of(PACT_RULES, ALPHA), indent=2)
    assert first == second


@pytest.mark.parametrize("layout", ["flat", "reversed-nesting", "deep"])
def test_report_does_not_depend_on_where_rule_files_lie(tmp_path: Path, layout: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("pack.yaml", "facts.yaml"):
        shutil.copy(PACT_RULES / name, rules / name)
    files = sorted(p for p in PACT_RULES.rglob("*.y*ml") if p.name not in ("pack.yaml", "facts.yaml"))
    for index, path in enumerate(files):
        folder = {"flat": rules,
                  "reversed-nesting": rules / f"{len(files) - index:02d}",     # zz-first order on disk
                  "deep": rules / "a" / "b" / ("z" * (index + 1))}[layout]
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, folder / path.name)
    moved, original = engine.load_pack(rules), engine.load_pack(PACT_RULES)
    assert [r.id for r in moved.rules] == [r.id for r in original.rules]
    assert json.dumps(report_of(rules, ALPHA)) == json.dumps(report_of(PACT_RULES, ALPHA))


def test_report_does_not_depend_on_the_order_of_facts_and_sources_in_a_case() -> None:
    pack = engine.load_pack(PACT_RULES)
    case = engine.load_case(ALPHA, pack)
    shuffled = dataclasses.replace(case, facts=dict(reversed(list(case.facts.items()))),
                                   sources=dict(reversed(list(case.sources.items()))),
                                   parties=dict(reversed(list(case.parties.items()))))
    assert list(shuffled.facts) != list(case.facts)
    first = engine.to_dict(engine.score(case, pack))
    second = engine.to_dict(engine.score(shuffled, pack))
    second["parties"] = dict(reversed(list(second["parties"].items())))  # the parties are echoed as written
    assert json.dumps(first) == json.dumps(second)


def test_report_does_not_depend_on_the_order_of_keys_in_the_case_file(tmp_path: Path) -> None:
    data = yaml.safe_load(ALPHA.read_text())
    data = {key: data[key] for key in reversed(list(data))}
    data["facts"] = {key: data["facts"][key] for key in reversed(list(data["facts"]))}
    data["facts"]["arms_embargo"].reverse()
    shuffled = write_yaml(tmp_path / "alpha.yaml", data)
    first, second = report_of(PACT_RULES, ALPHA), report_of(PACT_RULES, shuffled)
    # warnings are listed in the order of the lines they point at, which moved: compare them as a set
    assert sorted(first.pop("warnings")) == sorted(second.pop("warnings"))
    assert json.dumps(first) == json.dumps(second)


# --- `because` templates ----------------------------------------------------------------------------

TEMPLATE_FACTS = {"amount": {"type": "number"}, "count": {"type": "integer"}, "tags": {"type": "list"},
                  "since": {"type": "date"}, "flag": {"type": "boolean"}, "word": {"type": "string"}}


def _because_pack(root: Path, because: str) -> Path:
    write_yaml(root / "pack.yaml", {"pack": "words", "version": "1.0.0", "roles": ["donor", "client"],
                                    "bands": [{"from": 0, "label": "any"}]})
    write_yaml(root / "facts.yaml", {"facts": TEMPLATE_FACTS})
    write_yaml(root / "say.yaml", {"id": "say", "title": "Say it", "category": "c", "effect": "strengthens",
                                   "weight": 1, "when": {"fact": "flag"}, "because": because})
    return root


def _because(tmp_path: Path, because: str, facts: dict[str, Any]) -> str | None:
    pack = engine.load_pack(_because_pack(tmp_path / "pack", because))
    case = write_yaml(tmp_path / "case.yaml", {"case": "words", "title": "Words", "as_of": "2020-01-01",
                                               "parties": {"donor": "Dee", "client": "Cee"},
                                               "facts": {"flag": True, **facts}})
    return engine.score(engine.load_case(case, pack), pack).contributions[0].because


@pytest.mark.parametrize(("template", "facts", "expected"), [
    ("{donor} helps {client}.", {}, "Dee helps Cee."),                              # roles
    ("{amount} units", {"amount": 3.0}, "3 units"),                                 # no trailing .0
    ("{amount} units", {"amount": 2.5}, "2.5 units"),
    ("{amount} units", {"amount": -4.0}, "-4 units"),
    ("{amount} units", {"amount": 0.1}, "0.1 units"),
    ("{count} visits", {"count": 28}, "28 visits"),
    ("{count} visits", {"count": 7.0}, "7 visits"),                                 # an integer written 7.0
    ("courts {tags}", {"tags": ["east", "south", "west"]}, "courts east, south, west"),   # lists joined by ", "
    ("courts {tags}", {"tags": ["east"]}, "courts east"),
    ("since {since}", {"since": "2019-12-27"}, "since 2019-12-27"),
    ("flag is {flag}", {}, "flag is true"),
    ("tone {word}", {"word": "cool"}, "tone cool"),
    ("{{literal}} and {{{donor}}}", {}, "{literal} and {Dee}"),                     # {{ and }} are braces
    ("}} {{", {}, "} {"),
    ("no placeholders at all", {}, "no placeholders at all"),
])
def test_because_rendering(tmp_path: Path, template: str, facts: dict[str, Any], expected: str) -> None:
    assert _because(tmp_path, template, facts) == expected


def test_because_defaults_to_the_title(tmp_path: Path) -> None:
    root = _because_pack(tmp_path / "pack", "x")
    data = yaml.safe_load((root / "say.yaml").read_text())
    del data["because"]
    write_yaml(root / "say.yaml", data)
    pack = engine.load_pack(root)
    case = write_yaml(tmp_path / "case.yaml", {"case": "words", "title": "Words", "as_of": "2020-01-01",
                                               "parties": {"donor": "Dee", "client": "Cee"}, "facts": {"flag": True}})
    assert engine.score(engine.load_case(case, pack), pack).contributions[0].because == "Say it"


@pytest.mark.parametrize("template", [
    "{nobody} is neither a fact nor a role",
    "{donor.name} has an attribute",
    "{tags[0]} has an index",
    "{amount:.2f} has a format spec",
    "{donor!r} has a conversion",
    "{0} is positional",
    "{} is empty",
    "a lone { brace",
    "a lone } brace",
    "{Donor} is not lower-case",
])
def test_bad_placeholders_are_validation_errors(tmp_path: Path, template: str) -> None:
    with pytest.raises(engine.InvalidInput) as raised:
        engine.load_pack(_because_pack(tmp_path / "pack", template))
    problems = raised.value.problems
    assert problems and all(Path(p.path).name == "say.yaml" for p in problems)
    assert all(p.code == "placeholder" and p.line == 8 for p in problems)   # the `because` line


# --- each stage on its own ------------------------------------------------------------------------------

def test_stage_load_parses_yaml_with_positions() -> None:
    document, problems = parse(b"a: 1\nb:\n  - no\n  - 2020-01-01\n  - true\n", "x.yaml")
    assert problems == [] and document is not None
    assert document.data == {"a": 1, "b": ["no", "2020-01-01", True]}     # YAML 1.2: `no` stays a string
    assert document.at(("b", 1)) == (4, 5)
    assert document.at(("a",), key=True) == (1, 1)


@pytest.mark.parametrize(("raw", "code", "line"), [
    (b"a: 1\na: 2\n", "duplicate-key", 2),
    (b"a: [1\n", "yaml-syntax", 2),
    (b"a: &x 1\nb: *x\n", "alias", 1),
    (b"a: !!python/object 1\n", "tag", 1),
    (b"- 1\n", "not-a-mapping", 1),
    (b"", "empty-file", 1),
])
def test_stage_load_rejects(raw: bytes, code: str, line: int) -> None:
    document, problems = parse(raw, "x.yaml")
    assert document is None
    assert (problems[0].code, problems[0].line) == (code, line)


def test_stage_shape_locates_problems() -> None:
    document, _ = parse(b"case: x\ntitle: T\nparties: {a: A}\nas_of: 2020-01-01\nextra: 1\n", "c.yaml")
    assert document is not None
    assert [(p.line, p.code) for p in check(document, "case")] == [(5, "unknown-key")]


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("integer", 3.0, 3), ("number", 2, 2), ("boolean", False, False), ("date", "2020-02-29", dt.date(2020, 2, 29)),
    ("list", ["a"], ("a",)), ("string", "s", "s"),
])
def test_stage_values_fit(kind: str, raw: Any, value: Any) -> None:
    assert fit(engine.Fact("f", kind), raw) == value


@pytest.mark.parametrize(("fact", "raw", "code"), [
    (engine.Fact("f", "integer", max=5), 6, "out-of-range"), (engine.Fact("f", "integer"), 1.5, "type-mismatch"),
    (engine.Fact("f", "boolean"), "yes", "type-mismatch"), (engine.Fact("f", "date"), "2021-02-29", "date"),
    (engine.Fact("f", "string", values=("a",)), "b", "value"), (engine.Fact("f", "list"), "a", "type-mismatch"),
])
def test_stage_values_misfit(fact: engine.Fact, raw: Any, code: str) -> None:
    with pytest.raises(Misfit) as raised:
        fit(fact, raw)
    assert raised.value.code == code


@pytest.mark.parametrize(("value", "text"), [
    (3.0, "3"), (2.5, "2.5"), (7, "7"), (True, "true"), (("a", "b"), "a, b"), (dt.date(2020, 1, 2), "2020-01-02"),
])
def test_stage_render(value: Any, text: str) -> None:
    assert render(value) == text


def test_stage_template_parse() -> None:
    template, errors = parse_template("{a} x {{b}} {c_1}")
    assert errors == []
    assert template.names == ("a", "c_1")
    assert template.render(str.upper) == "A x {b} C_1"


@pytest.mark.parametrize(("start", "end", "value", "degree"), [
    (0, 10, 5, 0.5), (10, 0, 5, 0.5), (0, 10, -1, 0.0), (0, 10, 11, 1.0), (10, 0, 2, 0.8),
    (dt.date(2020, 1, 1), dt.date(2020, 1, 5), dt.date(2020, 1, 2), 0.25),
])
def test_stage_compile_degree(start: Any, end: Any, value: Any, degree: float) -> None:
    measure = compile_degree(Degree("f", start, end))
    assert measure({"f": value}) == _approx(degree)
    assert measure({}) is None
    assert compile_degree(None)({}) == 1.0


def test_stage_in_use() -> None:
    case = engine.load_case(ALPHA, engine.load_pack(PACT_RULES))
    chosen, warnings = in_use(case, dt.date(2021, 6, 30))
    assert chosen["arms_embargo"].value is True
    assert [w.code for w in warnings] == ["future"]
    chosen, warnings = in_use(case, dt.date(2018, 1, 1))
    assert set(chosen) == {"press_tone"}                      # the only undated fact
    # the 2022 observation lies after the case's own date: located; the other four are merely replayed away
    assert sorted(w.code for w in warnings) == ["as-of", "future"]
    assert next(w for w in warnings if w.code == "as-of").message.endswith("4 later observation(s) are ignored")


@pytest.mark.parametrize(("raw", "line", "column"), [(b"a: b\nc", 2, 2), (b"a: b\nc\n", 3, 1)])
def test_a_syntax_error_at_the_end_points_inside_the_file(raw: bytes, line: int, column: int) -> None:
    from engine.files.load import parse

    _, problems = parse(raw, "x.yaml")
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-syntax", line, column)]
