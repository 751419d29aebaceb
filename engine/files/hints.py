"""What to do about the YAML mistakes analysts make every day, instead of the parser's own words.

Each hint looks at the line the parser stopped on and either recognises its mistake, giving the column
to point at and a message that says what to do, or passes. They are tried in order; the first that
recognises the line wins, and the parser's message stands when none does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Stop:
    """Where the parser stopped: the lines of the file, 0-based line and column, and what it said."""

    lines: Sequence[str]
    line: int
    column: int
    said: str

    @property
    def text(self) -> str:
        return self.lines[self.line] if 0 <= self.line < len(self.lines) else ""


@dataclass(frozen=True)
class Hint:
    column: int  # 1-based
    message: str
    line: int | None = None  # 1-based, when the mistake lies on another line than the one the parser stopped on


Recogniser = Callable[[Stop], Hint | None]

_KEY_VALUE = re.compile(r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[^\s:#'\"{}\[\],][^:#]*?):[ \t]+(?P<value>\S.*?)\s*$")
_CLOSING = {"{": "}", "[": "]"}


def _tab(stop: Stop) -> Hint | None:
    if stop.text[stop.column:stop.column + 1] == "\t":
        return Hint(stop.column + 1, "a tab cannot indent or separate YAML; use spaces")
    return None


def _bracketed_value(stop: Stop) -> Hint | None:
    """`because: {patron} vetoed it.`: a value that starts with a brace is read as a YAML mapping."""
    for index in (stop.line, stop.line - 1):
        if not 0 <= index < len(stop.lines):
            continue
        found = _KEY_VALUE.match(stop.lines[index])
        if found is None or found["value"][0] not in _CLOSING:
            continue
        value = found["value"]
        close = value.find(_CLOSING[value[0]])
        if close == -1 or value[close + 1:].strip() == "":
            continue  # a whole flow mapping or list, as intended
        column = found.start("value") + 1
        unopened = value.endswith('"') and value.count('"') % 2 == 1  # the closing quote is there, not the opening
        quoted = value[:-1] if unopened else value
        return Hint(column, f"a value that starts with '{value[0]}' is read as a YAML "
                            f"{'mapping' if value[0] == '{' else 'list'}; put the whole value in quotes"
                            f"{' (it has a closing quote but no opening one)' if unopened else ''}: "
                            f"{found['key']}: \"{_excerpt(quoted)}\"")
    return None


def _colon_in_value(stop: Stop) -> Hint | None:
    """`note: Reuters reported: three cuts`: a second ': ' on the line starts a mapping the parser refuses."""
    if "mapping values are not allowed" not in stop.said:
        return None
    found = _KEY_VALUE.match(stop.text)
    if found is None or ": " not in found["value"] + " " or found["value"][0] in "'\"{[":
        return None
    return Hint(found.start("value") + 1, f"a value holding ': ' must be quoted: {found['key']}: "
                                          f"\"{_excerpt(found['value'])}\"")


def _indentation(stop: Stop) -> Hint | None:
    """A key indented differently from its siblings: it belongs to no mapping the parser can see. The
    parser often stops on the line after it, so the line before is looked at too."""
    if "mapping values are not allowed" not in stop.said and "expected <block end>" not in stop.said:
        return None
    for index in (stop.line, stop.line - 1):
        text = stop.lines[index] if 0 <= index < len(stop.lines) else ""
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip(" "))
        above = [line for line in stop.lines[max(0, index - 30):index] if line.strip()
                 and not line.lstrip().startswith("#")]
        used = {len(line) - len(line.lstrip(" ")) for line in above}
        if not above or indent in used:
            continue
        opener = next((line for line in reversed(above)), "")
        deeper = sorted(w for w in used if w > len(opener) - len(opener.lstrip(" ")))
        # under a line that opens a mapping (`name:`), the key belongs one level in
        closest = deeper[0] if opener.rstrip().endswith(":") and deeper else min(
            used, key=lambda width: (abs(width - indent), width))
        return Hint(indent + 1, f"this line is indented by {indent} space{'s' if indent != 1 else ''}, but the "
                                f"lines above it use {', '.join(str(w) for w in sorted(used))}: indent it like "
                                f"the key it belongs with (probably {closest})", index + 1)
    return None


def _excerpt(text: str, limit: int = 60) -> str:
    text = text.replace('"', '\\"')
    return text if len(text) <= limit else text[:limit - 3] + "..."


HINTS: tuple[Recogniser, ...] = (_tab, _bracketed_value, _colon_in_value, _indentation)


def recognise(stop: Stop) -> Hint | None:
    """The first hint that recognises the mistake, or None."""
    return next((hint for recogniser in HINTS if (hint := recogniser(stop)) is not None), None)
