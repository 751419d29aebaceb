"""Read one YAML file into plain data plus the position of every key and value.

The reader is built on PyYAML's event stream (libyaml's C parser when present), not on its
constructor, so that every hazard is caught before any data exists: anchors and aliases (alias
bombs), tags (`!!python/...`), duplicate keys, nesting depth, oversized files, non-UTF-8 bytes and
invisible line breaks. Scalars resolve by the YAML 1.2 core schema, so `no`, `on` and `yes` stay
the strings the analyst wrote and only `true`/`false` are booleans. Dates stay strings; the
validators parse them where a date is expected, so `2020-13-45` gets a located `date` error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..problems import Problem

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 300
MAX_ANCHORS = 100  # each is already an error: past this many, a hostile file is not read further

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same events, pure-Python speed
    _Loader = yaml.SafeLoader

# Characters YAML would misread or that have no business in an analyst's file. NEL, LS and PS
# are line breaks to PyYAML, so they could silently start a new key on what looks like one line.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_FORBIDDEN_NAMES = {"\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)",
                    "\u2029": "PARAGRAPH SEPARATOR (U+2029)", "\ufeff": "BOM (U+FEFF)"}

_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_YAML_TAG = "tag:yaml.org,2002:"
_STR_TAGS = {_YAML_TAG + "str", "!"}

PathKey = tuple[str | int, ...]
Position = tuple[int, int]


@dataclass
class Document:
    """The data of one file and where each part of it stands (1-based line, column)."""

    path: str
    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def at(self, where: PathKey, *, key: bool = False) -> Position:
        """The position of the value (or key) at `where`, else of its nearest located parent."""
        table = self.keys if key else self.values
        probe = tuple(where)
        while probe:
            if probe in table:
                return table[probe]
            if not key and probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(self, where: PathKey, code: str, message: str, *, key: bool = False,
                severity: str = "error") -> Problem:
        line, column = self.at(where, key=key)
        return Problem(self.path, line, column, code, printable(message), severity)


def printable(text: str) -> str:
    """`text` on one line: a line break or control character (a YAML escape such as "\\n" in a key
    the message quotes) is shown escaped, so every problem stays one line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def read(path: Path | str, shown: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse a file; return its document, or None and the problems that stop it."""
    name = shown if shown is not None else str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return None, [_too_large(name, size)]
        raw = Path(path).read_bytes()
    except OSError as error:
        return None, [Problem(name, None, None, "file", f"cannot read file: {error.strerror}")]
    return parse(raw, name)


def parse(raw: bytes, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML bytes into a Document, or report why not."""
    if len(raw) > MAX_BYTES:
        return None, [_too_large(name, len(raw))]
    text, problem = _decode(raw, name)
    if problem:
        return None, [problem]
    assert text is not None
    if "\r" in text:  # YAML reads a lone CR as a line break: count lines as it does
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _FORBIDDEN.search(text)
    if bad:
        line, column = _position(text, bad.start())
        char = bad.group()
        label = _FORBIDDEN_NAMES.get(char, f"control character U+{ord(char):04X}")
        return None, [Problem(name, line, column, "encoding",
                              f"{label} is not allowed in a rule or case file; delete it")]
    return _Builder(name).build(text)


def _too_large(name: str, size: int) -> Problem:
    return Problem(name, 1, 1, "too-large", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")


def _tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag


def _decode(raw: bytes, name: str) -> tuple[str | None, Problem | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(name, 1, 1, "encoding", "file is UTF-16; save it as UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 BOM carries no meaning; editors on Windows add it
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode("utf-8")  # valid up to the bad byte
        line, column = _position(before, len(before))
        return None, Problem(name, line, column, "encoding",
                             f"byte 0x{raw[error.start]:02x} is not valid UTF-8; save the file as UTF-8")


def _position(text: str, index: int) -> Position:
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


class _Container:
    __slots__ = ("key", "key_event", "path", "value")

    def __init__(self, value: Any, path: PathKey) -> None:
        self.value = value
        self.path = path
        self.key: str | None = None  # a mapping's pending key, awaiting its value
        self.key_event: Any = None


class _Stop(Exception):
    """Parsing cannot sensibly go on (too deep, or several documents)."""


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.doc = Document(name, None)
        self.problems: list[Problem] = []
        self.stack: list[_Container] = []
        self.documents = 0
        self.anchors: list[tuple[str, list[Any]]] = []  # (name, [event, uses]), in the order written
        self.latest: dict[str, list[Any]] = {}  # name -> the [event, uses] of its latest anchor

    def build(self, text: str) -> tuple[Document | None, list[Problem]]:
        root: list[Any] = []
        try:
            for event in yaml.parse(text, Loader=_Loader):
                self._event(event, root)
        except _Stop:
            pass
        except yaml.MarkedYAMLError as error:
            self.problems.append(self._syntax(error, text))
        except yaml.YAMLError as error:  # reader errors carry no mark object
            self.problems.append(Problem(self.name, None, None, "yaml-syntax", str(error)))
        self._report_anchors()
        if self.problems:
            return None, self.problems
        if not root or root[0] is None:
            return None, [Problem(self.name, 1, 1, "empty-file",
                                  "file holds no data; expected a mapping of keys to values")]
        if not isinstance(root[0], dict):
            shown = repr(root[0]) if len(repr(root[0])) <= 60 else repr(root[0])[:57] + "..."
            kind = "a list" if isinstance(root[0], list) else f"a single value ({shown})"
            return None, [Problem(self.name, 1, 1, "not-a-mapping",
                                  f"file holds {kind}; expected a mapping of keys to values")]
        self.doc.data = root[0]
        return self.doc, []

    def _syntax(self, error: yaml.MarkedYAMLError, text: str) -> Problem:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = error.problem or error.context or "invalid YAML"
        if "maximum nesting depth" in what:  # libyaml's own limit, met while scanning ahead
            return Problem(self.name, line, column, "too-deep", f"nesting is deeper than {MAX_DEPTH} levels")
        lines = text.split("\n")
        if mark is not None and line is not None and line > len(lines):
            # libyaml marks an error at the end of input one line past the last; point at the end instead
            line, column = len(lines), len(lines[-1]) + 1
        if mark is not None and lines[mark.line:mark.line + 1] and lines[mark.line][mark.column:][:1] == "\t":
            what = "a tab cannot indent or separate YAML; use spaces"
        elif (mark is error.problem_mark and mark is not None and error.context
              and error.context_mark is not None and error.context_mark.line != mark.line):
            what = f"{what} ({error.context} that starts at line {error.context_mark.line + 1}, " \
                   f"column {error.context_mark.column + 1})"
        return Problem(self.name, line, column, "yaml-syntax", printable(what))

    def _report_anchors(self) -> None:
        """One problem per anchor, counting its aliases: a billion-laughs file gives a line per anchor."""
        for name, (event, uses) in self.anchors:
            reuse = f" (repeated by {uses} alias{'es' if uses > 1 else ''} '*{name}')" if uses else ""
            self._fail(event, "alias", f"anchor '&{name}' is not allowed{reuse}; write the values out in full")

    def _fail(self, event: Any, code: str, message: str) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.name, mark.line + 1, mark.column + 1, code, printable(message)))

    def _event(self, event: Any, root: list[Any]) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._fail(event, "multiple-documents",
                           "file holds more than one YAML document ('---'); keep one per file")
                raise _Stop
            return
        if isinstance(event, yaml.AliasEvent):
            # the alias is never followed: the data gets a None in its place and the file fails
            anchor = self.latest.get(event.anchor or "")
            if anchor is not None:
                anchor[1] += 1
            else:
                self._fail(event, "alias", f"alias '*{event.anchor}' is not allowed (and names no anchor); "
                                           "write the value out in full")
            self._place(event, None, root)
            return
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if event.anchor is not None:
                if len(self.anchors) == MAX_ANCHORS:
                    self._fail(event, "alias", f"more than {MAX_ANCHORS} anchors; the rest of the file is not read")
                    raise _Stop
                self.latest[event.anchor] = [event, 0]
                self.anchors.append((event.anchor, self.latest[event.anchor]))
            if isinstance(event, yaml.ScalarEvent):
                self._place(event, self._scalar(event), root)
                return
            if event.tag is not None and event.tag != "!":
                self._fail(event, "tag", f"tag '{_tag(event.tag)}' is not allowed; remove it")
            if len(self.stack) >= MAX_DEPTH:
                self._fail(event, "too-deep", f"nesting is deeper than {MAX_DEPTH} levels")
                raise _Stop
            container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = self._place(event, container, root)
            self.stack.append(_Container(container, path))
            return
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self.stack.pop()

    def _place(self, event: Any, value: Any, root: list[Any]) -> PathKey:
        """Put a value into the open container (or the root) and record its position."""
        position = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not self.stack:
            root.append(value)
            self.doc.values[()] = position
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            path = (*top.path, len(top.value))
            top.value.append(value)
            self.doc.values[path] = position
            return path
        if top.key_event is None:  # this node is a key
            if isinstance(value, (dict, list)) or not isinstance(event, yaml.ScalarEvent):
                self._fail(event, "yaml-syntax", "a key must be a plain word, not a list or mapping")
                top.key, top.key_event = None, event
                return (*top.path, "?")
            key = event.value
            path = (*top.path, key)
            if key in top.value or (*top.path, key) in self.doc.keys:
                first = self.doc.keys[path]
                self._fail(event, "duplicate-key",
                           f"key '{key}' appears twice in this mapping (first at line {first[0]})")
                top.key = None
            else:
                top.key = key
                self.doc.keys[path] = position
            top.key_event = event
            return path
        pending, top.key, top.key_event = top.key, None, None
        if pending is None:  # the key was rejected: its value is dropped
            return (*top.path, "?")
        path = (*top.path, pending)
        top.value[pending] = value
        self.doc.values[path] = position
        return path

    def _scalar(self, event: Any) -> Any:
        text = event.value
        if event.tag is not None and event.tag not in _STR_TAGS:
            self._fail(event, "tag", f"tag '{_tag(event.tag)}' is not allowed; remove it")
            return text
        if event.tag is not None or not event.implicit[0]:
            return text  # quoted or explicitly a string
        if text in _NULL:
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.match(text):
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                self._fail(event, "out-of-range", f"integer of {len(text.lstrip('+-'))} digits is too large")
                return 0
            return int(text)
        if _FLOAT.match(text):
            number = float(text)
            if number in (float("inf"), float("-inf")):
                self._fail(event, "out-of-range", f"number '{text}' is too large to represent")
            return number
        if _INF.match(text):
            return float("-inf") if text.startswith("-") else float("inf")
        if _NAN.match(text):
            return float("nan")
        return text
