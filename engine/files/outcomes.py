"""Read and check an outcomes file: what became of each case's alignment (contract section 8).

    iran-russia-2020:
      outcome: held                 # required: held | broke
      break_date: null              # an ISO date, or null
      as_of: 2020-09-12             # if given, must equal the case's own as_of
      justification: ...            # text
      source: ...                   # text
      caveat: ...                   # text

The file is read like every other (syntax, then shape against `outcomes.schema.json`, then meaning:
real dates), and each problem is located `PATH:LINE:COL: error[CODE]: MESSAGE`. `match_outcomes`
then checks the outcomes against the cases given to a backtest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..core.model import Case
from ..problems import Problem, sort_key
from . import shape
from .load import Position, read
from .values import Misfit, parse_date

Label = Literal["held", "broke"]
_DATE_SHAPE = re.compile(shape.schema("outcomes")["additionalProperties"]["properties"]["as_of"]["pattern"])


@dataclass(frozen=True)
class Outcome:
    """One entry: what became of one case's alignment, and where the entry stands in the file."""

    case: str
    outcome: Label
    break_date: dt.date | None
    as_of: dt.date | None
    justification: str | None
    source: str | None
    caveat: str | None
    at: Position                # the entry's key (the case id)
    as_of_at: Position | None   # its `as_of` value, when given

    @property
    def held(self) -> bool:
        return self.outcome == "held"


@dataclass(frozen=True)
class Outcomes:
    """A checked outcomes file: its entries by case id, in the order written."""

    path: str
    entries: dict[str, Outcome]
    at: Position  # the file's top mapping: where a missing entry is reported


def check_outcomes(path: Path | str, shown: str | None = None) -> tuple[Outcomes | None, list[Problem]]:
    """The outcomes (None if any error) and every problem found in the file, sorted by position."""
    document, problems = read(path, shown)
    if document is None:
        return None, problems
    problems = shape.check(document, "outcomes")
    data: dict[str, Any] = document.data
    dates: dict[tuple[str, str], dt.date] = {}
    for case_id, entry in data.items():
        if not isinstance(entry, dict):
            continue  # a shape problem, reported
        for key in ("break_date", "as_of"):
            raw = entry.get(key)
            # a string of the wrong form is the schema's `date` problem already; here: real dates only
            if isinstance(raw, str) and _DATE_SHAPE.search(raw):
                try:
                    dates[case_id, key] = parse_date(raw)
                except Misfit as misfit:
                    problems.append(document.problem((case_id, key), misfit.code, misfit.message))
    if problems:
        return None, sorted(problems, key=sort_key)
    entries = {}
    for case_id, entry in data.items():
        entries[case_id] = Outcome(
            case_id, entry["outcome"], dates.get((case_id, "break_date")), dates.get((case_id, "as_of")),
            entry.get("justification"), entry.get("source"), entry.get("caveat"),
            document.at((case_id,), key=True), document.at((case_id, "as_of")) if "as_of" in entry else None)
    return Outcomes(document.path, entries, document.at(())), []


def match_outcomes(outcomes: Outcomes, cases: Sequence[Case]) -> list[Problem]:
    """Problems of the outcomes against the cases given, sorted by position; entries for other cases
    are ignored.

    - A case without an entry is a `required` error located at the outcomes file's top mapping (the
      mapping that lacks the key, as for any missing required key); the message names the case file.
    - An entry's `as_of` that differs from its case's own is a `value` error located at that `as_of`.
    """
    problems = []
    for case in cases:
        entry = outcomes.entries.get(case.id)
        if entry is None:
            problems.append(Problem(outcomes.path, *outcomes.at, "required",
                                    f"no outcome for case '{case.id}' ({case.path}); add "
                                    f"'{case.id}: {{outcome: held}}' or '{case.id}: {{outcome: broke}}'"))
        elif entry.as_of is not None and entry.as_of != case.as_of and entry.as_of_at is not None:
            problems.append(Problem(outcomes.path, *entry.as_of_at, "value",
                                    f"as_of {entry.as_of.isoformat()} differs from the as_of of case "
                                    f"'{case.id}' ({case.as_of.isoformat()}, in {case.path}); the outcome "
                                    "must describe the case as assessed"))
    return sorted(set(problems), key=sort_key)
