"""The HTML report: one self-contained page an analyst can send, read offline and print to PDF.

Works from the JSON report dicts (contract sections 6 to 8, with the evidence trail): nothing is
recomputed here, the numbers are the ones `evaluate` put in the report. The dicts are first read into
small views (so a missing key fails here, by name, not half-way through a template), then rendered by
Jinja2 templates with autoescaping on: every string from a YAML file is escaped. The charts are inline
SVG from `charts`, imported only when a page is rendered, as are jinja2 and matplotlib.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .outline import flatten

if TYPE_CHECKING:
    import jinja2

    from . import charts

TEMPLATES = Path(__file__).parent / "templates"
# No fetch of any kind: no script, font, image, frame or connection; only the page's own inline styles.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Band:
    label: str
    outlook: str | None


@dataclass(frozen=True)
class Span:
    low: float
    high: float


@dataclass(frozen=True)
class SourceView:
    id: str | None
    title: str | None
    author: str | None
    publisher: str | None
    published: str | None
    url: str | None
    link: str | None  # the URL when it is http(s): anything else is shown, never linked
    reliability: str | None


@dataclass(frozen=True)
class EvidenceView:
    fact: str
    value: str
    observed: str | None
    source: SourceView | None
    credibility: int | None
    grade: str  # Admiralty grade: reliability letter and credibility digit, '-' where missing
    confidence: float
    age_days: int | None
    decay: float
    note: str | None
    quote: str | None


@dataclass(frozen=True)
class RuleView:
    rule: str
    title: str
    category: str
    effect: str
    weight: float
    weight_range: Span | None
    fired: bool
    degree: float
    confidence: float
    decay: float
    points: float
    because: str | None
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class Missing:
    rule: str
    title: str | None
    weight: float | None
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Leverage:
    """A gap or a counterfactual: how far one fact moves the score, and into which bands."""

    fact: str
    low: float
    high: float
    bands: tuple[str, ...]
    changes_band: bool


@dataclass(frozen=True)
class Probability:
    horizon: str
    endures: float
    low: float
    high: float
    term: str


@dataclass(frozen=True)
class RuleChange:
    rule: str
    title: str | None
    before: float | None
    after: float | None
    delta: float


@dataclass(frozen=True)
class Moment:
    """One entry of a timeline."""

    as_of: str
    score: float
    band: Band
    coverage: float
    bounds: Span | None
    changes: tuple[RuleChange, ...]

    @property
    def notable(self) -> tuple[RuleChange, ...]:
        """The changes that show at two decimals (decay moves many rules by a hair)."""
        return tuple(c for c in self.changes if round(abs(c.delta), 2))


@dataclass(frozen=True)
class Timeline:
    moments: tuple[Moment, ...]
    chart: charts.Chart


@dataclass(frozen=True)
class CaseView:
    anchor: str
    case: str
    title: str
    as_of: str
    parties: tuple[tuple[str, str], ...]
    pack: str
    score: float
    band: Band
    coverage: float
    # None where the report carries no leverage figures (they were not computed for it)
    bounds: Span | None
    sensitivity: Span | None
    probability: Probability | None
    hypothetical: tuple[tuple[str, str], ...]
    fired: tuple[RuleView, ...]
    idle: tuple[RuleView, ...]
    not_evaluated: tuple[Missing, ...]
    gaps: tuple[Leverage, ...] | None
    counterfactuals: tuple[Leverage, ...] | None
    warnings: tuple[str, ...]
    gauge: charts.Chart
    waterfall: charts.Chart | None
    categories: charts.Chart | None
    timeline: Timeline | None


@dataclass(frozen=True)
class Side:
    """One side of a compare: the headline of its report."""

    case: str
    title: str
    as_of: str
    score: float
    band: Band
    coverage: float


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool  # right-aligned


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def render_scores(reports: Sequence[dict[str, Any]], timelines: Mapping[str, Sequence[dict[str, Any]]] | None = None
                  ) -> str:
    """One document for one or several case reports; `timelines[case_id]` adds a case's history."""
    if not reports:
        raise ValueError("render_scores needs at least one report")
    timelines = timelines or {}
    cases = [_case(report, f"case-{i}", timelines.get(report["case"])) for i, report in enumerate(reports, 1)]
    title = cases[0].title if len(cases) == 1 else f"Alliance durability: {len(cases)} cases"
    return _render("scores.html.j2", title=title, cases=cases)


def render_timeline(case_report: dict[str, Any], timeline: Sequence[dict[str, Any]]) -> str:
    """The score of one case at each date its evidence changed, with its bounds and the bands."""
    view = _case(case_report, "case-1", timeline)
    return _render("timeline.html.j2", title=f"Timeline: {view.title}", case=view)


def render_compare(compare: dict[str, Any]) -> str:
    """Two reports side by side and the rules whose points changed between them."""
    from . import charts

    before, after = compare["from"], compare["to"]
    titles = {c["rule"]: c["title"] for report in (before, after) for c in report["contributions"]}
    titles.update({n["rule"]: n["title"] for report in (before, after) for n in report["not_evaluated"]
                   if "title" in n})
    changes = tuple(RuleChange(c["rule"], titles.get(c["rule"]), _number_or_none(c["from"]),
                               _number_or_none(c["to"]), float(c["delta"])) for c in compare["changes"])
    chart = charts.totals("compare-changes", [charts.Step(c.rule, c.delta) for c in changes],
                          "change in points, rule by rule") if changes else None
    same = before["case"] == after["case"]
    title = (f"{before['title']}: {before['as_of']} to {after['as_of']}" if same
             else f"{before['title']} / {after['title']}")
    return _render("compare.html.j2", title=title, same=same,
                   before=_side(before), after=_side(after), delta=float(compare["delta"]), changes=changes,
                   chart=chart)


def render_backtest(backtest: dict[str, Any]) -> str:
    """How well the scores separated the alignments that held from those that broke."""
    from . import charts

    results = [{"case": r["case"], "as_of": r["as_of"], "score": float(r["score"]), "outcome": r["outcome"],
                "probability": _number_or_none(r["probability"])} for r in backtest["results"]]
    chart = charts.outcomes("backtest-outcomes", [charts.Outcome(r["score"], r["outcome"] == "held")
                                                 for r in results]) if results else None
    extras = [(name, _table(backtest[key])) for key, name in (("rules", "Rule diagnostics"),
                                                              ("calibration_table", "Calibration table"))
              if backtest.get(key) is not None]
    metrics = (("cases", _cell(backtest["cases"])), ("held", _cell(backtest["held"])),
               ("broke", _cell(backtest["broke"])), ("base rate (held / cases)", _cell(backtest["base_rate"])),
               ("AUC (held scored above broke)", _cell(backtest["auc"])),
               ("Brier score", _cell(backtest["brier"])), ("log loss", _cell(backtest["log_loss"])))
    return _render("backtest.html.j2", title="Backtest", metrics=metrics, results=results, chart=chart,
                   extras=extras)


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(csp=CSP, **context)


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True)
    environment.filters.update(score=_score, points=_points, pct=_pct, num=_num, svg=_svg)
    return environment


def _svg(chart: charts.Chart) -> Any:
    """The chart's markup, trusted: `charts` escaped every label and checked the SVG (`charts._check`)."""
    import markupsafe

    return markupsafe.Markup(chart.svg)


def _case(report: dict[str, Any], anchor: str, timeline: Sequence[dict[str, Any]] | None) -> CaseView:
    from . import charts

    bands = [charts.BandMark(float(b["from"]), b["label"]) for b in report["pack"]["bands"]]
    contributions = [_rule(c) for c in report["contributions"]]
    fired = tuple(c for c in contributions if c.fired)
    score = float(report["score"])
    band = Band(report["band"]["label"], report["band"]["outlook"])
    bounds = _span(report["bounds"]) if "bounds" in report else None
    sensitivity = _span(report["sensitivity"]) if "sensitivity" in report else None
    categories: dict[str, float] = {}
    for c in contributions:
        categories[c.category] = categories.get(c.category, 0.0) + c.points  # the report's points, summed
    return CaseView(
        anchor=anchor, case=report["case"], title=report["title"], as_of=report["as_of"],
        parties=tuple((role, name) for role, name in report["parties"].items()),
        pack=f"{report['pack']['name']} {report['pack']['version']}", score=score, band=band,
        coverage=float(report["coverage"]), bounds=bounds, sensitivity=sensitivity,
        probability=_probability(report["probability"]) if "probability" in report else None,
        hypothetical=tuple((name, _value(value)) for name, value in report.get("hypothetical", {}).items()),
        fired=fired, idle=tuple(c for c in contributions if not c.fired),
        not_evaluated=tuple(Missing(n["rule"], n.get("title"), n.get("weight"), tuple(n["missing"]))
                            for n in report["not_evaluated"]),
        gaps=tuple(_leverage(g, band.label) for g in report["gaps"]) if "gaps" in report else None,
        counterfactuals=tuple(_leverage(g, band.label) for g in report["counterfactuals"])
        if "counterfactuals" in report else None,
        warnings=tuple(report["warnings"]),
        gauge=charts.gauge(f"{anchor}-gauge", score, bands, _chart_span(bounds), _chart_span(sensitivity)),
        waterfall=charts.waterfall(f"{anchor}-waterfall", [charts.Step(c.rule, c.points) for c in fired], score,
                                   bands) if fired else None,
        categories=charts.totals(f"{anchor}-categories", [charts.Step(name, points) for name, points
                                                          in categories.items()], "points by category")
        if categories else None,
        timeline=_timeline(timeline, f"{anchor}-history", bands, {c.rule: c.title for c in contributions})
        if timeline else None)


def _timeline(entries: Sequence[dict[str, Any]], chart_id: str, bands: list[charts.BandMark],
              titles: dict[str, str]) -> Timeline:
    from . import charts

    moments = tuple(Moment(e["as_of"], float(e["score"]), Band(e["band"]["label"], e["band"]["outlook"]),
                           float(e["coverage"]), _span(e["bounds"]) if "bounds" in e else None,
                           tuple(RuleChange(c["rule"], titles.get(c["rule"]), None, None, float(c["delta"]))
                                 for c in e["changes"]))
                    for e in entries)
    points = [charts.HistoryPoint(dt.date.fromisoformat(m.as_of), m.score, _chart_span(m.bounds)) for m in moments]
    return Timeline(moments, charts.history(chart_id, points, bands))


def _rule(c: dict[str, Any]) -> RuleView:
    weight_range = c["weight_range"]
    return RuleView(
        rule=c["rule"], title=c["title"], category=c["category"], effect=c["effect"], weight=float(c["weight"]),
        weight_range=Span(float(weight_range[0]), float(weight_range[1])) if weight_range is not None else None,
        fired=bool(c["fired"]), degree=float(c["degree"]), confidence=float(c["confidence"]),
        decay=float(c["decay"]), points=float(c["points"]), because=c["because"],
        evidence=tuple(_evidence(e) for e in c["evidence"]))


def _evidence(e: dict[str, Any]) -> EvidenceView:
    source = e["source"]
    view = None if source is None else SourceView(
        source["id"], source["title"], source["author"], source["publisher"], source["published"], source["url"],
        _link(source["url"]), source["reliability"])
    reliability = view.reliability if view is not None and view.reliability else "-"
    credibility = e["credibility"]
    return EvidenceView(
        fact=e["fact"], value=_value(e["value"]), observed=e["observed"], source=view, credibility=credibility,
        grade=f"{reliability}{credibility if credibility is not None else '-'}",
        confidence=float(e["confidence"]), age_days=e["age_days"], decay=float(e["decay"]), note=e["note"],
        quote=e["quote"])


def _link(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` or `data:` URL in a case file stays text."""
    if url is None:
        return None
    return url if url.lower().startswith(("https://", "http://")) else None


def _leverage(entry: dict[str, Any], band: str) -> Leverage:
    bands = tuple(entry["bands"])
    return Leverage(entry["fact"], float(entry["low"]), float(entry["high"]), bands,
                    any(label != band for label in bands))


def _probability(p: dict[str, Any]) -> Probability:
    years = float(p["horizon_years"])
    if years.is_integer() and years < len(NUMBER_WORDS):
        horizon = f"{NUMBER_WORDS[int(years)]} year{'' if years == 1 else 's'}"
    else:
        horizon = f"{_num(years)} years"
    return Probability(horizon, float(p["endures"]), float(p["low"]), float(p["high"]), p["term"])


def _side(report: dict[str, Any]) -> Side:
    return Side(report["case"], report["title"], report["as_of"], float(report["score"]),
                Band(report["band"]["label"], report["band"]["outlook"]), float(report["coverage"]))


def _chart_span(span: Span | None) -> charts.Span | None:
    from . import charts

    return None if span is None else charts.Span(span.low, span.high)


def _span(raw: dict[str, Any]) -> Span:
    return Span(float(raw["low"]), float(raw["high"]))


def _number_or_none(raw: Any) -> float | None:
    return None if raw is None else float(raw)


def _value(raw: Any) -> str:
    """A fact's JSON value as the reader sees it (lists joined by ', ', no trailing '.0')."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, list):
        return ", ".join(_value(item) for item in raw)
    if isinstance(raw, float):
        return _num(raw)
    return str(raw)


def _table(raw: Any) -> Table:
    """Backtest diagnostics of any shape as a table: rows of records, a mapping of records, or pairs."""
    if isinstance(raw, list) and all(isinstance(row, dict) for row in raw):
        rows = [flatten(row) for row in raw]  # {'held': {'fired': 2}} -> a column 'held fired', as text does
        columns = list(dict.fromkeys(key for row in rows for key in row))
        return Table(tuple(columns), tuple(tuple(_typed(row.get(k)) for k in columns) for row in rows))
    if isinstance(raw, dict) and raw and all(isinstance(row, dict) for row in raw.values()):
        columns = list(dict.fromkeys(key for row in raw.values() for key in row))
        return Table(("", *columns), tuple((_typed(name), *(_typed(row.get(k)) for k in columns))
                                           for name, row in raw.items()))
    if isinstance(raw, dict):
        return Table(("", "value"), tuple((_typed(k), _typed(v)) for k, v in raw.items()))
    if isinstance(raw, list):
        return Table(("value",), tuple((_typed(v),) for v in raw))
    return Table(("value",), ((_typed(raw),),))


def _typed(raw: Any) -> Cell:
    return Cell(_cell(raw), isinstance(raw, int | float) and not isinstance(raw, bool))


def _cell(raw: Any) -> str:
    if raw is None:
        return "\u2014"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return _num(float(raw))
    if isinstance(raw, list | dict):
        return json.dumps(raw, ensure_ascii=False, sort_keys=True)
    return str(raw)


def _score(x: float) -> str:
    return f"{x:.1f}"


def _points(x: float) -> str:
    return f"{x:+.2f}" if round(x, 2) else "0.00"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _num(x: float) -> str:
    """Up to three decimals, without trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


__all__ = ["render_backtest", "render_compare", "render_scores", "render_timeline"]
