"""Generate a rule pack of N rules and a case for it, deterministically from a seed.

The pack exercises everything the engine evaluates: facts of every type (boolean, integer, number,
string, date, list), every condition operator (the bare `{fact: F}`, equals, not_equals, at_least,
at_most, above, below, between, one_of, none_of, contains, known), nesting with all/any/not, degrees
rising and falling (on integer, number and date facts), rules with their own half-lives, and `because`
templates with fact and role placeholders. The case states most facts: bare values, single graded and
dated observations, unsourced ones, and histories (including observations after the assessment date,
which the engine ignores with a warning).

    from benchmarks.generate import generate
    spec = generate("/tmp/bench", rules=1000, seed=7)   # writes /tmp/bench/rules/... and /tmp/bench/case.yaml

`generate` returns a `Spec` holding the same data as plain Python (dates as `datetime.date`), which
`run.py` turns into hand-written lambdas for the evaluation baseline.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROLES = ("patron", "partner")
CATEGORIES = ("diplomatic", "military", "economic", "perception", "strategic")
FACT_TYPES = ("boolean", "integer", "number", "string", "date", "list")
ORDERED = ("integer", "number", "date")
WORDS = ("low", "medium", "high", "rising", "falling", "stalled", "open", "closed")
ITEMS = ("china", "india", "turkey", "europe", "gulf", "usa", "japan")
HALF_LIVES = (180, 365, 730, 1825)
AS_OF = dt.date(2020, 9, 12)

# leaf operators and the fact types each one applies to ("fact" is the bare `{fact: F}` form)
OPERATORS: dict[str, tuple[str, ...]] = {
    "fact": ("boolean",),
    "equals": ("boolean", "integer", "number", "string", "date"),
    "not_equals": ("boolean", "integer", "number", "string", "date"),
    "at_least": ORDERED,
    "at_most": ORDERED,
    "above": ORDERED,
    "below": ORDERED,
    "between": ORDERED,
    "one_of": ("integer", "number", "string", "date"),
    "none_of": ("integer", "number", "string", "date"),
    "contains": ("list",),
    "known": FACT_TYPES,
}

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Spec:
    """The generated pack and case as plain data (the same data the YAML files hold)."""

    folder: Path
    rules_dir: Path
    case_path: Path
    pack: dict[str, Any]
    facts: dict[str, dict[str, Any]]
    rules: list[dict[str, Any]]
    case: dict[str, Any]

    @property
    def total_weight(self) -> float:
        return math.fsum(rule["weight"] for rule in self.rules)


class _Maker:
    def __init__(self, rules: int, seed: int) -> None:
        self.n = rules
        self.random = random.Random(seed)
        self.facts: dict[str, dict[str, Any]] = {}
        self.by_type: dict[str, list[str]] = {kind: [] for kind in FACT_TYPES}
        self.leaf_count = 0

    # --- facts ----------------------------------------------------------------------------------

    def make_facts(self) -> None:
        count = max(len(FACT_TYPES) * 4, self.n // 4)
        for index in range(count):
            kind = FACT_TYPES[index % len(FACT_TYPES)]
            name = f"{kind}_fact_{index:04d}"
            spec: dict[str, Any] = {"type": kind}
            if kind == "integer":
                spec.update(min=0, max=100, unit="events")
            elif kind == "number":
                spec.update(min=-10, max=10)
            elif kind == "string":
                spec["values"] = list(self.random.sample(WORDS, 5))
            elif kind == "list":
                spec["values"] = list(ITEMS)
            spec["description"] = f"Generated {kind} fact number {index}."
            self.facts[name] = spec
            self.by_type[kind].append(name)

    def value(self, name: str) -> Any:
        """A random value that fits the fact."""
        spec, r = self.facts[name], self.random
        kind = spec["type"]
        if kind == "boolean":
            return r.random() < 0.5
        if kind == "integer":
            return r.randint(0, 100)
        if kind == "number":
            return round(r.uniform(-10, 10), 2)
        if kind == "string":
            return r.choice(spec["values"])
        if kind == "date":
            return dt.date(2000, 1, 1) + dt.timedelta(days=r.randint(0, 7500))
        return sorted(r.sample(ITEMS, r.randint(0, 4)))

    # --- rules ----------------------------------------------------------------------------------

    def leaf(self) -> dict[str, Any]:
        operators = list(OPERATORS)
        operator = operators[self.leaf_count % len(operators)]  # round robin: every operator, evenly
        self.leaf_count += 1
        kind = self.random.choice(OPERATORS[operator])
        name = self.random.choice(self.by_type[kind])
        if operator == "fact":
            return {"fact": name}
        if operator == "known":
            return {"fact": name, "known": self.random.random() < 0.7}
        if operator == "contains":
            return {"fact": name, operator: self.random.choice(ITEMS)}
        if operator == "between":
            low, high = sorted((self.value(name), self.value(name)))
            return {"fact": name, operator: [low, high]}
        if operator in ("one_of", "none_of"):
            items: list[Any] = []
            for _ in range(self.random.randint(1, 3)):
                item = self.value(name)
                if item not in items:
                    items.append(item)
            return {"fact": name, operator: items}
        return {"fact": name, operator: self.value(name)}

    def condition(self, depth: int) -> dict[str, Any]:
        roll = self.random.random()
        if depth >= 3 or roll < 0.35 + 0.2 * depth:
            return self.leaf()
        if roll < 0.45 + 0.2 * depth:
            return {"not": self.condition(depth + 1)}
        combinator = "all" if self.random.random() < 0.5 else "any"
        return {combinator: [self.condition(depth + 1) for _ in range(self.random.randint(2, 4))]}

    def degree(self) -> dict[str, Any]:
        kind = self.random.choice(ORDERED)
        name = self.random.choice(self.by_type[kind])
        start, end = self.value(name), self.value(name)
        while start == end:
            end = self.value(name)
        return {"fact": name, "from": start, "to": end}  # rising or falling, as drawn

    def rule(self, index: int) -> dict[str, Any]:
        r = self.random
        rule_id = f"generated-rule-{index:05d}"
        when = self.condition(0)
        rule: dict[str, Any] = {
            "id": rule_id,
            "title": f"Generated rule {index}",
            "description": "A generated indicator for the benchmark.",
            "category": CATEGORIES[index % len(CATEGORIES)],
            "effect": "strengthens" if r.random() < 0.6 else "weakens",
            "weight": r.choice((1, 2, 3, 5, 8, 10, 2.5, 7.5, 0.75)),
            "when": when,
        }
        if r.random() < 0.45:
            rule["degree"] = self.degree()
        if r.random() < 0.4:
            rule["half_life_days"] = r.choice(HALF_LIVES)
        named = [leaf["fact"] for leaf in _leaves(when)]
        if "degree" in rule:
            named.append(rule["degree"]["fact"])
        rule["because"] = "{patron} and {partner}: " + ", ".join(f"{n} is {{{n}}}" for n in named[:3]) + "."
        rule["references"] = [f"Benchmark source {index % 17}"]
        return rule

    # --- the case -------------------------------------------------------------------------------

    def case(self) -> dict[str, Any]:
        r = self.random
        sources = {f"source-{grade.lower()}": {"title": f"A grade {grade} source", "reliability": grade}
                   for grade in "ABCDEF"}
        sources["ungraded"] = {"title": "A source with no grade", "url": "https://example.org/"}
        facts: dict[str, Any] = {}
        for name in self.facts:
            roll = r.random()
            if roll < 0.1:
                continue  # not stated: rules reading it may be unknown
            if roll < 0.3:
                facts[name] = self.value(name)  # a bare, unsourced value
            elif roll < 0.75:
                facts[name] = self.observation(name)
            else:
                days = r.sample(range(-400, 4000), r.randint(2, 4))  # distinct; negative = after as_of
                facts[name] = [self.observation(name, AS_OF - dt.timedelta(days=d)) for d in days]
        return {"case": "generated-case", "title": "A generated case for the benchmark",
                "parties": {"patron": "Patronia", "partner": "Partnerland"}, "as_of": AS_OF,
                "sources": sources, "facts": facts}

    def observation(self, name: str, observed: dt.date | None = None) -> dict[str, Any]:
        r = self.random
        entry: dict[str, Any] = {"value": self.value(name)}
        if r.random() < 0.85:
            entry["source"] = r.choice(["source-a", "source-b", "source-c", "source-d", "source-e", "source-f",
                                        "ungraded"])
        if r.random() < 0.7:
            entry["credibility"] = r.randint(1, 6)
        if observed is not None:
            entry["observed"] = observed
        elif r.random() < 0.8:
            entry["observed"] = AS_OF - dt.timedelta(days=r.randint(0, 3000))
        return entry


def _leaves(condition: dict[str, Any]) -> list[dict[str, Any]]:
    if "all" in condition or "any" in condition:
        return [leaf for part in condition.get("all", condition.get("any", [])) for leaf in _leaves(part)]
    if "not" in condition:
        return _leaves(condition["not"])
    return [condition]


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=120,
                              allow_unicode=True), encoding="utf-8")


def generate(folder: Path | str, rules: int = 1000, seed: int = 7) -> Spec:
    """Write a pack of `rules` rules to `folder`/rules and a case to `folder`/case.yaml; return their data."""
    root = Path(folder)
    maker = _Maker(rules, seed)
    maker.make_facts()
    rule_list = [maker.rule(index) for index in range(rules)]
    pack = {
        "pack": "generated-benchmark",
        "version": "1.0.0",
        "description": f"{rules} generated rules for the benchmark (seed {seed}).",
        "roles": list(ROLES),
        "categories": list(CATEGORIES),
        "bands": [{"from": 0, "label": "fragile", "outlook": "unlikely to endure"},
                  {"from": 35, "label": "strained", "outlook": "may not endure"},
                  {"from": 50, "label": "steady", "outlook": "likely to endure"},
                  {"from": 65, "label": "strong", "outlook": "very likely to endure"},
                  {"from": 80, "label": "entrenched", "outlook": "almost certain to endure"}],
        "evidence": {"reliability": {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.5},
                     "credibility": {1: 1.0, 2: 0.9, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0.5},
                     "unsourced": 0.8, "half_life_days": None},
    }
    case = maker.case()
    rules_dir = root / "rules"
    _dump(rules_dir / "pack.yaml", pack)
    _dump(rules_dir / "facts.yaml", {"facts": maker.facts})
    for rule in rule_list:
        _dump(rules_dir / rule["category"] / f"{rule['id']}.yaml", rule)
    case_path = root / "case.yaml"
    _dump(case_path, case)
    return Spec(root, rules_dir, case_path, pack, maker.facts, rule_list, case)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder")
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    made = generate(arguments.folder, arguments.rules, arguments.seed)
    print(f"wrote {len(made.rules)} rules to {made.rules_dir} and a case to {made.case_path}")
