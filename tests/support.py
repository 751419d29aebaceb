"""Helpers shared by the test modules: the small test pack, running the command, the shape of a problem
line, exact comparison, writing YAML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from engine.cli import main

PACT = Path(__file__).parent / "packs" / "pact"
PACT_RULES = PACT / "rules"
ALPHA = PACT / "cases" / "alpha.yaml"


def approx(value: float) -> Any:
    """Equal to the last few bits: the arithmetic is exact, but written in another order."""
    return pytest.approx(value, rel=1e-12)


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# `PATH:LINE:COL: severity[code]: message` (contract section 5); a whole-file problem has no position
LOCATED = re.compile(r"^(?P<path>\S[^:]*):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): "
                     r"(?P<severity>error|warning)\[(?P<code>[a-z]+(-[a-z]+)*)\]: (?P<message>\S.*)$")
WHOLE_FILE = re.compile(r"^(?P<path>\S[^:]*): (?P<severity>error|warning)\[(?P<code>[a-z]+(-[a-z]+)*)\]: \S.*$")


def invoke(*args: str | Path, code: int | None = None) -> Result:
    """Run `durability ARGS` in this process (click keeps stderr apart); any exception but a clean exit, or
    a traceback in the output, fails the test; with `code`, so does another exit status."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"durability {' '.join(map(str, args))} raised {result.exception!r}\n{result.stderr}")
    assert "Traceback" not in result.stdout + result.stderr
    if code is not None:
        assert result.exit_code == code, (result.stdout, result.stderr)
    return result
