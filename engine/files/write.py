"""Write files safely: the one module every command that writes uses.

`write_atomic` replaces a file all at once or not at all; `set_calibration` edits only the
`calibration:` block of a pack.yaml, keeping every other byte; `write_calibration` does both.
A refusal or a failure raises WriteError, whose message is one line for the command to print.
"""

from __future__ import annotations

import contextlib
import errno
import io
import math
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from ..core.model import Calibration
from . import shape
from .load import Document, parse

# The pack installed with the package (a wheel's `engine/_rules`). A source checkout's `rules/` is the
# analyst's own working copy, not the installed one, so it may be written.
INSTALLED_PACK = Path(__file__).resolve().parent.parent / "_rules"
PACK_FILE = "pack.yaml"
_TEMPORARY_TRIES = 100

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class WriteError(Exception):
    """A file was not written; the message says why, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def write_atomic(path: Path | str, data: bytes | str, *, force: bool, follow_symlinks: bool = False) -> None:
    """Write `data` (text as UTF-8, line ends as given) to `path` all at once, or not at all (see
    `open_atomic`, which this is with the whole of the data at once)."""
    with open_atomic(path, force=force, follow_symlinks=follow_symlinks) as atomic:
        atomic.write(data.encode("utf-8") if isinstance(data, str) else data)


class _Descriptor(io.RawIOBase):
    """A file descriptor written with os.write to the last byte (os.write may write less than asked). Closing
    it leaves the descriptor open: it is AtomicFile's to close."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        size = len(view)
        while view:
            view = view[os.write(self.fd, view):]
        self.position += size
        return size

    def tell(self) -> int:
        return self.position


class AtomicFile:
    """A file being written beside its target: `write` takes bytes (`file` is the open binary file, for
    writers that want one); leaving the `with` block replaces the target, unless `discard()` was called or
    an exception left it, and then the temporary file is removed and the target is as it was."""

    def __init__(self, given: Path, target: Path, mode: int | None) -> None:
        self.given, self.target, self.mode = given, target, mode
        self.temporary, self.fd = _open_temporary(target.parent, target.name, given)
        self.file: IO[bytes] = io.BufferedWriter(_Descriptor(self.fd))
        self.discarded = False

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def discard(self) -> None:
        self.discarded = True

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        try:
            try:
                if kind is None and not self.discarded:
                    self.file.flush()
                    if self.mode is not None:
                        os.fchmod(self.fd, self.mode)
                    os.fsync(self.fd)
            finally:
                with contextlib.suppress(OSError):  # a failed flush was raised above already
                    self.file.close()
                os.close(self.fd)
            if kind is None and not self.discarded:
                os.replace(self.temporary, self.target)
        except BaseException as failure:  # KeyboardInterrupt too: never leave a half-written temporary behind
            self._remove()
            if isinstance(failure, OSError):
                raise WriteError(f"{self.given}: not written: {_reason(failure)}; the file is unchanged") from None
            raise
        if kind is not None or self.discarded:
            self._remove()
            if isinstance(error, OSError):
                raise WriteError(f"{self.given}: not written: {_reason(error)}; the file is unchanged") from None
            return
        try:
            _sync_folder(self.target.parent)
        except OSError as failure:
            raise WriteError(f"{self.given}: written, but its folder could not be synced: {_reason(failure)}") \
                from None

    def _remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temporary.unlink()


def open_atomic(path: Path | str, *, force: bool, follow_symlinks: bool = False) -> AtomicFile:
    """A temporary file beside `path` that replaces it when the `with` block ends well, for writes too large
    to hold in memory (a batch's table); `write_atomic` for small ones.

    The data goes to a temporary file in the same folder, is flushed and fsynced, and replaces the target
    with os.replace; then the folder is fsynced, so the new name survives a crash. On any failure, a
    KeyboardInterrupt included, the temporary file is removed and the target is as it was.

    Refused, with WriteError: an existing target unless `force` (checked just before writing, not
    locked); a folder that does not exist; a target inside the pack installed with the package (copy
    the pack first). Symbolic links: when `path` is a symlink, without `follow_symlinks` the write is
    refused (replacing it would turn the link into a plain file); with it, the file the link finally
    points to is replaced and the link is kept. Links among the folders above `path` are followed as
    usual. The mode of a replaced file is kept; a new file gets the default mode (0666 less the umask).
    """
    given = Path(path)
    target = given
    if given.is_symlink():
        if not follow_symlinks:
            raise WriteError(f"{given}: is a symbolic link (to {os.readlink(given)}); refusing to replace the link "
                             "(write to its target instead, or allow following links)")
        try:
            target = given.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
            raise WriteError(f"{given}: is a symbolic link that leads nowhere (a loop of links)") from None
    folder = target.parent
    if not folder.is_dir():
        raise WriteError(f"{given}: folder {folder} does not exist")
    _refuse_installed(given, target)
    if target.is_dir():
        raise WriteError(f"{given}: is a folder, not a file")
    existing = target.exists()
    if existing and not force:
        raise WriteError(f"{given}: already exists; refusing to replace it without --force")
    return AtomicFile(given, target, target.stat().st_mode & 0o7777 if existing else None)


def _inside(target: Path, folder: Path) -> bool:
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of links in a folder above: not inside anything we know
        return False


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "no space left on the device"
    return error.strerror or str(error)


def _open_temporary(folder: Path, name: str, given: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TEMPORARY_TRIES):
        candidate = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return candidate, os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise WriteError(f"{given}: cannot write in {folder}: {_reason(error)}") from None
    raise WriteError(f"{given}: cannot make a temporary file in {folder}")


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the calibration block of pack.yaml ---------------------------------------------------------

def set_calibration(pack_yaml: Path | str, calibration: Calibration) -> str:
    """The text of `pack_yaml` with its `calibration:` block replaced by `calibration`, or added at the end.

    Only the lines from the `calibration` key to the end of its last value change (a comment after the
    block, or on the lines above it, stays); every other byte (comments, key order, quoting, blank lines,
    a UTF-8 BOM, LF or CRLF line ends) is kept. The block is written in block style with the file's line
    end, two spaces deeper than the key, numbers as Python's repr (the shortest text that reads back as
    the same float). Other keys of an old block (`fitted_on`, `note`) go with it.
    The file must read and have a valid shape before the edit, and is checked again after it.
    """
    name = str(pack_yaml)
    try:
        raw = Path(pack_yaml).read_bytes()
    except OSError as error:
        raise WriteError(f"{name}: cannot read file: {_reason(error)}") from None
    values = {"horizon_years": calibration.horizon_years, "intercept": calibration.intercept,
              "slope": calibration.slope}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise WriteError(f"{name}: calibration {key} must be a finite number, got {value!r}")
    if not calibration.horizon_years > 0:
        raise WriteError(f"{name}: calibration horizon_years must be above 0, got {calibration.horizon_years!r}")
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    document = _checked(raw, name, "fix it first")
    text = raw[len(bom):].decode("utf-8")  # valid: the check above read it
    lines: list[str] = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)
    eol = next((m.group() for m in re.finditer(r"\r\n|\r|\n", text)), "\n")
    if "calibration" in document.data:
        where = _block(document, text.replace("\r\n", "\n").replace("\r", "\n"), name)
        first, last = where.first, where.last
        indent = lines[first][:where.column]
        tail = lines[last][len(lines[last].rstrip("\r\n")):]  # the end line's own line end ('' at the file's end)
    else:
        indent = ""
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += eol
        first, last, tail = len(lines), len(lines), eol
    block = [f"{indent}calibration:"] + [f"{indent}  {key}: {_number(value)}" for key, value in values.items()]
    edited = "".join(lines[:first]) + eol.join(block) + tail + "".join(lines[last + 1:])
    result = bom + edited.encode("utf-8")
    written: dict[str, Any] = _checked(result, name, "the edit would break it (please report this)").data
    if written.get("calibration") != values:
        raise WriteError(f"{name}: the edited calibration does not read back as written (please report this)")
    return ("\ufeff" if bom else "") + edited  # written as UTF-8, the BOM is the same three bytes


def _checked(raw: bytes, name: str, advice: str) -> Document:
    document, problems = parse(raw, name)
    if document is not None:
        problems = shape.check(document, "pack")
    if problems or document is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise WriteError(f"{problems[0]}{more}; {advice}")
    return document


@dataclass(frozen=True)
class _Block:
    """Where the `calibration` block lies: its first and last lines (0-based) and its key's column."""

    first: int
    last: int
    column: int


def _block(document: Document, text: str, name: str) -> _Block:
    """The key's position is the reader's; the end of its value is the YAML composer's (the reader keeps
    where values start, not where they end). `text` has LF line ends, as the reader counts lines."""
    line, column = document.at(("calibration",), key=True)
    if text.split("\n")[line - 1][:column - 1].strip():
        raise WriteError(f"{name}: the file is not a block mapping (key: value lines); cannot edit it in place")
    root = yaml.compose(text, Loader=_Loader)  # nodes only: nothing is constructed, and `parse` refused tags
    assert isinstance(root, yaml.MappingNode)  # `parse` read a mapping
    value = next(v for k, v in root.value if k.value == "calibration")
    end = _content_end(value)
    while end > 0 and text[end - 1] in " \t\n":  # a block scalar's end takes in the breaks after it
        end -= 1
    return _Block(line - 1, text.count("\n", 0, end), column - 1)


def _content_end(node: yaml.Node) -> int:
    """Where the last character of a node's content ends: a scalar's or a flow collection's end (a block
    collection's own end mark lies at the next token, past any comments that follow it)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end: int = node.end_mark.index
        return end
    if isinstance(node, yaml.MappingNode):
        return max(max(_content_end(k), _content_end(v)) for k, v in node.value)
    assert isinstance(node, yaml.SequenceNode)
    return max(_content_end(item) for item in node.value)


def _number(value: float) -> str:
    """A number as YAML that reads back as exactly the same value."""
    return str(value) if isinstance(value, int) else repr(float(value))


def _refuse_installed(given: Path, target: Path) -> None:
    if _inside(target, INSTALLED_PACK):
        raise WriteError(f"{given}: is in the rule pack installed with the package; copy it first "
                         f"(cp -r {INSTALLED_PACK} my-rules) and use --rules my-rules")


def write_calibration(pack_dir: Path | str, calibration: Calibration, *, force: bool = False,
                      follow_symlinks: bool = False) -> Path:
    """Write `calibration` into the pack.yaml of `pack_dir` (see `set_calibration`); return its path.

    pack.yaml is edited in place, so it always exists: `force` here allows replacing a calibration the
    pack already has (without it, that is refused). The write itself is `write_atomic`'s.
    """
    path = Path(pack_dir) / PACK_FILE
    if not path.parent.is_dir():
        raise WriteError(f"{path}: folder {path.parent} does not exist")
    _refuse_installed(path, path.resolve())  # before anything else is said of it
    text = set_calibration(path, calibration)
    if not force:
        document = _checked(path.read_bytes(), str(path), "fix it first")
        if "calibration" in document.data:
            line = document.at(("calibration",), key=True)[0]
            raise WriteError(f"{path}: already has a calibration (line {line}); refusing to replace it "
                             "without --force")
    write_atomic(path, text, force=True, follow_symlinks=follow_symlinks)
    return path
