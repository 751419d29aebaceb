"""The pack's vocabulary (engine.reports.vocabulary): facts and rules as text and JSON, and the new-case
scaffold, which validates as written and with every example observation uncommented."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from support import PACT_RULES

from engine import check_case, load_pack
from engine.core.model import Pack
from engine.reports.vocabulary import facts_json, facts_text, new_case_yaml, rules_json

ROOT = Path(__file__).parent.parent
PACKS = [PACT_RULES, ROOT / "rules"]


@pytest.fixture(scope="module", params=PACKS, ids=["pact", "bundled"])
def pack(request: pytest.FixtureRequest) -> Pack:
    return load_pack(request.param)


def test_facts_json_on_the_pact_pack() -> None:
    facts = {f["name"]: f for f in facts_json(load_pack(PACT_RULES))}
    assert list(facts) == ["tariff_cuts", "loan_share", "arms_embargo", "press_tone", "rivals_courted", "treaty_signed"]
    assert facts["tariff_cuts"] == {"name": "tariff_cuts", "type": "integer", "values": None, "min": 0, "max": 50,
                                    "unit": "cuts", "description": "Tariff lines the lead cut for the follower.",
                                    "rules": ["tariffs"]}
    assert facts["press_tone"]["values"] == ["hostile", "cool", "warm"]
    assert facts["loan_share"]["rules"] == ["hedge"]
    assert sorted(facts["arms_embargo"]["rules"]) == ["embargo"]


def test_rules_json(pack: Pack) -> None:
    rules = rules_json(pack)
    assert [r["id"] for r in rules] == [r.id for r in pack.rules]
    read = {f["name"]: set(f["rules"]) for f in facts_json(pack)}
    for rule in rules:
        assert set(rule) == {"id", "title", "description", "category", "effect", "weight", "weight_range",
                             "half_life_days", "half_life_applied", "path", "facts"}
        assert rule["path"].endswith((".yaml", ".yml"))
        for fact in rule["facts"]:
            assert rule["id"] in read[fact]  # the two views agree


def test_rules_json_on_the_pact_pack() -> None:
    hedge = next(r for r in rules_json(load_pack(PACT_RULES)) if r["id"] == "hedge")
    assert hedge["facts"] == ["rivals_courted", "loan_share"]
    assert hedge["half_life_days"] == 365 and hedge["half_life_applied"] == 365
    assert hedge["effect"] == "weakens" and hedge["weight"] == 4 and hedge["weight_range"] is None


def test_facts_text(pack: Pack) -> None:
    text = facts_text(pack, width=90)
    assert text.splitlines()[0] == f"The facts of the pack {pack.name} {pack.version}"
    assert all(len(line) <= 90 for line in text.splitlines())
    for name in pack.facts:
        assert re.search(rf"^  {name}\s", text, re.M)
    if pack.name == "trade-pact":
        assert "integer, 0 to 50 cuts" in text and "string, one of: hostile, cool, warm" in text
        assert "read by: hedge" in text and "list of: east, west, south" in text


def test_new_case_validates_as_written(pack: Pack, tmp_path: Path) -> None:
    path = tmp_path / "my-new-case.yaml"
    path.write_text(new_case_yaml(pack, "my-new-case", None, dt.date(2024, 2, 29)), encoding="utf-8")
    case, problems = check_case(path, pack)
    assert problems == [] and case is not None
    assert case.id == "my-new-case" and case.as_of == dt.date(2024, 2, 29) and case.facts == {}
    assert case.parties == {role: role.capitalize() for role in pack.roles}


def test_every_fact_is_described_and_each_example_validates(pact_or_bundled: Pack, tmp_path: Path) -> None:
    pack = pact_or_bundled
    text = new_case_yaml(pack, "filled", {pack.roles[0]: 'Türkiye "the Republic"'}, dt.date(2021, 6, 30))
    for fact in pack.facts.values():
        assert f"  ## {fact.name} (" in text and f"  # {fact.name}: {{value: " in text
    # uncomment the source and every example observation, as an analyst would
    filled = text.replace("sources: {}", "sources:").replace("facts: {}", "facts:")
    filled = re.sub(r"^  # ", "  ", filled, flags=re.M)
    path = tmp_path / "filled.yaml"
    path.write_text(filled, encoding="utf-8")
    case, problems = check_case(path, pack)
    assert [p for p in problems if p.is_error] == [] and case is not None
    assert set(case.facts) == set(pack.facts)
    assert case.parties[pack.roles[0]] == 'Türkiye "the Republic"'
    assert case.sources["source-1"].reliability == "B"


@pytest.fixture(params=PACKS, ids=["pact", "bundled"])
def pact_or_bundled(request: pytest.FixtureRequest) -> Pack:
    return load_pack(request.param)


@pytest.mark.parametrize(("case_id", "parties"), [("Bad_Id", None), ("ok", {"broker": "X"})])
def test_new_case_refuses_what_would_not_validate(case_id: str, parties: dict[str, str] | None) -> None:
    with pytest.raises(ValueError):
        new_case_yaml(load_pack(PACT_RULES), case_id, parties, dt.date(2024, 1, 1))
