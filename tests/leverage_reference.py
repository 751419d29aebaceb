"""A deliberately naive brute force for the figures of contract section 7, on the plain YAML data.

It shares no code with engine/analysis: conditions and degrees are read by `tests/reference.py`, the values
that matter are listed generously from every operand any rule writes (no grouping, no pruning of rules),
and the bounds try every combination of every unstated fact's values at once. The sensitivity tries every
corner of the weights' box (2^n of them). Only for small packs.

A candidate is a pair (test, measure): the value the conditions see and the value a degree sees. They
differ only inside an open interval of a number's domain, where the degree is taken at the interval's end
(the infimum or supremum that the contract asks for).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

import reference

ABSENT = object()  # the fact is not stated
Candidate = tuple[Any, Any]


@dataclass
class Naive:
    bounds: tuple[float, float]
    gaps: dict[str, tuple[float, float]]
    counterfactuals: dict[str, tuple[float, float]]
    sensitivity: tuple[float, float]


# --- the score, with hypothetical statements -----------------------------------------------------------

def naive_score(settings: dict[str, Any], facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
                case: dict[str, Any], as_of: dt.date | None = None, hypothetical: dict[str, Candidate] | None = None,
                replaced: dict[str, Candidate] | None = None, removed: str | None = None) -> float:
    """Section 4's score when the facts `hypothetical` are stated (confidence 1, age 0), the observations in
    use of `replaced` carry another value (same grades and date), and the observation in use of `removed`
    is taken out of its history."""
    date = as_of if as_of is not None else dt.date.fromisoformat(case["as_of"])
    evidence = settings.get("evidence", {})
    reliability = {**reference.DEFAULT_RELIABILITY, **evidence.get("reliability", {})}
    credibility = dict(reference.DEFAULT_CREDIBILITY)
    for grade, multiplier in evidence.get("credibility", {}).items():
        credibility[int(grade)] = multiplier
    unsourced = evidence.get("unsourced", 1.0)
    ungraded = evidence.get("ungraded", 1.0)
    pack_half_life = evidence.get("half_life_days")
    sources = case.get("sources") or {}

    in_use: dict[str, dict[str, Any]] = {}
    for name, raw in (case.get("facts") or {}).items():
        written = reference.observations_written(raw)  # built anew for a bare value: chosen from this list
        observation = reference.observation_in_use(written, date)
        if name == removed and observation is not None:
            rest = [o for o in written if o is not observation]
            observation = reference.observation_in_use(rest, date) if rest else None
        if observation is not None:
            in_use[name] = observation
    test = {name: reference.typed(facts[name]["type"], o["value"]) for name, o in in_use.items()}
    measure = dict(test)
    grades: dict[str, tuple[float, int]] = {}  # confidence and age of each stated fact
    for name, o in in_use.items():
        if "source" in o:
            grade = sources[o["source"]].get("reliability")
            r = reliability[grade] if grade is not None else ungraded
        else:
            r = unsourced
        c = credibility[o["credibility"]] if "credibility" in o else ungraded
        age = (date - dt.date.fromisoformat(o["observed"])).days if "observed" in o else 0
        grades[name] = (r * c, max(age, 0))
    for name, (t, m) in (replaced or {}).items():
        test[name], measure[name] = t, m
    for name, (t, m) in (hypothetical or {}).items():
        test[name], measure[name] = t, m
        grades[name] = (1.0, 0)

    total = math.fsum(rule["weight"] for rule in rules)
    points = []
    for rule in rules:
        when = reference.truth(rule["when"], test, facts)
        if when is None:
            continue
        a = reference.degree(rule, measure, facts) if when else 0.0
        if a is None:
            continue
        named = {leaf["fact"] for leaf in reference.leaves(rule["when"])}
        if "degree" in rule:
            named.add(rule["degree"]["fact"])
        evidence_of = [grades[name] for name in named if name in grades]
        confidence = min([1.0, *(c for c, _ in evidence_of)])
        half_life = rule.get("half_life_days", pack_half_life)
        decay = 1.0 if half_life is None else min([1.0, *(0.5 ** (age / half_life) for _, age in evidence_of)])
        s = 1 if rule["effect"] == "strengthens" else -1
        points.append(50 * s * rule["weight"] * a * confidence * decay / total)
    return min(100.0, max(0.0, math.fsum([50.0, *points])))


# --- the values that matter, listed generously ----------------------------------------------------------

def operands(rules: list[dict[str, Any]], name: str, kind: str) -> list[Any]:
    """Every value any rule writes about fact `name`: operands, `between` ends, list items, degree ends."""
    found: list[Any] = []
    for rule in rules:
        for leaf in reference.leaves(rule["when"]):
            if leaf["fact"] != name:
                continue
            for key, operand in leaf.items():
                if key in ("fact", "known"):
                    continue
                items = operand if isinstance(operand, list) else [operand]
                found += [reference.typed_operand(kind, item) for item in items]
        if "degree" in rule and rule["degree"]["fact"] == name:
            found += [reference.typed_operand(kind, rule["degree"][side]) for side in ("from", "to")]
    return found


def candidates(spec: dict[str, Any], named: list[Any], current: Any = ABSENT) -> list[Candidate]:
    """Values of the fact's type worth trying (never `current`), as (test, measure) pairs."""
    kind = spec["type"]
    low, high = spec.get("min"), spec.get("max")
    found: list[Candidate] = []
    if kind == "boolean":
        found = [(True, True), (False, False)]
    elif kind in ("integer", "date"):
        as_int = (lambda d: d.toordinal()) if kind == "date" else (lambda x: x)
        back = dt.date.fromordinal if kind == "date" else (lambda x: x)
        whole: set[int] = {0} if kind == "integer" else {dt.date(2000, 1, 1).toordinal()}
        for point in [*named, *(b for b in (low, high) if b is not None)]:
            p = as_int(point)
            whole.update(range(math.floor(p) - 2, math.ceil(p) + 3))
        if current is not ABSENT:
            whole.update(range(as_int(current) - 2, as_int(current) + 3))
        if kind == "integer":
            whole = {x for x in whole if (low is None or x >= low) and (high is None or x <= high)}
        found = [(back(x), back(x)) for x in sorted(whole)]
    elif kind == "number":
        points = sorted({float(p) for p in [*named, *(b for b in (low, high) if b is not None),
                                           *([current] if current is not ABSENT else [])]
                         if (low is None or p >= low) and (high is None or p <= high)})
        if not points:
            points = [0.0]
        found = [(p, p) for p in points]
        for a, b in itertools.pairwise(points):
            middle = (a + b) / 2
            found += [(middle, a), (middle, b), (middle, middle)]
        if low is None:
            found += [(points[0] - 1, points[0] - 1), (points[0] - 1000, points[0] - 1000)]
        if high is None:
            found += [(points[-1] + 1, points[-1] + 1), (points[-1] + 1000, points[-1] + 1000)]
    elif kind == "string":
        words = list(spec["values"]) if "values" in spec else [*dict.fromkeys(named), "zz-no-rule-names-this"]
        found = [(w, w) for w in words]
    else:
        items = list(dict.fromkeys(named))
        spare = [v for v in spec.get("values", ["zz-no-rule-names-this"]) if v not in items][:1]
        universe = sorted(items + spare)
        for size in range(len(universe) + 1):
            for chosen in itertools.combinations(universe, size):
                found.append((list(chosen), list(chosen)))
                if size >= 2:
                    found.append((list(reversed(chosen)), list(reversed(chosen))))
    return [c for c in found if current is ABSENT or not (c[0] == current and c[1] == current)]


def distinct(spec: dict[str, Any], name: str, rules: list[dict[str, Any]], facts: dict[str, dict[str, Any]],
             found: list[Candidate]) -> list[Candidate]:
    """Candidates that some leaf or degree on the fact tells apart (the first of each kind)."""
    leaves = [leaf for rule in rules for leaf in reference.leaves(rule["when"]) if leaf["fact"] == name]
    ramps = [rule for rule in rules if rule.get("degree", {}).get("fact") == name]
    seen = set()
    kept = []
    for test, measure in found:
        signature = (tuple(reference.truth(leaf, {name: test}, facts) for leaf in leaves),
                     tuple(reference.degree(rule, {name: measure}, facts) for rule in ramps))
        if signature not in seen:
            seen.add(signature)
            kept.append((test, measure))
    return kept


# --- the figures -----------------------------------------------------------------------------------------

def stated_names(case: dict[str, Any], as_of: dt.date) -> set[str]:
    return {name for name, raw in (case.get("facts") or {}).items()
            if reference.observation_in_use(raw, as_of) is not None}


def read_names(rules: list[dict[str, Any]]) -> set[str]:
    names = set()
    for rule in rules:
        names.update(leaf["fact"] for leaf in reference.leaves(rule["when"]))
        if "degree" in rule:
            names.add(rule["degree"]["fact"])
    return names


def combinations(settings: dict[str, Any], facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
                 case: dict[str, Any], as_of: dt.date | None = None) -> int:
    """How many joint statements the bounds try (to keep the examples small)."""
    date = as_of if as_of is not None else dt.date.fromisoformat(case["as_of"])
    unstated = sorted(read_names(rules) - stated_names(case, date))
    return math.prod(1 + len(options(facts, rules, n)) for n in unstated)


def options(facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]], name: str) -> list[Candidate]:
    """The distinct candidates of an unstated fact."""
    spec = facts[name]
    return distinct(spec, name, rules, facts, candidates(spec, operands(rules, name, spec["type"])))


def naive(settings: dict[str, Any], facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
          case: dict[str, Any], as_of: dt.date | None = None) -> Naive:
    date = as_of if as_of is not None else dt.date.fromisoformat(case["as_of"])
    score = naive_score(settings, facts, rules, case, as_of)
    read = read_names(rules)
    stated = stated_names(case, date)
    unstated = sorted(read - stated)
    tried = {n: options(facts, rules, n) for n in unstated}

    scores = []
    for choice in itertools.product(*([ABSENT, *tried[n]] for n in unstated)):
        hypothetical = {n: c for n, c in zip(unstated, choice, strict=True) if c is not ABSENT}
        scores.append(naive_score(settings, facts, rules, case, as_of, hypothetical=hypothetical))

    gaps = {}
    for n in unstated:
        alone = [score, *(naive_score(settings, facts, rules, case, as_of, hypothetical={n: c}) for c in tried[n])]
        gaps[n] = (min(alone), max(alone))

    counterfactuals = {}
    for n in sorted(read & stated):
        observation = reference.observation_in_use(case["facts"][n], date)
        current = reference.typed(facts[n]["type"], observation["value"])
        tried = [naive_score(settings, facts, rules, case, as_of, removed=n)]
        tried += [naive_score(settings, facts, rules, case, as_of, replaced={n: c})
                  for c in candidates(facts[n], operands(rules, n, facts[n]["type"]), current)]
        counterfactuals[n] = (min(tried), max(tried))

    corners = corner_scores(settings, facts, rules, case, as_of)
    return Naive((min(scores), max(scores)), gaps, counterfactuals, (min(corners), max(corners)))


def corner_scores(settings: dict[str, Any], facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
                  case: dict[str, Any], as_of: dt.date | None = None) -> list[float]:
    """The score at every corner of the weights' box: each ranged rule at one end or the other."""
    corners = []
    ranged = [i for i, rule in enumerate(rules) if "weight_range" in rule]
    for ends in itertools.product(*(rules[i]["weight_range"] for i in ranged)):
        weighted = [dict(rule) for rule in rules]
        for i, weight in zip(ranged, ends, strict=True):
            weighted[i]["weight"] = weight
        corners.append(naive_score(settings, facts, weighted, case, as_of))
    return corners
