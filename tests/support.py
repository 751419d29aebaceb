"""Helpers shared by the test modules: the small test pack, exact comparison, writing YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

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
