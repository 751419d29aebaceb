"""Run the `examples` of a pack's rules: each states facts and whether the rule fires."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Problem
from .compile import compile_rule
from .model import Example, Pack, Rule

DEGREE_TOLERANCE = 1e-6  # examples give degrees to six decimals


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    index: int
    example: Example
    failure: str | None  # None when the example passed

    def problem(self) -> Problem:
        return Problem(self.rule.path, self.example.line, self.example.column, "example",
                       f"rule '{self.rule.id}' example {self.index + 1}: {self.failure}")


def run_examples(pack: Pack) -> list[Outcome]:
    """Every example of every rule, in rule order, with why it failed if it did."""
    outcomes = []
    for rule in pack.rules:
        compiled = compile_rule(rule)
        for index, example in enumerate(rule.examples):
            truth = compiled.when(example.facts)
            degree = (compiled.degree(example.facts) if compiled.degree else 1.0) if truth else 0.0
            evaluated = truth is not None and degree is not None
            fired = bool(truth) and evaluated
            failure = None
            if example.evaluated is not None and example.evaluated != evaluated:
                failure = f"expected evaluated: {_yaml(example.evaluated)}, got {_yaml(evaluated)}"
            elif example.fires != fired:
                why = " (the condition is unknown: state every fact it reads)" if not evaluated else ""
                failure = f"expected fires: {_yaml(example.fires)}, got {_yaml(fired)}{why}"
            elif example.degree is not None and degree is not None and abs(degree - example.degree) > DEGREE_TOLERANCE:
                failure = f"expected degree {example.degree}, got {degree:.6f}"
            outcomes.append(Outcome(rule, index, example, failure))
    return outcomes


def _yaml(flag: bool) -> str:
    return "true" if flag else "false"
