"""Score a case against a compiled pack (contract section 4)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields

from .compile import CompiledPack, CompiledRule, compile_pack
from .model import Band, Case, Observation, Pack, Rule, Value
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
        if len(history) == 1 and (history[0].observed is None or history[0].observed <= as_of):
            chosen[name] = history[0]  # the common case: one observation, not after the assessment date
            continue
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


class Weighing:
    """The numbers of one case (section 4), before any explanation: what `score` builds its Result from.

    `evaluated` holds (rule, fired, degree, confidence, decay, points) for each evaluated rule, in pack
    order. A rule that did not fire has 0 points whatever its evidence, so its confidence and decay may
    be left None (`evidence` gives them). `skipped` holds the rules that could not be evaluated.
    (A plain class rather than a dataclass: it is built once per case and costs nothing to import.)
    """

    __slots__ = ("ages", "as_of", "confidences", "coverage", "evaluated", "observations", "score", "skipped",
                 "table", "values", "warnings")

    def __init__(self, as_of: dt.date, score: float, coverage: float,
                 evaluated: list[tuple[CompiledRule, bool, float, float | None, float | None, float]],
                 skipped: list[CompiledRule], observations: dict[str, Observation], values: dict[str, Value],
                 warnings: list[Problem], confidences: dict[str, float], ages: dict[str, int],
                 table: dict[str, float] | None) -> None:
        self.as_of = as_of
        self.score = score
        self.coverage = coverage
        self.evaluated = evaluated
        self.skipped = skipped
        self.observations = observations
        self.values = values
        self.warnings = warnings
        self.confidences = confidences  # of each stated fact's observation in use
        self.ages = ages  # in days, of each stated fact's observation in use (undated: 0); 0 for other facts read
        self.table = table  # `confidences`, 1.0 for every other fact rules read; None: off the fast path

    def evidence(self, item: CompiledRule, half_life: float | None) -> tuple[float, float]:
        """The rule's evidence confidence and age decay (half_life: the rule's, else the pack's)."""
        if self.table is None:
            return _evidence(item, half_life, self.confidences, self.ages)
        pick, ages = item.pick, self.ages
        if len(item.facts) > 1:
            return min(pick(self.table)), 1.0 if half_life is None else 0.5 ** (max(pick(ages)) / half_life)
        return pick(self.table), 1.0 if half_life is None else 0.5 ** (pick(ages) / half_life)


def _evidence(item: CompiledRule, half_life: float | None, confidences: dict[str, float],
              ages: dict[str, int]) -> tuple[float, float]:
    """Confidence and decay as section 4 defines them: the least over the rule's stated facts, else 1."""
    stated = [name for name in item.facts if name in confidences]
    confidence = min([confidences[name] for name in stated], default=1.0)
    if half_life is None or not stated:
        return confidence, 1.0
    return confidence, min([0.5 ** (ages[name] / half_life) for name in stated])


_LONGEST_EXACT_HALF_LIFE = 1e12  # days; 0.5 ^ (age / h) of ages a day apart then differ by ~1e3 ulps at least


def weigh(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Weighing:
    """Truth, degree, confidence, decay and points of every rule, the score and the coverage."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    date = as_of or case.as_of
    observations, warnings = in_use(case, date)
    values: dict[str, Value] = {}
    stated: dict[str, float] = {}
    ages = dict.fromkeys(compiled.facts_read, 0)
    settings, sources = compiled.pack.evidence, case.sources
    reliabilities, credibilities, unsourced = settings.reliability, settings.credibility, settings.unsourced
    for name, o in observations.items():
        values[name] = o.value
        # confidence: reliability multiplier of the source x credibility multiplier, a missing grade 1.0
        if o.source is None:
            reliability = unsourced
        else:
            grade = sources[o.source].reliability
            reliability = reliabilities[grade] if grade else 1.0
        stated[name] = reliability * (credibilities[o.credibility] if o.credibility else 1.0)
        ages[name] = 0 if o.observed is None else max(0, (date - o.observed).days)  # undated: as_of
    # The fast path reads every rule's confidence and decay from tables covering all the facts rules
    # read, a fact not stated counting confidence 1.0 and age 0: that changes no least over the stated
    # ones, as long as those are floats not above 1.0 (not NaN, nor 1 from integer multipliers). And the
    # least of 0.5 ^ (age / half-life) is that of the oldest, as the power falls with the age, as long as
    # the half-life is not so long (over 1e12 days) that neighbouring ages could round out of order.
    # Otherwise `_evidence` takes each least literally. A rule that is false gets 0 points either way.
    fast = all(type(c) is float and c <= 1.0 for c in stated.values()) \
        and compiled.longest_half_life <= _LONGEST_EXACT_HALF_LIFE
    confidences = dict.fromkeys(compiled.facts_read, 1.0)
    confidences.update(stated)
    total = compiled.total_weight
    evaluated: list[tuple[CompiledRule, bool, float, float | None, float | None, float]] = []
    skipped: list[CompiledRule] = []
    points: list[float] = []
    weights: list[float] = []
    for item, when, measure, pick, several, half_life, base, weight in compiled.steps:
        truth = when(values)
        if truth is None:
            skipped.append(item)
            continue
        if truth:
            if measure is None:
                degree = 1.0
            else:
                measured = measure(values)
                if measured is None:
                    skipped.append(item)
                    continue
                degree = measured
        elif fast:
            evaluated.append((item, False, 0.0, None, None, 0.0))
            weights.append(weight)
            continue
        else:
            degree = 0.0
        if fast:
            confidence = min(pick(confidences)) if several else pick(confidences)
            decay = 1.0 if half_life is None else 0.5 ** ((max(pick(ages)) if several else pick(ages)) / half_life)
        else:
            confidence, decay = _evidence(item, half_life, stated, ages)
        share = base * degree * confidence * decay / total + 0.0  # + 0.0: no -0.0
        evaluated.append((item, truth, degree, confidence, decay, share))
        points.append(share)
        weights.append(weight)
    final = min(100.0, max(0.0, math.fsum([50.0, *points])))
    return Weighing(date, final, math.fsum(weights) / total, evaluated, skipped, observations, values, warnings,
                    stated, ages, confidences if fast else None)


def score(case: Case, pack: Pack | CompiledPack, as_of: dt.date | None = None) -> Result:
    """Score `case` at `as_of` (default: the case's own date)."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    the_pack = compiled.pack
    weighing = weigh(case, compiled, as_of)
    observations, values, warnings = weighing.observations, weighing.values, list(weighing.warnings)
    sources = {name: o.source for name, o in observations.items() if o.source is not None}
    words = _Words(values, case.parties)
    ranked: list[tuple[float, str, Contribution]] = []  # (-|points|, rule id): the report's order
    default_half_life = the_pack.evidence.half_life_days
    for item, fired, degree, known_confidence, known_decay, points in weighing.evaluated:
        rule = item.rule
        if known_confidence is None or known_decay is None:
            confidence, decay = weighing.evidence(
                item, rule.half_life_days if rule.half_life_days is not None else default_half_life)
        else:
            confidence, decay = known_confidence, known_decay
        facts: dict[str, Value] = {}
        cited: tuple[str, ...] = ()
        if len(item.facts) == 1:
            name = item.facts[0]
            if name in values:
                facts[name] = values[name]
                if name in sources:
                    cited = (sources[name],)
        else:
            named = set()
            for name in item.facts:
                if name in values:
                    facts[name] = values[name]
                    if name in sources:
                        named.add(sources[name])
            cited = tuple(sorted(named))
        because = "".join([words[text] if is_name else text for is_name, text in rule.because.parts]) \
            if fired else None
        ranked.append((-abs(points), rule.id, _contribution(
            rule, fired, degree, confidence, decay, points, because, facts, cited)))
    ranked.sort(key=_first_two)  # rule ids are unique: no two keys tie
    contributions = tuple(entry[2] for entry in ranked)
    not_evaluated = [NotEvaluated(item.rule.id, item.rule.title, item.rule.weight,
                                  tuple(name for name in item.tested if name not in values))
                     for item in weighing.skipped]
    for name, observation in sorted(observations.items()):
        if observation.source is None:
            warnings.append(Problem(case.path, observation.line, observation.column, "unsourced",
                                    f"fact '{name}' names no source; it counts with the unsourced multiplier "
                                    f"{render(the_pack.evidence.unsourced)}", "warning"))
    final, coverage = weighing.score, weighing.coverage
    if coverage < LOW_COVERAGE:
        warnings.append(Problem(case.path, None, None, "coverage",
                                f"only {coverage:.0%} of the pack's rule weight could be evaluated; "
                                "the score rests on little evidence", "warning"))
    not_evaluated.sort(key=lambda n: (-n.weight, n.rule))
    band = [b for b in the_pack.bands if b.start <= final][-1]
    return Result(case, the_pack, weighing.as_of, final, band, coverage, contributions, tuple(not_evaluated),
                  tuple(sorted(warnings, key=lambda w: (w.line or 0, w.column or 0, w.code, w.message))))


def _first_two(entry: tuple[float, str, Contribution]) -> tuple[float, str]:
    return entry[0], entry[1]


_set_dict = object.__setattr__


def _contribution(rule: Rule, fired: bool, degree: float, confidence: float, decay: float, points: float,
                  because: str | None, facts: dict[str, Value], sources: tuple[str, ...]) -> Contribution:
    """`Contribution(rule.id, rule.title, ..., sources)`, built four times faster.

    A frozen dataclass's __init__ sets each of its 13 fields through object.__setattr__; this sets the
    instance's dict at once, to the same fields in the same order, so the object is the same (equal,
    same repr, still frozen). `_CONTRIBUTION_FIELDS` below checks at import that the fields still match.
    """
    made = _new(Contribution)
    _set_dict(made, "__dict__", {
        "rule": rule.id, "title": rule.title, "category": rule.category, "effect": rule.effect,
        "weight": rule.weight, "fired": fired, "degree": degree, "confidence": confidence, "decay": decay,
        "points": points, "because": because, "facts": facts, "sources": sources})
    return made


_new = object.__new__
_CONTRIBUTION_FIELDS = ("rule", "title", "category", "effect", "weight", "fired", "degree", "confidence", "decay",
                        "points", "because", "facts", "sources")
if tuple(f.name for f in fields(Contribution)) != _CONTRIBUTION_FIELDS or hasattr(Contribution, "__post_init__"):
    raise ImportError("evaluate._contribution no longer builds a Contribution as its __init__ would; update it")


class _Words(dict[str, str]):
    """A `because` placeholder's text: the fact's value in use, else the party filling the role, else 'unknown'."""

    def __init__(self, values: dict[str, Value], parties: dict[str, str]) -> None:
        super().__init__()
        self.facts = values
        self.parties = parties

    def __missing__(self, name: str) -> str:
        word = render(self.facts[name]) if name in self.facts else self.parties.get(name, "unknown")
        self[name] = word
        return word
