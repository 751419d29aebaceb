"""A case scored with everything an analyst asks next: bounds, gaps, counterfactuals, sensitivity and,
for a calibrated pack, the probability that the alignment endures (contract section 7)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..core.compile import CompiledPack
from ..core.evaluate import Result, score
from ..core.model import Case
from ..problems import Problem
from .leverage import leverage


def assess(case: Case, compiled: CompiledPack, as_of: dt.date | None = None) -> Result:
    """`score`, with its Result's `leverage` and `probability` filled in."""
    result = score(case, compiled, as_of)
    found = leverage(compiled, case, as_of)
    calibration = compiled.pack.calibration
    probability = None if calibration is None else calibration.probability(
        result.score, found.bounds.low, found.bounds.high)
    limits = tuple(Problem(case.path, None, None, "bounds", message, "warning") for message in found.limits)
    return dataclasses.replace(result, leverage=found, probability=probability,
                               warnings=result.warnings + limits)
