"""The Markdown reports: sections that paste into a document, with the evidence of each rule that fired
cited as footnotes (source, author, publisher, date, link, Admiralty grade).

Text from files is escaped wherever it goes: it cannot open a heading, a list, a link, an image, HTML,
emphasis or a new table cell, and a line break in it becomes a space (or, between the lines of one
cell, `<br>`), so it never leaves the cell or the line it was put in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.evaluate import FactEvidence, Result
from ..core.present import render
from .outline import (
    STRONG,
    Block,
    Outline,
    Pairs,
    Para,
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

# Characters that open inline structure anywhere (emphasis, code, links, images, HTML, entities, cells,
# strikethrough, math, footnote references, headings' closing marks); a backslash makes each literal. An
# underscore between two letters or digits can never open emphasis, so `treaty_signed` stays as written.
_INLINE = re.compile(r"[\\`*\[\]<>|~&$^!#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What opens a block at the start of a line: a list item, a quote, a setext underline, a numbered item.
_BLOCK_START = re.compile(r"([-+=>])|(\d+)([.)])")
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def to_markdown(result: Result) -> str:
    """The report of one case as Markdown, each fired rule's evidence cited as a footnote."""
    return _render(score_outline(result))


def compare_markdown(comparison: Comparison) -> str:
    return _render(compare_outline(comparison))


def timeline_markdown(steps: Sequence[Step]) -> str:
    return _render(timeline_outline(steps))


def backtest_markdown(backtest: Mapping[str, Any]) -> str:
    return _render(backtest_outline(backtest))


def escape(text: str) -> str:
    """`text` as literal inline Markdown on one line: it shows as written and opens no inline structure."""
    return _INLINE.sub(lambda m: "\\" + m.group(), clean(text).strip())


def _line(text: str) -> str:
    """`text` escaped to start a line of its own: it cannot open a list, a quote or an underline either."""
    text = escape(text)
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    return "\\" + text if match.group(1) else f"{match.group(2)}\\{text[match.end(2):]}"


class _Notes:
    """Footnotes, numbered in order of first citation; one observation read by several rules is one note."""

    def __init__(self, key: str) -> None:
        self.key = key or "note"
        self.numbers: dict[tuple[str, int], int] = {}
        self.texts: list[str] = []

    def cite(self, evidence: Sequence[FactEvidence]) -> str:
        marks = []
        for e in evidence:
            identity = (e.fact, id(e.grading.observation))
            if identity not in self.numbers:
                self.numbers[identity] = len(self.texts) + 1
                self.texts.append(_note(e))
            marks.append(f"[^{self.key}-{self.numbers[identity]}]")
        return "".join(marks)


def _note(e: FactEvidence) -> str:
    g, o = e.grading, e.grading.observation
    observed = f", observed {o.observed.isoformat()}" if o.observed else ", undated (counts as of the assessment)"
    parts = [f"**{escape(g.fact)}** = {escape(render(o.value))}{observed}."]
    source = g.source
    if source is None:
        parts.append(f"No source named (it counts with the unsourced multiplier {render(g.reliability)}).")
    else:
        said = [f"*{escape(source.title)}*" if source.title else escape(source.id)]
        said += [escape(x) for x in (source.author, source.publisher) if x]
        if source.published:
            said.append(source.published.isoformat())
        if source.url:
            said.append(_link(source.url))
        parts.append("Source: " + ", ".join(said) + ".")
    if source is not None and source.reliability and o.credibility is not None:
        grade = f"Admiralty grade {source.reliability}{o.credibility}"
    else:
        reliability = "unsourced" if source is None else source.reliability or "ungraded"
        grade = f"Admiralty grade: source {reliability}, information {o.credibility or 'ungraded'}"
    parts.append(f"{grade} (reliability x{render(g.reliability)}, "
                 f"credibility x{render(g.credibility)}: confidence {g.confidence:.2f}"
                 + (f"; {g.age_days} days old, decay {e.decay:.2f})." if e.decay != 1 else ")."))
    if o.note:
        parts.append(f"Note: {escape(o.note)}")
    if o.quote:
        parts.append(f"Quote: \u201c{escape(o.quote)}\u201d")
    return " ".join(parts)


def _link(url: str) -> str:
    """Only a web address becomes a link (a `javascript:` URL stays text); the target is percent-encoded."""
    if not url.lower().startswith(("https://", "http://")):
        return escape(url)
    return f"[{escape(url)}](<{quote(clean(url), safe=_URL_SAFE)}>)"


def _render(outline: Outline) -> str:
    notes = _Notes(outline.key)
    lines = [f"## {escape(outline.title)}"]
    for block in outline.lead:
        lines += ["", *_block(block, notes)]
    for section in outline.sections:
        lines += ["", f"### {escape(section.title)}"]
        for block in section.blocks:
            lines += ["", *_block(block, notes)]
    if notes.texts:
        lines += ["", "### Evidence", ""]
        lines += [f"[^{notes.key}-{n}]: {text}" for n, text in enumerate(notes.texts, 1)]
    return "\n".join(lines) + "\n"


def _block(block: Block, notes: _Notes) -> list[str]:
    if isinstance(block, Para):
        texts = [_line(line) for line in block.text.split("\n")]
        if block.tone == STRONG:
            texts = [f"**{text}**" for text in texts]
        return ["  \n".join(texts)]
    if isinstance(block, Pairs):
        return [f"- **{escape(item.label)}**: {_cell(item.value)}" for item in block.items]
    return _table(block, notes)


def _cell(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def _table(table: Table, notes: _Notes) -> list[str]:
    lines = ["| " + " | ".join(_cell(c.header) for c in table.columns) + " |",
             "|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|"]
    for row in table.rows:
        cells = [_cell(cell) for cell in row.cells]
        if row.evidence:
            cells[-1] += " " + notes.cite(row.evidence)
        lines.append("| " + " | ".join(cells) + " |")
    return lines
