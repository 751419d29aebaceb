"""A case scored with everything an analyst asks next: bounds, gaps, counterfactuals, sensitivity and,
for a calibrated pack, the probability that the alignment endures (contract section 7)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..core.compile import CompiledPack
from ..core.evaluate import Result, result_of, weigh
from ..core.model import Case
from ..problems import Problem
from .leverage import leverage


def assess(case: Case, compiled: CompiledPack, as_of: dt.date | None = None) -> Result:
    """`score`, with its Result's `leverage` and `probability` filled in."""
    weighing = weigh(case, compiled, as_of)  # once, for the score and its analysis alike
    result = result_of(case, compiled, weighing)
    found = leverage(compiled, case, as_of, weighing)
    calibration = compiled.pack.calibration
    probability = None if calibration is None else calibration.probability(
        result.score, found.bounds.low, found.bounds.high)
    limits = tuple(Problem(case.path, None, None, "bounds", message, "warning") for message in found.limits)
    return dataclasses.replace(result, leverage=found, probability=probability,
                               warnings=result.warnings + limits)
