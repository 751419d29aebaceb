"""The YAML files under a folder: one walker for a rule pack's rules and for a folder of cases.

Every entry under the folder is accounted for: read, skipped by one of the rules below, or
reported as an `error[file]`. Nothing is dropped silently.

- Read: a regular file (after following symbolic links) whose name ends in `.yaml` or `.yml`.
- Skipped: hidden entries, whose name starts with `.` (`.git`, editor swap and lock files such as
  `.#x.yaml`, which are dangling links by design), and anything under them; files with any other
  suffix (`README.md`, `notes.txt`); the relative paths the caller excludes (`pack.yaml`).
- Followed: symbolic links, to files and to folders alike (a pack may link a shared folder of rules).
  Every folder is entered at most once, by its identity on disk (st_dev, st_ino), so no loop of links
  (or bind mounts) can hang the walk and no file is read twice. The real folders come first and the
  linked ones after, in order of their relative paths, so a link to a folder of the tree is the one
  reported, never the folder itself.
- Reported: a folder that cannot be listed; a link that leads nowhere (dangling, or a loop of links),
  whatever its name, since it may have stood for a folder; a link to a folder already walked (one
  that holds the link is a loop); a `.yaml` or `.yml` entry that is not a regular file (a FIFO, a
  device, a socket), which is never opened.

Files come back sorted by their relative POSIX path, so the order does not depend on the file system.
"""

from __future__ import annotations

import heapq
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..problems import Problem, sort_key
from .load import excerpt, not_regular

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, order=True)
class _Folder:
    """A folder to list: its path relative to the root (POSIX, "" for the root) and on disk."""

    relative: str
    path: str


class Found(NamedTuple):
    """A file the walk reads: its path relative to the root (POSIX) and on disk (the root's path joined
    with the relative one, in the system's spelling). Strings, not `Path`s: a pack has thousands."""

    relative: str
    path: str


class _Walk:
    def __init__(self, shown: str, exclude: Collection[str]) -> None:
        self.shown = shown
        self.exclude = exclude
        self.files: list[Found] = []
        self.problems: list[Problem] = []
        self.walked: dict[tuple[int, int], str] = {}  # folder identity -> where it was walked
        self.real: list[_Folder] = []  # a stack: the tree itself, depth first
        self.linked: list[_Folder] = []  # a heap: folders reached through links, entered after the tree

    def name(self, relative: str) -> str:
        return f"{self.shown}/{relative}" if relative else self.shown

    def report(self, relative: str, message: str) -> None:
        self.problems.append(Problem(self.name(relative), None, None, "file", message))

    def run(self, root: str) -> None:
        try:
            info = os.stat(root)
        except OSError as error:
            self.report("", f"cannot read folder: {error.strerror or error}")
            return
        if not stat.S_ISDIR(info.st_mode):
            self.report("", f"cannot read folder: it is {not_regular(info.st_mode) or 'a file'}, not a folder")
            return
        self.walked[(info.st_dev, info.st_ino)] = ""
        self.real.append(_Folder("", root))
        while self.real or self.linked:
            if self.real:
                self.list(self.real.pop())
                continue
            folder = heapq.heappop(self.linked)
            if self.enter(folder):
                self.list(folder)

    def enter(self, folder: _Folder) -> bool:
        """Whether the folder is walked now: it is not one already walked (by identity)."""
        try:
            info = os.stat(folder.path)
        except OSError as error:  # gone since it was listed
            self.report(folder.relative, f"cannot read folder: {error.strerror or error}")
            return False
        identity = (info.st_dev, info.st_ino)
        if identity in self.walked:
            where = self.walked[identity]
            if where == "" or folder.relative.startswith(where + "/"):
                self.report(folder.relative, f"leads back to the folder '{self.name(where)}' that holds it (a loop); "
                                             "not followed")
            else:
                self.report(folder.relative, f"is the folder '{self.name(where)}' again, whose files are read there; "
                                             "not read twice")
            return False
        self.walked[identity] = folder.relative
        return True

    def list(self, folder: _Folder) -> None:
        try:
            with os.scandir(folder.path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self.report(folder.relative, f"cannot read folder: {error.strerror or error}")
            return
        subfolders: list[_Folder] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = f"{folder.relative}/{entry.name}" if folder.relative else entry.name
            path = entry.path  # the folder's path joined with the name, as a string
            try:
                mode = os.stat(path).st_mode  # follows links
            except OSError as error:
                self.unreachable(relative, path, entry.is_symlink(), error)
                continue
            if stat.S_ISDIR(mode):
                if entry.is_symlink():
                    heapq.heappush(self.linked, _Folder(relative, path))
                else:
                    subfolders.append(_Folder(relative, path))
            elif entry.name.endswith(SUFFIXES) and relative not in self.exclude:
                kind = not_regular(mode)
                if kind is None:
                    self.files.append(Found(relative, path))
                else:
                    self.report(relative, f"cannot read file: it is {kind}, not a regular file")
        for subfolder in reversed(subfolders):  # popped in name order
            if self.enter(subfolder):
                self.real.append(subfolder)

    def unreachable(self, relative: str, path: str, link: bool, error: OSError) -> None:
        if not link:
            self.report(relative, f"cannot read: {error.strerror or error}")
            return
        try:
            target = f" to '{excerpt(os.readlink(path))}'"
        except OSError:
            target = ""
        self.report(relative, f"is a symbolic link{target} that cannot be followed: {error.strerror or error}")


def yaml_files(root: Path, shown: str, *, exclude: Collection[str] = ()) -> tuple[list[Path], list[Problem]]:
    """The `.yaml` and `.yml` files under `root` (sorted by relative POSIX path) and an `error[file]`
    for every entry that is neither read nor skipped by the rules above.

    `shown` is the folder as problems name it (their paths are `shown/relative`); `exclude` holds
    relative POSIX paths of files that are not returned (a pack's `pack.yaml` and `facts.yaml`).
    """
    found, problems = yaml_entries(root, shown, exclude=exclude)
    return [Path(each.path) for each in found], problems


def yaml_entries(root: Path, shown: str, *, exclude: Collection[str] = ()) -> tuple[list[Found], list[Problem]]:
    """`yaml_files`, each file with its relative path, which the caller then need not work out again."""
    walk = _Walk(shown, exclude)
    walk.run(os.fspath(root))
    walk.files.sort()
    return walk.files, sorted(walk.problems, key=sort_key)
