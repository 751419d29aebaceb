"""`because` templates: `{name}` placeholders for facts and roles, `{{` and `}}` for braces.

Parsed once into segments; never handed to `str.format`, so no attribute access, index or
format spec in a user's template can ever run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True, slots=True)
class Part:
    """A run of literal text, or a placeholder's name."""

    text: str
    placeholder: bool = False


@dataclass(frozen=True)
class Template:
    """Literal text and placeholders, in the order written."""

    parts: tuple[Part, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(part.text for part in self.parts if part.placeholder)

    def render(self, lookup: Callable[[str], str]) -> str:
        return "".join(lookup(part.text) if part.placeholder else part.text for part in self.parts)


def parse(text: str) -> tuple[Template, list[str]]:
    """The template, and a message for each malformed placeholder (empty when all is well)."""
    parts: list[Part] = []
    errors: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            parts.append(Part(text[position:match.start()]))
        token = match.group()
        if token in ("{{", "}}"):
            parts.append(Part(token[0]))
        elif token in ("{", "}"):
            errors.append(f"unmatched '{token}' at character {match.start() + 1}; write '{token}{token}' "
                          "for a literal brace")
        else:
            name = match.group(1)
            if _NAME.match(name):
                parts.append(Part(name, placeholder=True))
            else:
                errors.append(f"placeholder '{token}' is not a plain fact or role name "
                              "(no attributes, indexes or format specs)")
        position = match.end()
    if position < len(text):
        parts.append(Part(text[position:]))
    return Template(tuple(parts)), errors

