"""The plain data the engine works on: a pack of rules, a case of observations, and a result."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

from .template import Template

Value = bool | int | float | str | dt.date | tuple[str, ...]
FactType = Literal["boolean", "integer", "number", "string", "date", "list"]
FACT_TYPES: tuple[FactType, ...] = ("boolean", "integer", "number", "string", "date", "list")
Effect = Literal["strengthens", "weakens"]

DEFAULT_RELIABILITY = {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.5}
DEFAULT_CREDIBILITY = {1: 1.0, 2: 0.9, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0.5}


@dataclass(frozen=True)
class Fact:
    name: str
    type: FactType
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] | None = None
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Band:
    start: float
    label: str
    outlook: str | None
    line: int = field(default=0, compare=False)  # where pack.yaml declares it (0: not from a file)
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class EvidenceSettings:
    reliability: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RELIABILITY))
    credibility: dict[int, float] = field(default_factory=lambda: dict(DEFAULT_CREDIBILITY))
    unsourced: float = 1.0
    half_life_days: float | None = None
    ungraded: float = 1.0  # a named source without a reliability grade, or an observation without credibility


# ICD 203's estimative terms (contract section 7): the lower end of each range, ascending
ESTIMATIVE_TERMS = ((0.0, "almost no chance"), (0.05, "very unlikely"), (0.20, "unlikely"),
                    (0.45, "roughly even chance"), (0.55, "likely"), (0.80, "very likely"), (0.95, "almost certain"))


def estimative_term(probability: float) -> str:
    """The ICD 203 estimative term of a probability (contract section 7): [0, 0.05) almost no chance,
    [0.05, 0.20) very unlikely, [0.20, 0.45) unlikely, [0.45, 0.55) roughly even chance, [0.55, 0.80)
    likely, [0.80, 0.95) very likely, [0.95, 1] almost certain."""
    if not 0.0 <= probability <= 1.0:  # also refuses NaN
        raise ValueError(f"a probability lies in [0, 1], got {probability!r}")
    return next(term for start, term in reversed(ESTIMATIVE_TERMS) if probability >= start)


def logistic(z: float) -> float:
    """1 / (1 + exp(-z)), without overflow for any z."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Probability:
    """The calibrated chance that the alignment endures `horizon_years`, with the range over the bounds."""

    horizon_years: float
    endures: float
    low: float
    high: float
    term: str


@dataclass(frozen=True)
class Calibration:
    """P(the alignment endures `horizon_years`) = 1 / (1 + exp(-(intercept + slope * (score - 50))))."""

    horizon_years: float
    intercept: float
    slope: float

    def endures(self, score: float) -> float:
        return logistic(self.intercept + self.slope * (score - 50))

    def probability(self, score: float, low: float, high: float) -> Probability:
        """`endures` at the score, and the same map at the bounds' ends, the smaller first."""
        ends = sorted((self.endures(low), self.endures(high)))
        endures = self.endures(score)
        return Probability(self.horizon_years, endures, ends[0], ends[1], estimative_term(endures))


@dataclass(frozen=True)
class Leaf:
    """`{fact: F, OPERATOR: operand}`; `operator` is 'is_true' for the bare `{fact: F}` form."""

    fact: str
    operator: str
    operand: Value | tuple[Value, ...] | None


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Leaf | AllOf | AnyOf | Not


def leaves(condition: Condition) -> list[Leaf]:
    """The condition's leaves, in the order written."""
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return leaves(condition.part)
    return [leaf for part in condition.parts for leaf in leaves(part)]


@dataclass(frozen=True)
class Degree:
    fact: str
    start: float | dt.date
    end: float | dt.date


@dataclass(frozen=True)
class Example:
    facts: dict[str, Value]
    fires: bool
    degree: float | None
    evaluated: bool | None
    line: int
    column: int


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    effect: Effect
    weight: float
    when: Condition
    because: Template
    description: str | None = None
    degree: Degree | None = None
    half_life_days: float | None = None
    weight_range: tuple[float, float] | None = None  # for the sensitivity interval; None: the weight is fixed
    references: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    path: str = ""

    @property
    def sign(self) -> int:
        return 1 if self.effect == "strengthens" else -1


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    roles: tuple[str, str]
    bands: tuple[Band, ...]
    facts: dict[str, Fact]
    rules: tuple[Rule, ...]
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)
    categories: tuple[str, ...] | None = None
    description: str | None = None
    calibration: Calibration | None = None
    path: str = ""

    @property
    def total_weight(self) -> float:
        """W: the sum of the weights of all the rules."""
        return math.fsum(rule.weight for rule in self.rules)

    def band(self, score: float) -> Band:
        """The band whose range holds the score (the last band includes 100)."""
        return [b for b in self.bands if b.start <= score][-1]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


@dataclass(frozen=True)
class Source:
    id: str
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    url: str | None = None
    reliability: str | None = None
    note: str | None = None
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Observation:
    value: Value
    source: str | None = None
    credibility: int | None = None
    observed: dt.date | None = None
    note: str | None = None
    quote: str | None = None
    line: int = 0
    column: int = 0
    hypothetical: bool = False  # stated for a what-if (`--set`): confidence 1, no decay (section 7)


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    parties: dict[str, str]
    as_of: dt.date
    facts: dict[str, tuple[Observation, ...]]
    sources: dict[str, Source] = field(default_factory=dict)
    description: str | None = None
    path: str = ""
