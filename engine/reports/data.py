"""The JSON reports (contract sections 6-8) as plain data: what `--format json` and `jsonl` print,
and what the HTML brief is rendered from. Numbers are not rounded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.evaluate import Contribution, FactEvidence, Result
from ..core.model import Pack, Source
from ..core.present import to_json
from ..files.locate import is_bundled

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..analysis.leverage import Lever
    from ..analysis.timeline import Step


def to_dict(result: Result) -> dict[str, Any]:
    """The JSON report of one case."""
    data: dict[str, Any] = {
        "case": result.case.id,
        "title": result.case.title,
        "pack": pack_dict(result.pack),
        "as_of": result.as_of.isoformat(),
        "parties": dict(result.case.parties),
        "score": result.score,
        "band": {"label": result.band.label, "outlook": result.band.outlook},
        "coverage": result.coverage,
    }
    if result.probability is not None:
        p = result.probability
        data["probability"] = {"horizon_years": p.horizon_years, "endures": p.endures, "low": p.low, "high": p.high,
                               "term": p.term}
    if result.leverage is not None:
        lev = result.leverage
        data["bounds"] = {"low": lev.bounds.low, "high": lev.bounds.high}
        data["gaps"] = [_lever(g) for g in lev.gaps]
        data["counterfactuals"] = [_lever(c) for c in lev.counterfactuals]
        data["sensitivity"] = {"low": lev.sensitivity.low, "high": lev.sensitivity.high}
    hypothetical = sorted(name for name, o in result.observations.items() if o.hypothetical)
    if hypothetical:
        data["hypothetical"] = {name: to_json(result.observations[name].value) for name in hypothetical}
    data["contributions"] = [_contribution(c) for c in result.contributions]
    data["not_evaluated"] = [{"rule": n.rule, "title": n.title, "weight": n.weight, "missing": list(n.missing)}
                             for n in result.not_evaluated]
    data["warnings"] = [f"{w.code}: {w.message}" for w in result.warnings]
    return data


def pack_dict(pack: Pack) -> dict[str, Any]:
    # where the pack lives is said as installed-or-not, so that a report never depends on the folder it is in
    return {"name": pack.name, "version": pack.version, "installed": is_bundled(pack.path),
            "bands": [{"from": b.start, "label": b.label, "outlook": b.outlook} for b in pack.bands]}


def _lever(lever: Lever) -> dict[str, Any]:
    return {"fact": lever.fact, "low": lever.low, "high": lever.high, "bands": list(lever.bands)}


def _contribution(c: Contribution) -> dict[str, Any]:
    return {"rule": c.rule, "title": c.title, "category": c.category, "effect": c.effect, "weight": c.weight,
            "weight_range": list(c.weight_range) if c.weight_range else None,
            "fired": c.fired, "degree": c.degree, "confidence": c.confidence, "decay": c.decay,
            "points": c.points, "because": c.because,
            "facts": {name: to_json(value) for name, value in c.facts.items()}, "sources": list(c.sources),
            "evidence": [_evidence(e) for e in c.evidence]}


def _evidence(e: FactEvidence) -> dict[str, Any]:
    g = e.grading
    o = g.observation
    return {"fact": g.fact, "value": to_json(o.value), "observed": o.observed.isoformat() if o.observed else None,
            "source": source_dict(g.source) if g.source else None, "credibility": o.credibility,
            "reliability_multiplier": g.reliability, "credibility_multiplier": g.credibility,
            "confidence": g.confidence, "age_days": g.age_days, "decay": e.decay, "note": o.note, "quote": o.quote}


def source_dict(source: Source) -> dict[str, Any]:
    return {"id": source.id, "title": source.title, "author": source.author, "publisher": source.publisher,
            "published": source.published.isoformat() if source.published else None, "url": source.url,
            "reliability": source.reliability}


def compare_dict(comparison: Comparison) -> dict[str, Any]:
    return {"from": to_dict(comparison.before), "to": to_dict(comparison.after), "delta": comparison.delta,
            "changes": [{"rule": c.rule, "from": c.from_points, "to": c.to_points, "delta": c.delta,
                         "moved": list(c.moved)} for c in comparison.changes]}


def timeline_list(steps: Sequence[Step]) -> list[dict[str, Any]]:
    entries = []
    for step in steps:
        r = step.result
        entry: dict[str, Any] = {"as_of": r.as_of.isoformat(), "score": r.score,
                                 "band": {"label": r.band.label, "outlook": r.band.outlook}, "coverage": r.coverage,
                                 "changes": [{"rule": s.rule, "delta": s.delta} for s in step.changes]}
        if r.leverage is not None:
            entry["bounds"] = {"low": r.leverage.bounds.low, "high": r.leverage.bounds.high}
        entries.append(entry)
    return entries
