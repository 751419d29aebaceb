"""What the human-readable reports say, built once and laid out twice: by `text` for a terminal and by
`markdown` for a document. An outline is headed sections of paragraphs, label/value pairs and tables of
plain strings; the numbers are already worded here, so both layouts say exactly the same thing.

Strings from files (titles, reasons, values, sources) go into an outline as they are: each layout
cleans and escapes every string it prints (`clean`), so no control character reaches the output.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.evaluate import LOW_COVERAGE, Contribution, FactEvidence, Result
from ..core.model import Value
from ..core.present import render
from ..files.locate import where

if TYPE_CHECKING:
    from ..analysis.compare import Change, Comparison
    from ..analysis.leverage import Lever
    from ..analysis.timeline import Step

# Tones a layout may show (colour in a terminal): how a line reads, never what it says.
STRONG, UP, DOWN, WARN = "strong", "up", "down", "warn"
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
TIMELINE_CHANGES = 3  # the largest changes a timeline row names
PROSE = 24  # a text value longer than this (with spaces) may wrap; shorter ones (ids, dates, terms) stay whole
# Characters that reorder or hide text on screen (bidirectional embeddings, overrides and isolates, the
# invisible marks): shown escaped like control characters, so a title cannot disguise the report.
_DISGUISING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cs", "Cn", "Co", "Zl", "Zp"))


@dataclass(frozen=True)
class Para:
    """A paragraph, wrapped; a newline in `text` starts a new line of it (no blank line between)."""

    text: str
    tone: str | None = None


@dataclass(frozen=True)
class Pair:
    label: str
    value: str


@dataclass(frozen=True)
class Pairs:
    """Label and value lines (a terminal aligns the values; a document lists them)."""

    items: tuple[Pair, ...]


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = False  # right-aligned
    wrap: bool = False     # prose: wrapped to the room left by the other columns


@dataclass(frozen=True)
class Row:
    """One row; a cell may hold several lines (separated by newlines). `bar` is the value a terminal draws
    as a bar after the first cell; `evidence` what a document cites for the row."""

    cells: tuple[str, ...]
    tone: str | None = None
    bar: float | None = None
    evidence: tuple[FactEvidence, ...] = ()


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    bars: bool = False  # draw each row's `bar` (scaled to the largest) after the first column
    hang: int = 0       # when prose must go below its row, it starts under this column
    under: bool = False  # prose goes below its row unless it fits beside it unwrapped (a reason reads whole)


Block = Para | Pairs | Table


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Outline:
    """A report: its title, the lines under it (the headline), then its sections in reading order."""

    title: str
    lead: tuple[Block, ...]
    sections: tuple[Section, ...]
    key: str = ""  # a name unique to the report (the case id): footnote labels start with it


# --- wording --------------------------------------------------------------------------------------------

def clean(text: str) -> str:
    """`text` safe to print on one line: tabs and line breaks become spaces; control characters, and
    characters that hide or reorder text, are shown escaped (`\\x1b`, `\\u202e`)."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in "\t\n\r":
            out.append(" ")
        elif char in _DISGUISING or unicodedata.category(char) in _HIDDEN_CATEGORIES:
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def signed(points: float) -> str:
    """Points to two decimals with their sign; '0.00' when they round to nothing."""
    return f"{points:+.2f}" if round(points, 2) else "0.00"


def score_words(score: float) -> str:
    return f"{score:.1f}"


def percent(p: float) -> str:
    """A probability as a whole percentage; never 0% or 100% for what is not certain."""
    shown = round(100 * p)
    if shown == 0 and p > 0:
        return "<1%"
    if shown == 100 and p < 1:
        return ">99%"
    return f"{shown}%"


def percent_range(low: float, high: float) -> str:
    a, b = percent(low), percent(high)
    return f"{a[:-1]}-{b}" if a[0].isdigit() and b[0].isdigit() else f"{a} to {b}"


def years(horizon: float) -> str:
    """A horizon in words: 'three years', 'one year', '2.5 years'."""
    if horizon.is_integer() and horizon < len(NUMBER_WORDS):
        return f"{NUMBER_WORDS[int(horizon)]} year{'' if horizon == 1 else 's'}"
    return f"{render(horizon)} years"


def band_span(bands: Sequence[str]) -> str:
    """The bands a range reaches into: 'band steady', 'bands steady to strong'."""
    return f"band {bands[0]}" if len(bands) == 1 else f"bands {bands[0]} to {bands[-1]}"


def figure(value: Any) -> str:
    """A value of a JSON report as a table shows it: numbers to at most four decimals, null as 'n/a'."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, list):
        return ", ".join(figure(item) for item in value)
    return str(value)


def value_words(value: Value | None) -> str:
    return "unstated" if value is None else render(value)


# --- one case -------------------------------------------------------------------------------------------

def score_outline(result: Result) -> Outline:
    """The report of one case, top-down: headline, what drove it, what is missing, what could move it."""
    case, pack = result.case, result.pack
    parties = ", ".join(f"{role} {name}" for role, name in case.parties.items())
    lead: list[Block] = [Para(f"{parties}; assessed as of {result.as_of.isoformat()} with the pack "
                              f"{pack.name} {pack.version} ({where(pack.path)})")]
    lead.append(Para("\n".join(headline(result)), STRONG))
    lead.append(Pairs(_figures(result)))
    sections = [_drivers(result), _idle(result), _missing(result)]
    if result.leverage is not None:
        sections += [_gaps(result.leverage.gaps), _counterfactuals(result, result.leverage.counterfactuals)]
    if result.history:
        sections.append(Section("History", (_dates(result.history),)))
    sections.append(_warnings(result))
    return Outline(f"{case.title} ({case.id})", tuple(lead), tuple(s for s in sections if s.blocks), case.id)


def headline(result: Result) -> list[str]:
    """The first lines a reader sees: the calibrated chance when there is one, then the score and band;
    on thin evidence, that it is too thin to judge instead of a band."""
    score = f"Durability score {score_words(result.score)} / 100"
    if result.coverage < LOW_COVERAGE:
        return [f"{score}: the evidence is too thin to judge (only {result.coverage:.0%} of the rule weight "
                "could be evaluated)."]
    band = result.band
    lines = [f"{score}: {band.label}" + (f" ({band.outlook})." if band.outlook else ".")]
    p = result.probability
    if p is not None:
        lines.insert(0, f"{p.term[0].upper()}{p.term[1:]} ({percent(p.endures)}, "
                        f"{percent_range(p.low, p.high)}) to endure {years(p.horizon_years)}.")
    return lines


def _figures(result: Result) -> tuple[Pair, ...]:
    evaluated = len(result.contributions)
    total = evaluated + len(result.not_evaluated)
    pairs = [Pair("coverage", f"{result.coverage:.0%} of the rule weight could be evaluated ({evaluated} of "
                              f"{total} rules)")]
    if result.coverage < LOW_COVERAGE:
        outlook = f" ({result.band.outlook})" if result.band.outlook else ""
        pairs.append(Pair("band", f"{result.band.label}{outlook} on this evidence; too little of it to judge"))
        if result.probability is not None:
            p = result.probability
            pairs.append(Pair("probability", f"{percent(p.endures)} ({percent_range(p.low, p.high)}) to endure "
                                             f"{years(p.horizon_years)}, {p.term}; on too little evidence"))
    lev = result.leverage
    if lev is not None:
        low, high = lev.bounds.low, lev.bounds.high
        outer = "; an outer bound (see the warnings)" if any(m.startswith("bounds") for m in lev.limits) else ""
        pairs.append(Pair("bounds", f"could lie anywhere from {score_words(low)} to {score_words(high)} if the "
                                    f"unknown facts were known{outer}" if low != high else
                                    f"{score_words(low)}: no unknown fact could change it"))
        low, high = lev.sensitivity.low, lev.sensitivity.high
        ranged = any(rule.weight_range is not None for rule in result.pack.rules)
        pairs.append(Pair("sensitivity", f"{score_words(low)} to {score_words(high)} as the rules' weights vary "
                                         "within their ranges" if ranged else
                                         "none: no rule of the pack has a weight range"))
    return tuple(pairs)


def _categories(result: Result) -> list[str]:
    seen = [rule.category for rule in result.pack.rules]
    declared = [c for c in result.pack.categories or () if c in seen]
    return list(dict.fromkeys([*declared, *sorted(seen)]))


def _drivers(result: Result) -> Section:
    fired = [c for c in result.contributions if c.fired]
    if not fired:
        return Section("What drove it", (Para("No rule fired: the score is 50, no net evidence either way."),))
    up = [c.points for c in fired if c.points > 0]
    down = [c.points for c in fired if c.points < 0]
    net = math.fsum(c.points for c in fired)
    direction = Para(f"Strengthening rules add {signed(math.fsum(up))} points ({len(up)} fired), weakening "
                     f"rules {signed(math.fsum(down))} ({len(down)} fired): net {signed(net)} on the neutral 50.")
    in_pack: dict[str, int] = {}
    for rule in result.pack.rules:
        in_pack[rule.category] = in_pack.get(rule.category, 0) + 1
    rows = [_category_row(name, [c for c in result.contributions if c.category == name], in_pack[name])
            for name in _categories(result)]
    rows.append(_category_row("all", list(result.contributions), len(result.pack.rules)))
    columns = (Column("category"), Column("strengthening", True), Column("weakening", True), Column("net", True),
               Column("fired", True), Column("evaluated", True), Column("rules", True))
    return Section("What drove it", (direction, Table(columns, tuple(rows)), _rule_table(fired)))


def _category_row(name: str, contributions: list[Contribution], rules: int) -> Row:
    fired = [c for c in contributions if c.fired]
    net = math.fsum(c.points for c in fired)
    return Row((name, signed(math.fsum(c.points for c in fired if c.points > 0)),
                signed(math.fsum(c.points for c in fired if c.points < 0)), signed(net), str(len(fired)),
                str(len(contributions)), str(rules)), UP if round(net, 2) > 0 else DOWN if round(net, 2) < 0 else None)


def _rule_table(fired: list[Contribution]) -> Table:
    columns = (Column("points", True), Column("rule"), Column("weight", True), Column("degree", True),
               Column("confidence", True), Column("decay", True), Column("reason", wrap=True))
    rows = tuple(Row((signed(c.points), c.rule, render(c.weight), f"{c.degree:.2f}", f"{c.confidence:.2f}",
                      f"{c.decay:.2f}", c.because or c.title), UP if c.points > 0 else DOWN, c.points, c.evidence)
                 for c in fired)
    return Table(columns, rows, bars=True, hang=1, under=True)


def _idle(result: Result) -> Section:
    idle = [c for c in result.contributions if not c.fired]
    if not idle:
        return Section("Evaluated, did not apply (0 points)", ())
    rows = tuple(Row((c.rule, render(c.weight), f"did not apply: {c.title}")) for c in idle)
    table = Table((Column("rule"), Column("weight", True), Column("finding", wrap=True)), rows)
    return Section("Evaluated, did not apply (0 points)", (table,))


def _missing(result: Result) -> Section:
    title = "Not evaluated (no evidence either way; lowers the coverage)"
    if not result.not_evaluated:
        return Section(title, ())
    rows = tuple(Row((n.rule, render(n.weight), ", ".join(n.missing))) for n in result.not_evaluated)
    table = Table((Column("rule"), Column("weight", True), Column("missing facts", wrap=True)), rows)
    return Section(title, (table,))


def _gaps(gaps: Sequence[Lever]) -> Section:
    title = "Facts worth collecting next"
    if not gaps:
        return Section(title, (Para("No fact the case leaves unstated could move the score."),))
    top = gaps[0]
    lead = Para(f"Stating {top.fact} could move the score from {score_words(top.low)} to {score_words(top.high)} "
                f"({band_span(top.bands)}). Each fact below is unstated; stated alone, it could move the score "
                "between its low and its high, the widest range first.")
    rows = tuple(Row((g.fact, score_words(g.low), score_words(g.high), _bands(g.bands))) for g in gaps)
    return Section(title, (lead, Table(_LEVER_COLUMNS, rows)))


_LEVER_COLUMNS = (Column("fact"), Column("low", True), Column("high", True), Column("bands", wrap=True))


def _bands(bands: Sequence[str]) -> str:
    return bands[0] if len(bands) == 1 else f"{bands[0]} to {bands[-1]}"


def _counterfactuals(result: Result, levers: Sequence[Lever]) -> Section:
    title = "What would change the band"
    band = result.band.label
    changing = [c for c in levers if any(label != band for label in c.bands)]
    if changing:
        top = changing[0]
        lead = Para(f"Another value of {top.fact}, or none, could move the score from {score_words(top.low)} to "
                    f"{score_words(top.high)} ({band_span(top.bands)}), out of the band {band}"
                    + (f"; so could {', '.join(c.fact for c in changing[1:])}." if len(changing) > 1 else "."), WARN)
    else:
        lead = Para(f"No other value of any one stated fact, nor its removal, takes the score out of the band "
                    f"{band}.")
    if not levers:
        return Section(title, (lead,))
    note = Para("Each fact below is stated; another value of it, or its removal, could move the score between "
                "its low and its high, the widest range first.")
    rows = tuple(Row((c.fact, value_words(_observed(result, c.fact)), score_words(c.low), score_words(c.high),
                      _bands(c.bands)), WARN if c in changing else None) for c in levers)
    columns = (_LEVER_COLUMNS[0], Column("now", wrap=True), *_LEVER_COLUMNS[1:])
    return Section(title, (lead, note, Table(columns, rows)))


def _observed(result: Result, fact: str) -> Value | None:
    observation = result.observations.get(fact)
    return None if observation is None else observation.value


def _warnings(result: Result) -> Section:
    rows = tuple(Row((w.code, w.message), WARN) for w in result.warnings)
    return Section("Warnings", (Table((Column("code"), Column("message", wrap=True)), rows),) if rows else ())


# --- two assessments ------------------------------------------------------------------------------------

def compare_outline(comparison: Comparison) -> Outline:
    """The difference between two assessments: the headline delta, both sides, then each change with
    the facts that moved it and each side's reason."""
    before, after = comparison.before, comparison.after
    same = before.case.id == after.case.id
    title = (f"{before.case.title} ({before.case.id}): {before.as_of.isoformat()} to {after.as_of.isoformat()}"
             if same else f"{before.case.title} ({before.case.id}) and {after.case.title} ({after.case.id})")
    delta = comparison.delta
    moved = "rose" if round(delta, 1) > 0 else "fell" if round(delta, 1) < 0 else "held"
    words = (f"The score {moved} by {abs(delta):.1f} points" if moved != "held"
             else f"The score held ({signed(delta)} points)")
    words += f", from {score_words(before.score)} ({before.band.label}) to {score_words(after.score)} " \
             f"({after.band.label})"
    words += "." if before.band.label == after.band.label else \
        f": the band moved from {before.band.label} to {after.band.label}."
    sides = Table((Column("side"), Column("case"), Column("as of"), Column("score", True), Column("band", wrap=True),
                   Column("coverage", True)),
                  tuple(Row((side, r.case.id, r.as_of.isoformat(), score_words(r.score),
                             r.band.label + (f" ({r.band.outlook})" if r.band.outlook else ""), f"{r.coverage:.0%}"))
                        for side, r in (("from", before), ("to", after))))
    lead: tuple[Block, ...] = (Para(words, STRONG), sides)
    if not comparison.changes:
        return Outline(title, lead, (Section("Changes", (Para("No rule's points changed."),)),), after.case.id)
    rows = tuple(_change_row(change, before, after) for change in comparison.changes)
    table = Table((Column("delta", True), Column("rule"), Column("from", True), Column("to", True),
                   Column("what changed", wrap=True)), rows, hang=1, under=True)
    return Outline(title, lead, (Section("Changes, largest first", (table,)),), after.case.id)


def _change_row(change: Change, before: Result, after: Result) -> Row:
    moved = ", ".join(f"{name} {value_words(_observed(before, name))} -> {value_words(_observed(after, name))}"
                      for name in change.moved)
    lines = [f"moved: {moved}" if moved else "moved: no fact it reads (its evidence aged or was regraded)",
             f"before: {_reason(change.before, change.title)}", f"after: {_reason(change.after, change.title)}"]
    return Row((signed(change.delta), change.rule, signed(change.from_points), signed(change.to_points),
                "\n".join(lines)), UP if change.delta > 0 else DOWN)


def _reason(contribution: Contribution | None, title: str) -> str:
    if contribution is None:
        return "not evaluated"
    return (contribution.because or title) if contribution.fired else f"did not apply: {title}"


# --- a timeline -----------------------------------------------------------------------------------------

def timeline_outline(steps: Sequence[Step]) -> Outline:
    """A row per date: score, band, coverage, bounds when known, and the largest changes."""
    if not steps:
        return Outline("Timeline", (Para("No dates to show."),), ())
    first, last = steps[0].result, steps[-1].result
    title = f"Timeline: {last.case.title} ({last.case.id})"
    lead = Para(f"{len(steps)} date(s) from {first.as_of.isoformat()} to {last.as_of.isoformat()}: the score went "
                f"from {score_words(first.score)} ({first.band.label}) to {score_words(last.score)} "
                f"({last.band.label}).", STRONG)
    return Outline(title, (lead,), (Section("Dates", (_dates(steps),)),), last.case.id)


def _dates(steps: Sequence[Step]) -> Table:
    bounded = any(step.result.leverage is not None for step in steps)
    columns = [Column("as of"), Column("score", True), Column("band"), Column("coverage", True)]
    if bounded:
        columns.append(Column("bounds", True))
    columns.append(Column("largest changes", wrap=True))
    rows = []
    for step in steps:
        r = step.result
        cells = [r.as_of.isoformat(), score_words(r.score), r.band.label, f"{r.coverage:.0%}"]
        if bounded:
            lev = r.leverage
            cells.append("" if lev is None else f"{score_words(lev.bounds.low)}-{score_words(lev.bounds.high)}")
        notable = [s for s in step.changes if round(s.delta, 2)]
        named = [f"{signed(s.delta)} {s.rule}" for s in notable[:TIMELINE_CHANGES]]
        more = len(notable) - TIMELINE_CHANGES
        cells.append("\n".join([*named, *([f"(and {more} more)"] if more > 0 else [])]) if notable else "none")
        rows.append(Row(tuple(cells)))
    return Table(tuple(columns), tuple(rows))


# --- a backtest -----------------------------------------------------------------------------------------

_TITLES = {"results": "Results, case by case", "rules": "Rule diagnostics", "calibration_table": "Calibration table",
           "cross_validation": "Cross-validation", "calibration": "Calibration"}


def backtest_outline(backtest: Mapping[str, Any]) -> Outline:
    """The backtest's figures, then every list of records as a table and every mapping as pairs, in the
    order the dict holds them: whatever diagnostics it carries are shown, by their keys."""
    lead: list[Block] = [Para(_backtest_headline(backtest), STRONG)]
    scalars = tuple(Pair(_label(k), figure(v)) for k, v in backtest.items() if not isinstance(v, (dict, list)))
    if scalars:
        lead.append(Pairs(scalars))
    sections = []
    for key, value in backtest.items():
        title = _TITLES.get(key, _label(key)[:1].upper() + _label(key)[1:])
        if isinstance(value, dict):
            sections.append(Section(title, (Pairs(tuple(Pair(k, figure(v)) for k, v in flatten(value).items())),)))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            sections.append(Section(title, (_records(value),)))
        elif isinstance(value, list):
            sections.append(Section(title, (Para(figure(value) if value else "none"),)))
    return Outline("Backtest", tuple(lead), tuple(sections))


def _backtest_headline(backtest: Mapping[str, Any]) -> str:
    counts = f"{backtest['cases']} case(s): {backtest['held']} held, {backtest['broke']} broke"
    auc = backtest["auc"]
    if auc is None:
        return f"{counts}; AUC undefined (it needs at least one held and one broke case)."
    return f"{counts}; AUC {figure(auc)}: a case that held scored above one that broke in {auc:.0%} of the pairs."


def _label(key: str) -> str:
    return key.replace("_", " ")


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings flattened into one level: {'held': {'fired': 2}} -> {'held fired': 2}."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{_label(str(key))}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name} "))
        else:
            flat[name] = value
    return flat


def _records(records: Sequence[Mapping[str, Any]]) -> Table:
    flat = [flatten(record) for record in records]
    names = list(dict.fromkeys(name for record in flat for name in record))
    columns = []
    for name in names:
        present = [record[name] for record in flat if record.get(name) is not None]
        numeric = bool(present) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
        prose = any(isinstance(v, str) and " " in v and len(v) > PROSE for v in present)  # else tokens: kept whole
        columns.append(Column(name, numeric, wrap=prose and name != names[0]))
    rows = tuple(Row(tuple(figure(record.get(name)) for name in names)) for record in flat)
    return Table(tuple(columns), rows)
