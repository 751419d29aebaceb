"""What changed between two assessments: two cases, or one case at two dates (contract section 8).

Every rule whose points differ is a change (a rule not evaluated counts 0 points), with the facts
whose values in use differ between the two sides, so a reader sees what moved it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.evaluate import Contribution, Result
from ..core.model import Value


@dataclass(frozen=True)
class Change:
    """One rule's points on each side; `before`/`after` are None where it was not evaluated."""

    rule: str
    title: str
    from_points: float
    to_points: float
    delta: float
    before: Contribution | None
    after: Contribution | None
    moved: tuple[str, ...]  # the facts the rule reads whose values in use differ between the two sides


@dataclass(frozen=True)
class Comparison:
    before: Result
    after: Result
    delta: float  # after.score - before.score; the changes' deltas add up to it
    changes: tuple[Change, ...]


def compare(before: Result, after: Result) -> Comparison:
    """The changes, ordered by the size of their delta, largest first, then rule id."""
    old = {c.rule: c for c in before.contributions}
    new = {c.rule: c for c in after.contributions}
    changes = []
    for rule in after.pack.rules:
        a, b = old.get(rule.id), new.get(rule.id)
        start, end = (a.points if a else 0.0), (b.points if b else 0.0)
        if start == end:
            continue
        changes.append(Change(rule.id, rule.title, start, end, end - start, a, b,
                              _moved(a.facts if a else {}, b.facts if b else {}, before, after)))
    changes.sort(key=lambda c: (-abs(c.delta), c.rule))
    return Comparison(before, after, after.score - before.score, tuple(changes))


def _moved(old: dict[str, Value], new: dict[str, Value], before: Result, after: Result) -> tuple[str, ...]:
    names = dict.fromkeys([*old, *new])
    return tuple(name for name in names
                 if _value(before, name) != _value(after, name))


def _value(result: Result, name: str) -> Value | None:
    observation = result.observations.get(name)
    return None if observation is None else observation.value
