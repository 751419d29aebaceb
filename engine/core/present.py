"""Values as a reader sees them: in explanations and reports (text) and in the JSON report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Value


def render(value: Value) -> str:
    """A value as text in an explanation: lists joined by ', ', no trailing '.0'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as the value: -0.0 stays "-0"
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_json(value: Value) -> Any:
    """A value as JSON data (dates as ISO strings, lists as lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
