"""The one problem type every stage reports, and the exception that carries a list of them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A located finding in one file: `PATH:LINE:COL: severity[code]: message`.

    `line` and `column` are 1-based, or None when the problem concerns the file as a whole
    (a missing file, say): then no position is printed rather than one we did not compute.
    """

    path: str
    line: int | None
    column: int | None
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.severity}[{self.code}]: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class InvalidInput(Exception):
    """Raised by the public loaders when a file does not load or validate."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    """Order problems by file, then position (whole-file problems first), then code."""
    return (problem.path, problem.line or 0, problem.column or 0, problem.code, problem.message)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix naming the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
