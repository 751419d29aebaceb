"""The YAML mistakes analysts make every day are named with what to do (issue 14), through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.files.hints import Stop, recognise

BAD = Path(__file__).parent / "bad"
PACT_RULES = Path(__file__).parent / "packs" / "pact" / "rules"


@pytest.mark.parametrize(("args", "expected"), [
    (["validate", str(BAD / "rules" / "rule-yaml-syntax")],
     "8:10: error[yaml-syntax]: a value that starts with '{' is read as a YAML mapping; put the whole value in "
     "quotes (it has a closing quote but no opening one): because: \"{lead} cut {tariff_cuts} tariff lines for "
     "{follower}.\""),
    (["validate", str(BAD / "cases" / "colon-in-note.yaml"), "--rules", str(PACT_RULES)],
     "8:11: error[yaml-syntax]: a value holding ': ' must be quoted: note: \"Reuters reported: three cuts\""),
    (["validate", str(BAD / "rules" / "facts-misindented")],
     "7:4: error[yaml-syntax]: this line is indented by 3 spaces, but the lines above it use 0, 2, 4: indent it "
     "like the key it belongs with (probably 4)"),
])
def test_an_everyday_mistake_says_what_to_do(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert [line.split(".yaml:", 1)[1] for line in result.stderr.splitlines()] == [expected]


def test_a_whole_flow_mapping_is_not_mistaken_for_a_braced_sentence() -> None:
    lines = ["parties: {lead: A, follower: B", "as_of: 2020-01-01"]
    assert recognise(Stop(lines, 1, 5, "did not find expected ',' or '}'")) is None


def test_the_root_cause_comes_first(tmp_path: Path) -> None:
    """A fact pushed out of `facts:` by its indentation, and the rules that read it: facts.yaml's problem
    (the cause) is printed first, though the rule files sort before facts.yaml."""
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(PACT_RULES, rules)
    facts = (rules / "facts.yaml").read_text(encoding="utf-8")
    block = facts[facts.index("  arms_embargo:"):facts.index("  press_tone:")]
    # the fact's block moved to the end, its key no longer indented: a top-level key of facts.yaml
    (rules / "facts.yaml").write_text(facts.replace(block, "") + block[2:], encoding="utf-8")
    lines = CliRunner().invoke(main, ["validate", str(rules)]).stderr.splitlines()
    assert "facts.yaml" in lines[0] and "unknown-key" in lines[0] and "'arms_embargo'" in lines[0]
    assert any("embargo.yaml" in line and "unknown-fact" in line for line in lines[1:])
