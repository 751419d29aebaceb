"""Present a Result: the JSON report (contract section 6), a text table, and Markdown."""

from __future__ import annotations

from typing import Any

from ..core.evaluate import Contribution, Result
from ..core.present import to_json

BAR_WIDTH = 12


def to_dict(result: Result) -> dict[str, Any]:
    """The JSON report of one case; numbers are not rounded."""
    return {
        "case": result.case.id,
        "title": result.case.title,
        "pack": {"name": result.pack.name, "version": result.pack.version},
        "as_of": result.as_of.isoformat(),
        "parties": dict(result.case.parties),
        "score": result.score,
        "band": {"label": result.band.label, "outlook": result.band.outlook},
        "coverage": result.coverage,
        "contributions": [_contribution(c) for c in result.contributions],
        "not_evaluated": [{"rule": n.rule, "title": n.title, "weight": n.weight, "missing": list(n.missing)}
                          for n in result.not_evaluated],
        "warnings": [f"{w.code}: {w.message}" for w in result.warnings],
    }


def _contribution(c: Contribution) -> dict[str, Any]:
    return {"rule": c.rule, "title": c.title, "category": c.category, "effect": c.effect, "weight": c.weight,
            "fired": c.fired, "degree": c.degree, "confidence": c.confidence, "decay": c.decay,
            "points": c.points, "because": c.because,
            "facts": {name: to_json(value) for name, value in c.facts.items()}, "sources": list(c.sources)}


def _signed(points: float) -> str:
    return f"{points:+.2f}" if round(points, 2) else " 0.00"


def _bar(points: float, largest: float) -> str:
    length = round(BAR_WIDTH * abs(points) / largest) if largest else 0
    if points and not length:
        length = 1
    return ("+" if points > 0 else "-") * length


def _header(result: Result) -> list[str]:
    case = result.case
    parties = ", ".join(f"{role} {name}" for role, name in case.parties.items())
    outlook = f": {result.band.outlook}" if result.band.outlook else ""
    return [f"{case.title} ({case.id})",
            f"pack {result.pack.name} {result.pack.version}, assessed as of {result.as_of.isoformat()}; {parties}",
            "",
            f"Durability score {result.score:.1f} / 100: {result.band.label}{outlook}",
            f"Coverage {result.coverage:.0%} of the rule weight could be evaluated"]


def to_text(result: Result) -> str:
    """A table a person can scan: score and band, each rule's points, bar and reason, the gaps."""
    lines = _header(result)
    fired = [c for c in result.contributions if c.fired]
    idle = [c for c in result.contributions if not c.fired]
    largest = max((abs(c.points) for c in fired), default=0.0)
    width = max((len(c.rule) for c in result.contributions), default=4)
    if fired:
        lines += ["", f"{'points':>7}  {'':<{BAR_WIDTH}}  {'rule':<{width}}  reason"]
        for c in fired:
            lines.append(f"{_signed(c.points):>7}  {_bar(c.points, largest):<{BAR_WIDTH}}  {c.rule:<{width}}  "
                         f"{c.because}")
    if idle:
        lines += ["", "Evaluated, did not fire (0 points):"]
        lines += [f"  {c.rule:<{width}}  {c.title}" for c in idle]
    if result.not_evaluated:
        lines += ["", "Not evaluated (no evidence either way; lowers coverage):"]
        lines += [f"  {n.rule:<{width}}  missing {', '.join(n.missing)}" for n in result.not_evaluated]
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  {w.code}: {w.message}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(result: Result) -> str:
    """A section that pastes into a report: summary, a table of rules, the gaps."""
    case = result.case
    outlook = f" ({result.band.outlook})" if result.band.outlook else ""
    lines = [f"## {_cell(case.title)}", "",
             f"**Durability score {result.score:.1f} / 100: {result.band.label}**{outlook}  ",
             f"Coverage {result.coverage:.0%} · as of {result.as_of.isoformat()} · "
             f"pack {result.pack.name} {result.pack.version} · "
             + ", ".join(f"{role}: {name}" for role, name in case.parties.items()),
             "", "| points | rule | category | effect | reason |", "|---:|---|---|---|---|"]
    for c in result.contributions:
        reason = c.because if c.because is not None else "did not fire"
        lines.append(f"| {_signed(c.points).strip()} | {c.rule} | {c.category} | {c.effect} | {_cell(reason)} |")
    if result.not_evaluated:
        lines += ["", "**Not evaluated** (no evidence either way):", ""]
        lines += [f"- `{n.rule}`: missing {', '.join(f'`{m}`' for m in n.missing)}" for n in result.not_evaluated]
    if result.warnings:
        lines += ["", "**Warnings:**", ""] + [f"- {_cell(w.message)}" for w in result.warnings]
    return "\n".join(lines) + "\n"


__all__ = ["to_dict", "to_markdown", "to_text"]
