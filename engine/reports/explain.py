"""How one rule evaluated on one case, leaf by leaf, and how its points were computed.

Everything numeric here is what the evaluation carried in the Result (the observations in use, each
fact's grade multipliers, age and decay): this module only words it. The leaf-by-leaf truths are the
one thing it evaluates itself, since the score needs only the whole condition's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..core.compile import compile_condition
from ..core.evaluate import Contribution, FactEvidence, Result
from ..core.model import AllOf, Condition, Leaf, Not, Observation, Rule, Value
from ..core.operators import OPERATORS
from ..core.present import render

_TRUTH = {True: "true", False: "false", None: "unknown"}


def _num(value: float) -> str:
    return f"{value:.6g}"


def explain_rule(result: Result, rule: Rule) -> str:
    """A readable trace of `rule` on the case behind `result`."""
    case, pack, observations = result.case, result.pack, result.observations
    values = {name: o.value for name, o in observations.items()}
    lines = [f"rule {rule.id}: {rule.title}",
             f"  {rule.effect}, weight {render(rule.weight)} of {render(pack.total_weight)}, "
             f"category {rule.category} ({rule.path})",
             f"case {case.id} as of {result.as_of.isoformat()}", ""]
    lines.append(f"when -> {_TRUTH[compile_condition(rule.when)(values)]}")
    lines += _trace(rule.when, values, observations, 1)
    contribution = next((c for c in result.contributions if c.rule == rule.id), None)
    if contribution is None:
        missing = next(n.missing for n in result.not_evaluated if n.rule == rule.id)
        lines += ["", f"not evaluated: the case does not state {', '.join(missing)}; "
                      "the rule counts as no evidence either way and lowers the coverage"]
        return "\n".join(lines) + "\n"
    return "\n".join([*lines, "", *_points(contribution, rule, values, result)]) + "\n"


def _points(c: Contribution, rule: Rule, values: Mapping[str, Value], result: Result) -> list[str]:
    lines = []
    if not c.fired:
        lines.append("degree 0: the condition is false")
    elif rule.degree is None:
        lines.append("degree 1: the rule has no degree")
    else:
        d = rule.degree
        value = values[d.fact]
        lines.append(f"degree {_num(c.degree)}: {d.fact} = {render(value)}, from {render(d.start)} "
                     f"to {render(d.end)}: ({_span(value, d.start)}) / ({_span(d.end, d.start)}), clamped to [0, 1]")
    lines.append(f"confidence {_num(c.confidence)}: the weakest evidence, "
                 "source reliability x information credibility")
    lines += [f"  {e.fact}: {_grade(e)}" for e in c.evidence]
    if c.half_life is None or not c.evidence:
        lines.append("decay 1: no half-life applies")
    else:
        lines.append(f"decay {_num(c.decay)}: the oldest evidence, 0.5 ^ (age in days / {render(c.half_life)})")
        for e in c.evidence:
            observed = e.grading.observation.observed
            lines.append(f"  {e.fact}: observed {observed.isoformat() if observed else 'as of the assessment'}, "
                         f"{e.grading.age_days} days old -> {_num(e.decay)}")
    sign = "+1" if rule.sign > 0 else "-1"
    lines.append(f"points {c.points:+.6g} = 50 x {sign} x {render(rule.weight)} x "
                 f"{_num(c.degree)} x {_num(c.confidence)} x {_num(c.decay)} / {render(result.pack.total_weight)}")
    if c.because:
        lines.append(f"because: {c.because}")
    return lines


def _span(a: Value, b: float | dt.date) -> str:
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return f"{(a - b).days} days"
    return f"{render(a)} - {render(b)}"


def _grade(e: FactEvidence) -> str:
    g = e.grading
    o = g.observation
    if g.source is None:
        source = f"no source ({render(g.reliability)})"
    elif g.source.reliability:
        source = f"source {g.source.id}, reliability {g.source.reliability} ({render(g.reliability)})"
    else:
        source = f"source {g.source.id}, ungraded ({render(g.reliability)})"
    credibility = (f"credibility {o.credibility} ({render(g.credibility)})" if o.credibility
                   else f"credibility ungraded ({render(g.credibility)})")
    return f"{source} x {credibility}"


def _trace(condition: Condition, values: Mapping[str, Value], observations: Mapping[str, Observation],
           depth: int) -> list[str]:
    indent = "  " * depth
    truth = _TRUTH[compile_condition(condition)(values)]
    if isinstance(condition, Leaf):
        test = OPERATORS[condition.operator].words(condition.operand)
        observation = observations.get(condition.fact)
        if observation is None:
            stated = "not stated"
        else:
            where = ", ".join(filter(None, [observation.source,
                                            observation.observed.isoformat() if observation.observed else None]))
            stated = f"value {render(observation.value)}" + (f" ({where})" if where else "")
        return [f"{indent}{condition.fact} {test}: {stated} -> {truth}"]
    if isinstance(condition, Not):
        return [f"{indent}not -> {truth}", *_trace(condition.part, values, observations, depth + 1)]
    name = "all" if isinstance(condition, AllOf) else "any"
    lines = [f"{indent}{name} -> {truth}"]
    for part in condition.parts:
        lines += _trace(part, values, observations, depth + 1)
    return lines
