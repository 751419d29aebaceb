"""Charts for the HTML report: inline SVG drawn with matplotlib's SVG backend.

Imported only when an HTML report is rendered: matplotlib takes a while to import, and the plain
command must stay fast. Every chart is drawn on its own Figure (no pyplot, no global state) inside an
rc_context that makes the output deterministic (fixed hash salt, no date) and keeps labels as real
<text>. The SVG is then parsed and checked (`_finish`): only SVG elements, no event handlers, no
links out of the chart, so it can be inserted into the page as markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
STRENGTHENS = "#2e7d4f"
WEAKENS = "#b63a3a"
INK = "#222222"
MUTED = "#777777"
# Light fills for the bands, from the lowest (red) to the highest (green).
BAND_FILLS = ("#f4c7c3", "#f9dcb8", "#fbeeb5", "#d7ebc0", "#b9e0c6", "#a6d5cf")
WIDTH_IN = 7.2
P = ParamSpec("P")


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG markup (checked safe) and what it shows, for screen readers."""

    svg: str
    label: str


@dataclass(frozen=True)
class Step:
    """One fired rule in the waterfall: its label and its signed points."""

    label: str
    points: float


@dataclass(frozen=True)
class BandMark:
    """A band of the pack: where it starts and its label."""

    start: float
    label: str


@dataclass(frozen=True)
class Span:
    low: float
    high: float


@dataclass(frozen=True)
class HistoryPoint:
    as_of: dt.date
    score: float
    bounds: Span | None


@dataclass(frozen=True)
class Outcome:
    score: float
    held: bool


def _settings(salt: str | None = None) -> AbstractContextManager[None]:
    """Labels as real <text> in one font; the salt seeds matplotlib's ids (deterministic, one per chart)."""
    import matplotlib

    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt, "font.family": "sans-serif",
                                  "font.sans-serif": ["DejaVu Sans"]})


def _drawn(draw: Callable[P, Chart]) -> Callable[P, Chart]:
    """Draw under the chart settings: text props take the font when made, so the whole drawing is inside."""
    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with _settings():
            return draw(*args, **kwargs)
    return wrapper


def _figure(rows: int, row_height: float = 0.27, extra: float = 0.9) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, extra + row_height * max(rows, 1)), layout="constrained")


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8.5)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)


def _plain_labels(ax: Axes) -> None:
    """User text is never read as mathtext ('$x$' stays '$x$')."""
    for text in [*ax.get_yticklabels(), *ax.get_xticklabels()]:
        text.set_parse_math(False)


def _bands(ax: Axes, bands: Sequence[BandMark], low: float, high: float, vertical: bool) -> None:
    """Shade each band's range that falls inside [low, high], with its label."""
    for i, band in enumerate(bands):
        start = band.start
        end = bands[i + 1].start if i + 1 < len(bands) else 100.0
        a, b = max(start, low), min(end, high)
        if a >= b:
            continue
        fill = BAND_FILLS[round(i * (len(BAND_FILLS) - 1) / max(len(bands) - 1, 1))]
        if vertical:
            ax.axvspan(a, b, color=fill, alpha=0.55, linewidth=0, zorder=0)
            ax.text((a + b) / 2, 1.0, band.label, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                    fontsize=7.5, color=MUTED, parse_math=False, clip_on=False)
        else:
            ax.axhspan(a, b, color=fill, alpha=0.55, linewidth=0, zorder=0)
            ax.text(1.005, (a + b) / 2, band.label, transform=ax.get_yaxis_transform(), ha="left", va="center",
                    fontsize=7.5, color=MUTED, parse_math=False, clip_on=False)


def _short(label: str, limit: int = 36) -> str:
    """A long label would squeeze the plot: the page beside the chart has it in full."""
    return label if len(label) <= limit else label[:limit - 1] + "\u2026"


def _padded(values: Sequence[float], pad: float, floor: float = 0.0, ceiling: float = 100.0) -> tuple[float, float]:
    low, high = min(values), max(values)
    margin = max((high - low) * 0.08, pad)
    return max(floor, low - margin), min(ceiling, high + margin)


@_drawn
def waterfall(chart_id: str, steps: Sequence[Step], score: float, bands: Sequence[BandMark]) -> Chart:
    """The signed points of the fired rules, one bar each, walking from 50 to the score."""
    fig = _figure(len(steps) + 1)
    ax = fig.add_subplot()
    running = 50.0
    ends = [running]
    for i, step in enumerate(steps):
        bar = ax.barh(i, step.points, left=running, height=0.62,
                      color=STRENGTHENS if step.points >= 0 else WEAKENS, zorder=2)
        bar.patches[0].set_gid(f"{chart_id}-bar-{i}")
        running += step.points
        ends.append(running)
        # the value sits beyond the bar's far end: right of a rise, left of a fall
        ax.text(running, i, f" {step.points:+.2f} ", va="center", ha="left" if step.points >= 0 else "right",
                fontsize=7.5, color=INK, parse_math=False, zorder=3)
    low, high = _padded([*ends, score], 2.0)
    room = (high - low) * 0.08  # for the value labels
    low, high = max(0.0, low - room), min(100.0, high + room)
    _bands(ax, bands, low, high, vertical=True)
    ax.axvline(50, color=MUTED, linewidth=1, linestyle="--", zorder=1)
    ax.axvline(score, color=INK, linewidth=1.4, zorder=3)
    ax.set_xlim(low, high)
    ax.set_yticks(range(len(steps)), [_short(s.label) for s in steps])
    ax.set_ylim(len(steps) - 0.4, -0.9)
    ax.text(score, -0.75, f" score {score:.1f}", fontsize=8, color=INK, ha="left", va="center", parse_math=False)
    ax.set_xlabel("score, from 50 (no net evidence)", fontsize=8.5, color=INK)
    _style(ax)
    _plain_labels(ax)
    return _finish(fig, chart_id, f"Waterfall of the points of {len(steps)} fired rules, from 50 to {score:.1f}",
                   {"data-bars": str(len(steps))})


@_drawn
def totals(chart_id: str, items: Sequence[Step], what: str) -> Chart:
    """One horizontal bar per item (a category's points, a rule's change), signed from 0."""
    fig = _figure(len(items))
    ax = fig.add_subplot()
    for i, item in enumerate(items):
        bar = ax.barh(i, item.points, height=0.62, color=STRENGTHENS if item.points >= 0 else WEAKENS, zorder=2)
        bar.patches[0].set_gid(f"{chart_id}-bar-{i}")
        ax.text(item.points, i, f" {item.points:+.2f} ",
                va="center", ha="left" if item.points >= 0 else "right", fontsize=7.5, color=INK, parse_math=False)
    largest = max((abs(item.points) for item in items), default=1.0) or 1.0
    ax.set_xlim(-largest * 1.3, largest * 1.3)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks(range(len(items)), [_short(item.label) for item in items])
    ax.set_ylim(len(items) - 0.4, -0.6)
    ax.set_xlabel(what, fontsize=8.5, color=INK)
    _style(ax)
    _plain_labels(ax)
    return _finish(fig, chart_id, f"{what}: {len(items)} bars", {"data-bars": str(len(items))})


@_drawn
def gauge(chart_id: str, score: float, bands: Sequence[BandMark], bounds: Span | None, sensitivity: Span | None
          ) -> Chart:
    """The 0-100 scale with its bands, the score, and its bounds and sensitivity interval when known."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, 1.55), layout="constrained")
    ax = fig.add_subplot()
    for i, band in enumerate(bands):
        end = bands[i + 1].start if i + 1 < len(bands) else 100.0
        fill = BAND_FILLS[round(i * (len(BAND_FILLS) - 1) / max(len(bands) - 1, 1))]
        ax.barh(2, end - band.start, left=band.start, height=0.9, color=fill, edgecolor="white", linewidth=1)
        ax.text((band.start + end) / 2, 2, band.label, ha="center", va="center", fontsize=7.5, color=INK,
                parse_math=False, clip_on=True)
    ax.plot([score, score], [1.45, 2.55], color=INK, linewidth=2.2)
    ax.text(score, 2.62, f"{score:.1f}", ha="center", va="bottom", fontsize=9, color=INK, fontweight="bold")
    for row, span, name in ((1, bounds, "bounds (unstated facts)"), (0.3, sensitivity, "sensitivity (weights)")):
        if span is None:
            continue
        ax.plot([span.low, span.high], [row, row], color=INK, linewidth=3, solid_capstyle="butt")
        ax.plot([score], [row], marker="|", markersize=9, color="white", markeredgewidth=1.5)
        right = span.high < 65  # the label goes on the side with room
        ax.text(span.high + 1.5 if right else span.low - 1.5, row, f"{name}: {span.low:.1f} to {span.high:.1f}",
                va="center", ha="left" if right else "right", fontsize=7.5, color=INK, clip_on=False)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.1, 3.1)
    ax.set_yticks([])
    ax.set_xticks(range(0, 101, 10))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)
    label = f"Score {score:.1f} on the 0 to 100 scale"
    if bounds is not None:
        label += f", bounds {bounds.low:.1f} to {bounds.high:.1f}"
    if sensitivity is not None:
        label += f", sensitivity {sensitivity.low:.1f} to {sensitivity.high:.1f}"
    return _finish(fig, chart_id, label, {"data-bands": str(len(bands))})


@_drawn
def history(chart_id: str, points: Sequence[HistoryPoint], bands: Sequence[BandMark]) -> Chart:
    """The score at each date (held until the next), its bounds as a band, the band thresholds."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

    fig = _figure(12, row_height=0.25, extra=0.4)
    ax = fig.add_subplot()
    dates = [p.as_of for p in points]
    scores = [p.score for p in points]
    # The last entry is held for a short stretch so that its step shows.
    last = dates[-1] + dt.timedelta(days=max(30, (dates[-1] - dates[0]).days // 40))
    xs = [float(x) for x in date2num([*dates, last])]  # type: ignore[no-untyped-call]
    spans = [p.bounds for p in points if p.bounds is not None]
    low, high = _padded([*scores, *(b.low for b in spans), *(b.high for b in spans)], 4.0)
    _bands(ax, bands, low, high, vertical=False)
    if len(spans) == len(points):  # bounds at every date, or none drawn
        ax.fill_between(xs, [b.low for b in spans] + [spans[-1].low], [b.high for b in spans] + [spans[-1].high],
                        step="post", facecolor="#7a7a7a", alpha=0.2, edgecolor="#555555", linewidth=0.6,
                        label="bounds", zorder=1)
    ax.step(xs, [*scores, scores[-1]], where="post", color=INK, linewidth=1.6, zorder=3, label="score")
    line = ax.plot(xs[:-1], scores, linestyle="none", marker="o", markersize=3.5, color=INK, zorder=4)[0]
    line.set_gid(f"{chart_id}-points")
    for band in bands[1:]:
        if low < band.start < high:
            ax.axhline(band.start, color=MUTED, linewidth=0.7, linestyle=":", zorder=2)
    ax.set_ylim(low, high)
    ax.set_xlim(xs[0] - 10, xs[-1])  # date numbers count days
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]  # matplotlib.dates ships no annotations
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_ylabel("score", fontsize=8.5, color=INK)
    ax.legend(loc="upper left", fontsize=7.5, frameon=False)
    _style(ax)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    _plain_labels(ax)
    return _finish(fig, chart_id, f"Score over time at {len(points)} dates, from {dates[0].isoformat()} to "
                   f"{dates[-1].isoformat()}, with its bounds and the band thresholds",
                   {"data-points": str(len(points))})


@_drawn
def outcomes(chart_id: str, results: Sequence[Outcome]) -> Chart:
    """The backtest's scores, one dot per case, on a row for the held and a row for the broke."""
    fig = _figure(2, row_height=0.45, extra=0.8)
    ax = fig.add_subplot()
    for row, held in ((0, True), (1, False)):
        xs = [r.score for r in results if r.held is held]
        dots = ax.plot(xs, [row] * len(xs), linestyle="none", marker="o", markersize=7, alpha=0.7,
                       color=STRENGTHENS if held else WEAKENS)[0]
        dots.set_gid(f"{chart_id}-{'held' if held else 'broke'}")
    ax.axvline(50, color=MUTED, linewidth=1, linestyle="--")
    ax.set_xlim(0, 100)
    ax.set_ylim(1.6, -0.6)
    ax.set_yticks([0, 1], ["held", "broke"])
    ax.set_xlabel("score", fontsize=8.5, color=INK)
    _style(ax)
    return _finish(fig, chart_id, f"Scores of {len(results)} backtested cases by outcome",
                   {"data-points": str(len(results))})


def _finish(fig: Figure, chart_id: str, label: str, data: dict[str, str]) -> Chart:
    buffer = io.StringIO()
    # The salt also seeds the ids matplotlib gives clip paths: one per chart keeps them unique in a page.
    with _settings(chart_id):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    root = ET.fromstring(buffer.getvalue())
    _check(root)
    for child in list(root):
        if child.tag == f"{{{SVG}}}metadata":
            root.remove(child)
    _own_ids(root, chart_id)
    for name in ("width", "height"):
        root.attrib.pop(name, None)  # the page's CSS sizes the chart from its viewBox
    root.set("id", chart_id)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-label", label)
    for key, value in data.items():
        root.set(key, value)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    return Chart(ET.tostring(root, encoding="unicode"), label)


def _own_ids(root: ET.Element, chart_id: str) -> None:
    """Prefix matplotlib's ids ('figure_1', 'axes_1', clip paths) with the chart's: unique in a page of charts."""
    prefix = f"{chart_id}-"
    renamed = {}
    for element in root.iter():
        old = element.get("id")
        if old is not None and not old.startswith(prefix):
            renamed[old] = prefix + old
            element.set("id", prefix + old)
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.rpartition("}")[2] == "href" and value[1:] in renamed:
                element.set(key, "#" + renamed[value[1:]])
            elif "url(#" in value:
                element.set(key, re.sub(r"url\(#([^)]*)\)",
                                        lambda m: f"url(#{renamed.get(m.group(1), m.group(1))})", value))


def _check(root: ET.Element) -> None:
    """Refuse an SVG that could run or fetch anything: it is inserted into the page as markup."""
    for element in root.iter():
        namespace, _, tag = element.tag.rpartition("}")
        if namespace not in (f"{{{SVG}", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                             "{http://creativecommons.org/ns#", "{http://purl.org/dc/elements/1.1/"):
            raise ValueError(f"unexpected element {element.tag!r} in a chart")
        if tag in ("script", "foreignObject", "a", "image", "iframe", "animate", "set"):
            raise ValueError(f"unexpected element {tag!r} in a chart")
        for key, value in element.attrib.items():
            name = key.rpartition("}")[2]
            if name.lower().startswith("on"):
                raise ValueError(f"event attribute {key!r} in a chart")
            if name == "href" and not value.startswith("#"):
                raise ValueError(f"link {value!r} out of a chart")
            if "url(" in value and not all(part.startswith("#") for part in value.split("url(")[1:]):
                raise ValueError(f"external reference {value!r} in a chart")
