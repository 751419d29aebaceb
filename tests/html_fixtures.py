"""Report dicts for the HTML tests: a real `to_dict()` of a case, plus the keys of contract section 7.

The evidence trail is the case's real observations in use; `bounds`, `gaps`, `counterfactuals` and
`sensitivity` are simple stand-ins of the right shape (the analyses that compute them are tested on their
own): the renderer shows what a report carries and never recomputes it, so any consistent numbers do.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import engine
from engine.core.compile import CompiledPack, compile_pack
from engine.core.evaluate import Evidence, in_use
from engine.core.model import Calibration, Case, Pack
from engine.core.present import to_json

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
CASES = ROOT / "cases"
HISTORY = CASES / "iran-russia-history.yaml"
CALIBRATION = Calibration(horizon_years=3, intercept=0.3, slope=0.08)
TERMS = ((0.05, "almost no chance"), (0.20, "very unlikely"), (0.45, "unlikely"), (0.55, "roughly even chance"),
         (0.80, "likely"), (0.95, "very likely"))


def load(path: Path, pack: Pack) -> Case:
    return engine.load_case(str(path), pack)


def band_of(pack: Pack, score: float) -> str:
    return [b for b in pack.bands if b.start <= score][-1].label


def bands_between(pack: Pack, low: float, high: float) -> list[str]:
    return [b.label for i, b in enumerate(pack.bands)
            if b.start <= high and (i + 1 == len(pack.bands) or pack.bands[i + 1].start > low)]


def term(p: float) -> str:
    return next((name for limit, name in TERMS if p < limit), "almost certain")


def full_report(case: Case, compiled: CompiledPack, as_of: dt.date | None = None,
                calibration: Calibration | None = None) -> dict[str, Any]:
    """The report the HTML renderer is given: section 6's dict plus section 7's keys and the evidence."""
    pack = compiled.pack
    result = engine.score(case, compiled, as_of)
    report = engine.to_dict(result)
    date = result.as_of
    observations, _ = in_use(case, date)
    evidence = Evidence(pack, case, observations, date)
    by_id = {item.rule.id: item for item in compiled.rules}
    share = 50 / pack.total_weight
    for c in report["contributions"]:
        item = by_id[c["rule"]]
        c.setdefault("weight_range", list(item.rule.weight_range) if item.rule.weight_range else None)
        c.setdefault("evidence", [_evidence(case, name, observations[name], evidence, item.half_life)
                                  for name in item.facts if name in observations])
    report.setdefault("pack", {}).update({"bands": [{"from": b.start, "label": b.label, "outlook": b.outlook}
                                                    for b in pack.bands], "path": pack.path})
    score = report["score"]
    up = {n["rule"]: by_id[n["rule"]].rule for n in report["not_evaluated"]}
    low = max(0.0, score - share * sum(r.weight for r in up.values() if r.sign < 0))
    high = min(100.0, score + share * sum(r.weight for r in up.values() if r.sign > 0))
    report.setdefault("bounds", {"low": low, "high": high})
    gaps = []
    for fact in sorted({f for n in report["not_evaluated"] for f in n["missing"]}):
        readers = [up[n["rule"]] for n in report["not_evaluated"] if fact in n["missing"]]
        g_low = max(0.0, score - share * sum(r.weight for r in readers if r.sign < 0))
        g_high = min(100.0, score + share * sum(r.weight for r in readers if r.sign > 0))
        if g_low != g_high:
            gaps.append({"fact": fact, "low": g_low, "high": g_high, "bands": bands_between(pack, g_low, g_high)})
    report.setdefault("gaps", sorted(gaps, key=lambda g: (g["low"] - g["high"], g["fact"])))
    counterfactuals = []
    for fact in sorted(observations):
        readers = [(item, c) for c in report["contributions"] if fact in (item := by_id[c["rule"]]).facts]
        c_low = score - sum(c["points"] for _, c in readers if c["points"] > 0) - share * sum(
            item.rule.weight for item, c in readers if not c["fired"] and item.rule.sign < 0)
        c_high = score - sum(c["points"] for _, c in readers if c["points"] < 0) + share * sum(
            item.rule.weight for item, c in readers if not c["fired"] and item.rule.sign > 0)
        c_low, c_high = max(0.0, c_low), min(100.0, c_high)
        if c_low < c_high:
            counterfactuals.append({"fact": fact, "low": c_low, "high": c_high,
                                    "bands": bands_between(pack, c_low, c_high)})
    report.setdefault("counterfactuals", sorted(counterfactuals, key=lambda g: (g["low"] - g["high"], g["fact"])))
    ranged = any(c["weight_range"] for c in report["contributions"])
    report.setdefault("sensitivity", {"low": score - 1.25 if ranged else score,
                                      "high": score + 0.75 if ranged else score})
    if calibration is not None and "probability" not in report:
        ends = [calibration.endures(x) for x in (score, report["bounds"]["low"], report["bounds"]["high"])]
        report["probability"] = {"horizon_years": calibration.horizon_years, "endures": ends[0],
                                 "low": min(ends[1:]), "high": max(ends[1:]), "term": term(ends[0])}
    return report


def _evidence(case: Case, name: str, observation: Any, evidence: Evidence, half_life: float | None) -> dict[str, Any]:
    source = case.sources.get(observation.source) if observation.source else None
    age = evidence.ages[name]
    return {
        "fact": name, "value": to_json(observation.value),
        "observed": observation.observed.isoformat() if observation.observed else None,
        "source": None if source is None else {
            "id": source.id, "title": source.title, "author": source.author, "publisher": source.publisher,
            "published": source.published.isoformat() if source.published else None, "url": source.url,
            "reliability": source.reliability},
        "credibility": observation.credibility, "confidence": evidence.confidences[name], "age_days": age,
        "decay": 1.0 if half_life is None else 0.5 ** (age / half_life), "note": observation.note,
        "quote": observation.quote,
    }


def timeline(case: Case, compiled: CompiledPack) -> list[dict[str, Any]]:
    """The case scored at each distinct observed date up to its `as_of`, and at its `as_of` (section 8)."""
    dates = sorted({o.observed for history in case.facts.values() for o in history
                    if o.observed is not None and o.observed <= case.as_of} | {case.as_of})
    entries: list[dict[str, Any]] = []
    before: dict[str, float] = {}
    for date in dates:
        report = full_report(case, compiled, date)
        now = {c["rule"]: c["points"] for c in report["contributions"]}
        changes = [{"rule": rule, "delta": now.get(rule, 0.0) - before.get(rule, 0.0)}
                   for rule in sorted(set(now) | set(before)) if now.get(rule, 0.0) != before.get(rule, 0.0)]
        changes.sort(key=lambda c: (-abs(c["delta"]), c["rule"]))
        entries.append({"as_of": date.isoformat(), "score": report["score"], "band": report["band"],
                        "coverage": report["coverage"], "changes": changes, "bounds": report["bounds"]})
        before = now
    return entries


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    before = {c["rule"]: c["points"] for c in a["contributions"]}
    after = {c["rule"]: c["points"] for c in b["contributions"]}
    changes = [{"rule": r, "from": before.get(r, 0.0), "to": after.get(r, 0.0),
                "delta": after.get(r, 0.0) - before.get(r, 0.0)}
               for r in sorted(set(before) | set(after)) if before.get(r, 0.0) != after.get(r, 0.0)]
    changes.sort(key=lambda c: (-abs(c["delta"]), c["rule"]))
    return {"from": a, "to": b, "delta": b["score"] - a["score"], "changes": changes}


def backtest() -> dict[str, Any]:
    """A small hand-built backtest, with the optional diagnostics."""
    results = [{"case": "iran-russia-2020", "as_of": "2020-09-12", "score": 63.1, "outcome": "held",
                "probability": 0.74},
               {"case": "russia-armenia-2024", "as_of": "2024-06-01", "score": 49.5, "outcome": "broke",
                "probability": 0.57},
               {"case": "iran-china-2021", "as_of": "2021-03-27", "score": 54.2, "outcome": "held",
                "probability": 0.65},
               {"case": "egypt-ussr-1972", "as_of": "1972-07-01", "score": 38.0, "outcome": "broke",
                "probability": 0.31}]
    brier = sum((r["probability"] - (r["outcome"] == "held")) ** 2 for r in results) / len(results)
    log_loss = -sum(math.log(r["probability"] if r["outcome"] == "held" else 1 - r["probability"])
                    for r in results) / len(results)
    return {"cases": 4, "held": 2, "broke": 2, "base_rate": 0.5, "auc": 1.0, "brier": brier, "log_loss": log_loss,
            "results": results,
            "rules": [{"rule": "common-adversary", "fired_held": 2, "fired_broke": 0, "lift": 1.8},
                      {"rule": "patron-stood-aside", "fired_held": 0, "fired_broke": 1, "lift": None}],
            "calibration_table": [{"bin": "0.2-0.4", "cases": 1, "predicted": 0.31, "observed": 0.0},
                                  {"bin": "0.4-0.6", "cases": 1, "predicted": 0.57, "observed": 0.0},
                                  {"bin": "0.6-0.8", "cases": 2, "predicted": 0.695, "observed": 1.0}]}


def bundled() -> CompiledPack:
    return compile_pack(engine.load_pack(str(RULES)))
