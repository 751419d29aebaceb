"""The text reports: what a person reads in a terminal, top-down, wrapped to a width.

Every line is laid out as plain text first (so widths count only what shows), then coloured when asked:
colour is a layer over finished lines, never part of what is measured or wrapped. Every string printed
passes through `outline.clean`, so no control character from a file reaches the terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.evaluate import Result
from .outline import (
    DOWN,
    STRONG,
    UP,
    WARN,
    Block,
    Column,
    Outline,
    Pairs,
    Para,
    Row,
    Table,
    backtest_outline,
    clean,
    compare_outline,
    score_outline,
    timeline_outline,
)

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..analysis.timeline import Step

BAR_WIDTH = 12
GAP = "  "
INDENT = 2        # sections' contents sit under their titles
MIN_PROSE = 24    # the narrowest a prose column may be beside the others; below it, prose goes under its row
MIN_WIDTH = 20    # the narrowest layout attempted
_ANSI = {STRONG: "\x1b[1m", UP: "\x1b[32m", DOWN: "\x1b[31m", WARN: "\x1b[33m"}
_RESET = "\x1b[0m"


def to_text(result: Result, *, width: int = 100, color: bool = False) -> str:
    """The report of one case: headline, coverage, bounds, what drove it, what is missing, what could move it."""
    return render(score_outline(result), width=width, color=color)


def compare_text(comparison: Comparison, *, width: int = 100, color: bool = False) -> str:
    """Two assessments: the delta, both scores and bands, and the changes, largest first."""
    return render(compare_outline(comparison), width=width, color=color)


def timeline_text(steps: Sequence[Step], *, width: int = 100, color: bool = False) -> str:
    """One row per date: score, band, coverage, bounds when known, and the largest changes."""
    return render(timeline_outline(steps), width=width, color=color)


def backtest_text(backtest: Mapping[str, Any], *, width: int = 100, color: bool = False) -> str:
    """The backtest's JSON dict (contract section 8 and any diagnostics it carries) as figures and tables."""
    return render(backtest_outline(backtest), width=width, color=color)


@dataclass(frozen=True)
class _Line:
    """A finished line and the parts of it a colour applies to: (start, end, tone)."""

    text: str
    spans: tuple[tuple[int, int, str], ...] = ()

    def shown(self, color: bool) -> str:
        if not color:
            return self.text
        text = self.text
        for start, end, tone in sorted(self.spans, reverse=True):  # from the right: positions stay valid
            text = f"{text[:start]}{_ANSI[tone]}{text[start:end]}{_RESET}{text[end:]}"
        return text


def render(outline: Outline, *, width: int = 100, color: bool = False) -> str:
    """An outline laid out to `width` columns (never wider, but for a word too long for any line)."""
    width = max(width, MIN_WIDTH)
    lines = [_Line(text, ((0, len(text), STRONG),)) for text in _wrap(outline.title, width)]
    for block in outline.lead:
        lines += [_Line(""), *_block(block, width, 0)]
    for section in outline.sections:
        lines += [_Line(""), *(_Line(text, ((0, len(text), STRONG),)) for text in _wrap(section.title, width))]
        for i, block in enumerate(section.blocks):
            lines += ([_Line("")] if i else []) + _block(block, width, INDENT)
    return "".join(line.shown(color).rstrip() + "\n" for line in lines)


def _wrap(text: str, width: int) -> list[str]:
    """Words never break (a rule id or URL stays whole), hyphens included."""
    return textwrap.wrap(clean(text), width, break_long_words=False, break_on_hyphens=False) or [""]


def _block(block: Block, width: int, indent: int) -> list[_Line]:
    pad = " " * indent
    if isinstance(block, Para):
        texts = [pad + text for line in block.text.split("\n") for text in _wrap(line, width - indent)]
        return [_Line(t, ((indent, len(t), block.tone),) if block.tone else ()) for t in texts]
    if isinstance(block, Pairs):
        table = Table((Column("label"), Column("value", wrap=True)),
                      tuple(Row((item.label, item.value)) for item in block.items))
        return _table(table, width, indent, header=False)
    return _table(block, width, indent, header=True)


def _cell_lines(cell: str) -> list[str]:
    return [clean(line) for line in cell.split("\n")]


def _table(table: Table, width: int, indent: int, *, header: bool) -> list[_Line]:
    """Columns aligned over every row; prose columns wrapped into the room the others leave, or, when that
    is too narrow, set under each row; a table too wide even so is split into panels that each repeat the
    columns naming the row."""
    columns, rows = list(table.columns), [[_cell_lines(cell) for cell in row.cells] for row in table.rows]
    tones = [row.tone for row in table.rows]
    if table.bars:  # the bar is one more column, after the first
        largest = max((abs(row.bar) for row in table.rows if row.bar is not None), default=0.0)
        columns.insert(1, Column(""))
        for cells, row in zip(rows, table.rows, strict=True):
            cells.insert(1, [_bar(row.bar, largest)])
    hang = table.hang + (1 if table.bars and table.hang >= 1 else 0)
    tint = 2 if table.bars else 1
    headers = [[clean(c.header)] for c in columns]
    cells_of = [[headers[i] if header else [""], *(r[i] for r in rows)] for i in range(len(columns))]
    natural = [max(len(line) for cell in cells for line in cell) for cells in cells_of]
    longest = [max((len(word) for cell in cells for line in cell for word in line.split()), default=0)
               for cells in cells_of]
    fixed = [i for i, c in enumerate(columns) if not c.wrap]
    prose = [i for i, c in enumerate(columns) if c.wrap]
    least = {i: max(min(MIN_PROSE, natural[i]), longest[i]) for i in prose}
    room = width - indent - sum(natural[i] for i in fixed) - len(GAP) * (len(columns) - 1)
    if sum(natural[i] for i in prose) <= room:
        widths = natural
    elif prose and room >= sum(least.values()) and not table.under:
        widths = _share(natural, least, room)
    elif prose:  # prose under each row
        return _stacked(columns, rows, tones, headers if header else None, natural, fixed, prose, width, indent,
                        hang, tint)
    else:
        return _panels(table, width, indent, header)
    return _grid(columns, rows, tones, headers if header else None, widths, indent, tint)


def _share(natural: list[int], least: dict[int, int], room: int) -> list[int]:
    """The prose columns' widths within `room`: each at least its `least`, the rest shared out, the columns
    that need least extra served first, none past its natural width."""
    widths = list(natural)
    for i, w in least.items():
        widths[i] = w
    extra = room - sum(least.values())
    waiting = sorted(least, key=lambda i: natural[i] - least[i])
    for n, i in enumerate(waiting):
        give = min(natural[i] - least[i], extra // (len(waiting) - n))
        widths[i] += give
        extra -= give
    return widths


def _fill(lines: list[str], width: int) -> list[str]:
    return [wrapped for line in lines for wrapped in _wrap(line, width)]


def _grid(columns: list[Column], rows: list[list[list[str]]], tones: list[str | None],
          headers: list[list[str]] | None, widths: list[int], indent: int, tint: int = 1) -> list[_Line]:
    """Rows of cells; a row's tone colours its first `tint` cells (the points and their bar)."""
    out = []
    starts = [indent + sum(widths[:i]) + len(GAP) * i for i in range(len(columns))]
    for cells, tone in [*([(headers, None)] if headers is not None else []), *zip(rows, tones, strict=True)]:
        filled = [_fill(cell, w) if c.wrap else cell for cell, c, w in zip(cells, columns, widths, strict=True)]
        for k in range(max(len(cell) for cell in filled)):
            parts = [(cell[k] if k < len(cell) else "") for cell in filled]
            text = " " * indent + GAP.join(part.rjust(w) if c.numeric else part.ljust(w)
                                           for part, c, w in zip(parts, columns, widths, strict=True))
            last = min(tint, len(columns)) - 1
            spans = ((starts[0], starts[last] + widths[last], tone),) if tone and k == 0 else ()
            out.append(_Line(text.rstrip(), spans))
    return out


def _stacked(columns: list[Column], rows: list[list[list[str]]], tones: list[str | None],
             headers: list[list[str]] | None, natural: list[int], fixed: list[int], prose: list[int], width: int,
             indent: int, hang: int, tint: int) -> list[_Line]:
    """The fixed columns on the row's line, each prose cell under it from column `hang` on."""
    widths = [natural[i] for i in fixed]
    fixed_columns = [columns[i] for i in fixed]
    if indent + sum(widths) + len(GAP) * (len(widths) - 1) > width and len(fixed) > 1:
        # even the fixed columns are too wide: the prose after them, the rest in panels
        table = Table(tuple(columns), tuple(Row(tuple("\n".join(c) for c in cells), tone)
                                            for cells, tone in zip(rows, tones, strict=True)), hang=hang)
        return _panels(table, width, indent, headers is not None)
    start = indent + sum(natural[i] + len(GAP) for i in fixed if i < hang)
    if width - start < MIN_PROSE * 2:
        start = indent + 4
    out = []
    head = [[headers[i] for i in fixed]] if headers is not None else []
    for n, cells in enumerate([*head, *([cells[i] for i in fixed] for cells in rows)]):
        is_header = headers is not None and n == 0
        tone = None if is_header else tones[n - len(head)]
        out += _grid(fixed_columns, [cells], [tone], None, widths, indent, tint)
        if is_header:
            continue
        for i in prose:
            out += [_Line(" " * start + line) for line in _fill(rows[n - len(head)][i], width - start)]
    return out


def _panels(table: Table, width: int, indent: int, header: bool) -> list[_Line]:
    """Columns split into panels that fit, each repeating the leading columns up to `hang` (what names a row)."""
    columns = table.columns
    lead = list(range(table.hang + 1))
    used = [len(c.header) for c in columns]
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            used[i] = max(used[i], *(len(line) for line in _cell_lines(cell)))
    panels: list[list[int]] = []
    current = list(lead)
    base = indent + sum(used[i] for i in lead) + len(GAP) * (len(lead) - 1)
    taken = base
    for i in range(len(lead), len(columns)):
        need = len(GAP) + (MIN_PROSE if columns[i].wrap else used[i])
        if taken + need > width and len(current) > len(lead):
            panels.append(current)
            current, taken = list(lead), base
        current.append(i)
        taken += need
    panels.append(current)
    if any(len(panel) == len(lead) + 1 and base + len(GAP) + used[panel[-1]] > width for panel in panels) \
            or len(panels) == 1:
        return _records(table, width, indent)
    out: list[_Line] = []
    for n, panel in enumerate(panels):
        part = Table(tuple(columns[i] for i in panel),
                     tuple(Row(tuple(row.cells[i] for i in panel), row.tone) for row in table.rows))
        out += ([_Line("")] if n else []) + _table(part, width, indent, header=header)
    return out


def _records(table: Table, width: int, indent: int) -> list[_Line]:
    """The last resort, for a width too narrow for any two columns side by side: each row as its first
    cell, then one 'header: value' line for each other cell."""
    out: list[_Line] = []
    for row in table.rows:
        first = _fill(_cell_lines(row.cells[0]), width - indent)
        out += [_Line(" " * indent + line, ((indent, indent + len(line), row.tone),) if row.tone else ())
                for line in first]
        for column, cell in zip(table.columns[1:], row.cells[1:], strict=True):
            label = f"{clean(column.header)}: " if column.header else ""
            lines = _cell_lines(cell)
            out += [_Line(" " * (indent + 4) + line) for line in _fill([label + lines[0], *lines[1:]],
                                                                      width - indent - 4)]
    return out


def _bar(points: float | None, largest: float) -> str:
    if not points or not largest:
        return ""
    return ("+" if points > 0 else "-") * max(1, round(BAR_WIDTH * abs(points) / largest))
