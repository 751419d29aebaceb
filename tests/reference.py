"""A deliberately naive reading of contract sections 2-4, on the plain YAML data of a pack and a case.

Written from FORMATS.md alone, sharing no code with the engine: no compiling, no caching, no clever
tie-breaking; truth tables by recursion, the formula term by term. The law tests check that it and the
engine agree on every generated input, so a slip in either shows up as a disagreement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

DEFAULT_RELIABILITY = {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5, "E": 0.25, "F": 0.5}
DEFAULT_CREDIBILITY = {1: 1.0, 2: 0.9, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0.5}
UNKNOWN = None


@dataclass
class RuleOutcome:
    evaluated: bool
    fired: bool = False
    degree: float = 0.0
    confidence: float = 1.0
    decay: float = 1.0
    points: float = 0.0
    missing: set[str] = field(default_factory=set)
    evidence: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    because: str | None = None


@dataclass
class Outcome:
    score: float
    coverage: float
    band: str
    rules: dict[str, RuleOutcome]


# --- section 3: the observation in use ---------------------------------------------------------------

def observations_written(raw: Any) -> list[dict[str, Any]]:
    """A fact in a case is a history (a list of mappings), one observation (a mapping), or a bare value."""
    if isinstance(raw, list) and len(raw) > 0 and all(isinstance(x, dict) for x in raw):
        return raw
    if isinstance(raw, dict):
        return [raw]
    return [{"value": raw}]


def observation_in_use(raw: Any, as_of: dt.date) -> dict[str, Any] | None:
    """The latest observation dated on or before `as_of`; an undated one counts as `as_of` and wins a tie."""
    candidates = []
    for observation in observations_written(raw):
        if "observed" in observation:
            when = dt.date.fromisoformat(observation["observed"])
            undated = 0
        else:
            when = as_of
            undated = 1
        if when <= as_of:
            candidates.append(((when, undated), observation))
    if not candidates:
        return None
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate[0] > best[0]:
            best = candidate
    return best[1]


def typed(kind: str, raw: Any) -> Any:
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "list":
        return list(raw)
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    return raw


# --- section 2: conditions, three-valued ---------------------------------------------------------------

def truth(condition: dict[str, Any], values: dict[str, Any], facts: dict[str, dict[str, Any]]) -> bool | None:
    """True, False or UNKNOWN (None), by Kleene's rules as the contract words them."""
    if "all" in condition:
        parts = [truth(c, values, facts) for c in condition["all"]]
        if any(p is False for p in parts):
            return False
        if any(p is UNKNOWN for p in parts):
            return UNKNOWN
        return True
    if "any" in condition:
        parts = [truth(c, values, facts) for c in condition["any"]]
        if any(p is True for p in parts):
            return True
        if any(p is UNKNOWN for p in parts):
            return UNKNOWN
        return False
    if "not" in condition:
        inner = truth(condition["not"], values, facts)
        if inner is UNKNOWN:
            return UNKNOWN
        return not inner
    name = condition["fact"]
    if "known" in condition:
        return (name in values) == condition["known"]
    if name not in values:
        return UNKNOWN
    kind = facts[name]["type"]
    value = values[name]
    operators = [key for key in condition if key != "fact"]
    if not operators:
        return value is True
    operator = operators[0]
    operand = condition[operator]
    if operator == "equals":
        return value == typed_operand(kind, operand)
    if operator == "not_equals":
        return value != typed_operand(kind, operand)
    if operator == "at_least":
        return value >= typed_operand(kind, operand)
    if operator == "at_most":
        return value <= typed_operand(kind, operand)
    if operator == "above":
        return value > typed_operand(kind, operand)
    if operator == "below":
        return value < typed_operand(kind, operand)
    if operator == "between":
        return typed_operand(kind, operand[0]) <= value <= typed_operand(kind, operand[1])
    if operator == "one_of":
        return any(value == typed_operand(kind, item) for item in operand)
    if operator == "none_of":
        return all(value != typed_operand(kind, item) for item in operand)
    if operator == "contains":
        return operand in value
    raise ValueError(f"no such operator {operator}")


def typed_operand(kind: str, raw: Any) -> Any:
    return dt.date.fromisoformat(raw) if kind == "date" else raw


def leaves(condition: dict[str, Any]) -> list[dict[str, Any]]:
    if "all" in condition:
        return [leaf for part in condition["all"] for leaf in leaves(part)]
    if "any" in condition:
        return [leaf for part in condition["any"] for leaf in leaves(part)]
    if "not" in condition:
        return leaves(condition["not"])
    return [condition]


# --- section 1 (degree) and section 4 ------------------------------------------------------------------

def degree(rule: dict[str, Any], values: dict[str, Any], facts: dict[str, dict[str, Any]]) -> float | None:
    """0 at `from`, 1 at `to`, linear between, clamped; 1 without a degree; None if its fact is unknown."""
    if "degree" not in rule:
        return 1.0
    spec = rule["degree"]
    name = spec["fact"]
    if name not in values:
        return None
    kind = facts[name]["type"]
    start, end, value = typed_operand(kind, spec["from"]), typed_operand(kind, spec["to"]), values[name]
    if kind == "date":
        fraction = (value - start).days / (end - start).days
    else:
        fraction = (value - start) / (end - start)
    if fraction < 0:
        return 0.0
    if fraction > 1:
        return 1.0
    return fraction


def render(kind: str, value: Any) -> str:
    if kind == "list":
        return ", ".join(value)
    if kind == "date":
        return value.isoformat()
    if kind == "number":
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def because(rule: dict[str, Any], values: dict[str, Any], facts: dict[str, dict[str, Any]],
            parties: dict[str, str]) -> str | None:
    """The rendered `because`, or None when it names a fact the case does not state or a boolean
    (the contract leaves how those render to the engine)."""
    text = rule.get("because", rule["title"])
    out = ""
    i = 0
    while i < len(text):
        if text[i:i + 2] in ("{{", "}}"):
            out += text[i]
            i += 2
        elif text[i] == "{":
            close = text.index("}", i)
            name = text[i + 1:close]
            if name in parties:
                out += parties[name]
            elif name in values and facts[name]["type"] != "boolean":
                out += render(facts[name]["type"], values[name])
            else:
                return None
            i = close + 1
        else:
            out += text[i]
            i += 1
    return out


def score(settings: dict[str, Any], facts: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
          case: dict[str, Any], as_of: dt.date | None = None) -> Outcome:
    """Score `case` against the pack given as pack.yaml's data, facts.yaml's facts and the rules' data."""
    date = as_of if as_of is not None else dt.date.fromisoformat(case["as_of"])
    evidence_settings = settings.get("evidence", {})
    reliability = dict(DEFAULT_RELIABILITY)
    reliability.update(evidence_settings.get("reliability", {}))
    credibility = dict(DEFAULT_CREDIBILITY)
    for grade, multiplier in evidence_settings.get("credibility", {}).items():
        credibility[int(grade)] = multiplier
    unsourced = evidence_settings.get("unsourced", 1.0)
    pack_half_life = evidence_settings.get("half_life_days")
    sources = case.get("sources", {})

    in_use = {}
    for name, raw in case.get("facts", {}).items():
        observation = observation_in_use(raw, date)
        if observation is not None:
            in_use[name] = observation
    values = {name: typed(facts[name]["type"], o["value"]) for name, o in in_use.items()}

    total = 0.0
    for rule in rules:
        total = total + rule["weight"]

    outcomes = {}
    score_ = 50.0
    evaluated_weight = 0.0
    for rule in rules:
        when = truth(rule["when"], values, facts)
        named = [leaf["fact"] for leaf in leaves(rule["when"])]
        tested = [leaf["fact"] for leaf in leaves(rule["when"]) if "known" not in leaf]
        if "degree" in rule:
            named.append(rule["degree"]["fact"])
            tested.append(rule["degree"]["fact"])
        missing = {name for name in tested if name not in values}
        if when is UNKNOWN:
            outcomes[rule["id"]] = RuleOutcome(evaluated=False, missing=missing)
            continue
        if when is True:
            a = degree(rule, values, facts)
            if a is None:
                outcomes[rule["id"]] = RuleOutcome(evaluated=False, missing=missing)
                continue
        else:
            a = 0.0
        evidence = [in_use[name] for name in set(named) if name in in_use]
        confidences = []
        for observation in evidence:
            if "source" in observation:
                grade = sources[observation["source"]].get("reliability")
                r = reliability[grade] if grade is not None else 1.0
            else:
                r = unsourced
            c = credibility[observation["credibility"]] if "credibility" in observation else 1.0
            confidences.append(r * c)
        confidence = min(confidences) if confidences else 1.0
        half_life = rule.get("half_life_days", pack_half_life)
        decay = 1.0
        if half_life is not None and evidence:
            decays = []
            for observation in evidence:
                age = (date - dt.date.fromisoformat(observation["observed"])).days if "observed" in observation else 0
                decays.append(0.5 ** (max(age, 0) / half_life))
            decay = min(decays)
        s = 1 if rule["effect"] == "strengthens" else -1
        points = 50 * s * rule["weight"] * a * confidence * decay / total
        score_ = score_ + points
        evaluated_weight = evaluated_weight + rule["weight"]
        outcomes[rule["id"]] = RuleOutcome(
            evaluated=True, fired=when is True, degree=a, confidence=confidence, decay=decay, points=points,
            evidence={name: values[name] for name in set(named) if name in values},
            sources=sorted({o["source"] for o in evidence if "source" in o}),
            because=because(rule, values, facts, case["parties"]) if when is True else None)

    band = settings["bands"][0]["label"]  # also when rounding leaves the sum a hair below 0
    for entry in settings["bands"]:
        if entry["from"] <= score_:
            band = entry["label"]
    return Outcome(score_, evaluated_weight / total, band, outcomes)
