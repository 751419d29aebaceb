"""How far the score moves when every rule's weight varies within its `weight_range` (contract section 7).

With u_i = sign * degree * confidence * decay of each fired rule (0 for the others, which still count in W),
score - 50 = 50 * (sum of w_i * u_i) / (sum of w_i): a ratio of weighted sums over a box of weights. At the
greatest ratio R every rule with u_i > R sits at the top of its range and every rule with u_i < R at the
bottom (moving a weight towards its end moves the ratio towards u_i), so the greatest ratio is reached by
one of the few corners that put the rules of the k largest values of u at the top and the others at the
bottom; likewise the least, from the smallest values. Sorting once and sweeping k finds both: no 2^n corners.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..core.compile import CompiledPack
from ..core.evaluate import Weighing, weigh
from ..core.model import Case


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class _Term:
    """One rule as the ratio sees it: its value u, its weight's range, and the factors of its points."""

    value: float
    low: float
    high: float
    factors: tuple[float, float, float, float]  # sign, degree, confidence, decay (degree 0 when it did not fire)


def sensitivity(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> Interval:
    """The least and greatest score as the weights vary within their ranges, the case as it is."""
    return weight_interval(compiled, weigh(case, compiled, as_of))


def weight_interval(compiled: CompiledPack, weighing: Weighing) -> Interval:
    """`sensitivity` of a case already weighed (so it is not scored twice)."""
    fired = {id(w.rule): (w.degree, w.confidence, w.decay) for w in weighing.evaluated
             if w.fired and w.confidence is not None and w.decay is not None}
    terms = []
    for item in compiled.rules:
        rule = item.rule
        low, high = rule.weight_range if rule.weight_range is not None else (rule.weight, rule.weight)
        degree, confidence, decay = fired.get(id(item), (0.0, 1.0, 1.0))
        terms.append(_Term(rule.sign * degree * confidence * decay, low, high,
                           (float(rule.sign), degree, confidence, decay)))
    high = _corner_score(terms, _best_corner(terms, rising=True))
    low = _corner_score(terms, _best_corner(terms, rising=False))
    # the weights as written are one point of the box, so its score lies inside (also to the last bit)
    return Interval(min(low, weighing.score), max(high, weighing.score))


def _best_corner(terms: list[_Term], rising: bool) -> list[float]:
    """The weights of the corner with the greatest (rising) or least ratio: the rules whose values come
    first in that direction at the top of their ranges, the others at the bottom, for the best cut."""
    order = sorted(range(len(terms)), key=lambda i: -terms[i].value if rising else terms[i].value)
    numerator = math.fsum(t.low * t.value for t in terms)
    denominator = math.fsum(t.low for t in terms)
    best_ratio, best_cut = numerator / denominator, 0
    position = 0
    while position < len(order):
        # rules with equal values move together: a cut between them never beats both sides of it
        value = terms[order[position]].value
        while position < len(order) and terms[order[position]].value == value:
            term = terms[order[position]]
            numerator += (term.high - term.low) * term.value
            denominator += term.high - term.low
            position += 1
        ratio = numerator / denominator
        if (ratio > best_ratio) if rising else (ratio < best_ratio):
            best_ratio, best_cut = ratio, position
    top = set(order[:best_cut])
    return [t.high if i in top else t.low for i, t in enumerate(terms)]


def _corner_score(terms: list[_Term], weights: list[float]) -> float:
    """The score with these weights, in the arithmetic of `weigh` (points_i = 50*s*w*a*c*t / W)."""
    total = math.fsum(weights)
    points = []
    for term, weight in zip(terms, weights, strict=True):
        sign, degree, confidence, decay = term.factors
        if degree:
            points.append(50 * sign * weight * degree * confidence * decay / total + 0.0)
    return min(100.0, max(0.0, math.fsum([50.0, *points])))
