"""alliance-durability: score how durable an alliance is, rule by rule.

The public API (imported lazily, so the command starts fast):

    pack = load_pack("rules")                    # raises InvalidInput with located problems
    case = load_case("cases/iran-russia-2020.yaml", pack)
    result = score(case, pack)                   # a Result of plain dataclasses
    report = to_dict(result)                     # the JSON report

The package's folders are its stages: `files/` reads and checks files, `core/` holds the model and
the scoring, `analysis/` what is computed from scores, `reports/` what is shown, `cli.py` the command.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, typed, for checkers and editors; at run time they load on first use
    from .analysis.assess import assess
    from .core.compile import CompiledPack, compile_pack
    from .core.evaluate import Contribution, NotEvaluated, Result, score
    from .core.examples import run_examples
    from .core.model import Band, Calibration, Case, Fact, Observation, Pack, Rule, Source
    from .files.case import check_case, load_case
    from .files.locate import bundled_pack
    from .files.pack import check_pack, load_pack
    from .problems import InvalidInput, Problem
    from .reports.data import to_dict
    from .reports.explain import explain_rule
    from .reports.markdown import to_markdown
    from .reports.text import to_text

_API = {
    "load_pack": "files.pack", "check_pack": "files.pack", "load_case": "files.case", "check_case": "files.case",
    "bundled_pack": "files.locate",
    "compile_pack": "core.compile", "CompiledPack": "core.compile", "run_examples": "core.examples",
    "score": "core.evaluate", "Result": "core.evaluate", "Contribution": "core.evaluate",
    "NotEvaluated": "core.evaluate",
    "Pack": "core.model", "Rule": "core.model", "Fact": "core.model", "Case": "core.model",
    "Observation": "core.model", "Source": "core.model", "Band": "core.model", "Calibration": "core.model",
    "assess": "analysis.assess",
    "to_dict": "reports.data", "to_text": "reports.text", "to_markdown": "reports.markdown",
    "explain_rule": "reports.explain",
    "Problem": "problems", "InvalidInput": "problems",
}

__all__ = [  # the same names as _API (a test holds them equal)
    "Band",
    "Calibration",
    "Case",
    "CompiledPack",
    "Contribution",
    "Fact",
    "InvalidInput",
    "NotEvaluated",
    "Observation",
    "Pack",
    "Problem",
    "Result",
    "Rule",
    "Source",
    "assess",
    "bundled_pack",
    "check_case",
    "check_pack",
    "compile_pack",
    "explain_rule",
    "load_case",
    "load_pack",
    "run_examples",
    "score",
    "to_dict",
    "to_markdown",
    "to_text",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
