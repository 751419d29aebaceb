"""Score a case against a compiled pack (contract section 4)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .compile import CompiledPack, CompiledRule, compile_pack
from .model import Band, Case, Observation, Pack, Value
from .problems import Problem
from .values import render

LOW_COVERAGE = 0.5


@dataclass(frozen=True)
class Contribution:
    """What one evaluated rule added to the score, and why."""

    rule: str
    title: str
    category: str
    effect: str
    weight: float
    fired: bool
    degree: float
    confidence: float
    decay: float
    points: float
    because: str | None
    facts: dict[str, Value]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NotEvaluated:
    """A rule the case could not decide: no evidence either way."""

    rule: str
    title: str
    weight: float
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    case: Case
    pack: Pack
    as_of: dt.date
    score: float
    band: Band
    coverage: float
    contributions: tuple[Contribution, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    warnings: tuple[Problem, ...]


def in_use(case: Case, as_of: dt.date) -> tuple[dict[str, Observation], list[Problem]]:
    """The observation in use of each stated fact at `as_of`, and a warning per one ignored."""
    chosen: dict[str, Observation] = {}
    warnings = []
    for name, history in case.facts.items():
        best: Observation | None = None
        for observation in history:
            when = observation.observed or as_of
            if when > as_of:
                warnings.append(Problem(case.path, observation.line, observation.column, "future",
                                        f"observation of '{name}' dated {when.isoformat()} is after the assessment "
                                        f"date {as_of.isoformat()} and is ignored", "warning"))
                continue
            # an undated observation counts as dated `as_of` and wins a tie with a dated one
            if best is None or when > (best.observed or as_of) or (when == as_of and observation.observed is None):
                best = observation
        if best is not None:
            chosen[name] = best
    return chosen, warnings


def score(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Result:
    """Score `case` at `as_of` (default: the case's own date)."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    the_pack = compiled.pack
    date = as_of or case.as_of
    observations, warnings = in_use(case, date)
    values = {name: observation.value for name, observation in observations.items()}
    total = the_pack.total_weight
    contributions: list[Contribution] = []
    not_evaluated: list[NotEvaluated] = []
    for item in compiled.rules:
        rule = item.rule
        truth = item.when(values)
        degree = item.degree(values) if truth else 0.0
        if truth is None or degree is None:
            missing = tuple(name for name in item.tested if name not in values)
            not_evaluated.append(NotEvaluated(rule.id, rule.title, rule.weight, missing))
            continue
        contributions.append(_contribution(item, case, compiled.pack, date, observations, values, truth, degree, total))
    for name, observation in sorted(observations.items()):
        if observation.source is None:
            warnings.append(Problem(case.path, observation.line, observation.column, "unsourced",
                                    f"fact '{name}' names no source; it counts with the unsourced multiplier "
                                    f"{render(the_pack.evidence.unsourced)}", "warning"))
    points = [c.points for c in contributions]
    final = min(100.0, max(0.0, math.fsum([50.0, *points])))
    coverage = math.fsum(c.weight for c in contributions) / total
    if coverage < LOW_COVERAGE:
        warnings.append(Problem(case.path, None, None, "coverage",
                                f"only {coverage:.0%} of the pack's rule weight could be evaluated; "
                                "the score rests on little evidence", "warning"))
    contributions.sort(key=lambda c: (-abs(c.points), c.rule))
    not_evaluated.sort(key=lambda n: (-n.weight, n.rule))
    band = [b for b in the_pack.bands if b.start <= final][-1]
    return Result(case, the_pack, date, final, band, coverage, tuple(contributions), tuple(not_evaluated),
                  tuple(sorted(warnings, key=lambda w: (w.line or 0, w.column or 0, w.code, w.message))))


def _contribution(item: CompiledRule, case: Case, pack: Pack, as_of: dt.date,
                  observations: dict[str, Observation], values: dict[str, Value],
                  fired: bool, degree: float, total: float) -> Contribution:
    rule = item.rule
    evidence = [(name, observations[name]) for name in item.facts if name in observations]
    confidence = min((_confidence(pack, case, o) for _, o in evidence), default=1.0)
    half_life = rule.half_life_days if rule.half_life_days is not None else pack.evidence.half_life_days
    decay = 1.0
    if half_life is not None and evidence:
        decay = min(0.5 ** (max(0, (as_of - (o.observed or as_of)).days) / half_life) for _, o in evidence)
    points = 50 * rule.sign * rule.weight * degree * confidence * decay / total + 0.0  # + 0.0: no -0.0
    because = None
    if fired:
        def lookup(name: str) -> str:
            if name in values:
                return render(values[name])
            return case.parties.get(name, "unknown")
        because = rule.because.render(lookup)
    return Contribution(rule.id, rule.title, rule.category, rule.effect, rule.weight, fired, degree, confidence,
                        decay, points, because, {name: o.value for name, o in evidence},
                        tuple(sorted({o.source for _, o in evidence if o.source is not None})))


def _confidence(pack: Pack, case: Case, observation: Observation) -> float:
    settings = pack.evidence
    if observation.source is None:
        reliability = settings.unsourced
    else:
        grade = case.sources[observation.source].reliability
        reliability = settings.reliability[grade] if grade else 1.0
    credibility = settings.credibility[observation.credibility] if observation.credibility else 1.0
    return reliability * credibility
