"""Where the default rule pack is."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent


def bundled_pack() -> Path:
    """The pack installed with the package (`engine/_rules` in a wheel; `rules/` in a source checkout)."""
    for candidate in (_HERE / "_rules", _HERE.parent / "rules"):
        if (candidate / "pack.yaml").is_file():
            return candidate
    raise FileNotFoundError("no rule pack is installed with the package; pass --rules DIR")


def default_rules() -> Path:
    """`./rules` when it holds a pack.yaml, else the bundled pack."""
    local = Path("rules")
    return local if (local / "pack.yaml").is_file() else bundled_pack()


def is_bundled(folder: str | Path) -> bool:
    """Whether `folder` is the copy of the pack installed inside the package (`engine/_rules`): edits to a
    `rules/` folder elsewhere do not change it. A source checkout's own `rules/` is a folder like any other."""
    return _is_bundled(os.getcwd(), os.fspath(folder))


@lru_cache(maxsize=16)
def _is_bundled(cwd: str, folder: str) -> bool:
    # asked for every report of a run, and resolving both folders costs more than the rest of a report's
    # header: once per folder, with the working folder in the key since a relative folder depends on it
    return Path(cwd, folder).resolve() == (_HERE / "_rules").resolve()


def where(folder: str | Path) -> str:
    """Where a pack lives, in words for a report's header."""
    return "the copy installed with the package" if is_bundled(folder) else f"the folder {Path(folder).as_posix()}"
