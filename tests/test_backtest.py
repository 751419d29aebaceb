"""The backtest (contract section 8): AUC, Brier, log loss, per-rule figures, calibration table, CV.

The cases are written for the small pact pack, where the weights add up to W = 25 and an unsourced
fact counts 0.5: `tariff_cuts: k` (0 <= k <= 10) alone scores exactly 50 + k, and an arms embargo
with a cool press takes 6 points off.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import PACT_RULES, write_yaml

from engine.analysis.backtest import BacktestError, auc, backtest, brier, log_loss, to_dict
from engine.analysis.calibrate import fit_calibration
from engine.core.compile import compile_pack
from engine.core.model import Calibration, Case, logistic
from engine.files.case import load_case
from engine.files.outcomes import Outcomes, check_outcomes
from engine.files.pack import load_pack
from engine.files.write import write_calibration

CONTRACT_KEYS = ["cases", "held", "broke", "base_rate", "auc", "brier", "log_loss", "results"]


def pairwise_auc(values: list[float], held: list[bool]) -> float | None:
    pairs = [(h, b) for h, y in zip(values, held, strict=True) if y
             for b, z in zip(values, held, strict=True) if not z]
    if not pairs:
        return None
    return sum(1.0 if h > b else 0.5 if h == b else 0.0 for h, b in pairs) / len(pairs)


def test_auc_by_hand_with_ties() -> None:
    # held {2, 3} against broke {1, 2}: (2,1)=1, (2,2)=1/2, (3,1)=1, (3,2)=1 -> 3.5 / 4
    assert auc([1, 2, 2, 3], [False, True, False, True]) == 0.875
    assert auc([5, 5, 5], [True, False, True]) == 0.5
    assert auc([1, 2], [True, False]) == 0.0
    assert auc([1, 2], [True, True]) is None
    assert auc([1, 2], [False, False]) is None


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 6).map(float), st.booleans()), max_size=25))
def test_auc_is_the_pairwise_mean(data: list[tuple[float, bool]]) -> None:
    values, held = [v for v, _ in data], [y for _, y in data]
    assert auc(values, held) == pairwise_auc(values, held)


def test_brier_and_log_loss_on_tiny_inputs() -> None:
    assert brier([0.8, 0.3], [True, False]) == pytest.approx((0.2 ** 2 + 0.3 ** 2) / 2)
    # logits 0 and log 3: P = 1/2 (held) and 3/4 (broke): -(log 1/2 + log 1/4) / 2
    assert log_loss([0.0, math.log(3)], [True, False]) == pytest.approx((math.log(2) + math.log(4)) / 2)
    # a probability that rounds to 0 still has a finite loss
    assert log_loss([-800.0], [True]) == pytest.approx(800.0)


def _cases(folder: Path, specs: list[tuple[str, int, bool]]) -> list[Case]:
    """A case per (id, tariff cuts, embargo) for the pact pack."""
    pack = load_pack(PACT_RULES)
    cases = []
    for case_id, cuts, embargo in specs:
        facts: dict[str, object] = {"tariff_cuts": cuts}
        if embargo:
            facts |= {"arms_embargo": True, "press_tone": "cool"}
        path = write_yaml(folder / f"{case_id}.yaml", {
            "case": case_id, "title": case_id, "parties": {"lead": "A", "follower": "B"},
            "as_of": "2021-06-30", "facts": facts})
        cases.append(load_case(path, pack))
    return cases


def _outcomes(folder: Path, labels: dict[str, str]) -> Outcomes:
    path = write_yaml(folder / "outcomes.yaml", {k: {"outcome": v} for k, v in labels.items()})
    outcomes, problems = check_outcomes(path)
    assert outcomes is not None, problems
    return outcomes


SPECS = [("c-one", 8, False), ("c-two", 3, True), ("c-three", 5, False), ("c-four", 1, True), ("c-five", 5, True)]
LABELS = {"c-one": "held", "c-two": "broke", "c-three": "broke", "c-four": "broke", "c-five": "held",
          "not-given": "held"}
SCORES = [58.0, 47.0, 55.0, 45.0, 49.0]
HELD = [True, False, False, False, True]


@pytest.fixture
def calibrated(tmp_path: Path) -> Path:
    pack = tmp_path / "rules"
    shutil.copytree(PACT_RULES, pack)
    write_calibration(pack, Calibration(3, 0.2, 0.15))
    return pack


def test_the_contract_figures_without_calibration(tmp_path: Path) -> None:
    cases = _cases(tmp_path, SPECS)
    result = backtest(compile_pack(load_pack(PACT_RULES)), cases, _outcomes(tmp_path, LABELS))
    data = to_dict(result)
    assert list(data)[:8] == CONTRACT_KEYS
    assert [r["score"] for r in data["results"]] == pytest.approx(SCORES, rel=1e-12)
    assert [r["case"] for r in data["results"]] == [c[0] for c in SPECS]  # input order
    assert [r["outcome"] for r in data["results"]] == ["held", "broke", "broke", "broke", "held"]
    assert [r["as_of"] for r in data["results"]] == ["2021-06-30"] * 5
    assert (data["cases"], data["held"], data["broke"], data["base_rate"]) == (5, 2, 3, 0.4)
    # held {58, 49} against broke {47, 55, 45}: 58 beats all 3, 49 beats 47 and 45 -> 5 / 6
    assert data["auc"] == pytest.approx(5 / 6)
    assert (data["brier"], data["log_loss"], data["calibration"], data["calibration_table"]) == (None,) * 4
    assert all(r["probability"] is None for r in data["results"])
    json.dumps(data, allow_nan=False)


def test_the_contract_figures_with_calibration(tmp_path: Path, calibrated: Path) -> None:
    cases = _cases(tmp_path, SPECS)
    pack = load_pack(calibrated)
    result = backtest(compile_pack(pack), cases, _outcomes(tmp_path, LABELS))
    data = to_dict(result)
    probabilities = [Calibration(3, 0.2, 0.15).endures(s) for s in SCORES]
    assert [r["probability"] for r in data["results"]] == pytest.approx(probabilities, rel=1e-12)
    assert data["brier"] == pytest.approx(sum((p - y) ** 2 for p, y in zip(probabilities, HELD, strict=True)) / 5)
    assert data["log_loss"] == pytest.approx(
        -sum(math.log(p if y else 1 - p) for p, y in zip(probabilities, HELD, strict=True)) / 5)
    assert data["calibration"] == {"horizon_years": 3, "intercept": 0.2, "slope": 0.15}
    table = data["calibration_table"]
    assert [row["term"] for row in table] == ["almost no chance", "very unlikely", "unlikely",
                                              "roughly even chance", "likely", "very likely", "almost certain"]
    assert sum(row["cases"] for row in table) == 5
    for row in table:
        inside = [i for i, p in enumerate(probabilities) if row["low"] <= p < row["high"] or p == row["high"] == 1]
        assert row["cases"] == len(inside)
        assert row["held"] == sum(HELD[i] for i in inside)
        if inside:
            assert row["mean_probability"] == pytest.approx(sum(probabilities[i] for i in inside) / len(inside))
            assert row["observed_rate"] == row["held"] / row["cases"]
        else:
            assert (row["mean_probability"], row["observed_rate"]) == (None, None)
    json.dumps(data, allow_nan=False)


def test_per_rule_figures(tmp_path: Path) -> None:
    result = backtest(compile_pack(load_pack(PACT_RULES)), _cases(tmp_path, SPECS), _outcomes(tmp_path, LABELS))
    rules = {r["rule"]: r for r in to_dict(result)["rules"]}
    assert list(rules) == [r.id for r in load_pack(PACT_RULES).rules]  # pack order
    embargo = rules["embargo"]
    # embargo (-6 points) fires in c-five (held) and in c-two, c-four (broke); the others state no embargo
    assert embargo["held"] == {"cases": 2, "evaluated": 1, "fired": 1, "fire_rate": 0.5, "mean_points": -3.0}
    assert embargo["broke"]["fired"] == 2 and embargo["broke"]["evaluated"] == 2
    assert embargo["broke"]["mean_points"] == pytest.approx(-4.0)
    # points held {0, -6} against broke {-6, 0, -6}: 0 beats -6 twice and ties 0; -6 ties -6 twice -> 3.5 / 6
    assert embargo["auc"] == pytest.approx(3.5 / 6)
    tariffs = rules["tariffs"]
    assert tariffs["held"]["mean_points"] == pytest.approx(6.5)
    assert tariffs["auc"] == pytest.approx(5.5 / 6)  # held {8, 5} against broke {3, 5, 1}: 3 + 2.5 of 6
    assert rules["treaty"]["held"]["evaluated"] == 0 and rules["treaty"]["auc"] == 0.5


def test_leave_one_out_refits_without_each_case(tmp_path: Path) -> None:
    result = backtest(compile_pack(load_pack(PACT_RULES)), _cases(tmp_path, SPECS), _outcomes(tmp_path, LABELS))
    data = to_dict(result)
    assert data["cross_validation"]["method"] == "leave-one-out" and data["cross_validation"]["folds"] == 5
    labels = [r["outcome"] for r in data["results"]]
    expected = []
    for i in range(5):
        fit = fit_calibration(SCORES[:i] + SCORES[i + 1:], labels[:i] + labels[i + 1:], 1)
        expected.append(fit.calibration.endures(SCORES[i]))
    found = [r["cv_probability"] for r in data["results"]]
    assert found == pytest.approx(expected, rel=1e-8)
    assert data["cv_brier"] == pytest.approx(brier(expected, HELD))
    assert data["cv_log_loss"] == pytest.approx(-sum(math.log(p if y else 1 - p)
                                                     for p, y in zip(expected, HELD, strict=True)) / 5)
    assert data["cv_auc"] == auc(found, HELD)


def test_k_fold_puts_case_i_in_fold_i_mod_k(tmp_path: Path) -> None:
    result = backtest(compile_pack(load_pack(PACT_RULES)), _cases(tmp_path, SPECS), _outcomes(tmp_path, LABELS),
                      folds=2)
    labels = [r.outcome for r in result.results]
    assert (result.cross_validation.method, result.cross_validation.folds) == ("k-fold", 2)
    for fold in (0, 1):
        train = [i for i in range(5) if i % 2 != fold]
        fit = fit_calibration([SCORES[i] for i in train], [labels[i] for i in train], 1)
        for i in range(fold, 5, 2):
            assert result.results[i].cv_probability == pytest.approx(fit.calibration.endures(SCORES[i]), rel=1e-8)


def test_the_cv_auc_can_differ_from_the_auc(tmp_path: Path) -> None:
    """Pooled leave-one-out probabilities come from different refits: leaving a held case out lowers its
    own probability, so the pooled ranking need not be the score's."""
    specs = [("a", 6, False), ("b", 5, False), ("c", 4, False), ("d", 3, False)]
    outcomes = _outcomes(tmp_path, {"a": "held", "b": "broke", "c": "held", "d": "broke"})
    result = backtest(compile_pack(load_pack(PACT_RULES)), _cases(tmp_path, specs), outcomes)
    assert result.auc == 0.75
    assert result.cross_validation.auc is not None and result.cross_validation.auc < result.auc


def test_one_outcome_only_gives_no_auc(tmp_path: Path, calibrated: Path) -> None:
    specs = SPECS[:3]
    result = backtest(compile_pack(load_pack(calibrated)), _cases(tmp_path, specs),
                      _outcomes(tmp_path, {c[0]: "held" for c in specs}))
    data = to_dict(result)
    assert (data["held"], data["broke"], data["base_rate"], data["auc"], data["cv_auc"]) == (3, 0, 1.0, None, None)
    assert all(rule["auc"] is None for rule in data["rules"])
    assert all(rule["broke"]["mean_points"] is None and rule["broke"]["fire_rate"] is None for rule in data["rules"])
    assert data["brier"] is not None and data["log_loss"] is not None and data["cv_brier"] is not None


def test_a_single_case_has_no_cross_validation(tmp_path: Path) -> None:
    result = backtest(compile_pack(load_pack(PACT_RULES)), _cases(tmp_path, SPECS[:1]), _outcomes(tmp_path, LABELS))
    data = to_dict(result)
    assert (data["cv_auc"], data["cv_brier"], data["cv_log_loss"]) == (None, None, None)
    assert data["results"][0]["cv_probability"] is None


def test_refusals(tmp_path: Path) -> None:
    compiled = compile_pack(load_pack(PACT_RULES))
    cases = _cases(tmp_path, SPECS)
    with pytest.raises(BacktestError, match="no outcome for case 'c-one'"):
        backtest(compiled, cases, _outcomes(tmp_path, {"c-two": "held"}))
    outcomes = _outcomes(tmp_path, LABELS)
    with pytest.raises(BacktestError, match="no cases"):
        backtest(compiled, [], outcomes)
    for folds in (1, 6):
        with pytest.raises(BacktestError, match="folds must be from 2 to the number of cases"):
            backtest(compiled, cases, outcomes, folds=folds)


def test_the_report_is_deterministic(tmp_path: Path) -> None:
    compiled = compile_pack(load_pack(PACT_RULES))
    cases, outcomes = _cases(tmp_path, SPECS), _outcomes(tmp_path, LABELS)
    first = json.dumps(to_dict(backtest(compiled, cases, outcomes)))
    assert json.dumps(to_dict(backtest(compiled, cases, outcomes))) == first
    assert logistic(0.0) == 0.5
