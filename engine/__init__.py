"""alliance-durability: score how durable an alliance is, rule by rule.

The public API (imported lazily, so the command starts fast):

    pack = load_pack("rules")                    # raises InvalidInput with located problems
    case = load_case("cases/iran-russia-2020.yaml", pack)
    result = score(case, pack)                   # a Result of plain dataclasses
    report = to_dict(result)                     # the JSON report
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "load_pack": "pack", "check_pack": "pack",
    "load_case": "case", "check_case": "case",
    "compile_pack": "compile", "CompiledPack": "compile",
    "score": "evaluate", "Result": "evaluate", "Contribution": "evaluate", "NotEvaluated": "evaluate",
    "to_dict": "report", "to_text": "report", "to_markdown": "report",
    "explain_rule": "explain", "run_examples": "examples",
    "Problem": "problems", "InvalidInput": "problems",
    "Pack": "model", "Rule": "model", "Fact": "model", "Case": "model", "Observation": "model",
    "Source": "model", "Band": "model",
    "bundled_pack": "locate",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
