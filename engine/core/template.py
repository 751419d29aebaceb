"""`because` templates: `{name}` placeholders for facts and roles, `{{` and `}}` for braces.

Parsed once into segments; never handed to `str.format`, so no attribute access, index or
format spec in a user's template can ever run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"(\{\{|\}\}|\{([^{}]*)\}|[{}])")
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
    # split, not a loop over match objects: the text between tokens, each token and its name (None when
    # it is not a placeholder) come back in turn, literal text last
    pieces = _TOKEN.split(text)
    position = 0  # where the token at hand starts
    triples = iter(pieces)
    for literal, token, name in zip(triples, triples, triples, strict=False):  # the last literal has no token
        if literal:
            parts.append(Part(literal))
        position += len(literal)
        if name is not None:
            if _NAME.match(name):
                parts.append(Part(name, True))  # positional: a keyword costs more, per part
            else:
                errors.append(f"placeholder '{token}' is not a plain fact or role name "
                              "(no attributes, indexes or format specs)")
        elif len(token) == 2:  # '{{' or '}}'
            parts.append(Part(token[0]))
        else:
            errors.append(f"unmatched '{token}' at character {position + 1}; write '{token}{token}' "
                          "for a literal brace")
        position += len(token)
    if pieces[-1]:
        parts.append(Part(pieces[-1]))
    return Template(tuple(parts)), errors
