"""How one rule evaluated on one case, leaf by leaf, and how its points were computed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..core.compile import compile_condition
from ..core.evaluate import Result, in_use
from ..core.model import AllOf, Condition, Leaf, Not, Observation, Rule, Value
from ..core.present import render

_TRUTH = {True: "true", False: "false", None: "unknown"}


def _num(value: float) -> str:
    return f"{value:.6g}"


def explain_rule(result: Result, rule: Rule) -> str:
    """A readable trace of `rule` on the case behind `result`."""
    case, pack = result.case, result.pack
    observations, _ = in_use(case, result.as_of)
    values = {name: o.value for name, o in observations.items()}
    lines = [f"rule {rule.id}: {rule.title}",
             f"  {rule.effect}, weight {render(rule.weight)} of {render(pack.total_weight)}, "
             f"category {rule.category} ({rule.path})",
             f"case {case.id} as of {result.as_of.isoformat()}", ""]
    truth = compile_condition(rule.when)(values)
    lines.append(f"when -> {_TRUTH[truth]}")
    lines += _trace(rule.when, values, observations, 1)
    contribution = next((c for c in result.contributions if c.rule == rule.id), None)
    if contribution is None:
        missing = next(n.missing for n in result.not_evaluated if n.rule == rule.id)
        lines += ["", f"not evaluated: the case does not state {', '.join(missing)}; "
                      "the rule counts as no evidence either way and lowers the coverage"]
        return "\n".join(lines) + "\n"
    lines.append("")
    if not contribution.fired:
        lines.append("degree 0: the condition is false")
    elif rule.degree is None:
        lines.append("degree 1: the rule has no degree")
    else:
        d = rule.degree
        value = values[d.fact]
        lines.append(f"degree {_num(contribution.degree)}: {d.fact} = {render(value)}, from {render(d.start)} "
                     f"to {render(d.end)}: ({_span(value, d.start)}) / ({_span(d.end, d.start)}), clamped to [0, 1]")
    lines.append(f"confidence {_num(contribution.confidence)}: the weakest evidence, "
                 "source reliability x information credibility")
    for name in contribution.facts:
        lines.append(f"  {name}: {_grade(result, observations[name])}")
    half_life = rule.half_life_days if rule.half_life_days is not None else pack.evidence.half_life_days
    if half_life is None or not contribution.facts:
        lines.append("decay 1: no half-life applies")
    else:
        lines.append(f"decay {_num(contribution.decay)}: the oldest evidence, "
                     f"0.5 ^ (age in days / {render(half_life)})")
        for name in contribution.facts:
            observed = observations[name].observed
            age = max(0, (result.as_of - observed).days) if observed else 0
            lines.append(f"  {name}: observed {observed.isoformat() if observed else 'as of the assessment'}, "
                         f"{age} days old -> {_num(0.5 ** (age / half_life))}")
    sign = "+1" if rule.sign > 0 else "-1"
    lines.append(f"points {contribution.points:+.6g} = 50 x {sign} x {render(rule.weight)} x "
                 f"{_num(contribution.degree)} x {_num(contribution.confidence)} x {_num(contribution.decay)} "
                 f"/ {render(pack.total_weight)}")
    if contribution.because:
        lines.append(f"because: {contribution.because}")
    return "\n".join(lines) + "\n"


def _span(a: Value, b: float | dt.date) -> str:
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return f"{(a - b).days} days"
    return f"{render(a)} - {render(b)}"


def _grade(result: Result, observation: Observation) -> str:
    settings = result.pack.evidence
    if observation.source is None:
        source = f"no source ({render(settings.unsourced)})"
    else:
        grade = result.case.sources[observation.source].reliability
        source = f"source {observation.source}, " + (
            f"reliability {grade} ({render(settings.reliability[grade])})" if grade else "ungraded (1)")
    credibility = (f"credibility {observation.credibility} ({render(settings.credibility[observation.credibility])})"
                   if observation.credibility else "credibility ungraded (1)")
    return f"{source} x {credibility}"


def _trace(condition: Condition, values: Mapping[str, Value], observations: dict[str, Observation],
           depth: int) -> list[str]:
    indent = "  " * depth
    truth = _TRUTH[compile_condition(condition)(values)]
    if isinstance(condition, Leaf):
        if condition.operator == "known":
            test = "is stated" if condition.operand else "is not stated"
        elif condition.operator == "is_true":
            test = "is true"
        else:
            test = f"{condition.operator} {_operand(condition.operand)}"
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


def _operand(operand: Any) -> str:
    if isinstance(operand, tuple):
        return "[" + ", ".join(render(item) for item in operand) + "]"
    return render(operand)
