"""The one problem type every stage reports, and the exception that carries a list of them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby


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
        """The problem as one printable line: a control character or line break in the path (a file
        name may hold one) or the message is shown escaped, so it cannot split or rewrite the line."""
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return printable(f"{where}: {self.severity}[{self.code}]: {self.message}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def printable(text: str) -> str:
    """`text` on one line: a line break or control character (a YAML escape such as "\\n" in a key
    a message quotes, or in a file name) is shown escaped, so every problem stays one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


class InvalidInput(Exception):
    """Raised by the public loaders when a file does not load or validate."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    """Order problems by file, then position (whole-file problems first), then code."""
    return (problem.path, problem.line or 0, problem.column or 0, problem.code, problem.message)


def cap(problems: Iterable[Problem], per_file: int = 100) -> list[Problem]:
    """The problems as they are printed: each distinct one once, sorted, at most `per_file` of each file
    and then one line, at the first one left out, that counts the rest of the file and names their codes.

    That line is an error when any of the rest is one, so capping never changes the exit status.
    """
    capped: list[Problem] = []
    for _, group in groupby(sorted(set(problems), key=sort_key), key=lambda problem: problem.path):
        found = list(group)
        capped.extend(found[:per_file])
        rest = found[per_file:]
        if rest:
            first = rest[0]
            codes = ", ".join(sorted({problem.code for problem in rest}))
            capped.append(Problem(first.path, first.line, first.column, "too-many-problems",
                                  f"{len(rest):,} more problem{'s' if len(rest) > 1 else ''} of this file, "
                                  f"from here on, not shown (codes: {codes})",
                                  "error" if any(problem.is_error for problem in rest) else "warning"))
    return capped


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix naming the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def listing(names: Iterable[str], limit: int = 20) -> str:
    """Names joined by ', ' for a message, at most `limit` of them and then how many there are in all."""
    items = list(names)
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"
