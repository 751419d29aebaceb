"""Score whole batches of cases at once: the pack compiled into numpy operations over columns.

The numbers are the scalar engine's (`evaluate.weigh`) to the last bit, row by row: the same operations
in the same order on the same doubles. Truth is Kleene logic as two boolean masks, `known` and `true`
(`true` implies `known`). Comparisons are exact: every value of a batch is a double that holds it exactly
(see `files.tables.FactColumn`), and an operand is turned into a double that compares the same way
(`_bound`, `_equal`). Powers (age decay) are taken by Python's own `**` once per distinct age, and the score
is math.fsum's correctly rounded sum, reached by an error-bounded compensated sum (`row_fsum`).

Each operator has one function in OPERATORS, keyed by its name; a pack using an operator missing there
fails when it is compiled, never when a batch is scored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..files.tables import Batch, FactColumn
from .model import AllOf, AnyOf, Condition, Degree, Fact, Leaf, Not, Pack, Rule, leaves

Array = npt.NDArray[Any]
DECAY_TABLE = 1 << 20  # ages (days) kept in a half-life's decay table: 8 MiB, some 2,870 years
Truth = tuple[Array, Array]             # (known, true), boolean arrays
Columns = dict[str, FactColumn]
Test = Callable[[Columns, int], Truth]  # (the batch's fact columns, its row count) -> truth
Predicate = Callable[[FactColumn], Array]  # a fact's column -> where the test holds on its values


# --- operands as doubles that compare like the scalar engine's values --------------------------------

def _double(fact: Fact, operand: Any) -> Any:
    """The operand as the column holds values: a date as its day ordinal, a number as itself."""
    if isinstance(operand, dt.date):
        return float(operand.toordinal())
    return operand


def _bound(fact: Fact, operand: Any) -> Any:
    """A double comparing with every value of the column as the operand does.

    A whole number that no double holds is beyond every value of a table (they lie within 2^53), so
    infinity of its sign orders the same way.
    """
    value = _double(fact, operand)
    if type(value) is int and float(value) != value:
        return math.inf if value > 0 else -math.inf
    return float(value) if type(value) is int else value


def _equal(fact: Fact, operand: Any) -> Any:
    """A value testing equality like the operand: a whole number no double holds equals no value (nan)."""
    value = _double(fact, operand)
    if type(value) is int and float(value) != value:
        return math.nan
    return float(value) if type(value) is int else value


# --- one function per operator: (fact, operand) -> test -----------------------------------------------

def _stated(name: str, holds: Predicate) -> Test:
    """A test reading the fact's value: unknown where the fact is not stated."""
    def test(columns: Columns, rows: int) -> Truth:
        column = columns.get(name)
        if column is None:
            unknown = np.zeros(rows, dtype=np.bool_)
            return unknown, unknown
        return column.stated, column.stated & holds(column)
    return test


def _each_distinct(column: FactColumn, holds: Callable[[Any], bool]) -> Array:
    """A Python test of strings or lists, asked once per distinct value and spread to the rows."""
    distinct = column.distinct
    return np.fromiter((holds(v) for v in distinct), dtype=np.bool_, count=len(distinct))[column.codes]


def _is_true(fact: Fact, operand: Any) -> Test:
    return _stated(fact.name, lambda column: column.values.copy())


def _equals(fact: Fact, operand: Any) -> Test:
    target = _equal(fact, operand)
    return _stated(fact.name, lambda column: _same(column, target))


def _not_equals(fact: Fact, operand: Any) -> Test:
    target = _equal(fact, operand)
    return _stated(fact.name, lambda column: ~_same(column, target))


def _same(column: FactColumn, target: Any) -> Array:
    if column.values.dtype == object:  # strings: Python's equality
        return _each_distinct(column, lambda v: bool(v == target))
    return np.asarray(column.values == target, dtype=np.bool_)


def _at_least(fact: Fact, operand: Any) -> Test:
    bound = _bound(fact, operand)
    return _stated(fact.name, lambda column: column.values >= bound)


def _at_most(fact: Fact, operand: Any) -> Test:
    bound = _bound(fact, operand)
    return _stated(fact.name, lambda column: column.values <= bound)


def _above(fact: Fact, operand: Any) -> Test:
    bound = _bound(fact, operand)
    return _stated(fact.name, lambda column: column.values > bound)


def _below(fact: Fact, operand: Any) -> Test:
    bound = _bound(fact, operand)
    return _stated(fact.name, lambda column: column.values < bound)


def _between(fact: Fact, operand: Any) -> Test:
    low, high = (_bound(fact, item) for item in operand)
    return _stated(fact.name, lambda column: (column.values >= low) & (column.values <= high))


def _one_of(fact: Fact, operand: Any) -> Test:
    items = frozenset(_equal(fact, item) for item in operand)
    return _stated(fact.name, lambda column: _within(column, items))


def _none_of(fact: Fact, operand: Any) -> Test:
    items = frozenset(_equal(fact, item) for item in operand)
    return _stated(fact.name, lambda column: ~_within(column, items))


def _within(column: FactColumn, items: frozenset[Any]) -> Array:
    """Membership by equality; values and items share one type (checked when the pack loads), so
    Python's hashing, in which 1 == 1.0, is the scalar engine's equality here."""
    if column.values.dtype == object:
        return _each_distinct(column, items.__contains__)
    return np.isin(column.values, np.asarray(sorted(items), dtype=column.values.dtype))


def _contains(fact: Fact, operand: Any) -> Test:
    return _stated(fact.name, lambda column: _each_distinct(column, lambda items: operand in items))


def _known(fact: Fact, operand: Any) -> Test:
    name, wanted = fact.name, bool(operand)

    def test(columns: Columns, rows: int) -> Truth:
        column = columns.get(name)
        stated = column.stated if column is not None else np.zeros(rows, dtype=np.bool_)
        return np.ones(rows, dtype=np.bool_), stated if wanted else ~stated
    return test


OPERATORS: dict[str, Callable[[Fact, Any], Test]] = {
    "is_true": _is_true, "equals": _equals, "not_equals": _not_equals, "at_least": _at_least,
    "at_most": _at_most, "above": _above, "below": _below, "between": _between, "one_of": _one_of,
    "none_of": _none_of, "contains": _contains, "known": _known,
}


# --- conditions ---------------------------------------------------------------------------------------

class UnknownOperator(Exception):
    """A pack uses an operator with no vectorised function: a bug of this module, found at compile time."""


def compile_condition(condition: Condition, pack: Pack) -> Test:
    if isinstance(condition, Leaf):
        build = OPERATORS.get(condition.operator)
        if build is None:
            raise UnknownOperator(f"operator '{condition.operator}' has no columnar function in "
                                  "engine/core/columnar.py OPERATORS")
        return build(pack.facts[condition.fact], condition.operand)
    if isinstance(condition, Not):
        inner = compile_condition(condition.part, pack)

        def negate(columns: Columns, rows: int) -> Truth:
            known, true = inner(columns, rows)
            return known, known & ~true
        return negate
    parts = [compile_condition(part, pack) for part in condition.parts]
    if len(parts) == 1:
        return parts[0]
    if isinstance(condition, AnyOf):
        def any_of(columns: Columns, rows: int) -> Truth:
            truths = [part(columns, rows) for part in parts]
            true = np.logical_or.reduce([t for _, t in truths])
            false = np.logical_and.reduce([k & ~t for k, t in truths])
            return true | false, true
        return any_of
    assert isinstance(condition, AllOf)

    def all_of(columns: Columns, rows: int) -> Truth:
        truths = [part(columns, rows) for part in parts]
        true = np.logical_and.reduce([t for _, t in truths])
        false = np.logical_or.reduce([k & ~t for k, t in truths])
        return true | false, true
    return all_of


# --- rules --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnarDegree:
    """The scalar engine's degree arithmetic: bounds halved, (v/2 - start)/span, clamped to [0, 1]."""

    fact: str
    start: float
    span: float

    @classmethod
    def of(cls, degree: Degree) -> ColumnarDegree:
        start, end = _scalar(degree.start) / 2, _scalar(degree.end) / 2
        return cls(degree.fact, start, end - start)

    def measure(self, values: Array) -> Array:
        fraction = (values / 2 - self.start) / self.span
        return np.where(fraction <= 0, 0.0, np.where(fraction >= 1, 1.0, fraction))


def _scalar(value: float | dt.date) -> float:
    return float(value.toordinal()) if isinstance(value, dt.date) else float(value)


@dataclass(frozen=True)
class ColumnarRule:
    rule: Rule
    when: Test
    degree: ColumnarDegree | None
    facts: tuple[str, ...]     # its evidence: every fact it reads
    half_life: float | None
    base: float                # 50 * sign * weight, as the scalar engine's


@dataclass(frozen=True)
class Scores:
    """The numbers of a batch's rows: score, coverage, band (index into the pack's bands), and each rule's
    points (rows x rules, pack order) with `evaluated` saying which rules could be evaluated."""

    score: Array
    coverage: Array
    band: Array
    points: Array
    evaluated: Array


@dataclass(frozen=True)
class ColumnarPack:
    pack: Pack
    rules: tuple[ColumnarRule, ...]
    total_weight: float
    weights: Array
    starts: Array              # the bands' starts, ascending
    decay_tables: dict[float, Array] = field(default_factory=dict)  # half-life -> decay by age in days

    def score(self, batch: Batch) -> Scores:
        """Score every row of the batch."""
        rows = len(batch)
        columns = batch.facts
        evidence = _evidence(self.pack, batch)
        # one row per rule (and the 50 to start from), one column per case: each rule's numbers lie contiguous
        terms = np.zeros((len(self.rules) + 1, rows), dtype=np.float64)
        terms[0] = 50.0
        evaluated = np.zeros((len(self.rules), rows), dtype=np.bool_)
        total = self.total_weight
        for j, item in enumerate(self.rules):
            known, true = item.when(columns, rows)
            if item.degree is None:
                fired = true
                degree: Array | float = 1.0
                evaluated[j] = known
            else:
                column = columns.get(item.degree.fact)
                measured = column.stated if column is not None else np.zeros(rows, dtype=np.bool_)
                fired = true & measured
                evaluated[j] = (known & ~true) | fired
                degree = item.degree.measure(column.values) if column is not None else 1.0
            weakest, oldest = _rule_evidence(item, evidence, rows)
            decay = self._decay(oldest, item.half_life)
            share = item.base * degree * weakest * decay / total + 0.0  # + 0.0: no -0.0, as the scalar engine
            terms[j + 1] = np.where(fired, share, 0.0)
        total_points = _column_fsum(terms)
        score = np.where(total_points > 0.0, total_points, 0.0)   # max(0.0, x), min(100.0, x): Python's order
        score = np.where(score < 100.0, score, 100.0)
        coverage = _column_fsum(np.where(evaluated, self.weights[:, None], 0.0)) / total
        band = np.searchsorted(self.starts, score, side="right") - 1
        return Scores(score, coverage, band, terms[1:].T, evaluated.T)

    def _decay(self, oldest: Array, half_life: float | None) -> Array | float:
        """0.5 ** (age / half-life) by Python's own power (numpy's may differ in the last bit), looked up in a
        table of every age up to the oldest seen, built once per half-life; beyond DECAY_TABLE days, once per
        distinct age of the batch."""
        if half_life is None:
            return 1.0
        top = int(oldest.max()) if len(oldest) else 0
        if top >= DECAY_TABLE:
            ages, where = np.unique(oldest, return_inverse=True)
            return np.asarray([0.5 ** (int(age) / half_life) for age in ages], dtype=np.float64)[where.reshape(-1)]
        table = self.decay_tables.get(half_life, np.zeros(0, dtype=np.float64))
        if len(table) <= top:
            size = min(DECAY_TABLE, max(top + 1, 2 * len(table), 4096))
            more = np.asarray([0.5 ** (age / half_life) for age in range(len(table), size)], dtype=np.float64)
            table = self.decay_tables[half_life] = np.concatenate([table, more])
        return table[oldest]


@dataclass(frozen=True)
class _Evidence:
    stated: Array
    confidence: Array   # reliability x credibility multipliers
    age: Array          # days before the row's as_of; 0 when undated


def _evidence(pack: Pack, batch: Batch) -> dict[str, _Evidence]:
    """Per fact with a column: where it is stated, its confidence and its age."""
    settings = pack.evidence
    reliability = np.asarray([settings.unsourced, settings.ungraded,
                              *(settings.reliability[grade] for grade in "ABCDEF")], dtype=np.float64)
    credibility = np.asarray([settings.ungraded, *(settings.credibility[grade] for grade in range(1, 7))],
                             dtype=np.float64)
    return {name: _Evidence(column.stated, reliability[column.grade] * credibility[column.credibility],
                            np.where(column.observed > 0, np.maximum(batch.as_of - column.observed, 0), 0))
            for name, column in batch.facts.items()}


def _rule_evidence(item: ColumnarRule, evidence: dict[str, _Evidence], rows: int) -> tuple[Array, Array]:
    """The weakest confidence and the oldest age over the rule's stated evidence (1 and 0 without any),
    compared in the scalar engine's order."""
    weakest = np.ones(rows, dtype=np.float64)
    oldest = np.zeros(rows, dtype=np.int64)
    for name in item.facts:
        fact = evidence.get(name)
        if fact is None:
            continue
        weakest = np.where(fact.stated & (fact.confidence < weakest), fact.confidence, weakest)
        oldest = np.where(fact.stated & (fact.age > oldest), fact.age, oldest)
    return weakest, oldest


def row_fsum(matrix: Array) -> Array:
    """math.fsum of each row of the matrix, exactly (see _column_fsum)."""
    return _column_fsum(np.ascontiguousarray(matrix.T))


def _column_fsum(terms: Array) -> Array:
    """math.fsum of each column, exactly: a compensated sum with a proven error bound, and math.fsum itself
    for the columns too near a rounding boundary for the bound to decide.

    Cascaded TwoSum gives s + sum(q) == the exact sum; c = fl(sum(q)) is off by at most gamma_m^2 * sum|x|.
    r = fl(s + c) with its exact remainder e; if |e| + that bound is under half the gap to r's nearer
    neighbour, r is the nearest double to the exact sum, which is what math.fsum returns.
    """
    width, count = terms.shape
    if width == 0:
        return np.zeros(count, dtype=np.float64)
    s = terms[0].copy()
    c = np.zeros(count, dtype=np.float64)
    for j in range(1, width):
        x = terms[j]
        t = s + x
        virtual = t - s
        c += (s - (t - virtual)) + (x - virtual)
        s = t
    r = s + c
    virtual = r - s
    e = (s - (r - virtual)) + (c - virtual)
    gamma = 2.0 * width * 2.0 ** -53
    bound = 4.0 * gamma * gamma * np.abs(terms).sum(axis=0)
    gap = np.minimum(r - np.nextafter(r, -np.inf), np.nextafter(r, np.inf) - r)
    unsure = ~(np.abs(e) + bound < gap / 2)
    for index in np.flatnonzero(unsure):
        r[index] = math.fsum(terms[:, index].tolist())
    result: Array = r
    return result


def compile_columnar(pack: Pack) -> ColumnarPack:
    """Compile the pack once; raises UnknownOperator if a leaf's operator has no columnar function."""
    default = pack.evidence.half_life_days
    rules = []
    for rule in pack.rules:
        names = [leaf.fact for leaf in leaves(rule.when)] + ([rule.degree.fact] if rule.degree else [])
        half_life = rule.half_life_days if rule.half_life_days is not None else default
        rules.append(ColumnarRule(rule, compile_condition(rule.when, pack),
                                  ColumnarDegree.of(rule.degree) if rule.degree else None,
                                  tuple(dict.fromkeys(names)), half_life, 50 * rule.sign * rule.weight))
    return ColumnarPack(pack, tuple(rules), pack.total_weight,
                        np.asarray([rule.weight for rule in pack.rules], dtype=np.float64),
                        np.asarray([band.start for band in pack.bands], dtype=np.float64))


def band_labels(pack: Pack, band: Sequence[int]) -> list[str]:
    labels = [b.label for b in pack.bands]
    return [labels[index] for index in band]
