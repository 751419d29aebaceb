"""How well the scores separate alignments that held from those that broke (contract section 8).

The contract's figures, over the cases given (each scored at its own `as_of`):

- `auc`: the mean over every (held, broke) pair of 1 if the held case scores higher, 1/2 if equal, 0 if
  lower. It is null when there is no such pair (no held case, or no broke case).
- `brier`, `log_loss` (natural log, mean per case): of the pack's calibrated `probability.endures`; null
  when the pack has no calibration. Both are defined with any mix of outcomes.
- `base_rate` = held / cases.

Additions:

- `rules`: per rule, in pack order: how often it fires among the held and the broke cases, its mean points
  in each (a rule not evaluated counts 0 points), and `auc`, the AUC of its points alone (null as above).
- `calibration_table`: with a calibration, one row per ICD 203 estimative term (section 7), ascending:
  the cases whose probability falls in the term's range, their mean probability and the share that held
  (null for an empty row).
- Cross-validation of the calibration fit (`engine.analysis.calibrate`): the cases are split into folds
  (leave-one-out by default; with `folds=k`, case i of the input goes to fold i mod k), the calibration is
  refitted without each fold and gives the held-out cases their `cv_probability`. `cv_brier` and
  `cv_log_loss` score those; `cv_auc` is the AUC of the pooled held-out probabilities. The score is the
  pack's, not refitted, and the calibration is increasing in it whenever the slope is positive, so within
  one fit the ranking is the score's and `auc` is already free of the calibration; `cv_auc` pools
  probabilities from different refits, so it can differ from `auc` (leave-one-out is known to pull it
  below: leaving a held case out lowers its own predicted probability). The figures are null with fewer
  than 2 cases; `cv_auc` is null as `auc` is. They need no calibration in the pack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.compile import CompiledPack
from ..core.evaluate import Weighed, weigh
from ..core.model import ESTIMATIVE_TERMS, Calibration, Case, Rule, logistic
from ..files.outcomes import Label, Outcomes
from .calibrate import DEFAULT_PENALTY, Estimate, Penalty, fit_calibration, refit, softplus


class BacktestError(ValueError):
    """The backtest cannot run on these inputs; the message is one line."""


@dataclass(frozen=True)
class CaseResult:
    case: str
    as_of: str
    score: float
    outcome: Label
    probability: float | None     # the pack's calibrated P(endures), or None without a calibration
    cv_probability: float | None  # from the calibration refitted without this case's fold


@dataclass(frozen=True)
class Group:
    """One rule among the held (or the broke) cases."""

    cases: int
    evaluated: int
    fired: int
    mean_points: float | None  # None when the group is empty


@dataclass(frozen=True)
class RuleDiagnostic:
    rule: str
    effect: str
    weight: float
    held: Group
    broke: Group
    auc: float | None


@dataclass(frozen=True)
class CalibrationRow:
    term: str
    low: float
    high: float
    cases: int
    held: int
    mean_probability: float | None
    observed_rate: float | None


@dataclass(frozen=True)
class CrossValidation:
    method: str  # "leave-one-out" or "k-fold"
    folds: int
    penalty: Penalty
    auc: float | None
    brier: float | None
    log_loss: float | None


@dataclass(frozen=True)
class Backtest:
    cases: int
    held: int
    broke: int
    base_rate: float
    auc: float | None
    brier: float | None
    log_loss: float | None
    results: tuple[CaseResult, ...]
    calibration: Calibration | None
    calibration_table: tuple[CalibrationRow, ...] | None
    rules: tuple[RuleDiagnostic, ...]
    cross_validation: CrossValidation


def auc(values: Sequence[float], held: Sequence[bool]) -> float | None:
    """The mean over (held, broke) pairs of 1 / 0.5 / 0 as the held value is above / equal / below; None
    without a pair. Counted by sorting (n log n), exactly the pairwise mean: the count is in halves."""
    pairs = sum(held) * (len(held) - sum(held))
    if not pairs:
        return None
    ordered = sorted(zip(values, held, strict=True))
    wins = 0.0
    broke_below = 0
    index = 0
    while index < len(ordered):
        end = index
        while end < len(ordered) and ordered[end][0] == ordered[index][0]:
            end += 1
        tied_held = sum(1 for _, y in ordered[index:end] if y)
        tied_broke = end - index - tied_held
        wins += tied_held * broke_below + 0.5 * tied_held * tied_broke
        broke_below += tied_broke
        index = end
    return wins / pairs


def brier(probabilities: Sequence[float], held: Sequence[bool]) -> float:
    return math.fsum((p - y) ** 2 for p, y in zip(probabilities, held, strict=True)) / len(held)


def log_loss(logits: Sequence[float], held: Sequence[bool]) -> float:
    """Mean -log P(outcome), from the log-odds so that a probability rounding to 0 or 1 stays finite."""
    return math.fsum(softplus(-z) if y else softplus(z) for z, y in zip(logits, held, strict=True)) / len(held)


def backtest(compiled: CompiledPack, cases: Sequence[Case], outcomes: Outcomes, *, folds: int | None = None,
             penalty: Penalty = DEFAULT_PENALTY) -> Backtest:
    """Score each case at its own `as_of` and compare the scores with the outcomes (module docstring).

    `folds`: None for leave-one-out cross-validation, else k (2 <= k <= cases). Every case must have an
    entry in `outcomes` (check with `match_outcomes` first); else BacktestError.
    """
    if not cases:
        raise BacktestError("no cases to backtest")
    missing = [case.id for case in cases if case.id not in outcomes.entries]
    if missing:
        raise BacktestError(f"no outcome for case '{missing[0]}' in {outcomes.path}")
    if folds is not None and not 2 <= folds <= len(cases):
        raise BacktestError(f"folds must be from 2 to the number of cases ({len(cases)}), got {folds}")
    labels = [outcomes.entries[case.id].outcome for case in cases]
    held = [label == "held" for label in labels]
    weighings = [weigh(case, compiled) for case in cases]
    scores = [w.score for w in weighings]
    calibration = compiled.pack.calibration
    logits = [calibration.intercept + calibration.slope * (s - 50) for s in scores] if calibration else None
    probabilities = [calibration.endures(s) for s in scores] if calibration else None
    cross = _cross_validate(scores, labels, held, folds, penalty)
    results = tuple(CaseResult(case.id, case.as_of.isoformat(), score, label,
                               probabilities[i] if probabilities is not None else None,
                               cross.probabilities[i] if cross.probabilities is not None else None)
                    for i, (case, score, label) in enumerate(zip(cases, scores, labels, strict=True)))
    by_rule = [{w.rule.rule.id: w for w in weighing.evaluated} for weighing in weighings]
    rules = tuple(_diagnose(item.rule, by_rule, held) for item in compiled.rules)
    count = sum(held)
    return Backtest(len(cases), count, len(cases) - count, count / len(cases), auc(scores, held),
                    brier(probabilities, held) if probabilities is not None else None,
                    log_loss(logits, held) if logits is not None else None,
                    results, calibration, _table(probabilities, held) if probabilities is not None else None,
                    rules, cross.summary)


def _diagnose(rule: Rule, by_rule: list[dict[str, Weighed]], held: list[bool]) -> RuleDiagnostic:
    """One rule's figures; a rule not evaluated in a case counts 0 points there."""
    points, fired, evaluated = [0.0] * len(held), [False] * len(held), [False] * len(held)
    for index, weighed in enumerate(by_rule):
        found = weighed.get(rule.id)
        if found is not None:
            points[index], fired[index], evaluated[index] = found.points, found.fired, True
    return RuleDiagnostic(rule.id, rule.effect, rule.weight, _group(points, fired, evaluated, held, True),
                          _group(points, fired, evaluated, held, False), auc(points, held))


def _group(points: list[float], fired: list[bool], evaluated: list[bool], held: list[bool], side: bool) -> Group:
    chosen = [i for i, y in enumerate(held) if y is side]
    mean = math.fsum(points[i] for i in chosen) / len(chosen) if chosen else None
    return Group(len(chosen), sum(evaluated[i] for i in chosen), sum(fired[i] for i in chosen), mean)


def _table(probabilities: list[float], held: list[bool]) -> tuple[CalibrationRow, ...]:
    rows = []
    for index, (low, term) in enumerate(ESTIMATIVE_TERMS):
        high = ESTIMATIVE_TERMS[index + 1][0] if index + 1 < len(ESTIMATIVE_TERMS) else 1.0
        last = index + 1 == len(ESTIMATIVE_TERMS)  # the last range includes 1
        chosen = [i for i, p in enumerate(probabilities) if low <= p and (p < high or last)]
        count = sum(held[i] for i in chosen)
        rows.append(CalibrationRow(term, low, high, len(chosen), count,
                                   math.fsum(probabilities[i] for i in chosen) / len(chosen) if chosen else None,
                                   count / len(chosen) if chosen else None))
    return tuple(rows)


@dataclass(frozen=True)
class _Cross:
    summary: CrossValidation
    probabilities: list[float] | None


def _cross_validate(scores: list[float], labels: list[Label], held: list[bool], folds: int | None,
                    penalty: Penalty) -> _Cross:
    k = len(scores) if folds is None else folds
    method = "leave-one-out" if folds is None else "k-fold"
    if len(scores) < 2:
        return _Cross(CrossValidation(method, k, penalty, None, None, None), None)
    overall = fit_calibration(scores, labels, 1.0, penalty)  # the horizon does not enter the fit
    start = Estimate(overall.intercept, overall.slope, 0)
    logits = [0.0] * len(scores)
    for fold in range(k):
        out = set(range(fold, len(scores), k))
        train = [i for i in range(len(scores)) if i not in out]
        estimate = refit([scores[i] for i in train], [held[i] for i in train], penalty, start)
        for i in out:
            logits[i] = estimate.intercept + estimate.slope * (scores[i] - 50)
    probabilities = [logistic(z) for z in logits]
    return _Cross(CrossValidation(method, k, penalty, auc(probabilities, held), brier(probabilities, held),
                                  log_loss(logits, held)), probabilities)


def to_dict(result: Backtest) -> dict[str, Any]:
    """The JSON report: the contract's keys first, then the additions."""
    cv = result.cross_validation
    return {
        "cases": result.cases, "held": result.held, "broke": result.broke, "base_rate": result.base_rate,
        "auc": result.auc, "brier": result.brier, "log_loss": result.log_loss,
        "results": [{"case": r.case, "as_of": r.as_of, "score": r.score, "outcome": r.outcome,
                     "probability": r.probability, "cv_probability": r.cv_probability} for r in result.results],
        "cv_auc": cv.auc, "cv_brier": cv.brier, "cv_log_loss": cv.log_loss,
        "cross_validation": {"method": cv.method, "folds": cv.folds,
                             "penalty": {"prior": "gaussian", "intercept_sd": cv.penalty.intercept_sd,
                                         "slope_sd": cv.penalty.slope_sd}},
        "calibration": None if result.calibration is None else {
            "horizon_years": result.calibration.horizon_years, "intercept": result.calibration.intercept,
            "slope": result.calibration.slope},
        "calibration_table": None if result.calibration_table is None else [
            {"term": row.term, "low": row.low, "high": row.high, "cases": row.cases, "held": row.held,
             "mean_probability": row.mean_probability, "observed_rate": row.observed_rate}
            for row in result.calibration_table],
        "rules": [{"rule": d.rule, "effect": d.effect, "weight": d.weight, "held": _group_dict(d.held),
                   "broke": _group_dict(d.broke), "auc": d.auc} for d in result.rules],
    }


def _group_dict(group: Group) -> dict[str, Any]:
    return {"cases": group.cases, "evaluated": group.evaluated, "fired": group.fired,
            "fire_rate": group.fired / group.cases if group.cases else None, "mean_points": group.mean_points}

