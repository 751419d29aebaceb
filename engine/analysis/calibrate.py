"""Fit the calibration of the score to outcomes, and name probabilities in the words of ICD 203.

The model is the contract's (section 7): P(endures) = 1 / (1 + exp(-(a + b * (score - 50)))), a the
intercept, b the slope. It is fitted by maximum penalised likelihood: the log-likelihood of the
outcomes plus a weak Gaussian prior on each parameter,

    a ~ Normal(0, intercept_sd^2),   b ~ Normal(0, slope_sd^2)     (default sds 2.5 and 0.1)

i.e. a ridge penalty a^2 / (2 intercept_sd^2) + b^2 / (2 slope_sd^2). The prior is what keeps the
estimates finite when the scores separate held from broke perfectly (the plain maximum likelihood is
then at infinity). With sd 0.1 for b, a 10-point score difference moves the log-odds by 1 at one
prior sd: steep fits stay possible, infinite ones do not. The penalised log-likelihood is strictly
concave, so Newton-Raphson (here: IRLS, the same steps) from (0, 0), halving a step that does not
improve it, reaches its single maximum; it stops when a step moves neither parameter by more than
1e-10 and fails loudly if that has not happened within 100 iterations.

Uncertainty: the covariance of (a, b) is the inverse of the penalised observed information (the
negative Hessian of the penalised log-likelihood at the estimate), giving standard errors and Wald
95% intervals. The interval for the probability at a score is the delta method on the log-odds,
var(a + b x) = var a + x^2 var b + 2 x cov(a, b), mapped through the logistic function, so it stays
within [0, 1]; `se` is the delta-method standard error of the probability itself, p (1 - p) se(eta).

"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from ..core.compile import CompiledPack, compile_pack
from ..core.model import Calibration, Case, Pack, estimative_term, logistic
from ..files.outcomes import Outcomes

CENTRE = 50.0
MAX_ITERATIONS = 100
TOLERANCE = 1e-10
Z95 = NormalDist().inv_cdf(0.975)

# ICD 203 estimative terms: (lower bound, term), ascending; each term runs up to the next bound.

class CalibrationError(ValueError):
    """The calibration cannot be fitted from these data; the message is one line."""


@dataclass(frozen=True)
class Penalty:
    """The sds of the Gaussian priors on the intercept and the slope (per score point)."""

    intercept_sd: float = 2.5
    slope_sd: float = 0.1


DEFAULT_PENALTY = Penalty()


@dataclass(frozen=True)
class Estimate:
    """Where the Newton iterations stopped, and after how many."""

    intercept: float
    slope: float
    iterations: int


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class ProbabilityAt:
    """The fitted probability of enduring at one score, with its delta-method uncertainty."""

    score: float
    endures: float
    se: float
    low: float
    high: float


@dataclass(frozen=True)
class Fit:
    """A fitted calibration and its uncertainty."""

    horizon_years: float
    intercept: float
    slope: float
    se_intercept: float
    se_slope: float
    covariance: float        # cov(intercept, slope)
    intercept_interval: Interval
    slope_interval: Interval
    cases: int
    held: int
    broke: int
    log_likelihood: float    # of the outcomes at the estimate, without the penalty
    penalty: Penalty
    iterations: int

    @property
    def calibration(self) -> Calibration:
        return Calibration(self.horizon_years, self.intercept, self.slope)

    def at(self, score: float) -> ProbabilityAt:
        x = score - CENTRE
        eta = self.intercept + self.slope * x
        variance = self.se_intercept ** 2 + x * x * self.se_slope ** 2 + 2 * x * self.covariance
        se_eta = math.sqrt(max(variance, 0.0))  # >= 0 in exact arithmetic: the covariance matrix is positive
        p = logistic(eta)
        return ProbabilityAt(score, p, p * (1 - p) * se_eta, logistic(eta - Z95 * se_eta),
                             logistic(eta + Z95 * se_eta))


def softplus(z: float) -> float:
    """log(1 + exp(z)) without overflow: -log(logistic(-z))."""
    return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


def penalised_log_likelihood(intercept: float, slope: float, scores: Sequence[float], held: Sequence[bool],
                             penalty: Penalty) -> float:
    """What the fit maximises (natural logs): the log-likelihood minus the ridge penalty."""
    return _log_likelihood(intercept, slope, scores, held) - _penalty(intercept, slope, penalty)


def fit_calibration(scores: Sequence[float], outcomes: Sequence[str], horizon_years: float,
                    penalty: Penalty = DEFAULT_PENALTY) -> Fit:
    """Fit P(endures over `horizon_years`) to the scores of cases and their outcomes ("held" or "broke")
    by maximum penalised likelihood (see the module's docstring); raise CalibrationError if it cannot."""
    if len(scores) != len(outcomes):
        raise CalibrationError(f"{len(scores)} scores but {len(outcomes)} outcomes")
    if not scores:
        raise CalibrationError("no cases to fit the calibration to")
    if not (math.isfinite(horizon_years) and horizon_years > 0):
        raise CalibrationError(f"the horizon must be a finite number of years above 0, got {horizon_years!r}")
    for sd in (penalty.intercept_sd, penalty.slope_sd):
        if not (math.isfinite(sd) and sd > 0):
            raise CalibrationError(f"a prior sd must be finite and above 0, got {sd!r}")
    bad = [o for o in outcomes if o not in ("held", "broke")]
    if bad:
        raise CalibrationError(f"an outcome is 'held' or 'broke', got {bad[0]!r}")
    if not all(math.isfinite(s) for s in scores):
        raise CalibrationError("every score must be a finite number")
    held = [o == "held" for o in outcomes]
    estimate = _newton(scores, held, penalty, Estimate(0.0, 0.0, 0))
    a, b = estimate.intercept, estimate.slope
    info = _information(a, b, scores, penalty)
    var_a, var_b, cov = info.bb / info.determinant, info.aa / info.determinant, -info.ab / info.determinant
    se_a, se_b = math.sqrt(var_a), math.sqrt(var_b)
    count = sum(held)
    return Fit(horizon_years, a, b, se_a, se_b, cov, Interval(a - Z95 * se_a, a + Z95 * se_a),
               Interval(b - Z95 * se_b, b + Z95 * se_b), len(scores), count, len(scores) - count,
               _log_likelihood(a, b, scores, held), penalty, estimate.iterations)


def fit_library(pack: Pack | CompiledPack, cases: Sequence[Case], outcomes: Outcomes, horizon_years: float,
                penalty: Penalty = DEFAULT_PENALTY) -> Fit:
    """Score each case at its own `as_of` and fit the calibration to the outcomes of the cases (every case
    needs an entry: check with `match_outcomes` first; else CalibrationError)."""
    from ..core.evaluate import weigh  # the fit itself needs no scoring: only this does

    missing = [case.id for case in cases if case.id not in outcomes.entries]
    if missing:
        raise CalibrationError(f"no outcome for case '{missing[0]}' in {outcomes.path}")
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    return fit_calibration([weigh(case, compiled).score for case in cases],
                           [outcomes.entries[case.id].outcome for case in cases], horizon_years, penalty)


def describe_fit(fit: Fit, scores: Sequence[float] = (20, 35, 50, 65, 80)) -> str:
    """The fit as text: the estimates with their uncertainty, the probability at some scores, and the
    `calibration:` block for pack.yaml."""
    a, b = fit.intercept_interval, fit.slope_interval
    lines = [f"Calibration fitted on {fit.cases} cases ({fit.held} held, {fit.broke} broke), "
             f"horizon {fit.horizon_years:g} years",
             f"P(endures) = 1 / (1 + exp(-(a + b * (score - 50)))), penalised maximum likelihood "
             f"(Gaussian priors: sd {fit.penalty.intercept_sd:g} on a, {fit.penalty.slope_sd:g} on b)",
             f"  intercept a = {fit.intercept:.4f}  (se {fit.se_intercept:.4f}; 95% {a.low:.4f} to {a.high:.4f})",
             f"  slope     b = {fit.slope:.4f}  (se {fit.se_slope:.4f}; 95% {b.low:.4f} to {b.high:.4f})",
             "", "  score  P(endures)  95% interval     term"]
    for p in map(fit.at, scores):
        lines.append(f"  {p.score:5g}  {p.endures:10.3f}  {p.low:.3f} to {p.high:.3f}   {estimative_term(p.endures)}")
    lines += ["", "calibration:", f"  horizon_years: {fit.horizon_years!r}", f"  intercept: {fit.intercept!r}",
              f"  slope: {fit.slope!r}"]
    return "\n".join(lines) + "\n"


def refit(scores: Sequence[float], held: Sequence[bool], penalty: Penalty, start: Estimate) -> Estimate:
    """The estimate for already checked data, from `start`: for cross-validation, where each fold starts
    from the fit to all the cases (the maximum is the same from any start; a near one takes fewer steps)."""
    return _newton(scores, held, penalty, start)


def to_dict(fit: Fit, scores: Sequence[float] = ()) -> dict[str, Any]:
    """The fit as JSON data; `scores`: the scores to give the probability (and its interval) at."""
    return {
        "horizon_years": fit.horizon_years, "intercept": fit.intercept, "slope": fit.slope,
        "se": {"intercept": fit.se_intercept, "slope": fit.se_slope},
        "covariance": fit.covariance,
        "interval95": {"intercept": [fit.intercept_interval.low, fit.intercept_interval.high],
                       "slope": [fit.slope_interval.low, fit.slope_interval.high]},
        "cases": fit.cases, "held": fit.held, "broke": fit.broke,
        "log_likelihood": fit.log_likelihood,
        "penalty": {"prior": "gaussian", "intercept_sd": fit.penalty.intercept_sd,
                    "slope_sd": fit.penalty.slope_sd},
        "iterations": fit.iterations,
        "probabilities": [{"score": p.score, "endures": p.endures, "se": p.se, "low": p.low, "high": p.high,
                           "term": estimative_term(p.endures)} for p in map(fit.at, scores)],
    }


# --- the arithmetic ------------------------------------------------------------------------------

def _log_likelihood(a: float, b: float, scores: Sequence[float], held: Sequence[bool]) -> float:
    # log p = -softplus(-z), log(1 - p) = -softplus(z): finite even where p rounds to 0 or 1
    return -math.fsum(softplus(-z) if y else softplus(z)
                      for z, y in zip((a + b * (s - CENTRE) for s in scores), held, strict=True))


def _penalty(a: float, b: float, penalty: Penalty) -> float:
    return a * a / (2 * penalty.intercept_sd ** 2) + b * b / (2 * penalty.slope_sd ** 2)


@dataclass(frozen=True)
class _Information:
    """The penalised observed information at (a, b), and the fitted probabilities there."""

    aa: float
    ab: float
    bb: float
    probabilities: list[float]

    @property
    def determinant(self) -> float:
        # > 0: the data's information is positive semi-definite and the prior adds a positive diagonal
        return self.aa * self.bb - self.ab * self.ab


def _information(a: float, b: float, scores: Sequence[float], penalty: Penalty) -> _Information:
    ps = [logistic(a + b * (s - CENTRE)) for s in scores]
    weights = [p * (1 - p) for p in ps]
    xs = [s - CENTRE for s in scores]
    return _Information(math.fsum(weights) + 1 / penalty.intercept_sd ** 2,
                        math.fsum(w * x for w, x in zip(weights, xs, strict=True)),
                        math.fsum(w * x * x for w, x in zip(weights, xs, strict=True)) + 1 / penalty.slope_sd ** 2,
                        ps)


def _newton(scores: Sequence[float], held: Sequence[bool], penalty: Penalty, start: Estimate) -> Estimate:
    a, b = start.intercept, start.slope
    objective = penalised_log_likelihood(a, b, scores, held, penalty)
    for iteration in range(1, MAX_ITERATIONS + 1):
        info = _information(a, b, scores, penalty)
        residuals = [float(y) - p for y, p in zip(held, info.probabilities, strict=True)]
        g_a = math.fsum(residuals) - a / penalty.intercept_sd ** 2
        g_b = math.fsum(r * (s - CENTRE) for r, s in zip(residuals, scores, strict=True)) - b / penalty.slope_sd ** 2
        step_a = (info.bb * g_a - info.ab * g_b) / info.determinant
        step_b = (info.aa * g_b - info.ab * g_a) / info.determinant
        scale = 1.0
        while True:  # halve a step that lowers the objective (a full Newton step nearly always does not)
            new_a, new_b = a + scale * step_a, b + scale * step_b
            new = penalised_log_likelihood(new_a, new_b, scores, held, penalty)
            if new >= objective:
                break
            scale /= 2
            if scale < 1e-12:  # no step along an ascent direction improves it: the maximum, to rounding
                return Estimate(a, b, iteration)
        moved = max(abs(new_a - a), abs(new_b - b))
        a, b, objective = new_a, new_b, new
        if moved <= TOLERANCE * max(1.0, abs(a), abs(b)):
            return Estimate(a, b, iteration)
    raise CalibrationError(f"the calibration fit did not converge in {MAX_ITERATIONS} iterations")
