"""Score a case against a compiled pack (contract section 4)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..files.values import render
from ..problems import Problem
from .compile import CompiledPack, CompiledRule, compile_pack
from .model import Band, Case, Observation, Pack, Value

LOW_COVERAGE = 0.5


@dataclass(slots=True)  # not frozen: one is built per rule per case, and a frozen __init__ costs 8x more
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
    """The observation in use of each stated fact at `as_of`, and warnings about those ignored.

    An observation after the case's own date is odd in the file: it gets a located warning. One
    merely after an earlier `--as-of` is the point of replaying a history: they get one warning.
    """
    chosen: dict[str, Observation] = {}
    warnings = []
    replayed = 0
    for name, history in case.facts.items():
        best: Observation | None = None
        for observation in history:
            when = observation.observed or as_of
            if when > as_of:
                if when <= case.as_of:
                    replayed += 1
                else:
                    warnings.append(Problem(case.path, observation.line, observation.column, "future",
                                            f"observation of '{name}' dated {when.isoformat()} is after the "
                                            f"assessment date {as_of.isoformat()} and is ignored", "warning"))
                continue
            # an undated observation counts as dated `as_of` and wins a tie with a dated one
            if best is None or when > (best.observed or as_of) or (when == as_of and observation.observed is None):
                best = observation
        if best is not None:
            chosen[name] = best
    if replayed:
        warnings.append(Problem(case.path, None, None, "as-of",
                                f"assessed as of {as_of.isoformat()}, before the case's date {case.as_of.isoformat()}: "
                                f"{replayed} later observation(s) are ignored", "warning"))
    return chosen, warnings


class Evidence:
    """Per case: the confidence and age of each stated fact's observation in use (section 4)."""

    __slots__ = ("ages", "confidences")

    def __init__(self, pack: Pack, case: Case, observations: dict[str, Observation], as_of: dt.date) -> None:
        settings = pack.evidence
        self.confidences: dict[str, float] = {}
        self.ages: dict[str, int] = {}
        for name, o in observations.items():
            if o.source is None:
                reliability = settings.unsourced
            else:
                grade = case.sources[o.source].reliability
                reliability = settings.reliability[grade] if grade else settings.ungraded
            credibility = settings.credibility[o.credibility] if o.credibility else settings.ungraded
            self.confidences[name] = reliability * credibility
            self.ages[name] = 0 if o.observed is None else max(0, (as_of - o.observed).days)  # undated: as_of

    def of(self, item: CompiledRule) -> tuple[float, float]:
        """The rule's confidence (its weakest evidence) and decay (its oldest); 1 and 1 without evidence.

        Starting the least from 1.0 changes nothing, as every confidence is a product of multipliers in
        [0, 1]; and 0.5 ^ (age / half-life) falls as the age grows, so the least decay is the oldest's.
        """
        confidence, oldest = 1.0, 0
        confidences, ages = self.confidences, self.ages
        for name in item.facts:
            stated = confidences.get(name)
            if stated is not None:
                if stated < confidence:
                    confidence = stated
                if ages[name] > oldest:
                    oldest = ages[name]
        half_life = item.half_life
        return confidence, 1.0 if half_life is None else 0.5 ** (oldest / half_life)


@dataclass(frozen=True)
class Weighing:
    """The numbers of one case, before any explanation: what `score` builds its Result from.

    `evaluated` holds (rule, fired, degree, confidence, decay, points) in pack order; a rule that did not
    fire has 0 points whatever its evidence, so its confidence and decay are left None (see `Evidence`).
    """

    as_of: dt.date
    score: float
    coverage: float
    evaluated: list[tuple[CompiledRule, bool, float, float | None, float | None, float]]
    skipped: list[CompiledRule]
    observations: dict[str, Observation]
    values: dict[str, Value]
    evidence: Evidence
    warnings: list[Problem]


def weigh(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Weighing:
    """Truth, degree, confidence, decay and points of every rule, the score and the coverage."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    date = as_of or case.as_of
    observations, warnings = in_use(case, date)
    values = {name: observation.value for name, observation in observations.items()}
    evidence = Evidence(compiled.pack, case, observations, date)
    total = compiled.total_weight
    evaluated: list[tuple[CompiledRule, bool, float, float | None, float | None, float]] = []
    skipped: list[CompiledRule] = []
    points: list[float] = []
    weights: list[float] = []
    for item in compiled.rules:
        truth = item.when(values)
        if truth is None:
            skipped.append(item)
            continue
        if not truth:
            evaluated.append((item, False, 0.0, None, None, 0.0))
            weights.append(item.rule.weight)
            continue
        degree = 1.0 if item.degree is None else item.degree(values)
        if degree is None:
            skipped.append(item)
            continue
        weights.append(item.rule.weight)
        confidence, decay = evidence.of(item)
        share = item.base * degree * confidence * decay / total + 0.0  # + 0.0: no -0.0
        evaluated.append((item, True, degree, confidence, decay, share))
        points.append(share)
    final = min(100.0, max(0.0, math.fsum([50.0, *points])))
    return Weighing(date, final, math.fsum(weights) / total, evaluated, skipped, observations, values, evidence,
                    warnings)


def score(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Result:
    """Score `case` at `as_of` (default: the case's own date)."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    the_pack = compiled.pack
    weighing = weigh(case, compiled, as_of)
    observations, values = weighing.observations, weighing.values

    def word(name: str) -> str:  # a placeholder: the fact's value in use, else the party of the role
        return render(values[name]) if name in values else case.parties.get(name, "unknown")

    contributions = []
    for item, fired, degree, confidence, decay, points in weighing.evaluated:
        if confidence is None or decay is None:
            confidence, decay = weighing.evidence.of(item)
        rule = item.rule
        stated = [name for name in item.facts if name in values]
        because = rule.because.render(word) if fired else None
        contributions.append(Contribution(
            rule.id, rule.title, rule.category, rule.effect, rule.weight, fired, degree, confidence, decay, points,
            because, {name: values[name] for name in stated},
            tuple(sorted({s for name in stated if (s := observations[name].source) is not None}))))
    contributions.sort(key=lambda c: (-abs(c.points), c.rule))
    not_evaluated = sorted((NotEvaluated(item.rule.id, item.rule.title, item.rule.weight,
                                         tuple(name for name in item.tested if name not in values))
                            for item in weighing.skipped), key=lambda n: (-n.weight, n.rule))
    warnings = list(weighing.warnings)
    for name, observation in sorted(observations.items()):
        if observation.source is None:
            warnings.append(Problem(case.path, observation.line, observation.column, "unsourced",
                                    f"fact '{name}' names no source; it counts with the unsourced multiplier "
                                    f"{render(the_pack.evidence.unsourced)}", "warning"))
    if weighing.coverage < LOW_COVERAGE:
        warnings.append(Problem(case.path, None, None, "coverage",
                                f"only {weighing.coverage:.0%} of the pack's rule weight could be evaluated; "
                                "the score rests on little evidence", "warning"))
    band = [b for b in the_pack.bands if b.start <= weighing.score][-1]
    return Result(case, the_pack, weighing.as_of, weighing.score, band, weighing.coverage, tuple(contributions),
                  tuple(not_evaluated),
                  tuple(sorted(warnings, key=lambda w: (w.line or 0, w.column or 0, w.code, w.message))))

