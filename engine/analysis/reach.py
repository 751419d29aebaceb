"""Which scores a pack can reach at all, and the bands it never can (`validate` warns of them)."""

from __future__ import annotations

import datetime as dt

from ..core.compile import CompiledPack
from ..core.model import Case
from ..problems import Problem
from .leverage import Interval, bounds

_ANY_DAY = dt.date(2000, 1, 1)  # an empty case has no dated evidence, so its date changes nothing


def reachable(compiled: CompiledPack) -> Interval:
    """The least and greatest score over every way of stating every fact (the bounds of an empty case)."""
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
