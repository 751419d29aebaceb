"""The one problem type every stage reports, and the exception that carries a list of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

Severity = Literal["error", "warning"]

# Every code a problem may carry, with what it means: one table, which docs/formats.md's tables of
# codes are tested against. A Problem with a code not listed here fails when it is made.
CODES: dict[str, str] = {
    # reading a file
    "too-large": "the file is over 4 MiB, holds more than it said, or more than 100,000 keys and values",
    "encoding": "not UTF-8, or a character that is not allowed (raw or written as an escape)",
    "yaml-syntax": "the YAML does not parse",
    "duplicate-key": "a key twice in one mapping (also a repeated column of a table)",
    "alias": "an anchor or alias",
    "tag": "a YAML tag other than !!str and !",
    "too-deep": "lists and mappings nested deeper than 64 levels",
    "multiple-documents": "more than one YAML document in one file",
    "empty-file": "nothing but comments or blank lines",
    "not-a-mapping": "a list or a single value instead of key: value lines",
    "file": "a file or folder that cannot be read, is not a regular file, or is not what was expected",
    "too-many-problems": "more problems than are shown or collected for one file; the rest are counted",
    "csv-syntax": "a CSV table that does not parse",
    "json-syntax": "a JSON Lines table with a line that does not parse",
    # the shape of a file
    "required": "a required key (or table column, or outcome) is missing",
    "unknown-key": "a key the format does not have",
    "type-mismatch": "a value of the wrong kind",
    "value": "a value of the right kind that is not allowed",
    "out-of-range": "a number outside its bounds, or not finite",
    "date": "not an ISO date, not a real date, or two observations of a fact on one day",
    # rule packs
    "unknown-operator": "a condition key that is not an operator",
    "operator": "two operators in one leaf, or all/any/not mixed with other keys",
    "unknown-fact": "a fact that facts.yaml does not declare",
    "weight": "a weight (or weight_range) not above 0 and at most 100, or a range that does not hold the weight",
    "degree": "a degree on a fact that is not ordered, or with from equal to to",
    "category": "a category that is not one of the pack's",
    "placeholder": "a because placeholder that is not a fact or role, or not a plain name",
    "duplicate-rule": "two rule files with the same id",
    "role": "pack roles that are not two names; a case party for an unknown role, or a role without one",
    "band": "bands that do not start at 0 or do not ascend; as a warning, a band no case can reach",
    "type": "a fact type that is not one of the six",
    "grade": "an Admiralty grade out of its scale",
    "example": "a rule's example that does not hold",
    # cases
    "unknown-source": "an observation's source that is not listed under sources",
    # warnings
    "unsourced": "a fact in use names no source",
    "ungraded": "a source without reliability, or an observation without credibility, in use",
    "undated": "an observation without observed that a rule with a half-life reads: it counts as new",
    "future": "an observation dated after the case's own as_of: ignored",
    "as-of": "--as-of before the case's date (later observations ignored) or after it",
    "coverage": "under half the rule weight could be evaluated",
    "case-id": "a case whose id differs from its file's name",
    "bounds": "a group of rules too large to bound exactly: its part of the bounds is an outer bound",
}


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
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"problem code '{self.code}' is not in engine.problems.CODES")

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


_SETTINGS_FILES = ("pack.yaml", "facts.yaml")  # what every rule file depends on: its problems are often the cause


def sort_key(problem: Problem) -> tuple[bool, str, int, int, str, str]:
    """Order problems by file, a pack's own settings files first (a fact mis-declared in facts.yaml makes
    every rule that reads it fail: the cause should come before its effects), then position (whole-file
    problems first), then code."""
    settings = problem.path.rsplit("/", 1)[-1] in _SETTINGS_FILES
    return (not settings, problem.path, problem.line or 0, problem.column or 0, problem.code, problem.message)


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
    import difflib  # only a mistake needs it: kept out of every clean start

    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def listing(names: Iterable[str], limit: int = 20) -> str:
    """Names joined by ', ' for a message, at most `limit` of them and then how many there are in all."""
    items = list(names)
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}, ... ({len(items)} in all)"
