"""Fitting the calibration (penalised maximum likelihood), its uncertainty, and the ICD 203 terms."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import PACT_RULES, write_yaml

from engine.analysis.calibrate import (
    DEFAULT_PENALTY,
    Z95,
    CalibrationError,
    Penalty,
    describe_fit,
    fit_calibration,
    fit_library,
    penalised_log_likelihood,
    to_dict,
)
from engine.core.model import estimative_term, logistic
from engine.files.case import load_case
from engine.files.outcomes import Outcomes, check_outcomes
from engine.files.pack import load_pack

SCORES = [30.0, 40.0, 45.0, 55.0, 60.0, 70.0, 52.0]
OUTCOMES = ["broke", "broke", "held", "broke", "held", "held", "held"]
HELD = [o == "held" for o in OUTCOMES]


def objective(a: float, b: float, scores: list[float] = SCORES, held: list[bool] = HELD,
              penalty: Penalty = DEFAULT_PENALTY) -> float:
    return penalised_log_likelihood(a, b, scores, held, penalty)


def test_the_objective_is_the_bernoulli_log_likelihood_less_the_ridge_penalty() -> None:
    a, b = 0.3, 0.05
    plain = sum(math.log(logistic(a + b * (s - 50))) if y else math.log(1 - logistic(a + b * (s - 50)))
                for s, y in zip(SCORES, HELD, strict=True))
    assert objective(a, b) == pytest.approx(plain - a * a / (2 * 2.5 ** 2) - b * b / (2 * 0.1 ** 2), rel=1e-12)


def test_the_estimate_matches_a_brute_force_grid_search() -> None:
    fit = fit_calibration(SCORES, OUTCOMES, 3)
    # a grid over a wide box, refined three times around its best point
    best, (low_a, high_a, low_b, high_b) = (0.0, 0.0), (-5.0, 5.0, -0.5, 0.5)
    for _ in range(4):
        points = [(low_a + (high_a - low_a) * i / 40, low_b + (high_b - low_b) * j / 40)
                  for i in range(41) for j in range(41)]
        best = max(points, key=lambda p: objective(*p))
        width_a, width_b = (high_a - low_a) / 10, (high_b - low_b) / 10
        low_a, high_a, low_b, high_b = best[0] - width_a, best[0] + width_a, best[1] - width_b, best[1] + width_b
        assert objective(fit.intercept, fit.slope) >= max(objective(*p) for p in points)
    assert fit.intercept == pytest.approx(best[0], abs=2e-3)
    assert fit.slope == pytest.approx(best[1], abs=2e-4)


def test_the_gradient_vanishes_at_the_estimate() -> None:
    fit = fit_calibration(SCORES, OUTCOMES, 3)
    h = 1e-6
    grad_a = (objective(fit.intercept + h, fit.slope) - objective(fit.intercept - h, fit.slope)) / (2 * h)
    grad_b = (objective(fit.intercept, fit.slope + h) - objective(fit.intercept, fit.slope - h)) / (2 * h)
    assert abs(grad_a) < 1e-6 and abs(grad_b) < 1e-4


def test_standard_errors_are_the_inverse_of_the_numerical_hessian() -> None:
    fit = fit_calibration(SCORES, OUTCOMES, 3)
    a, b, ha, hb = fit.intercept, fit.slope, 1e-4, 1e-5
    f_aa = (objective(a + ha, b) - 2 * objective(a, b) + objective(a - ha, b)) / ha ** 2
    f_bb = (objective(a, b + hb) - 2 * objective(a, b) + objective(a, b - hb)) / hb ** 2
    f_ab = (objective(a + ha, b + hb) - objective(a + ha, b - hb) - objective(a - ha, b + hb)
            + objective(a - ha, b - hb)) / (4 * ha * hb)
    det = f_aa * f_bb - f_ab ** 2
    assert fit.se_intercept ** 2 == pytest.approx(-f_bb / det, rel=1e-4)
    assert fit.se_slope ** 2 == pytest.approx(-f_aa / det, rel=1e-4)
    assert fit.covariance == pytest.approx(f_ab / det, rel=1e-3, abs=1e-9)
    assert fit.intercept_interval.low == pytest.approx(a - Z95 * fit.se_intercept)
    assert fit.slope_interval.high == pytest.approx(b + Z95 * fit.se_slope)
    assert pytest.approx(1.959963984540054) == Z95


def test_separable_data_give_finite_estimates() -> None:
    scores = [20.0, 30.0, 40.0, 60.0, 70.0, 80.0]
    outcomes = ["broke"] * 3 + ["held"] * 3
    fit = fit_calibration(scores, outcomes, 3)
    assert math.isfinite(fit.intercept) and math.isfinite(fit.slope) and fit.slope > 0
    assert math.isfinite(fit.se_slope) and fit.iterations < 50
    # the weaker the prior, the steeper the fit, and still finite
    weak = fit_calibration(scores, outcomes, 3, Penalty(2.5, 10.0))
    assert weak.slope > fit.slope and math.isfinite(weak.slope)
    # all one outcome: finite too
    assert math.isfinite(fit_calibration(scores, ["held"] * 6, 3).intercept)


def test_the_probability_at_a_score_is_the_delta_method_on_the_log_odds() -> None:
    fit = fit_calibration(SCORES, OUTCOMES, 3)
    at_50 = fit.at(50)
    assert at_50.endures == pytest.approx(logistic(fit.intercept))
    assert at_50.low == pytest.approx(logistic(fit.intercept - Z95 * fit.se_intercept))
    assert at_50.se == pytest.approx(at_50.endures * (1 - at_50.endures) * fit.se_intercept)
    at_70 = fit.at(70)
    se_eta = math.sqrt(fit.se_intercept ** 2 + 400 * fit.se_slope ** 2 + 40 * fit.covariance)
    eta = fit.intercept + 20 * fit.slope
    assert (at_70.low, at_70.high) == (pytest.approx(logistic(eta - Z95 * se_eta)),
                                       pytest.approx(logistic(eta + Z95 * se_eta)))
    assert at_70.low < at_70.endures < at_70.high
    assert fit.calibration.endures(70) == pytest.approx(at_70.endures, rel=1e-15)


def test_the_fit_is_deterministic_and_ignores_the_order_of_the_cases() -> None:
    first, again = fit_calibration(SCORES, OUTCOMES, 3), fit_calibration(SCORES, OUTCOMES, 3)
    assert first == again
    flipped = fit_calibration(SCORES[::-1], OUTCOMES[::-1], 3)
    assert flipped.intercept == pytest.approx(first.intercept, abs=1e-12)
    assert flipped.slope == pytest.approx(first.slope, abs=1e-12)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.floats(0, 100), st.booleans()), min_size=1, max_size=30))
def test_any_data_converge_to_the_maximum(data: list[tuple[float, bool]]) -> None:
    scores = [s for s, _ in data]
    outcomes = ["held" if y else "broke" for _, y in data]
    held = [y for _, y in data]
    fit = fit_calibration(scores, outcomes, 1)
    best = objective(fit.intercept, fit.slope, scores, held)
    for da, db in ((1e-3, 0), (-1e-3, 0), (0, 1e-4), (0, -1e-4)):
        assert objective(fit.intercept + da, fit.slope + db, scores, held) <= best
    assert fit.se_intercept > 0 and fit.se_slope > 0


def test_to_dict_gives_the_fit_and_the_probabilities_asked_for() -> None:
    fit = fit_calibration(SCORES, OUTCOMES, 2.5)
    data = to_dict(fit, [40.0, 65.0])
    assert (data["horizon_years"], data["intercept"], data["slope"]) == (2.5, fit.intercept, fit.slope)
    assert (data["cases"], data["held"], data["broke"]) == (7, 4, 3)
    assert data["penalty"] == {"prior": "gaussian", "intercept_sd": 2.5, "slope_sd": 0.1}
    assert [p["score"] for p in data["probabilities"]] == [40.0, 65.0]
    assert data["probabilities"][1]["term"] == estimative_term(fit.at(65).endures)


@pytest.mark.parametrize(("scores", "outcomes", "horizon", "penalty", "message"), [
    ([], [], 3, DEFAULT_PENALTY, "no cases"),
    ([50.0], [], 3, DEFAULT_PENALTY, "1 scores but 0 outcomes"),
    ([50.0], ["endured"], 3, DEFAULT_PENALTY, "'held' or 'broke'"),
    ([50.0], [True], 3, DEFAULT_PENALTY, "'held' or 'broke'"),
    ([math.nan], ["held"], 3, DEFAULT_PENALTY, "finite"),
    ([50.0], ["held"], 0, DEFAULT_PENALTY, "horizon"),
    ([50.0], ["held"], math.inf, DEFAULT_PENALTY, "horizon"),
    ([50.0], ["held"], 3, Penalty(0.0, 1.0), "prior sd"),
])
def test_bad_input_is_refused_in_one_line(scores: list[float], outcomes: list[str], horizon: float,
                                          penalty: Penalty, message: str) -> None:
    with pytest.raises(CalibrationError, match=message) as raised:
        fit_calibration(scores, outcomes, horizon, penalty)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(("p", "term"), [
    (0.0, "almost no chance"), (0.0499, "almost no chance"), (0.05, "very unlikely"), (0.1999, "very unlikely"),
    (0.20, "unlikely"), (0.4499, "unlikely"), (0.45, "roughly even chance"), (0.5, "roughly even chance"),
    (0.5499, "roughly even chance"), (0.55, "likely"), (0.7999, "likely"), (0.80, "very likely"),
    (0.9499, "very likely"), (0.95, "almost certain"), (1.0, "almost certain")])
def test_estimative_terms_follow_icd_203(p: float, term: str) -> None:
    assert estimative_term(p) == term


@pytest.mark.parametrize("p", [-0.01, 1.01, math.nan, math.inf])
def test_an_estimative_term_needs_a_probability(p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        estimative_term(p)


def test_fit_library_scores_the_cases_and_describe_fit_shows_the_block(tmp_path: Path) -> None:
    pack = load_pack(PACT_RULES)
    cases, labels = [], {}
    for index, (cuts, label) in enumerate([(1, "broke"), (4, "held"), (6, "broke"), (9, "held")]):
        path = write_yaml(tmp_path / f"c{index}.yaml", {"case": f"c{index}", "title": "t", "as_of": "2021-06-30",
                                                       "parties": {"lead": "A", "follower": "B"},
                                                       "facts": {"tariff_cuts": cuts}})
        cases.append(load_case(path, pack))
        labels[f"c{index}"] = {"outcome": label}
    outcomes, _ = check_outcomes(write_yaml(tmp_path / "o.yaml", labels))
    assert outcomes is not None
    fit = fit_library(pack, cases, outcomes, 3)
    assert fit == fit_calibration([51.0, 54.0, 56.0, 59.0], ["broke", "held", "broke", "held"], 3)
    text = describe_fit(fit)
    assert f"  intercept: {fit.intercept!r}\n  slope: {fit.slope!r}\n" in text
    assert "4 cases (2 held, 2 broke)" in text
    with pytest.raises(CalibrationError, match="no outcome for case 'c0'"):
        fit_library(pack, cases, Outcomes("o.yaml", {}, (1, 1)), 3)
