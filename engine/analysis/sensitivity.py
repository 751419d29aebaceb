"""How far the score moves when every rule's weight varies within its `weight_range` (contract section 7).

With u_i = sign * degree * confidence * decay of each fired rule (0 for the others, which still count in W),
score - 50 = 50 * (sum of w_i * u_i) / (sum of w_i): a ratio of weighted sums over a box of weights. At the
greatest ratio R every rule with u_i > R sits at the top of its range and every rule with u_i < R at the
bottom (moving a weight towards its end moves the ratio towards u_i), so the greatest ratio is reached by
one of the few corners that put the rules of the k largest values of u at the top and the others at the
bottom; likewise the least, from the smallest values. Sorting once and sweeping k finds both: no 2^n corners.

A rule whose weight is fixed adds nothing to the sweep (its step is 0), so only the ranged rules are sorted,
and the parts that depend on the pack alone (the bottom corner's W, as an exact expansion) are kept per pack.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.compile import CompiledPack
from ..core.evaluate import Weighing, weigh
from ..core.model import Case


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class _Box:
    """The pack's weights: each rule's range (its weight twice when fixed), the ranged rules, and the exact
    sum of the bottom corner's weights (non-overlapping partials)."""

    lows: tuple[float, ...]
    highs: tuple[float, ...]
    negated: tuple[float, ...]   # -lows
    steps: tuple[float, ...]     # highs - lows
    ranged: tuple[int, ...]      # positions of the rules whose range is not a single weight
    bottom: tuple[float, ...]    # partials of the sum of `lows`
    low_sum: float               # that sum, rounded once (math.fsum of `lows`)
    positions: dict[int, int]    # id(compiled rule) -> its position
    signs: tuple[int, ...]       # each rule's sign


def _box(compiled: CompiledPack) -> _Box:
    """The pack's box of weight ranges, kept with the compiled pack (it depends on it alone)."""
    return compiled.kept("sensitivity.box", lambda: _build_box(compiled))


def _build_box(compiled: CompiledPack) -> _Box:
    lows, highs = [], []
    for item in compiled.rules:
        rule = item.rule
        low, high = rule.weight_range if rule.weight_range is not None else (rule.weight, rule.weight)
        lows.append(low)
        highs.append(high)
    ranged = tuple(i for i, (low, high) in enumerate(zip(lows, highs, strict=True)) if low != high)
    return _Box(tuple(lows), tuple(highs), tuple(-low for low in lows),
                tuple(high - low for low, high in zip(lows, highs, strict=True)), ranged,
                tuple(partials(lows)), math.fsum(lows), {id(item): i for i, item in enumerate(compiled.rules)},
                tuple(item.rule.sign for item in compiled.rules))


def partials(numbers: Iterable[float]) -> list[float]:
    """A few floats whose exact sum is the numbers' exact sum: that sum rounded, then what the rounding left
    out, rounded, and so on until nothing is left. math.fsum rounds an exact sum correctly, so each remainder
    is a fraction of an ulp of the one before, and one that is not zero never rounds to zero."""
    numbers = list(numbers)
    found: list[float] = []
    while (rest := math.fsum(numbers)) != 0.0:
        found.append(rest)
        numbers.append(-rest)
    return found


def clamped(total: float) -> float:
    """The score an exact sum of points gives: within [0, 100] (as `min(100.0, max(0.0, total))`, at a fraction
    of its cost: it runs for every figure)."""
    return 0.0 if total <= 0.0 else 100.0 if total >= 100.0 else total


def sensitivity(compiled: CompiledPack, case: Case, as_of: dt.date | None = None) -> Interval:
    """The least and greatest score as the weights vary within their ranges, the case as it is."""
    return weight_interval(compiled, weigh(case, compiled, as_of))


def weight_interval(compiled: CompiledPack, weighing: Weighing) -> Interval:
    """`sensitivity` of a case already weighed (so it is not scored twice)."""
    box = _box(compiled)
    places, signs, lows = box.positions, box.signs, box.lows
    values = dict.fromkeys(box.ranged, 0.0)  # u of each ranged rule (0 when it did not fire)
    fired: Fired = []
    numerator = []
    for item, degree, confidence, decay in zip(weighing.rules, weighing.degrees, weighing.confidences,
                                               weighing.decays, strict=True):
        if confidence is None or decay is None:
            continue
        position = places[id(item)]
        sign = signs[position]
        value = sign * degree * confidence * decay
        if position in values:
            values[position] = value
        numerator.append(lows[position] * value)
        if degree:
            fired.append((position, 50 * float(sign), degree, confidence, decay))
    start = math.fsum(numerator)
    ties = _ties(values)
    high = _corner_score(box, fired, _top(box, reversed(ties), start, rising=True))
    low = _corner_score(box, fired, _top(box, ties, start, rising=False))
    # the weights as written are one point of the box, so its score lies inside (also to the last bit)
    return Interval(min(low, weighing.score), max(high, weighing.score))


# The rules that fired with a degree: each one's position, 50 * sign (the first factors of its points), degree,
# confidence and decay.
Fired = list[tuple[int, float, float, float, float]]


def _ties(values: dict[int, float]) -> list[tuple[float, list[int]]]:
    """The ranged rules by value, ascending, those with equal values together in pack order: read forwards or
    backwards, the order a stable sort ascending or descending gives (one sort serves both directions). Equal
    values share a key of a dict (0.0 and -0.0 too), so only the distinct values are sorted."""
    groups: dict[float, list[int]] = {}
    for rule, value in values.items():
        groups.setdefault(value, []).append(rule)
    return sorted(groups.items())


def _top(box: _Box, ties: Iterable[tuple[float, list[int]]], numerator: float, rising: bool) -> list[int]:
    """The ranged rules at the top of their ranges in the corner with the greatest (rising) or least ratio:
    those whose values come first in that direction (`ties`, in that order), for the best cut."""
    denominator = box.low_sum
    best_ratio, best_cut = numerator / denominator, 0
    order: list[int] = []
    steps = box.steps
    for value, rules in ties:
        # rules with equal values move together: a cut between them never beats both sides of it
        for rule in rules:
            step = steps[rule]
            numerator += step * value
            denominator += step
        order += rules
        ratio = numerator / denominator
        if (ratio > best_ratio) if rising else (ratio < best_ratio):
            best_ratio, best_cut = ratio, len(order)
    return order[:best_cut]


def _corner_score(box: _Box, fired: Fired, top: list[int]) -> float:
    """The score with the rules `top` at the top of their ranges and the others at the bottom, in the
    arithmetic of `weigh` (points_i = 50*s*w*a*c*t / W)."""
    highs = box.highs
    weights = list(box.lows)
    for rule in top:
        weights[rule] = highs[rule]
    total = math.fsum([*box.bottom, *map(highs.__getitem__, top), *map(box.negated.__getitem__, top)])
    points = [scale * weights[position] * degree * confidence * decay / total + 0.0
              for position, scale, degree, confidence, decay in fired]
    return clamped(math.fsum([50.0, *points]))
