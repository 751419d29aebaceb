"""The Markdown reports (engine.reports.markdown): the text report's content as headings, lists and tables,
each fired rule's evidence cited as a footnote, and text from files unable to add any structure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from support import ALPHA, PACT_RULES
from test_text_report import backtest_dict

from engine import compile_pack, load_case, load_pack, score
from engine.analysis.assess import assess
from engine.analysis.compare import compare
from engine.analysis.timeline import timeline
from engine.core.model import Calibration, Case, Observation, Pack, Source
from engine.reports.markdown import backtest_markdown, compare_markdown, timeline_markdown, to_markdown

ROOT = Path(__file__).parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
PIPE = re.compile(r"(?<!\\)\|")
FOOTNOTE_REF = re.compile(r"\[\^([a-z0-9-]+)\](?!:)")
FOOTNOTE_DEF = re.compile(r"^\[\^([a-z0-9-]+)\]: ", re.M)
INJECTION = ("# Heading | cell\n- item <script>alert(1)</script> [link](javascript:alert(1)) ![x](y.png) **bold** "
             "`code` ~~gone~~ &amp; $x$ [^1]\n1. one\n> quote\x1b[31m")


@pytest.fixture(scope="module")
def pact() -> Pack:
    return load_pack(PACT_RULES)


@pytest.fixture(scope="module")
def alpha(pact: Pack) -> Case:
    return load_case(ALPHA, pact)


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def tables(markdown: str) -> list[list[str]]:
    found: list[list[str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(line)
        previous = line
    return found


def assert_tables_are_whole(markdown: str) -> None:
    """Every row of a table has its header's number of cells, and a separator row follows the header."""
    for table in tables(markdown):
        cells = len(PIPE.findall(table[0]))
        assert re.fullmatch(r"\|(-{3}:?\|)+|\|((-{3}|-{3}:)\|)+", table[1]), table[1]
        for row in table:
            assert len(PIPE.findall(row)) == cells, row


def assert_footnotes_match(markdown: str) -> None:
    refs = set(FOOTNOTE_REF.findall(markdown))
    defs = FOOTNOTE_DEF.findall(markdown)
    assert sorted(refs) == sorted(defs) and len(defs) == len(set(defs))


def test_pact_report_sections_and_tables(pact: Pack, alpha: Case) -> None:
    markdown = to_markdown(assess(alpha, compile_pack(pact)))
    assert headings(markdown) == ["## Alpha and Beta in 2021 (alpha)", "### What drove it",
                                  "### Not evaluated (no evidence either way; lowers the coverage)",
                                  "### Facts worth collecting next", "### What would change the band",
                                  "### Warnings", "### Evidence"]
    assert "**Durability score 46.2 / 100: middling (roughly even).**" in markdown
    assert "- **bounds**: could lie anywhere from 46.2 to 56.2 if the unknown facts were known" in markdown
    assert_tables_are_whole(markdown)
    rules = tables(markdown)[1]
    assert rules[0] == "| points | rule | weight | degree | confidence | decay | reason |"
    assert rules[1] == "|---:|---|---:|---:|---:|---:|---|"
    assert rules[3].startswith("| +5.12 | tariffs | 10 | 0.40 | 0.64 | 1.00 | Alpha cut 4 tariff lines for Beta. "
                               "[^alpha-")
    assert "| treaty | 5 | treaty_signed |" in markdown
    assert "| treaty_signed | 46.2 | 56.2 | middling |" in markdown
    assert markdown.endswith("\n")


def test_evidence_is_cited_with_source_and_grades(pact: Pack, alpha: Case) -> None:
    markdown = to_markdown(score(alpha, pact))
    assert_footnotes_match(markdown)
    notes = dict(re.findall(r"^\[\^alpha-(\d+)\]: (.*)$", markdown, re.M))
    assert len(notes) == 4  # embargo reads two facts, tariffs and hedge one each
    embargo = re.search(r"\| embargo \|.*\|$", markdown, re.M)
    assert embargo is not None and embargo.group().endswith("[^alpha-1][^alpha-2] |")
    assert notes["1"].startswith("**arms_embargo** = true, observed 2021-03-01. Source: *A wire report*. "
                                 "Admiralty grade B3 (reliability x0.8, credibility x0.6: confidence 0.48).")
    assert "No source named" in notes["2"] and "source unsourced, information ungraded" in notes["2"]
    assert "365 days old, decay 0.50" in notes["4"]


def test_bundled_citations_link_the_source(pact: Pack) -> None:
    bundled = load_pack(ROOT / "rules")
    markdown = to_markdown(score(load_case(ROOT / "cases" / "iran-russia-2020.yaml", bundled), bundled))
    assert_footnotes_match(markdown)
    assert ("*Iran-Russia ties: Never better but maybe not forever?*, Ardavan Khoshnood, Middle East Institute, "
            "2020-09-12, [https://www.mei.edu/publications/iran-russia-ties-never-better-maybe-not-forever]"
            "(<https://www.mei.edu/publications/iran-russia-ties-never-better-maybe-not-forever>)") in markdown
    assert "Admiralty grade B2" in markdown


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bundled_cases(path: Path) -> None:
    bundled = load_pack(ROOT / "rules")
    result = assess(load_case(path, bundled), compile_pack(bundled))
    markdown = to_markdown(result)
    assert_tables_are_whole(markdown)
    assert_footnotes_match(markdown)
    assert headings(markdown)[0].startswith("## ")
    assert all(h.startswith("### ") for h in headings(markdown)[1:])


def test_text_from_files_cannot_add_structure(pact: Pack, alpha: Case) -> None:
    rules = tuple(dataclasses.replace(r, title=INJECTION) for r in pact.rules)
    source = Source("wire", title=INJECTION, author=INJECTION, url="javascript:alert(1)")
    facts = dict(alpha.facts, press_tone=(Observation("cool", source="wire", note=INJECTION, quote=INJECTION),))
    case = dataclasses.replace(alpha, title=INJECTION, sources={"wire": source}, facts=facts,
                               parties={"lead": INJECTION, "follower": "Beta"})
    compiled = compile_pack(dataclasses.replace(pact, rules=rules))
    for result in (assess(case, compiled), assess(case, compiled, dt.date(2022, 2, 1))):
        markdown = to_markdown(result)
        assert "\x1b" not in markdown and "\\x1b" in markdown
        assert_tables_are_whole(markdown)
        assert_footnotes_match(markdown)
        assert len(headings(markdown)) == len(re.findall(r"^#+ ", markdown, re.M))
        for line in markdown.splitlines():
            assert not re.match(r"(- item|1\. one|> quote|\s*#+ Heading)", line), line
        assert not re.search(r"(?<!\\)<(?!https?://|br>)", markdown)      # no HTML but our own <br> and links
        assert not re.search(r"(?<!\\)(\*\*bold|`code|~~gone|\[link\]|!\[x\])", markdown)
        assert "(<javascript" not in markdown and "javascript:alert(1)" in markdown
        if result.as_of != case.as_of:  # embargo evaluated, not fired: its title is in a cell
            assert "| embargo | 6 | did not apply: \\# Heading \\| cell<br>- item \\<script\\>" in markdown


def test_probability_and_thin_evidence(pact: Pack, alpha: Case) -> None:
    calibrated = compile_pack(dataclasses.replace(pact, calibration=Calibration(3.0, 0.6, 0.08)))
    markdown = to_markdown(assess(alpha, calibrated))
    first = markdown.split("\n\n")[2]
    assert first.startswith("**Likely (") and "to endure three years.**  \n**Durability score 46.2" in first
    thin = to_markdown(assess(alpha, calibrated, dt.date(2020, 1, 1)))
    assert "the evidence is too thin to judge" in thin.split("\n\n")[2]


def test_compare_timeline_and_backtest(pact: Pack, alpha: Case) -> None:
    compiled = compile_pack(pact)
    steps = timeline(alpha, lambda day: assess(alpha, compiled, day))
    comparison = compare(steps[0].result, steps[-1].result)
    for markdown in (compare_markdown(comparison), timeline_markdown(steps), backtest_markdown(backtest_dict())):
        assert markdown.startswith("## ")
        assert_tables_are_whole(markdown)
    changes = tables(compare_markdown(comparison))[1]
    assert changes[0] == "| delta | rule | from | to | what changed |"
    assert [row.split(" | ")[1] for row in changes[2:]] == [c.rule for c in comparison.changes]
    assert "moved: tariff_cuts unstated -\\> 4<br>before: not evaluated<br>after: Alpha cut 4" in \
        compare_markdown(comparison)
    dates = tables(timeline_markdown(steps))[0]
    assert [row.split(" | ")[0].lstrip("| ") for row in dates[2:]] == [s.result.as_of.isoformat() for s in steps]
    backtest = backtest_markdown(backtest_dict())
    assert headings(backtest) == ["## Backtest", "### Results, case by case", "### Cross-validation",
                                  "### Calibration table", "### Rule diagnostics"]
    assert "| rule | effect | weight | held cases | held evaluated | held fired | held fire rate |" in backtest
    assert "- **penalty intercept sd**: 1.5" in backtest
