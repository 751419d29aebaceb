"""`--set FACT=VALUE`: a fact stated on the command line for a quick what-if, checked like a case value."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.model import Pack, Value
from ..problems import Problem, did_you_mean
from .load import parse
from .values import Misfit, fit

WHERE = "--set"


def parse_overrides(pack: Pack, raw: Sequence[str]) -> tuple[dict[str, Value], list[Problem]]:
    """The values by fact, and a problem for each override that does not fit.

    VALUE is read as the value of a YAML key (a scalar, or a flow list such as `[China, India]`) by the
    same reader as the files, so `true`, `3`, `2020-09-12` and quoting mean what they mean in a case.
    """
    values: dict[str, Value] = {}
    problems: list[Problem] = []
    for item in raw:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            problems.append(Problem(WHERE, None, None, "value", f"'{item}' is not FACT=VALUE"))
            continue
        fact = pack.facts.get(name)
        if fact is None:
            problems.append(Problem(WHERE, None, None, "unknown-fact",
                                    f"fact '{name}' is not declared in the pack's facts.yaml"
                                    f"{did_you_mean(name, pack.facts)}"))
            continue
        if "\n" in text or "\r" in text:
            problems.append(Problem(WHERE, None, None, "value", f"the value of '{name}' must be on one line"))
            continue
        document, found = parse(f"value: {text}".encode(), WHERE)
        if document is None:
            problems.extend(Problem(WHERE, None, None, p.code, f"{name}={text}: {p.message}") for p in found)
            continue
        try:
            values[name] = fit(fact, document.data["value"])
        except Misfit as misfit:
            problems.append(Problem(WHERE, None, None, misfit.code, f"{name}={text}: {misfit.message}"))
    return values, problems
