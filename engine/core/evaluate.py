"""Score a case against a compiled pack (contract section 4).

`weigh` computes the numbers: truth, degree, confidence, decay and points of every rule, the score
and the coverage. `score` wraps them in a Result whose explanations (the reason, the facts, the
sources and the per-fact evidence of each rule) are built from what `weigh` computed, the first time
a report reads them: nothing is computed twice, and nothing is built that no one shows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..problems import Problem
from .compile import CompiledPack, CompiledRule, compile_pack
from .model import Band, Case, Observation, Pack, Source, Value
from .present import render

if TYPE_CHECKING:
    from ..analysis.leverage import Leverage
    from ..analysis.timeline import Step
    from .model import Probability

LOW_COVERAGE = 0.5


@dataclass(frozen=True, slots=True)
class Grading:
    """How much one stated fact's observation in use counts (section 4), as the score used it."""

    fact: str
    observation: Observation
    source: Source | None
    reliability: float  # the source's multiplier: its grade's, `ungraded`, or `unsourced`
    credibility: float  # the observation's multiplier: its grade's, or `ungraded`
    confidence: float   # reliability x credibility
    age_days: int       # assessment date minus `observed` (0 when undated), never negative


@dataclass(frozen=True, slots=True)
class FactEvidence:
    """One fact a rule read, with the decay it had for that rule."""

    grading: Grading
    decay: float  # 0.5 ^ (age / the rule's half-life); 1 when no half-life applies

    @property
    def fact(self) -> str:
        return self.grading.fact

    @property
    def value(self) -> Value:
        return self.grading.observation.value


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
    if as_of > case.as_of:
        warnings.append(Problem(case.path, None, None, "as-of",
                                f"assessed as of {as_of.isoformat()}, after the case's own date "
                                f"{case.as_of.isoformat()}: nothing the case states is newer than that", "warning"))
    if replayed:
        warnings.append(Problem(case.path, None, None, "as-of",
                                f"assessed as of {as_of.isoformat()}, before the case's date {case.as_of.isoformat()}: "
                                f"{replayed} later observation(s) are ignored", "warning"))
    return chosen, warnings


class Evidence:
    """Per case: the confidence and age of each stated fact's observation in use (section 4)."""

    __slots__ = ("_case", "_gradings", "_observations", "_pack", "ages", "confidences")

    def __init__(self, pack: Pack, case: Case, observations: dict[str, Observation], as_of: dt.date) -> None:
        self._pack, self._case, self._observations = pack, case, observations
        self._gradings: dict[str, Grading] = {}
        self.confidences: dict[str, float] = {}
        self.ages: dict[str, int] = {}
        confidences, ages = self.confidences, self.ages
        # a case grades most of its observations alike: each (source, credibility) is priced once
        priced: dict[tuple[str | None, int | None, bool], float] = {}
        today = as_of.toordinal()  # days between dates are the difference of their ordinals
        for name, o in observations.items():
            grades = (o.source, o.credibility, o.hypothetical)
            confidence = priced.get(grades)
            if confidence is None:
                reliability, credibility = self._multipliers(o)
                confidence = priced[grades] = reliability * credibility
            confidences[name] = confidence
            observed = o.observed
            if observed is None:
                ages[name] = 0  # undated: as of the assessment
            else:
                age = today - observed.toordinal()
                ages[name] = age if age > 0 else 0

    def _multipliers(self, o: Observation) -> tuple[float, float]:
        settings = self._pack.evidence
        if o.hypothetical:
            return 1.0, 1.0
        if o.source is None:
            reliability = settings.unsourced
        else:
            grade = self._case.sources[o.source].reliability
            reliability = settings.reliability[grade] if grade else settings.ungraded
        return reliability, settings.credibility[o.credibility] if o.credibility else settings.ungraded

    def of(self, item: CompiledRule) -> tuple[float, float]:
        """The rule's confidence (its weakest evidence) and decay (its oldest); 1 and 1 without evidence."""
        return item.factors(self.confidences, self.ages)

    def grading(self, name: str) -> Grading:
        """The factors of one stated fact's observation in use, as `of` used them: made once, as every rule
        reading the fact shows the same."""
        found = self._gradings.get(name)
        if found is None:
            observation = self._observations[name]
            reliability, credibility = self._multipliers(observation)
            source = self._case.sources[observation.source] if observation.source is not None else None
            found = self._gradings[name] = Grading(name, observation, source, reliability, credibility,
                                                   self.confidences[name], self.ages[name])
        return found


@dataclass(frozen=True, slots=True)
class Weighed:
    """One evaluated rule's numbers, as a record (see `Weighing.evaluated`)."""

    rule: CompiledRule
    fired: bool
    degree: float
    points: float
    confidence: float | None  # None when it did not fire
    decay: float | None


@dataclass(frozen=True)
class Weighing:
    """The numbers of one case, before any explanation: what `score` builds its Result from.

    The evaluated rules are columns (one entry per rule, in pack order) rather than a record per rule:
    `weigh` runs per case on every rule, and appending floats costs a tenth of building an object. A
    rule that did not fire has 0 points whatever its evidence, so its confidence and decay are None
    there; a Contribution reads them from the Evidence if a report shows them.
    """

    as_of: dt.date
    score: float
    coverage: float
    rules: list[CompiledRule]          # the evaluated rules
    degrees: list[float]               # 0 for a rule whose condition is false
    points: list[float]
    confidences: list[float | None]    # None: the condition is false
    decays: list[float | None]
    skipped: list[CompiledRule]        # not evaluated
    observations: dict[str, Observation]
    values: dict[str, Value]
    evidence: Evidence
    warnings: list[Problem]

    @property
    def evaluated(self) -> list[Weighed]:
        """The evaluated rules as records, in pack order (built on each call: for analyses, not the hot path)."""
        return [Weighed(rule, confidence is not None, degree, points, confidence, decay)
                for rule, degree, points, confidence, decay
                in zip(self.rules, self.degrees, self.points, self.confidences, self.decays, strict=True)]


def weigh(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Weighing:
    """Truth, degree, confidence, decay and points of every rule, the score and the coverage."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    date = as_of or case.as_of
    observations, warnings = in_use(case, date)
    values = {name: observation.value for name, observation in observations.items()}
    evidence = Evidence(compiled.pack, case, observations, date)
    total = compiled.total_weight
    confidences_of, ages_of = evidence.confidences, evidence.ages
    rules: list[CompiledRule] = []
    degrees: list[float] = []
    points: list[float] = []
    confidences: list[float | None] = []
    decays: list[float | None] = []
    skipped: list[CompiledRule] = []
    weights: list[float] = []
    for item, when, measure, factors, base, weight in compiled.steps:
        truth = when(values)
        if truth is None:
            skipped.append(item)
            continue
        if not truth:
            rules.append(item)
            degrees.append(0.0)
            points.append(0.0)
            confidences.append(None)
            decays.append(None)
            weights.append(weight)
            continue
        degree = 1.0 if measure is None else measure(values)
        if degree is None:
            skipped.append(item)
            continue
        weights.append(weight)
        confidence, decay = factors(confidences_of, ages_of)
        rules.append(item)
        degrees.append(degree)
        points.append(base * degree * confidence * decay / total + 0.0)  # + 0.0: no -0.0
        confidences.append(confidence)
        decays.append(decay)
    final = min(100.0, max(0.0, math.fsum([50.0, *points])))
    return Weighing(date, final, math.fsum(weights) / total, rules, degrees, points, confidences, decays, skipped,
                    observations, values, evidence, warnings)


class Contribution:
    """What one evaluated rule added to the score, and why.

    The numbers are `weigh`'s. The reason, facts, sources and evidence are built from them on first
    read and kept, so a report that shows them pays for them once and one that does not never does.
    """

    __slots__ = ("_because", "_case", "_evidence", "_factors", "_weighing", "degree", "fired", "item", "points")

    def __init__(self, weighing: Weighing, index: int, case: Case) -> None:
        self.item, self.degree, self.points = weighing.rules[index], weighing.degrees[index], weighing.points[index]
        confidence, decay = weighing.confidences[index], weighing.decays[index]
        self.fired = confidence is not None
        self._factors = None if confidence is None or decay is None else (confidence, decay)
        self._weighing, self._case = weighing, case
        self._because: str | None = None
        self._evidence: tuple[FactEvidence, ...] | None = None

    rule = property(lambda self: self.item.rule.id, doc="The rule's id.")
    title = property(lambda self: self.item.rule.title)
    category = property(lambda self: self.item.rule.category)
    effect = property(lambda self: self.item.rule.effect)
    weight = property(lambda self: self.item.rule.weight)
    weight_range = property(lambda self: self.item.rule.weight_range)
    half_life = property(lambda self: self.item.half_life, doc="The half-life that applied, or None.")

    def _factor(self, index: int) -> float:
        if self._factors is None:
            self._factors = self._weighing.evidence.of(self.item)
        return self._factors[index]

    @property
    def confidence(self) -> float:
        return self._factor(0)

    @property
    def decay(self) -> float:
        return self._factor(1)

    @property
    def because(self) -> str | None:
        """The filled-in reason; None when the rule did not fire."""
        if self.fired and self._because is None:
            values, parties = self._weighing.values, self._case.parties

            def word(name: str) -> str:  # a placeholder: the fact's value in use, else the party of the role
                return render(values[name]) if name in values else parties.get(name, "unknown")
            self._because = self.item.rule.because.render(word)
        return self._because

    @property
    def evidence(self) -> tuple[FactEvidence, ...]:
        """The stated facts the rule read, in the order it reads them, with their grades, age and decay."""
        if self._evidence is None:
            weighing, half_life = self._weighing, self.item.half_life
            observations, grading = weighing.observations, weighing.evidence.grading
            self._evidence = tuple(
                FactEvidence(graded, 1.0 if half_life is None else 0.5 ** (graded.age_days / half_life))
                for graded in (grading(name) for name in self.item.facts if name in observations))
        return self._evidence

    @property
    def facts(self) -> dict[str, Value]:
        return {e.fact: e.value for e in self.evidence}

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({e.grading.source.id for e in self.evidence if e.grading.source is not None}))

    def _contents(self) -> tuple[object, ...]:
        return (self.rule, self.fired, self.degree, self.confidence, self.decay, self.points, self.because,
                self.facts, self.sources)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Contribution) and self._contents() == other._contents()

    __hash__ = None  # type: ignore[assignment]  # equal by contents, which a report may still fill in

    def __repr__(self) -> str:
        return f"Contribution(rule={self.rule!r}, fired={self.fired}, points={self.points!r})"


@dataclass(frozen=True)
class NotEvaluated:
    """A rule the case could not decide: no evidence either way."""

    rule: str
    title: str
    weight: float
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """One case scored: the numbers, their explanations, and (from `analysis.assess`) what could move them."""

    case: Case
    pack: Pack
    as_of: dt.date
    score: float
    band: Band
    coverage: float
    contributions: tuple[Contribution, ...]
    not_evaluated: tuple[NotEvaluated, ...]
    warnings: tuple[Problem, ...]
    observations: dict[str, Observation] = field(default_factory=dict, compare=False)  # in use at `as_of`
    leverage: Leverage | None = field(default=None, compare=False)
    probability: Probability | None = field(default=None, compare=False)
    history: tuple[Step, ...] = field(default=(), compare=False)  # the case's timeline, when a report shows it


def score(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Result:
    """Score `case` at `as_of` (default: the case's own date)."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    return result_of(case, compiled, weigh(case, compiled, as_of))


def result_of(case: Case, compiled: CompiledPack, weighing: Weighing) -> Result:
    """The Result of a case already weighed: what `score` returns, for callers that also analyse the weighing."""
    # the largest effect first, then by id; sorting the keys first is cheaper than sorting the objects
    keys = [(-abs(points), item.rule.id) for item, points in zip(weighing.rules, weighing.points, strict=True)]
    contributions = [Contribution(weighing, index, case) for index in sorted(range(len(keys)), key=keys.__getitem__)]
    values = weighing.values
    not_evaluated = sorted((NotEvaluated(item.rule.id, item.rule.title, item.rule.weight,
                                         tuple(name for name in item.tested if name not in values))
                            for item in weighing.skipped), key=lambda n: (-n.weight, n.rule))
    warnings = [*weighing.warnings, *_evidence_warnings(compiled, case, weighing)]
    if weighing.coverage < LOW_COVERAGE:
        warnings.append(Problem(case.path, None, None, "coverage",
                                f"only {weighing.coverage:.0%} of the pack's rule weight could be evaluated; "
                                "the score rests on little evidence", "warning"))
    return Result(case, compiled.pack, weighing.as_of, weighing.score, compiled.pack.band(weighing.score),
                  weighing.coverage, tuple(contributions), tuple(not_evaluated),
                  tuple(sorted(warnings, key=lambda w: (w.line or 0, w.column or 0, w.code, w.message))),
                  weighing.observations)


def _evidence_warnings(compiled: CompiledPack, case: Case, weighing: Weighing) -> list[Problem]:
    """`unsourced`, `ungraded` and `undated` (section 7): evidence in use that counts less, or as new."""
    settings = compiled.pack.evidence
    decaying = compiled.kept("evaluate.decaying", lambda: frozenset(
        name for item in compiled.rules if item.half_life is not None for name in item.facts))
    unsourced, ungraded = render(settings.unsourced), render(settings.ungraded)  # once, not per warning
    warnings: list[Problem] = []
    ungraded_sources: set[str] = set()
    for name, o in sorted(weighing.observations.items()):
        if o.hypothetical:
            continue
        if o.source is None:
            warnings.append(Problem(case.path, o.line, o.column, "unsourced",
                                    f"fact '{name}' names no source; it counts with the unsourced multiplier "
                                    f"{unsourced}", "warning"))
        elif case.sources[o.source].reliability is None and o.source not in ungraded_sources:
            ungraded_sources.add(o.source)
            source = case.sources[o.source]
            warnings.append(Problem(case.path, source.line, source.column, "ungraded",
                                    f"source '{o.source}' has no reliability grade; it counts with the ungraded "
                                    f"multiplier {ungraded}", "warning"))
        if o.credibility is None:
            warnings.append(Problem(case.path, o.line, o.column, "ungraded",
                                    f"the observation of '{name}' has no credibility grade; it counts with the "
                                    f"ungraded multiplier {ungraded}", "warning"))
        if o.observed is None and name in decaying:
            warnings.append(Problem(case.path, o.line, o.column, "undated",
                                    f"the observation of '{name}' has no 'observed' date, and a rule with a "
                                    "half-life reads it: it counts as new", "warning"))
    return warnings
