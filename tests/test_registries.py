"""One home per concept (issue 8): the operator registry, the renderer registry, the public API.

- The operator registry and the rule schema name the same operators.
- An entry missing a part fails when it is made (at import), never when a case is scored.
- A made-up operator needs one registry entry plus its key in the schema, and then loads, validates,
  compiles, scores and explains.
- The CLI's `--format` choices are the renderer registry's.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import ALPHA, PACT_RULES, write_yaml

import engine
from engine.cli import main
from engine.core import operators
from engine.core.operators import KEYED, OPERATORS, Operator
from engine.files import shape
from engine.reports.registry import KINDS, RENDERERS, Renderer, Scores, formats


def _schema_operators() -> set[str]:
    condition = shape.schema("rule")["$defs"]["condition"]["properties"]
    return set(condition) - {"fact", *operators.COMBINATORS}


def test_the_registry_and_the_rule_schema_name_the_same_operators() -> None:
    assert set(KEYED) == _schema_operators()
    assert set(OPERATORS) == set(KEYED) | {"is_true"}


def test_an_entry_missing_a_part_fails_when_it_is_made() -> None:
    entry = OPERATORS["equals"]
    with pytest.raises(TypeError):
        Operator("odd", entry.types, entry.unfit, entry.check, entry.build, entry.words)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'build' must be a function"):
        Operator("odd", entry.types, entry.unfit, entry.check, None, entry.words, entry.names)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="types must be fact types"):
        Operator("odd", frozenset({"colour"}), entry.unfit, entry.check, entry.build, entry.words, entry.names)


def test_a_schema_operator_missing_from_the_registry_fails_at_load(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.delitem(KEYED, "above")
    with pytest.raises(RuntimeError, match="'above' is in the rule schema but not in the operator registry"):
        engine.check_pack(_pack_with(tmp_path, {"fact": "tariff_cuts", "above": 2}))


def _pack_with(tmp_path: Path, when: dict[str, Any]) -> Path:
    """The pact pack plus a rule `odd` with this condition."""
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(PACT_RULES, rules)
    write_yaml(rules / "odd.yaml", {"id": "odd", "title": "Odd", "category": "money", "effect": "strengthens",
                                    "weight": 5, "when": when, "because": "{lead} is odd."})
    return rules


def test_a_made_up_operator_is_one_entry_and_one_schema_key(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    """`multiple_of`: an integer fact divisible by the operand. Nothing else in the engine changes."""
    def check(fact: Any, raw: Any) -> int:
        return int(raw)

    def build(name: str, operand: Any, negated: bool) -> operators.Test:
        return lambda values: None if (v := values.get(name)) is None else (v % operand == 0) is not negated

    entry = Operator("multiple_of", frozenset({"integer"}), lambda fact: "integers only", check, build,
                     lambda operand: f"is a multiple of {operand}", lambda operand: (operand,))
    monkeypatch.setitem(OPERATORS, entry.name, entry)
    monkeypatch.setitem(KEYED, entry.name, entry)
    schema = copy.deepcopy(shape.schema("rule"))
    schema["$defs"]["condition"]["properties"]["multiple_of"] = {"type": "integer"}
    for cached in (shape.schema, shape.accepts, shape._validator):
        cached.cache_clear()
    monkeypatch.setattr(shape, "schema", lambda name: schema if name == "rule" else _original_schema(name))
    try:
        rules = _pack_with(tmp_path, {"fact": "tariff_cuts", "multiple_of": 2})
        runner = CliRunner()
        validated = runner.invoke(main, ["validate", str(rules)])
        assert validated.exit_code == 0, validated.stderr
        scored = runner.invoke(main, ["score", str(ALPHA), "--rules", str(rules), "--format", "json"])
        assert scored.exit_code == 0, scored.stderr
        odd = next(c for c in json.loads(scored.stdout)["contributions"] if c["rule"] == "odd")
        assert odd["fired"] is True and odd["because"] == "Alpha is odd."  # 4 tariff cuts: a multiple of 2
        explained = runner.invoke(main, ["explain", str(ALPHA), "--rule", "odd", "--rules", str(rules)])
        assert "tariff_cuts is a multiple of 2: value 4" in explained.stdout
    finally:
        for cached in (shape.accepts, shape._validator):
            cached.cache_clear()


_original_schema = shape.schema


def test_every_format_choice_comes_from_the_renderer_registry() -> None:
    help_text = CliRunner().invoke(main, ["score", "--help"]).stdout
    for name in formats("scores"):
        assert name in help_text
    assert formats("scores") == ("text", "json", "markdown", "html", "jsonl")
    assert "jsonl" not in formats("compare")
    for kind in KINDS:
        assert all(RENDERERS[name].renders(kind) for name in formats(kind))


def test_a_format_that_renders_nothing_fails_when_it_is_made() -> None:
    with pytest.raises(TypeError, match="renders no kind"):
        Renderer("empty", "nothing", None, None, None, None)


def test_a_streaming_format_joins_its_parts_with_its_separator() -> None:
    lines = Scores(lambda result, style: "x\n", "")
    assert lines.streams and lines.whole(["a\n", "b\n"]) == "a\nb\n"
    whole = Scores(lambda result, style: "x", lambda parts: "|".join(parts))
    assert not whole.streams and whole.whole(["a", "b"]) == "a|b"


def test_the_public_api_is_typed_and_complete() -> None:
    from engine import _API, __all__

    assert sorted(__all__) == sorted(_API)
    assert (Path(engine.__file__).parent / "py.typed").is_file()
    for name in __all__:
        assert getattr(engine, name) is not None


def _documented_codes() -> set[str]:
    """The codes in the tables of docs/formats.md's section on error and warning codes."""
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text(encoding="utf-8")
    section = text[text.index("## 10. Error and warning codes"):]
    return set(re.findall(r"^\| `([a-z]+(?:-[a-z]+)*)`", section, re.M))


def test_the_table_of_codes_is_the_documented_one() -> None:
    from engine.problems import CODES

    assert _documented_codes() == set(CODES)


def test_a_problem_with_an_unregistered_code_fails_when_it_is_made() -> None:
    from engine.problems import Problem

    with pytest.raises(ValueError, match=r"'made-up' is not in engine\.problems\.CODES"):
        Problem("x.yaml", 1, 1, "made-up", "a message")


def test_every_fact_type_has_a_fitter_and_every_keyword_wording_is_one_entry() -> None:
    from engine.core.model import FACT_TYPES
    from engine.files.values import _FITTERS

    assert set(_FITTERS) == set(FACT_TYPES)
    assert operators.SYNONYMS["gt"] == "above" and operators.SYNONYMS["and"] == "all"
    assert all(target in KEYED or target in operators.COMBINATORS for target in operators.SYNONYMS.values())
