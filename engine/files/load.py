"""Read one YAML file into plain data plus the position of every key and value.

The reader is built on PyYAML's event stream (libyaml's C parser when present), not on its
constructor, so that every hazard is caught before any data exists: anchors and aliases (alias
bombs), tags (`!!python/...`), duplicate keys, nesting depth, oversized files, non-UTF-8 bytes and
invisible line breaks, and the same characters written as double-quoted escapes ("\\0", "\\e",
"\\L"). Scalars resolve by the YAML 1.2 core schema, so `no`, `on` and `yes` stay the strings the
analyst wrote and only `true`/`false` are booleans. Dates stay strings; the validators parse them
where a date is expected, so `2020-13-45` gets a located `date` error.

The work per file is bounded whatever it holds: only a regular file is opened (never a FIFO, which
would block, or a device such as /dev/zero, which never ends), at most MAX_BYTES + 1 bytes are read,
at most MAX_VALUES keys and values are built, and the reader stops at MAX_PROBLEMS problems.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from ..problems import Problem, Severity, printable

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 300
MAX_ANCHORS = 100  # each is already an error: past this many, a hostile file is not read further
# Keys and values of one file (each list item and mapping counts). The largest bundled case holds
# 1,637; a flood of tiny items (`[1,1,1,...]`: 2 bytes each, 2 million in 4 MiB) would otherwise cost
# seconds to read and some 250 bytes of data and positions per item.
MAX_VALUES = 100_000
# Problems of one file past which a stage stops: the file is wrong many times over, and what is
# shown is capped anyway (`problems.cap`); the rest would only cost time and memory.
MAX_PROBLEMS = 1_000
EXCERPT = 60  # characters of a value a message quotes

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same events, pure-Python speed
    _Loader = yaml.SafeLoader

# Characters YAML would misread or that have no business in an analyst's file. NEL, LS and PS
# are line breaks to PyYAML, so they could silently start a new key on what looks like one line.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# After unescaping, a double-quoted scalar can also hold a carriage return ("\\r"; a raw one is a line
# end) and, with the pure-Python parser, a lone surrogate ("\\ud800"): neither belongs in a value either.
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# What most files hold only: printable ASCII, tabs and line ends, none of them forbidden
_PLAIN_ASCII = bytes((0x09, 0x0A, 0x0D, *range(0x20, 0x7F)))
_FORBIDDEN_NAMES = {"\x00": "NUL (U+0000)", "\x1b": "ESC (U+001B)", "\r": "CARRIAGE RETURN (U+000D)",
                    "\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)",
                    "\u2029": "PARAGRAPH SEPARATOR (U+2029)", "\ufeff": "BOM (U+FEFF)"}

# The plain scalars that are null or booleans; each plain scalar's first character says whether it may be
# one of those words (False) or a number (True): one that starts with any other character is a string
_WORDS = {"": None, "~": None, "null": None, "Null": None, "NULL": None,
          "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_FIRST = {**dict.fromkeys(("", "~", "n", "N", "t", "T", "f", "F"), False), **dict.fromkeys("-+.0123456789", True)}
# The numbers of the core schema in one pattern, each kind its group (the first that matches counts):
# 1 an integer, 2 a float, 3 an infinity, 4 not a number
_NUMBER = re.compile(r"([-+]?[0-9]+)\Z|([-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)\Z"
                     r"|([-+]?\.(?:inf|Inf|INF))\Z|(\.(?:nan|NaN|NAN))\Z")
_YAML_TAG = "tag:yaml.org,2002:"
_STR_TAGS = {_YAML_TAG + "str", "!"}
# What a path is when it is not a regular file, for the message that refuses it.
_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
# A FIFO opened without O_NONBLOCK blocks until a writer comes; O_BINARY matters on Windows only.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)

PathKey = tuple[str | int, ...]
Position = tuple[int, int]
# States of the open container (compared by identity): none (the document's node comes), a list, and a
# mapping whose pending key was refused
_ROOT: PathKey = ("",)
_SEQUENCE: PathKey = ("[]",)
_DROPPED: PathKey = ("?",)


class Positions(Mapping[PathKey, Position]):
    """Where each value (or key) of a file stands, by its path: a 1-based (line, column).

    It holds the parser's marks (0-based) and makes a position of one only when asked: most are never
    asked for, and building a tuple for every node cost some 6% of reading a case.
    """

    __slots__ = ("marks",)

    def __init__(self, marks: dict[PathKey, Any] | None = None) -> None:
        self.marks: dict[PathKey, Any] = {} if marks is None else marks  # each with a 0-based line and column

    def __getitem__(self, where: PathKey) -> Position:
        mark = self.marks[where]
        return mark.line + 1, mark.column + 1

    def __contains__(self, where: object) -> bool:
        return where in self.marks

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self.marks)

    def __len__(self) -> int:
        return len(self.marks)


@dataclass
class Document:
    """The data of one file and where each part of it stands (1-based line, column)."""

    path: str
    data: Any
    values: Positions = field(default_factory=Positions)
    keys: Positions = field(default_factory=Positions)

    def at(self, where: PathKey, *, key: bool = False) -> Position:
        """The position of the value (or key) at `where`, else of its nearest located parent."""
        marks = self.keys.marks if key else self.values.marks
        keys = self.keys.marks
        probe = tuple(where)
        while probe:
            mark = marks.get(probe)
            if mark is None and not key:
                mark = keys.get(probe)
            if mark is not None:
                return mark.line + 1, mark.column + 1
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(self, where: PathKey, code: str, message: str, *, key: bool = False,
                severity: Severity = "error") -> Problem:
        line, column = self.at(where, key=key)
        return Problem(self.path, line, column, code, printable(message), severity)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most `limit` characters of `text` (the rest as "..."), printable: a value as a message quotes it."""
    return printable(text if len(text) <= limit else text[:limit - 3] + "...")


def not_regular(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file ("a FIFO (named pipe)"), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _NOT_REGULAR if test(mode)), "not a regular file")


def read(path: Path | str, shown: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read and parse a file; return its document, or None and the problems that stop it."""
    name = shown if shown is not None else str(path)
    raw, problem = _read_bytes(path, name)
    if problem is not None:
        return None, [problem]
    return parse(raw, name)


def _read_bytes(path: Path | str, name: str) -> tuple[bytes, Problem | None]:
    """The bytes of a regular file of at most MAX_BYTES, or the problem that refuses it.

    The path is checked before it is opened (a device is never opened) and the open handle again
    (the path may have been swapped in between); the size on disk is checked before reading and the
    read is bounded, so a file that grows, or lies about its size, cannot be read past the limit.
    """
    try:
        kind = not_regular(os.stat(path).st_mode)
        if kind is None:
            descriptor = os.open(path, _OPEN_FLAGS)
            try:
                info = os.fstat(descriptor)
                kind = not_regular(info.st_mode)
                if kind is None:
                    if info.st_size > MAX_BYTES:
                        return b"", _too_large(name, info.st_size)
                    raw = _read_bounded(descriptor, info.st_size)
                    return raw, (_too_large(name, None) if len(raw) > MAX_BYTES else None)
            finally:
                os.close(descriptor)
    except OSError as error:
        return b"", Problem(name, None, None, "file", f"cannot read file: {error.strerror or error}")
    what = kind if kind.startswith("not ") else f"it is {kind}, not a regular file"
    return b"", Problem(name, None, None, "file", f"cannot read file: {what}")


def _read_bounded(descriptor: int, size: int) -> bytes:
    """At most MAX_BYTES + 1 bytes of an open file, to its end; `size` (its size on disk) sizes the first read.

    The descriptor is read directly (no buffered file object around it): one read of the size on disk
    and one more byte, which is all of a file that did not grow, then small reads up to its end.
    """
    chunks: list[bytes] = []
    left = MAX_BYTES + 1
    want = min(size + 1, left)
    while left > 0:
        chunk = os.read(descriptor, want)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        want = min(1 << 16, left)
    return b"".join(chunks)


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
    # bytes.translate drops the bytes of printable ASCII, tabs and line ends far faster than the search
    # scans: a file that holds only those (most do) has none of the forbidden characters
    bad = _FORBIDDEN.search(text) if raw.translate(None, _PLAIN_ASCII) else None
    if bad:
        line, column = _position(text, bad.start())
        return None, [Problem(name, line, column, "encoding",
                              f"{_char_name(bad.group())} is not allowed in a rule or case file; delete it")]
    return _Builder(name).build(text)


def _char_name(char: str) -> str:
    if char in _FORBIDDEN_NAMES:
        return _FORBIDDEN_NAMES[char]
    code = ord(char)
    kind = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "non-character" if code >= 0xFFFE else "control character"
    return f"{kind} U+{code:04X}"


def _too_large(name: str, size: int | None) -> Problem:
    """`size` is None when the file held more than its size on disk said (it grew, or is a /proc file)."""
    what = f"file is {size:,} bytes" if size is not None else f"file holds more than {MAX_BYTES:,} bytes"
    return Problem(name, 1, 1, "too-large", f"{what}; the limit is {MAX_BYTES:,}")


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


@dataclass(slots=True)
class _Anchor:
    """An anchor met in a file (each is an error), and how many aliases repeat it."""

    name: str
    event: Any
    uses: int = 0


class _Stop(Exception):
    """Parsing cannot sensibly go on (too deep, or several documents)."""


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.doc = Document(name, None)
        self.problems: list[Problem] = []
        self.anchors: list[_Anchor] = []  # in the order written
        self.latest: dict[str, _Anchor] = {}  # name -> its latest anchor, which an alias of the name repeats

    def build(self, text: str) -> tuple[Document | None, list[Problem]]:
        root: list[Any] = []
        try:
            loader = _Loader(text)  # the pure-Python one already checks the text here
            try:
                self._walk(loader.get_event, root, "\\" in text)
            finally:
                loader.dispose()
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
            kind = "a list" if isinstance(root[0], list) else f"a single value ({excerpt(repr(root[0]))})"
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
        from .hints import Stop, recognise  # only a file that does not parse needs them: not on a clean start

        lines = text.split("\n")
        if mark is not None and line is not None and line > len(lines):
            # libyaml marks an error at the end of input one line past the last; point at the end instead
            line, column = len(lines), len(lines[-1]) + 1
        hint = recognise(Stop(lines, mark.line, mark.column, what)) if mark is not None else None
        if hint is not None:  # a mistake we know: say what to do, at the value it concerns
            assert line is not None
            return Problem(self.name, hint.line or min(line, len(lines)), hint.column, "yaml-syntax",
                           printable(hint.message))
        if (mark is error.problem_mark and mark is not None and error.context
              and error.context_mark is not None and error.context_mark.line != mark.line):
            what = f"{what} ({error.context} that starts at line {error.context_mark.line + 1}, " \
                   f"column {error.context_mark.column + 1})"
        return Problem(self.name, line, column, "yaml-syntax", printable(what))

    def _report_anchors(self) -> None:
        """One problem per anchor, counting its aliases: a billion-laughs file gives a line per anchor."""
        for anchor in self.anchors:
            name, uses = anchor.name, anchor.uses
            reuse = f" (repeated by {uses} alias{'es' if uses > 1 else ''} '*{excerpt(name)}')" if uses else ""
            self.problems.append(self._problem(anchor.event, "alias", f"anchor '&{excerpt(name)}' is not allowed"
                                                                      f"{reuse}; write the values out in full"))

    def _problem(self, event: Any, code: str, message: str) -> Problem:
        mark = event.start_mark
        return Problem(self.name, mark.line + 1, mark.column + 1, code, printable(message))

    def _fail(self, event: Any, code: str, message: str) -> None:
        """Record a problem; at MAX_PROBLEMS, say so and stop reading the file."""
        self.problems.append(self._problem(event, code, message))
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.append(self._problem(event, "too-many-problems",
                                               f"{MAX_PROBLEMS:,} problems found; the rest of the file is not read"))
            raise _Stop

    def _walk(self, get: Any, root: list[Any], escapes: bool) -> None:
        """Build the data from the parser's events, up to the end of the stream.

        This loop is the cost of reading a file, so it is one function with its state in locals, and a
        plain untagged scalar (most events) takes the fewest steps. Each node is checked (anchor, tag,
        depth, escapes) before it is placed, then placed into the open container (or the root) with its
        position; a mapping's key is placed like a value, with its path kept until its value comes.
        """
        values, keys = self.doc.values.marks, self.doc.keys.marks
        first_of, word_of, number_of = _FIRST.get, _WORDS.get, _NUMBER.match  # bound once: called for most nodes
        # The open container, in three locals: its items, its path, and its state: _ROOT outside any
        # container (the items are then `root`), _SEQUENCE in a list, and in a mapping None when the next
        # node is a key, else the path of the key awaiting its value (_DROPPED when the key was refused: its
        # value is then dropped). `stack` holds the same three of each container around it, innermost last.
        items: Any = root
        base: PathKey = ()
        state: PathKey | None = _ROOT
        stack: list[tuple[Any, PathKey, PathKey | None]] = []
        path: PathKey  # where the node being placed stands
        count = documents = 0  # keys and values placed so far; documents begun
        while True:
            event = get()
            kind = type(event)  # PyYAML's event classes are final: an identity test is the cheapest
            if kind is ScalarEvent:
                text = value = event.value
                if event.anchor is not None:
                    self._anchor(event)
                if event.tag is None:
                    style = event.style
                    if not style:  # plain (the parsers call it implicit): by the YAML 1.2 core schema
                        number = first_of(text[:1])
                        if number is not None:
                            if not number:
                                value = word_of(text, text)
                            elif match := number_of(text):
                                value = self._number(event, match)
                    # what a double-quoted scalar's escapes stand for is checked, if the file has any (no
                    # backslash, no escape: the scalar holds only characters of the text, checked already)
                    elif escapes and style == '"':
                        value = self._scalar(event)
                else:
                    value = self._scalar(event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                items, base, state = stack.pop()
                continue
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None:
                    self._anchor(event)
                if event.tag is not None and event.tag != "!":
                    self._fail(event, "tag", f"tag '{excerpt(_tag(event.tag))}' is not allowed; remove it")
                if len(stack) >= MAX_DEPTH:
                    self._fail(event, "too-deep", f"nesting is deeper than {MAX_DEPTH} levels")
                    raise _Stop
                value = {} if kind is MappingStartEvent else []
            elif kind is AliasEvent:
                # the alias is never followed: the data gets a None in its place and the file fails
                anchor = self.latest.get(event.anchor or "")
                if anchor is not None:
                    anchor.uses += 1
                else:
                    self._fail(event, "alias", f"alias '*{excerpt(event.anchor or '')}' is not allowed "
                                               "(and names no anchor); write the value out in full")
                value = None
            elif kind is StreamEndEvent:
                return
            else:
                if kind is DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self._fail(event, "multiple-documents",
                                   "file holds more than one YAML document ('---'); keep one per file")
                        raise _Stop
                continue
            count += 1
            if count > MAX_VALUES:
                self._fail(event, "too-large", f"file holds more than {MAX_VALUES:,} keys and values; "
                                               "the rest of the file is not read")
                raise _Stop
            mark = event.start_mark
            if state is None:  # this node is a key
                if kind is ScalarEvent:
                    state = path = (*base, text)
                    first = keys.setdefault(path, mark)  # one lookup: a new key is placed, a repeated one kept
                    if first is not mark:
                        self._fail(event, "duplicate-key", f"key '{excerpt(text)}' appears twice in this "
                                                           f"mapping (first at line {first.line + 1})")
                        state = _DROPPED
                else:
                    self._fail(event, "yaml-syntax", "a key must be a plain word, not a list or mapping")
                    state, path = _DROPPED, (*base, "?")
            elif state is _SEQUENCE:
                path = (*base, len(items))
                items.append(value)
                values[path] = mark
            elif state is _ROOT:
                items.append(value)
                path = ()
                values[path] = mark
            else:  # this node is the value of the pending key
                if state is _DROPPED:
                    path = (*base, "?")
                else:
                    path = state
                    items[state[-1]] = value
                    values[state] = mark
                state = None
            if kind is not ScalarEvent and kind is not AliasEvent:  # a mapping or a list begins
                stack.append((items, base, state))
                items, base, state = value, path, (_SEQUENCE if kind is SequenceStartEvent else None)

    def _anchor(self, event: Any) -> None:
        """Note an anchor (each is an error, reported with its count of aliases once the file is read)."""
        if len(self.anchors) == MAX_ANCHORS:
            self._fail(event, "alias", f"more than {MAX_ANCHORS} anchors; the rest of the file is not read")
            raise _Stop
        self.latest[event.anchor] = _Anchor(event.anchor, event)
        self.anchors.append(self.latest[event.anchor])

    def _scalar(self, event: Any) -> str:
        """A tagged or double-quoted scalar, checked for what its escapes stand for and for its tag: a string.

        Only an untagged plain scalar is resolved (to null, a boolean or a number), and the parsers mark
        just that one as implicit: a double-quoted one without a tag is not.
        """
        text: str = event.value
        if event.style == '"':  # escapes: the raw text was checked, what they stand for was not
            bad = _ESCAPED.search(text)
            if bad:
                self._fail(event, "encoding", f"{_char_name(bad.group())}, written here as an escape, is not "
                                              "allowed in a rule or case file; delete it")
        if event.tag is not None and event.tag not in _STR_TAGS:
            self._fail(event, "tag", f"tag '{excerpt(_tag(event.tag))}' is not allowed; remove it")
        return text

    def _number(self, event: Any, match: re.Match[str]) -> int | float:
        """The number a plain scalar is, `_NUMBER` having matched it (its group says of which kind)."""
        text, kind = match.string, match.lastindex
        if kind == 1:
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                self._fail(event, "out-of-range", f"integer of {len(text.lstrip('+-'))} digits is too large")
                return 0
            return int(text)
        if kind == 2:
            number = float(text)
            if number in (float("inf"), float("-inf")):
                self._fail(event, "out-of-range", f"number '{text}' is too large to represent")
            return number
        if kind == 3:
            return float("-inf") if text.startswith("-") else float("inf")
        return float("nan")
