"""Which scores a pack can reach at all, and the bands it never can (`validate` warns of them)."""

from __future__ import annotations

import datetime as dt
import math

from ..core.compile import CompiledPack
from ..core.model import Case
from ..problems import Problem
from .leverage import Interval, bounds

_ANY_DAY = dt.date(2000, 1, 1)  # an empty case has no dated evidence, so its date changes nothing
# Over this many rules the exact range (the bounds of an empty case, where every fact varies and the rules
# form few, large groups) costs more than a validation should: seconds at 1,000 rules, minutes at 10,000.
EXACT_UP_TO = 1000


def reachable(compiled: CompiledPack) -> Interval:
    """The least and greatest score over every way of stating every fact (the bounds of an empty case); for a
    pack of more than EXACT_UP_TO rules, the outer range (every rule at its own extreme, as if none excluded
    another): a band outside it is unreachable all the same, one inside it may still be."""
    if len(compiled.rules) > EXACT_UP_TO:
        total = compiled.total_weight
        up = math.fsum(item.rule.weight for item in compiled.rules if item.rule.sign > 0)
        down = math.fsum(item.rule.weight for item in compiled.rules if item.rule.sign < 0)
        return Interval(50 - 50 * down / total, 50 + 50 * up / total)
    empty = Case("reach", "", {role: role for role in compiled.pack.roles}, _ANY_DAY, {}, path=compiled.pack.path)
    return bounds(compiled, empty)


def band_warnings(compiled: CompiledPack) -> list[Problem]:
    """A `band` warning for each band no case could ever reach, located at the band in pack.yaml."""
    pack = compiled.pack
    reach = reachable(compiled)
    warnings = []
    for index, band in enumerate(pack.bands):
        end = pack.bands[index + 1].start if index + 1 < len(pack.bands) else None
        above = band.start > reach.high
        below = end is not None and end <= reach.low
        if above or below:
            where = f"reaches only {reach.low:.1f} to {reach.high:.1f}"
            warnings.append(Problem(f"{pack.path}/pack.yaml", band.line or None, band.column or None, "band",
                                    f"band '{band.label}' can never be reached: the pack's rules {where}",
                                    "warning"))
    return warnings
