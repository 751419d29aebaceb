"""`template.parse` splits a `because` template as a plain scan of it, character by character, does.

The parser splits on one regular expression and counts positions as it goes; the scan below reads
the template as docs/formats.md words it (`{name}` a placeholder, `{{` and `}}` braces, anything else
between braces a bad placeholder, a lone brace unmatched) and shares no code with it. Both must give
the same parts and the same messages, in the same order, at the same character positions.
"""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from engine.core import template

_PLAIN_NAME = re.compile(r"[a-z][a-z0-9_]*")


def scanned(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """The parts (text, is a placeholder) and the messages of a template, read one character at a time."""
    parts: list[tuple[str, bool]] = []
    errors: list[str] = []
    literal = ""
    index = 0
    while index < len(text):
        char, pair = text[index], text[index:index + 2]
        if pair in ("{{", "}}"):
            token, step = pair, 2
        elif char == "{" and "}" in text[index + 1:] and not set(text[index + 1:text.index("}", index)]) & set("{"):
            token = text[index:text.index("}", index) + 1]
            step = len(token)
        elif char in "{}":
            token, step = char, 1
        else:
            literal += char
            index += 1
            continue
        if literal:
            parts.append((literal, False))
            literal = ""
        if token in ("{{", "}}"):
            parts.append((token[0], False))
        elif token in ("{", "}"):
            errors.append(f"unmatched '{token}' at character {index + 1}; write '{token}{token}' for a literal brace")
        elif _PLAIN_NAME.fullmatch(token[1:-1]):
            parts.append((token[1:-1], True))
        else:
            errors.append(f"placeholder '{token}' is not a plain fact or role name "
                          "(no attributes, indexes or format specs)")
        index += step
    if literal:
        parts.append((literal, False))
    return parts, errors


@example("{patron} and {partner}: x is {x}.")
@example("{{literal}} {a.b} {0} {x:>3} {} }{ {{{a}}} { {a")
@example("")
@given(st.text(alphabet="{}ab_1.: Z", max_size=30))
def test_the_parser_reads_a_template_as_a_plain_scan_does(text: str) -> None:
    parsed, errors = template.parse(text)
    assert ([(part.text, part.placeholder) for part in parsed.parts], errors) == scanned(text)
