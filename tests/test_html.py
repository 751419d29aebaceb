"""The HTML report: structure (html.parser), safety with hostile text, and a real render in headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import html_fixtures as F
import pytest
import yaml
from support import write_yaml

from engine.reports import charts, html

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/html-shots")
HOSTILE_TITLE = "<script>window.__pwned = 1; alert(1)</script>"
HOSTILE_NOTE = '<img src=x onerror="window.__pwned = 2; alert(2)">'
HOSTILE_RULE = 'evil<script>window.__pwned=3</script>'
HOSTILE_CATEGORY = '<svg onload="window.__pwned=4">$\\frac{a}{b}$'
HOSTILE_URL = "javascript:window.__pwned=5"


# ---------------------------------------------------------------- the documents

@pytest.fixture(scope="module")
def compiled() -> Any:
    return F.bundled()


@pytest.fixture(scope="module")
def reports(compiled: Any) -> list[dict[str, Any]]:
    """The bundled cases, the first with a calibrated probability."""
    paths = sorted(F.CASES.glob("*.yaml"))
    reports = [F.full_report(F.load(p, compiled.pack), compiled, calibration=F.CALIBRATION if i == 0 else None)
               for i, p in enumerate(paths)]
    # the bundled cases quote nothing yet: give one observation the quote an analyst would copy
    _fired(reports[1])[0]["evidence"][0]["quote"] = "Relations have never been better"
    return reports


@pytest.fixture(scope="module")
def history(compiled: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    case = F.load(F.HISTORY, compiled.pack)
    return F.full_report(case, compiled), F.timeline(case, compiled)


@pytest.fixture(scope="module")
def comparison(compiled: Any) -> dict[str, Any]:
    case = F.load(F.HISTORY, compiled.pack)
    return F.compare(F.full_report(case, compiled, dt.date(2020, 9, 12)), F.full_report(case, compiled))


@pytest.fixture(scope="module")
def hostile(compiled: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A case file with markup in its title, notes, quotes, source and URL, and a report whose rule ids, titles and
    categories (from a hostile pack) are markup too."""
    data = yaml.safe_load((F.CASES / "iran-russia-2020.yaml").read_text(encoding="utf-8"))
    data["title"] = HOSTILE_TITLE
    source = data["sources"]["khoshnood-2020"]
    source.update(title=HOSTILE_TITLE, author=HOSTILE_NOTE, url=HOSTILE_URL)
    for value in data["facts"].values():
        if isinstance(value, dict) and "note" in value:
            value.update(note=HOSTILE_NOTE, quote=HOSTILE_TITLE)
    path = write_yaml(tmp_path_factory.mktemp("hostile") / "hostile.yaml", data)
    report = F.full_report(F.load(path, compiled.pack), compiled)
    fired = [c for c in report["contributions"] if c["fired"]]
    fired[0].update(rule=HOSTILE_RULE, title=HOSTILE_TITLE, category=HOSTILE_CATEGORY, because=HOSTILE_NOTE)
    fired[1].update(category=HOSTILE_CATEGORY)
    report["warnings"].append(HOSTILE_NOTE)
    report["gaps"].insert(0, {"fact": HOSTILE_RULE, "low": 40.0, "high": 70.0, "bands": ["strained", HOSTILE_NOTE]})
    report["parties"] = {"patron": HOSTILE_NOTE, "partner": "Iran"}
    return report


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    bars: dict[str, int]  # chart id -> the bars (or points) it must show
    must_show: list[str] = field(default_factory=list)  # texts that must be visible
    hostile: bool = False


@pytest.fixture(scope="module")
def documents(reports: list[dict[str, Any]], history: tuple[dict[str, Any], list[dict[str, Any]]],
              comparison: dict[str, Any], hostile: dict[str, Any]) -> list[Document]:
    report, timeline = history
    backtest = F.backtest()
    return [
        Document("scores", html.render_scores(reports, {report["case"]: timeline}),
                 {**{f"case-{i}-waterfall": len(_fired(r)) for i, r in enumerate(reports, 1)},
                  **{f"case-{i}-categories": len({c["category"] for c in r["contributions"]})
                     for i, r in enumerate(reports, 1)},
                  f"case-{_index(reports, report['case'])}-history": len(timeline)},
                 [text for r in reports for text in _visible(r)]),
        Document("timeline", html.render_timeline(report, timeline), {"case-1-history": len(timeline)},
                 [report["title"], *(e["as_of"] for e in timeline)]),
        Document("compare", html.render_compare(comparison), {"compare-changes": len(comparison["changes"])},
                 [f"{comparison['delta']:+.2f}", *(c["rule"] for c in comparison["changes"])]),
        Document("backtest", html.render_backtest(backtest), {"backtest-outcomes": len(backtest["results"])},
                 [r["case"] for r in backtest["results"]] + ["Rule diagnostics", "Calibration table", "lift"]),
        Document("hostile", html.render_scores([hostile]),
                 {"case-1-waterfall": len(_fired(hostile)),
                  "case-1-categories": len({c["category"] for c in hostile["contributions"]})},
                 [HOSTILE_TITLE, HOSTILE_NOTE, HOSTILE_RULE, HOSTILE_URL], hostile=True),
    ]


def _fired(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["contributions"] if c["fired"]]


def _index(reports: list[dict[str, Any]], case: str) -> int:
    return next(i for i, r in enumerate(reports, 1) if r["case"] == case)


def _visible(report: dict[str, Any]) -> Iterator[str]:
    """What a reader must find: the title, the score, every fired rule's reason, every source's title."""
    yield report["title"]
    yield f"{report['score']:.1f}"
    for c in _fired(report):
        yield c["because"]
    for c in report["contributions"]:
        for e in c["evidence"]:
            if e["source"] is not None:
                yield e["source"]["title"]
            if e["quote"]:
                yield e["quote"]


# ---------------------------------------------------------------- structure, without a browser

@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()


VOID = {"meta", "br", "col", "link", "img", "input", "hr", "source", "wbr", "area", "base", "embed", "track"}


class Tree(HTMLParser):
    """A strict little tree builder: every element but the void ones must close, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Node:
    tree = Tree()
    tree.feed(text)
    tree.close()
    assert tree.stack == [tree.root], f"unclosed: {[n.tag for n in tree.stack[1:]]}"
    assert tree.doctype is not None and tree.doctype.lower() == "doctype html"
    return tree.root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_documents_are_well_formed_self_contained_and_fetch_nothing(documents: list[Document]) -> None:
    for doc in documents:
        root = parse(doc.text)
        nodes = list(root.iter())
        tags = {n.tag for n in nodes}
        assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "form", "image",
                           "foreignobject"}, doc.name
        csp = [n.attrs["content"] for n in nodes if n.tag == "meta" and n.attrs.get("http-equiv") ==
               "Content-Security-Policy"]
        assert len(csp) == 1 and "default-src 'none'" in csp[0] and "script-src" not in csp[0], doc.name
        assert [n.tag for n in nodes if n.tag == "title"] == ["title"]
        for n in nodes:
            assert not any(a.lower().startswith("on") for a in n.attrs), (doc.name, n.tag, n.attrs)
            for name in ("src", "srcset", "data", "action", "poster"):
                assert name not in n.attrs, (doc.name, n.tag, n.attrs)
            href = n.attrs.get("href") or n.attrs.get("xlink:href")
            if href is not None:
                # in-page references, and links a reader may click (never followed by the page itself)
                assert href.startswith("#") or (n.tag == "a" and href.startswith(("https://", "http://"))), href
            assert "url(" not in n.attrs.get("style", "") or "url(#" in n.attrs["style"]
        assert "@import" not in doc.text and "@font-face" not in doc.text
        assert "@media print" in doc.text and "break-before: page" in doc.text


def test_charts_carry_their_bars(documents: list[Document]) -> None:
    for doc in documents:
        svgs = {n.attrs["id"]: n for n in parse(doc.text).iter() if n.tag == "svg"}
        for chart_id, count in doc.bars.items():
            svg = svgs[chart_id]
            assert svg.attrs["role"] == "img" and svg.attrs["aria-label"]
            drawn = svg.attrs.get("data-bars") or svg.attrs["data-points"]
            assert int(drawn) == count, (doc.name, chart_id)
            if "data-bars" in svg.attrs:
                bars = [n for n in svg.iter() if n.attrs.get("id", "").startswith(f"{chart_id}-bar-")]
                assert len(bars) == count, (doc.name, chart_id)
        ids = [n.attrs["id"] for n in parse(doc.text).iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids)), f"{doc.name}: duplicate ids"


def test_scores_show_the_headline_and_the_evidence_trail(documents: list[Document], reports: list[dict[str, Any]]
                                                         ) -> None:
    text = squash(parse(documents[0].text).text())
    for needle in documents[0].must_show:
        assert squash(needle) in text
    calibrated = reports[0]["probability"]
    assert (f"{calibrated['term']} ({calibrated['endures']:.0%}, {calibrated['low'] * 100:.0f}-"
            f"{calibrated['high']:.0%}) to endure three years") in text
    for r in reports:
        assert f"{r['bounds']['low']:.1f} to {r['bounds']['high']:.1f}" in text
        assert f"{r['sensitivity']['low']:.1f} to {r['sensitivity']['high']:.1f}" in text
        assert f"{r['coverage']:.0%} of the rule weight" in text
        for gap in r["gaps"]:
            assert f"Stating {gap['fact']} could move the score from {gap['low']:.1f} to {gap['high']:.1f}" in text
        for n in r["not_evaluated"]:
            assert n["rule"] in text and all(m in text for m in n["missing"])
    turning = [(r, g) for r in reports for g in r["counterfactuals"] if set(g["bands"]) - {r["band"]["label"]}]
    assert turning, "the fixtures should hold a counterfactual that changes the band"
    for _, g in turning:
        assert f"If {g['fact']} were different, the band could become" in text
    sections = [n for n in parse(documents[0].text).iter() if n.tag == "section" and "case" in
                n.attrs.get("class", "").split()]
    assert [s.attrs["data-case"] for s in sections] == [r["case"] for r in reports]


def test_hostile_text_is_shown_not_run(documents: list[Document]) -> None:
    doc = next(d for d in documents if d.hostile)
    root = parse(doc.text)
    raw = doc.text.lower()
    assert "<script" not in raw and "<img" not in raw and "<svg onload" not in raw
    text = root.text()
    for needle in doc.must_show:
        assert needle in text
    assert not [n for n in root.iter() if n.tag == "a" and "javascript" in n.attrs.get("href", "")]
    assert "$\\frac{a}{b}$" in text  # chart labels are plain text, never mathtext


def test_a_report_without_leverage_figures_leaves_them_out(reports: list[dict[str, Any]],
                                                           history: tuple[dict[str, Any], list[dict[str, Any]]]
                                                           ) -> None:
    """Bounds, gaps, counterfactuals and sensitivity are absent when they were not computed: nothing is made up."""
    bare = {k: v for k, v in reports[1].items() if k not in ("bounds", "gaps", "counterfactuals", "sensitivity")}
    bare["hypothetical"] = {"partner_hedging_toward": ["China", "India"]}
    text = squash(parse(html.render_scores([bare])).text())
    assert "Bounds" not in text and "Sensitivity" not in text and "What to collect next" not in text
    assert "What would change the band" not in text
    assert "partner_hedging_toward = China, India" in text
    report, timeline = history
    plain = [{k: v for k, v in e.items() if k != "bounds"} for e in timeline]
    root = parse(html.render_timeline(report, plain))
    svg = next(n for n in root.iter() if n.attrs.get("id") == "case-1-history")
    assert int(svg.attrs["data-points"]) == len(timeline)


def test_output_is_deterministic(reports: list[dict[str, Any]]) -> None:
    assert html.render_scores(reports[:1]) == html.render_scores(reports[:1])


def test_a_chart_that_could_run_or_fetch_is_refused() -> None:
    for bad in ('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
                '<svg xmlns="http://www.w3.org/2000/svg"><g onload="x()"/></svg>',
                '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                '<use xlink:href="http://example.org/a.svg#x"/></svg>',
                '<svg xmlns="http://www.w3.org/2000/svg"><path style="fill: url(http://example.org/p)"/></svg>'):
        with pytest.raises(ValueError):
            charts._check(ET.fromstring(bad))


def test_importing_the_module_loads_neither_matplotlib_nor_jinja2() -> None:
    code = ("import sys, engine.reports.html\n"
            "assert not {'matplotlib', 'jinja2'} & set(sys.modules), sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=F.ROOT)


@pytest.mark.slow
def test_the_wheel_ships_the_templates(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(F.ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, timeout=300)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    shipped = {n for n in names if n.startswith("engine/reports/templates/")}
    expected = {f"engine/reports/templates/{p.name}" for p in (F.ROOT / "engine/reports/templates").iterdir()}
    assert expected and shipped == expected


# ---------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to render the HTML report in a browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            viewport={"width": 1100, "height": 900}, java_script_enabled=True)
        yield context
        context.close()


@pytest.mark.slow
def test_documents_render_in_chromium(browser: Any, documents: list[Document], tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        path = tmp_path / f"{doc.name}.html"
        path.write_text(doc.text, encoding="utf-8")
        requests: list[str] = []
        dialogs: list[str] = []
        errors: list[str] = []
        page = browser.new_page()
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(200)  # time for anything deferred to try its luck

        assert requests == [path.as_uri()], f"{doc.name} made requests: {requests}"
        assert page.evaluate("window.__pwned") is None and not dialogs and not errors, doc.name
        shown = squash(page.inner_text("body"))
        for needle in doc.must_show:
            assert squash(needle) in shown, f"{doc.name}: {needle!r} not visible"
        zero = _zero_bars(doc)
        for chart_id, count in doc.bars.items():
            drawn = page.evaluate("""id => {
                const svg = document.getElementById(id);
                const box = svg.getBoundingClientRect();
                const bars = [...svg.querySelectorAll(`[id^="${id}-bar-"] path`)]
                    .filter(p => { const b = p.getBBox(); return b.width > 0 || b.height > 0; }).length;
                return {width: box.width, height: box.height, bars: bars,
                        declared: Number(svg.dataset.bars ?? svg.dataset.points)};
            }""", chart_id)
            assert drawn["width"] > 300 and drawn["height"] > 50, (doc.name, chart_id, drawn)
            assert drawn["declared"] == count, (doc.name, chart_id, drawn)
            if chart_id.endswith(("waterfall", "categories", "changes")):
                # a bar of 0 points has no width: count the others
                assert drawn["bars"] == count - zero.get(chart_id, 0), (doc.name, chart_id, drawn)
        if doc.name == "scores":
            assert page.inner_text("#case-1 [data-field=score]") == documents[0].must_show[1]
            page.emulate_media(media="print")
            assert page.evaluate("getComputedStyle(document.querySelector('#case-2')).breakBefore") == "page"
            pdf = page.pdf(path=str(tmp_path / "scores.pdf"), format="A4")  # printed as a reader would
            page.emulate_media(media="screen")
            assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > len(doc.bars) // 2
            shutil.copy(tmp_path / "scores.pdf", SHOTS / "scores.pdf")
        page.screenshot(path=str(tmp_path / f"{doc.name}.png"), full_page=True)
        for suffix in (".png", ".html"):  # kept for a person to look at
            shutil.copy(tmp_path / f"{doc.name}{suffix}", SHOTS / f"{doc.name}{suffix}")
        page.close()


@pytest.mark.slow
def test_the_page_policy_blocks_what_escaping_would_have_missed(browser: Any, documents: list[Document],
                                                               tmp_path: Path) -> None:
    """A second line of defence: markup smuggled into the page still fetches and runs nothing (its CSP)."""
    smuggled = ('<img src="http://127.0.0.1:9/x.png"><script>window.__pwned = 6</script>'
                '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><iframe src="http://127.0.0.1:9/"></iframe>'
                '<style>@font-face { font-family: x; src: url(http://127.0.0.1:9/x.woff); } body { font-family: x; }'
                '</style><a id="js" href="javascript:window.__pwned = 7">x</a>')
    path = tmp_path / "smuggled.html"
    path.write_text(documents[-1].text.replace("<main>", "<main>" + smuggled, 1), encoding="utf-8")
    answered: list[str] = []
    failed: dict[str, str | None] = {}
    page = browser.new_page()
    page.on("response", lambda r: answered.append(r.url))
    page.on("requestfailed", lambda r: failed.update({r.url: r.failure}))
    page.goto(path.as_uri(), wait_until="load")
    page.click("#js")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    # Chromium reports a request the policy stopped, as failed before it left: it never reached the network
    assert answered == [path.as_uri()], answered
    assert set(failed) >= {"http://127.0.0.1:9/x.png", "http://127.0.0.1:9/x.css"}, failed
    assert set(failed.values()) == {"csp"}, failed
    page.close()


def _zero_bars(doc: Document) -> dict[str, int]:
    """Per chart, the bars of 0 points (a category whose rules did not fire): they draw nothing."""
    zero: dict[str, int] = {}
    for svg in (n for n in parse(doc.text).iter() if n.tag == "svg" and n.attrs["id"] in doc.bars):
        chart_id = svg.attrs["id"]
        for bar in (n for n in svg.iter() if n.attrs.get("id", "").startswith(f"{chart_id}-bar-")):
            path = next(n for n in bar.iter() if n.tag == "path")
            if len(set(re.findall(r"[ML] ([-\d.]+) ", path.attrs["d"]))) < 2:
                zero[chart_id] = zero.get(chart_id, 0) + 1
    return zero
