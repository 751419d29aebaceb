"""The score of one case at each date on which its evidence changes (contract section 8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..core.evaluate import Result
from ..core.model import Case


@dataclass(frozen=True)
class Shift:
    rule: str
    delta: float


@dataclass(frozen=True)
class Step:
    """One date of the timeline; `changes` are the rules' point differences from the step before (the
    first step's from no evidence), ordered by size, largest first, then rule id."""

    result: Result
    changes: tuple[Shift, ...]


def dates(case: Case, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
    """The distinct `observed` dates on or before the case's as_of, and the as_of, within [start, end]."""
    days = {o.observed for history in case.facts.values() for o in history
            if o.observed is not None and o.observed <= case.as_of}
    days.add(case.as_of)
    return sorted(day for day in days if (start is None or day >= start) and (end is None or day <= end))


def timeline(case: Case, assess: Callable[[dt.date], Result], start: dt.date | None = None,
             end: dt.date | None = None) -> tuple[Step, ...]:
    """`assess(date)` scores the case at a date (the caller chooses how fully: with or without bounds)."""
    steps = []
    previous: dict[str, float] = {}
    for day in dates(case, start, end):
        result = assess(day)
        points = {c.rule: c.points for c in result.contributions}
        rules = dict.fromkeys([*previous, *points])
        changes = [Shift(rule, points.get(rule, 0.0) - previous.get(rule, 0.0)) for rule in rules
                   if points.get(rule, 0.0) != previous.get(rule, 0.0)]
        changes.sort(key=lambda change: (-abs(change.delta), change.rule))
        steps.append(Step(result, tuple(changes)))
        previous = points
    return tuple(steps)
