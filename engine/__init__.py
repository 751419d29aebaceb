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
    "load_pack": "files.pack", "check_pack": "files.pack",
    "load_case": "files.case", "check_case": "files.case",
    "compile_pack": "core.compile", "CompiledPack": "core.compile",
    "score": "core.evaluate", "Result": "core.evaluate", "Contribution": "core.evaluate", "NotEvaluated": "core.evaluate",
    "to_dict": "reports.text", "to_text": "reports.text", "to_markdown": "reports.text",
    "explain_rule": "reports.explain", "run_examples": "core.examples",
    "Problem": "problems", "InvalidInput": "problems",
    "Pack": "core.model", "Rule": "core.model", "Fact": "core.model", "Case": "core.model", "Observation": "core.model",
    "Source": "core.model", "Band": "core.model",
    "bundled_pack": "files.locate",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
