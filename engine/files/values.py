"""Fit raw YAML values to a declared fact: its type, bounds and allowed values."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..core.model import Fact, Value
from ..problems import did_you_mean, listing
from .load import excerpt

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
YAML11_WORDS = {"yes", "no", "on", "off", "y", "n"}

ORDERED_TYPES = ("integer", "number", "date")


class Misfit(Exception):
    """A value does not fit; `code` is the problem code, the message says what was expected."""

    def __init__(self, code: str, message: str, item: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.item = item  # the index of the offending item, when the value is a list


def show(raw: Any) -> str:
    """A value as the analyst would have written it in YAML."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return f"'{excerpt(raw)}'"
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, (list, tuple)):
        return "a list"
    if raw is None:
        return "nothing"
    if isinstance(raw, float) and not math.isfinite(raw):
        return ".nan" if math.isnan(raw) else ("-.inf" if raw < 0 else ".inf")
    return repr(raw)


def parse_date(raw: Any) -> dt.date:
    """An ISO date (`2020-09-12`), or Misfit with code `date`."""
    if isinstance(raw, str):
        return _iso_date(raw)
    if isinstance(raw, dt.date):
        return raw
    raise Misfit("date", f"expected an ISO date such as 2020-09-12, got {show(raw)}")


@lru_cache(maxsize=4096)  # a case states a few dates many times (as_of, observed, published); a Misfit is not kept
def _iso_date(text: str) -> dt.date:
    if not _ISO_DATE.match(text):
        raise Misfit("date", f"expected an ISO date such as 2020-09-12, got {show(text)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise Misfit("date", f"'{text}' is not a real date ({error})") from None


def number(raw: Any, what: str) -> float:
    """A finite number (int or float, not a boolean), or Misfit."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise Misfit("type-mismatch", f"{what} must be a number, got {show(raw)}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise Misfit("out-of-range", f"{what} must be a finite number, got {show(raw)}")
    return raw


def ordered(fact: Fact, raw: Any, what: str) -> float | dt.date:
    """A bound compared with an integer, number or date fact (no range check)."""
    if fact.type == "date":
        return parse_date(raw)
    return number(raw, what)


def fit(fact: Fact, raw: Any, *, bounds: bool = True) -> Value:
    """Convert `raw` to a value of `fact`, checking type, bounds and allowed values."""
    return _FITTERS[fact.type](fact, raw, bounds)


def _fit_boolean(fact: Fact, raw: Any, bounds: bool) -> Value:
    if isinstance(raw, bool):
        return raw
    hint = " (YAML 1.1 words like yes/no/on/off are plain strings here)" \
        if isinstance(raw, str) and raw.lower() in YAML11_WORDS else ""
    raise Misfit("type-mismatch", f"fact '{fact.name}' is boolean: expected true or false, got {show(raw)}{hint}")


def _fit_integer(fact: Fact, raw: Any, bounds: bool) -> Value:
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        raw = int(raw)
    if not (isinstance(raw, int) and not isinstance(raw, bool)):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise Misfit("out-of-range", f"fact '{fact.name}' must be a finite whole number, got {show(raw)}")
        raise Misfit("type-mismatch", f"fact '{fact.name}' is integer: expected a whole number, got {show(raw)}")
    return _fit_number(fact, raw, bounds)


def _fit_number(fact: Fact, raw: Any, bounds: bool) -> Value:
    value = number(raw, f"fact '{fact.name}'")
    if bounds:
        _check_bounds(fact, value)
    return value


def _fit_date(fact: Fact, raw: Any, bounds: bool) -> Value:
    return parse_date(raw)


def _fit_string(fact: Fact, raw: Any, bounds: bool) -> Value:
    if not isinstance(raw, str):
        raise Misfit("type-mismatch", f"fact '{fact.name}' is a string: expected text, got {show(raw)}"
                     + (" (quote it)" if isinstance(raw, (int, float, bool)) else ""))
    _check_allowed(fact, raw)
    return raw


def _fit_list(fact: Fact, raw: Any, bounds: bool) -> Value:
    if not isinstance(raw, (list, tuple)):
        raise Misfit("type-mismatch", f"fact '{fact.name}' is a list: expected a list of strings, got {show(raw)}")
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, str):
            raise Misfit("type-mismatch", f"items of '{fact.name}' are strings, got {show(item)}"
                         + (" (quote it)" if isinstance(item, (int, float, bool)) else ""), index)
        if item in seen:
            raise Misfit("value", f"{show(item)} is already in this list, as item {seen[item] + 1}; "
                                  "a list fact's items are distinct", index)
        seen[item] = index
        try:
            _check_allowed(fact, item)
        except Misfit as misfit:
            raise Misfit(misfit.code, misfit.message, index) from None
    return tuple(raw)


_FITTERS: dict[str, Callable[[Fact, Any, bool], Value]] = {
    "boolean": _fit_boolean, "integer": _fit_integer, "number": _fit_number, "date": _fit_date,
    "string": _fit_string, "list": _fit_list,
}


def check_item(fact: Fact, raw: Any) -> str:
    """An item of a list fact (for `contains`)."""
    if not isinstance(raw, str):
        raise Misfit("type-mismatch", f"items of '{fact.name}' are strings, got {show(raw)}")
    _check_allowed(fact, raw)
    return raw


def _check_bounds(fact: Fact, value: float) -> None:
    if fact.min is not None and value < fact.min:
        raise Misfit("out-of-range", f"{show(value)} is below the minimum {show(fact.min)} of '{fact.name}'")
    if fact.max is not None and value > fact.max:
        raise Misfit("out-of-range", f"{show(value)} is above the maximum {show(fact.max)} of '{fact.name}'")


def _check_allowed(fact: Fact, value: str) -> None:
    if fact.values is not None and value not in fact.values:
        raise Misfit("value", f"{show(value)} is not an allowed value of '{fact.name}'"
                              f"{did_you_mean(value, fact.values)}; allowed: {listing(fact.values)}")
