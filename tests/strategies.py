"""Hypothesis strategies for rule packs and cases, generated as the YAML data an analyst writes.

Everything here is plain data (dicts, lists, strings, numbers; dates as ISO strings), so one
generated input can be written to files and loaded through the engine's real loaders
(`write_pack`, `load_generated`) and also handed to the naive reference in `tests/reference.py`.

A generated pack is a `PackData`: pack.yaml's mapping, facts.yaml's `facts` mapping, and the rule
files by relative path. Numbers stay reasonable: weights in (0, 100], degree `from` != `to`,
dates within a few decades, history dates distinct, at most one undated observation per history.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from engine.core.model import AllOf, AnyOf, Case, Condition, Leaf, Not, Pack, Rule
from engine.files.case import check_case
from engine.files.pack import check_pack

FACT_TYPES = ("boolean", "integer", "number", "string", "date", "list")
WORDS = ("alpha", "beta", "gamma", "delta", "omega")
ROLES = ("patron", "partner", "lead", "follower", "host", "guest")
CATEGORIES = ("diplomatic", "military", "economic", "perception", "strategic")
GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITIES = (1, 2, 3, 4, 5, 6)
# A few dates that conditions, degrees and cases share, so that equality and bounds are hit often.
DATE_POOL = tuple(dt.date(y, m, d) for y, m, d in
                  ((1996, 2, 29), (2001, 9, 11), (2008, 8, 8), (2014, 3, 18), (2016, 4, 11), (2020, 9, 12),
                   (2020, 9, 13), (2024, 12, 31)))
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2035, 12, 31)
DEFAULT_LOW, DEFAULT_HIGH = -5, 15  # the value range of a numeric fact that declares no bound

OPERATORS = {
    "boolean": ("is_true", "equals", "not_equals", "one_of", "none_of", "known"),
    "integer": ("equals", "not_equals", "at_least", "at_most", "above", "below", "between", "one_of", "none_of",
                "known"),
    "number": ("equals", "not_equals", "at_least", "at_most", "above", "below", "between", "one_of", "none_of",
               "known"),
    "date": ("equals", "not_equals", "at_least", "at_most", "above", "below", "between", "one_of", "none_of",
             "known"),
    "string": ("equals", "not_equals", "one_of", "none_of", "known"),
    "list": ("contains", "known"),
}
ORDERED = ("integer", "number", "date")


@dataclass
class PackData:
    """A rule pack as files: pack.yaml, facts.yaml's `facts` mapping, and rule files by relative path."""

    settings: dict[str, Any]
    facts: dict[str, dict[str, Any]]
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def files(self) -> dict[str, dict[str, Any]]:
        return {"pack.yaml": self.settings, "facts.yaml": {"facts": self.facts}, **self.rules}

    def rule_list(self) -> list[dict[str, Any]]:
        return list(self.rules.values())

    def copy(self) -> PackData:
        return PackData(json.loads(json.dumps(self.settings)), json.loads(json.dumps(self.facts)),
                        json.loads(json.dumps(self.rules)))


def iso(day: dt.date) -> str:
    return day.isoformat()


# Names built from parts, some of them words YAML would read as numbers or booleans if left unquoted.
_ID_PARTS = ("a", "tariff", "veto", "shield", "x2", "pack", "facts", "008", "1e5", "true", "null", "0")
RULE_IDS = st.lists(st.sampled_from(_ID_PARTS), min_size=1, max_size=3).map("-".join)
FACT_NAMES = st.tuples(st.sampled_from(("a", "b", "veto", "tariff", "s", "n")),
                       st.sampled_from(("", "_1", "_count", "2", "_since"))).map("".join)
SOURCE_IDS = st.tuples(st.sampled_from(("khoshnood", "K", "0", "1e5", "wire", "Null")),
                       st.sampled_from(("", "-2020", ".a", "_b", "008"))).map("".join)


# --- values of one fact ----------------------------------------------------------------------------

def _bounds(spec: dict[str, Any]) -> tuple[float, float]:
    return spec.get("min", DEFAULT_LOW), spec.get("max", DEFAULT_HIGH)


def _halves(low: float, high: float) -> st.SearchStrategy[float]:
    """Multiples of 0.5 in [low, high] (low and high are themselves multiples of 0.5)."""
    return st.integers(int(2 * low), int(2 * high)).map(lambda n: n / 2)


def _key(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True)


def _cached(build: Any) -> Any:
    """Build a fact's strategy once per distinct spec (strategies are immutable; examples share nothing)."""
    cache: dict[str, st.SearchStrategy[Any]] = {}

    def get(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
        key = _key(spec)
        if key not in cache:
            cache[key] = build(spec)
        return cache[key]
    get.__doc__ = build.__doc__
    return get


def dates(low: dt.date = FIRST_DAY, high: dt.date = LAST_DAY) -> st.SearchStrategy[str]:
    pooled = [d for d in DATE_POOL if low <= d <= high]
    plain = st.dates(low, high)
    return (st.one_of(st.sampled_from(pooled), plain) if pooled else plain).map(iso)


DATES = dates()


@_cached
def values(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value a case may state for the fact: of its type, within its bounds and allowed values."""
    kind = spec["type"]
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low, high = _bounds(spec)
        return st.integers(int(low), int(high))
    if kind == "number":
        low, high = _bounds(spec)
        options = [_halves(low, high), st.floats(low, high).map(lambda x: min(high, max(low, round(x, 3))))]
        if math.ceil(low) <= math.floor(high):
            options.append(st.integers(math.ceil(low), math.floor(high)))
        return st.one_of(options)
    if kind == "date":
        return DATES
    allowed = tuple(spec.get("values", WORDS))
    if kind == "string":
        return st.sampled_from(allowed)
    return st.lists(st.sampled_from(allowed), max_size=3, unique=True)  # a list fact's items are distinct


@_cached
def operands(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """An operand for equals / not_equals / one_of / none_of: like a value, numbers may leave the bounds."""
    kind = spec["type"]
    if kind == "integer":
        low, high = _bounds(spec)
        return st.integers(int(low) - 1, int(high) + 1)
    if kind == "number":
        low, high = _bounds(spec)
        return st.one_of(_halves(low - 1, high + 1), values(spec))
    return values(spec)


@_cached
def ordered_operands(spec: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A bound for at_least / above / between / degree: numbers (whole or not) or dates."""
    kind = spec["type"]
    if kind == "date":
        return DATES
    low, high = _bounds(spec)
    return st.one_of(st.integers(int(low) - 1, int(high) + 1), _halves(low - 1, high + 1))


def as_ordered(kind: str, raw: Any) -> Any:
    return dt.date.fromisoformat(raw) if kind == "date" else raw


# --- facts.yaml ---------------------------------------------------------------------------------------

def draw_fact_spec(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind}
    if kind in ("integer", "number"):
        step = 1 if kind == "integer" else 2
        low = draw(st.integers(-5 * step, 3 * step)) / step
        high = low + draw(st.integers(0, 10 * step)) / step
        if kind == "integer":
            low, high = int(low), int(high)
        if draw(st.booleans()):
            spec["min"] = low
        if draw(st.booleans()):
            spec["max"] = high
    if kind in ("string", "list") and draw(st.booleans()):
        spec["values"] = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 3)) == 0:
        spec["unit"] = draw(st.sampled_from(("days", "votes", "%", "treaties")))
    if draw(st.integers(0, 3)) == 0:
        spec["description"] = "Something observed: 'quoted', {braces}."
    return spec


@st.composite
def fact_tables(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> dict[str, dict[str, Any]]:
    """facts.yaml's `facts` mapping: facts of every type, with and without bounds and allowed values."""
    names = draw(st.lists(FACT_NAMES, min_size=min_size, max_size=max_size, unique=True))
    return {name: draw_fact_spec(draw, draw(st.sampled_from(FACT_TYPES))) for name in names}


# --- conditions ---------------------------------------------------------------------------------------

def draw_leaf(draw: st.DrawFn, facts: dict[str, dict[str, Any]], known: bool = True) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(facts)))
    spec = facts[name]
    choices = tuple(op for op in OPERATORS[spec["type"]] if known or op != "known")
    operator = draw(st.sampled_from(choices))
    if operator == "is_true":
        return {"fact": name}
    if operator == "known":
        return {"fact": name, "known": draw(st.booleans())}
    if operator in ("equals", "not_equals"):
        return {"fact": name, operator: draw(operands(spec))}
    if operator in ("one_of", "none_of"):
        return {"fact": name, operator: [draw(operands(spec)) for _ in range(draw(st.integers(1, 3)))]}
    if operator == "contains":
        return {"fact": name, "contains": draw(st.sampled_from(tuple(spec.get("values", WORDS))))}
    if operator == "between":
        pair = sorted([draw(ordered_operands(spec)), draw(ordered_operands(spec))],
                      key=lambda raw: as_ordered(spec["type"], raw))
        return {"fact": name, "between": pair}
    return {"fact": name, operator: draw(ordered_operands(spec))}


def draw_condition(draw: st.DrawFn, facts: dict[str, dict[str, Any]], known: bool = True,
                   depth: int = 3) -> dict[str, Any]:
    """A leaf with a fitting operator, or all / any / not of smaller conditions (at most `depth` deep)."""
    form = draw(st.sampled_from(("leaf", "leaf", "all", "any", "not"))) if depth else "leaf"
    if form == "leaf":
        return draw_leaf(draw, facts, known)
    if form == "not":
        return {"not": draw_condition(draw, facts, known, depth - 1)}
    return {form: [draw_condition(draw, facts, known, depth - 1) for _ in range(draw(st.integers(1, 3)))]}


@st.composite
def conditions(draw: st.DrawFn, facts: dict[str, dict[str, Any]], known: bool = True,
               depth: int = 3) -> dict[str, Any]:
    """Conditions over `facts`: leaves with every fitting operator, nested all / any / not."""
    return draw_condition(draw, facts, known, depth)


# --- rules and the pack ------------------------------------------------------------------------------

def draw_degree(draw: st.DrawFn, facts: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A rising or falling degree on an ordered fact, or None when the pack has none."""
    ordered = sorted(name for name, spec in facts.items() if spec["type"] in ORDERED)
    if not ordered:
        return None
    name = draw(st.sampled_from(ordered))
    spec = facts[name]
    start = draw(ordered_operands(spec))
    end = draw(ordered_operands(spec))
    if as_ordered(spec["type"], end) == as_ordered(spec["type"], start):
        end = iso(as_ordered("date", end) + dt.timedelta(days=1)) if spec["type"] == "date" else end + 1
    return {"fact": name, "from": start, "to": end}


def draw_because(draw: st.DrawFn, facts: dict[str, dict[str, Any]], roles: list[str]) -> str:
    names = tuple(sorted(facts) + roles)
    pieces = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            pieces.append("{" + draw(st.sampled_from(names)) + "}")
        else:
            pieces.append(draw(st.sampled_from(("The ", " cut ", " while ", ", ", ".", "{{", "}}", "'", ": "))))
    return "".join(pieces)


WEIGHTS = st.one_of(st.integers(1, 100), st.floats(0.001, 100).map(lambda w: max(0.001, round(w, 3))))
# Mostly days to decades; now and then so short that decay underflows to 0, or so long it never bites.
HALF_LIVES = st.one_of(st.integers(1, 5000), st.floats(0.5, 5000).map(lambda h: round(h, 2)),
                       st.sampled_from((0.001, 1e13)))
TITLES = ("A rule", "Patron shields the partner", "Trade: tariffs cut")


def draw_rule(draw: st.DrawFn, rule_id: str, facts: dict[str, dict[str, Any]], roles: list[str],
              categories: list[str] | None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "title": draw(st.sampled_from(TITLES)),
        "category": draw(st.sampled_from(tuple(categories or CATEGORIES))),
        "effect": draw(st.sampled_from(("strengthens", "weakens"))),
        "weight": draw(WEIGHTS),
        "when": draw_condition(draw, facts),
    }
    if draw(st.booleans()):
        degree = draw_degree(draw, facts)
        if degree is not None:
            rule["degree"] = degree
    if draw(st.integers(0, 3)) == 0:
        rule["half_life_days"] = draw(HALF_LIVES)
    if draw(st.booleans()):
        rule["because"] = draw_because(draw, facts, roles)
    if draw(st.integers(0, 5)) == 0:
        rule["description"] = "Longer text: for the analyst."
    if draw(st.integers(0, 5)) == 0:
        rule["references"] = ["Someone 2020, 'A paper', A journal"]
    return rule


def rule_path(rule_id: str, folder: str, suffix: str) -> str:
    """Where a rule file lives; never on pack.yaml or facts.yaml themselves."""
    if not folder and rule_id in ("pack", "facts") and suffix == ".yaml":
        suffix = ".yml"
    return f"{folder}{rule_id}{suffix}"


FOLDERS = ("", "core/", "a/b/", "z-more/", "0/")
# Written as floats mostly, sometimes as the integers 0 and 1 (YAML reads `1` as an integer).
MULTIPLIERS = st.one_of(st.sampled_from((0.0, 0.25, 0.5, 0.75, 0.9, 1.0, 0, 1)), st.floats(0, 1))


def draw_evidence(draw: st.DrawFn) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    if draw(st.booleans()):
        evidence["reliability"] = {g: draw(MULTIPLIERS) for g in draw(st.sets(st.sampled_from(GRADES)))}
    if draw(st.booleans()):
        evidence["credibility"] = {str(c): draw(MULTIPLIERS) for c in draw(st.sets(st.sampled_from(CREDIBILITIES)))}
    if draw(st.booleans()):
        evidence["unsourced"] = draw(MULTIPLIERS)
    if draw(st.booleans()):
        evidence["half_life_days"] = draw(st.one_of(st.none(), HALF_LIVES))
    return evidence


BAND_STARTS = st.sets(st.one_of(st.integers(1, 100), st.floats(0.5, 100).map(lambda x: round(x, 1))), max_size=4)


def draw_bands(draw: st.DrawFn) -> list[dict[str, Any]]:
    result = []
    for index, start in enumerate([0, *sorted(draw(BAND_STARTS))]):
        if index and start <= result[-1]["from"]:
            continue  # 50 and 50.0: one start
        band: dict[str, Any] = {"from": start, "label": f"band{index}"}
        if draw(st.booleans()):
            band["outlook"] = draw(st.sampled_from(("unlikely to endure", "likely to endure")))
        result.append(band)
    return result


@st.composite
def packs(draw: st.DrawFn, min_rules: int = 1, max_rules: int = 6,
          facts: dict[str, dict[str, Any]] | None = None) -> PackData:
    """A valid rule pack: facts of every type, rules with every operator, degrees, weights, half-lives."""
    if facts is None:
        facts = draw(fact_tables())
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=2, max_size=2, unique=True))
    categories = draw(st.one_of(st.none(), st.lists(st.sampled_from(CATEGORIES), min_size=1, unique=True)))
    settings: dict[str, Any] = {"pack": draw(st.sampled_from(("alliance-durability", "Test pack"))),
                                "version": draw(st.sampled_from(("1.0.0", "0.3.1-beta+build.5"))),
                                "roles": roles, "bands": draw_bands(draw)}
    if categories is not None:
        settings["categories"] = categories
    if draw(st.integers(0, 3)) == 0:
        settings["description"] = "Durability indicators: generated."
    evidence = draw_evidence(draw)
    if evidence or draw(st.booleans()):
        settings["evidence"] = evidence
    result = PackData(settings, facts)
    for rule_id in draw(st.lists(RULE_IDS, min_size=min_rules, max_size=max_rules, unique=True)):
        path = rule_path(rule_id, draw(st.sampled_from(FOLDERS)), draw(st.sampled_from((".yaml", ".yml"))))
        result.rules[path] = draw_rule(draw, rule_id, facts, roles, categories)
    return result


# --- cases ----------------------------------------------------------------------------------------------

def draw_observation(draw: st.DrawFn, spec: dict[str, Any], sources: list[str], observed: str | None,
                     value: Any = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": draw(values(spec)) if value is None else value}
    if sources and draw(st.booleans()):
        entry["source"] = draw(st.sampled_from(sources))
    if draw(st.booleans()):
        entry["credibility"] = draw(st.sampled_from(CREDIBILITIES))
    if observed is not None:
        entry["observed"] = observed
    if draw(st.integers(0, 4)) == 0:
        entry["note"] = "Seen: in a 'report'."
    return entry


PAST_OFFSETS = st.one_of(st.integers(-9000, 0), st.just(0))
ANY_OFFSETS = st.one_of(st.integers(-9000, 0), st.just(0), st.integers(1, 2000))


def draw_observed(draw: st.DrawFn, as_of: dt.date, future: bool = True) -> str:
    """Mostly before the assessment date (up to ~25 years), sometimes on it, sometimes after it."""
    return iso(as_of + dt.timedelta(days=draw(ANY_OFFSETS if future else PAST_OFFSETS)))


def draw_statement(draw: st.DrawFn, spec: dict[str, Any], sources: list[str], as_of: dt.date) -> Any:
    """What a case writes for one fact: a bare value, one observation, or a history."""
    form = draw(st.sampled_from(("bare", "observation", "history")))
    if form == "bare":
        return draw(values(spec))
    if form == "observation":
        observed = draw_observed(draw, as_of) if draw(st.booleans()) else None
        return draw_observation(draw, spec, sources, observed)
    dated: list[str | None] = list(dict.fromkeys(draw_observed(draw, as_of) for _ in range(draw(st.integers(1, 4)))))
    if draw(st.booleans()):
        dated.insert(draw(st.integers(0, len(dated))), None)
    return [draw_observation(draw, spec, sources, observed) for observed in dated]


def draw_sources(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    table = {}
    for source_id in draw(st.lists(SOURCE_IDS, max_size=4, unique=True)):
        source: dict[str, Any] = {}
        if draw(st.integers(0, 3)):
            source["reliability"] = draw(st.sampled_from(GRADES))
        if draw(st.booleans()):
            source["title"] = "Iran-Russia ties: never better?"
        if draw(st.booleans()):
            source["published"] = draw(DATES)
        if draw(st.integers(0, 4)) == 0:
            source.update(author="A. Author", publisher="An institute", url="https://example.org/a")
        table[source_id] = source
    return table


CASE_DATES = dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31))
CASE_IDS = st.lists(st.sampled_from(("iran", "russia", "2020", "1e5", "x")), min_size=1, max_size=3).map("-".join)
PARTIES = ("Russia", "Iran", "China", "Côte d'Ivoire", "true")


@st.composite
def cases(draw: st.DrawFn, pack: PackData, facts: bool = True) -> dict[str, Any]:
    """A valid case for `pack`: bare values, graded observations, histories, unstated facts, sources."""
    as_of = dt.date.fromisoformat(draw(CASE_DATES))
    case: dict[str, Any] = {
        "case": draw(CASE_IDS),
        "title": draw(st.sampled_from(("A case", "Iran-Russia alignment: as of September 2020"))),
        "parties": dict(zip(pack.settings["roles"], draw(st.lists(st.sampled_from(PARTIES), min_size=2, max_size=2,
                                                                    unique=True)), strict=True)),
        "as_of": iso(as_of),
    }
    if draw(st.integers(0, 3)) == 0:
        case["description"] = "A description."
    sources = draw_sources(draw)
    if sources or draw(st.booleans()):
        case["sources"] = sources
    stated: dict[str, Any] = {}
    if facts:
        names = sorted(pack.facts)
        for name in draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)):
            stated[name] = draw_statement(draw, pack.facts[name], sorted(sources), as_of)
    if stated or draw(st.booleans()):
        case["facts"] = stated
    return case


@st.composite
def packs_and_cases(draw: st.DrawFn, **pack_options: Any) -> tuple[PackData, dict[str, Any]]:
    pack = draw(packs(**pack_options))
    return pack, draw(cases(pack))


# --- the case's parts, as the contract reads them ------------------------------------------------

def entries(raw: Any) -> list[dict[str, Any]]:
    """The observations a case writes for one fact (section 3): a history, one observation, or a bare value."""
    if isinstance(raw, list) and raw and all(isinstance(item, dict) for item in raw):
        return list(raw)
    if isinstance(raw, dict):
        return [raw]
    return [{"value": raw}]


def condition_facts(condition: dict[str, Any], *, with_known: bool = True) -> list[str]:
    """The facts a condition names, in the order written."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        return [name for part in parts for name in condition_facts(part, with_known=with_known)]
    if "not" in condition:
        return condition_facts(condition["not"], with_known=with_known)
    if "known" in condition and not with_known:
        return []
    return [condition["fact"]]


def rule_facts(rule: dict[str, Any]) -> set[str]:
    names = set(condition_facts(rule["when"]))
    if "degree" in rule:
        names.add(rule["degree"]["fact"])
    return names


# --- files ----------------------------------------------------------------------------------------------

STYLES = ("block", "flow", "json")


# Plain scalars that YAML 1.2's core schema (the engine's reading) resolves to something other than
# a string. PyYAML writes YAML 1.1, which leaves some of them (`1e5`, `008`) unquoted.
_TYPED = re.compile(r"(null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
                    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
                    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))?\Z")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the engine refuses anchors and aliases: write shared parts out in full


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'" if _TYPED.match(text) else None)


_Dumper.add_representer(str, _represent_text)


def dump(data: Any, style: str = "block") -> str:
    """YAML text for `data`: block style, flow style, or JSON (which is YAML too)."""
    if style == "json":
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=(style == "flow"), width=100)


def write_pack(directory: Path, pack: PackData, style: str = "block") -> Path:
    for relative, data in pack.files().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(data, style), encoding="utf-8")
    return directory


def _errors(problems: list[Any]) -> list[str]:
    return [str(p) for p in problems if p.is_error]


# Memory-backed when the system has it: an example writes and deletes ~10 files, which costs
# ~7 ms on a disk-backed /tmp and ~0.4 ms in /dev/shm.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh temporary folder per example (pytest's tmp_path lives as long as the whole test)."""
    with tempfile.TemporaryDirectory(prefix="laws-", dir=_SCRATCH) as name:
        yield Path(name)


def load_generated(pack: PackData, case: dict[str, Any] | None = None, style: str = "block",
                   case_style: str | None = None) -> tuple[Pack, Case | None]:
    """Write the pack (and case) to a fresh folder and load them through check_pack / check_case."""
    with scratch() as root:
        loaded, problems = check_pack(write_pack(root / "rules", pack, style))
        assert loaded is not None and not _errors(problems), \
            "generated pack does not load:\n" + "\n".join(map(str, problems)) + "\n" + dump(pack.files())
        if case is None:
            return loaded, None
        path = root / "case.yaml"
        path.write_text(dump(case, case_style or style), encoding="utf-8")
        model, problems = check_case(path, loaded)
        assert model is not None and not _errors(problems), \
            "generated case does not load:\n" + "\n".join(map(str, problems)) + "\n" + dump(case)
        return loaded, model


# --- shuffles (for the order law) -----------------------------------------------------------------------

def shuffle_mappings(data: Any, rnd: random.Random) -> Any:
    """The same data with the keys of every mapping in another order (lists keep theirs)."""
    if isinstance(data, dict):
        keys = list(data)
        rnd.shuffle(keys)
        return {key: shuffle_mappings(data[key], rnd) for key in keys}
    if isinstance(data, list):
        return [shuffle_mappings(item, rnd) for item in data]
    return data


def shuffled(pack: PackData, case: dict[str, Any], rnd: random.Random) -> tuple[PackData, dict[str, Any]]:
    """Rule files moved to other folders and names (so read in another order), every mapping's keys
    (facts, sources, observations, ...) reordered, and every history's observations reordered."""
    rules = list(pack.rules.values())
    rnd.shuffle(rules)
    moved = {}
    for rule in rules:
        folder = rnd.choice(["", "x/", "m/n/", "b-later/", "0/"])
        moved[rule_path(rule["id"], folder, rnd.choice([".yaml", ".yml"]))] = shuffle_mappings(rule, rnd)
    new_pack = PackData(shuffle_mappings(pack.settings, rnd), shuffle_mappings(pack.facts, rnd), moved)
    new_case = shuffle_mappings(case, rnd)
    for name, raw in new_case.get("facts", {}).items():
        if isinstance(raw, list) and raw and all(isinstance(item, dict) for item in raw):
            rnd.shuffle(raw)
            new_case["facts"][name] = raw
    return new_pack, new_case


# --- from the engine's model back to files (for the round-trip law) ------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def condition_data(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, AllOf):
        return {"all": [condition_data(part) for part in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_data(part) for part in condition.parts]}
    if isinstance(condition, Not):
        return {"not": condition_data(condition.part)}
    assert isinstance(condition, Leaf)
    if condition.operator == "is_true":
        return {"fact": condition.fact}
    return {"fact": condition.fact, condition.operator: _plain(condition.operand)}


def _template_text(rule: Rule) -> str:
    return "".join("{" + part.text + "}" if part.placeholder else part.text.replace("{", "{{").replace("}", "}}")
                   for part in rule.because.parts)


def pack_data(pack: Pack) -> PackData:
    """A loaded pack written back out as files."""
    evidence = pack.evidence
    settings: dict[str, Any] = {
        "pack": pack.name, "version": pack.version, "roles": list(pack.roles),
        "bands": [{"from": b.start, "label": b.label, **({"outlook": b.outlook} if b.outlook is not None else {})}
                  for b in pack.bands],
        "evidence": {"reliability": dict(evidence.reliability),
                     "credibility": {str(k): v for k, v in evidence.credibility.items()},
                     "unsourced": evidence.unsourced, "half_life_days": evidence.half_life_days},
    }
    if pack.categories is not None:
        settings["categories"] = list(pack.categories)
    if pack.description is not None:
        settings["description"] = pack.description
    facts = {}
    for fact in pack.facts.values():
        spec: dict[str, Any] = {"type": fact.type}
        for key in ("min", "max", "unit", "description"):
            if getattr(fact, key) is not None:
                spec[key] = getattr(fact, key)
        if fact.values is not None:
            spec["values"] = list(fact.values)
        facts[fact.name] = spec
    result = PackData(settings, facts)
    for rule in pack.rules:
        data: dict[str, Any] = {"id": rule.id, "title": rule.title, "category": rule.category,
                                "effect": rule.effect, "weight": rule.weight, "when": condition_data(rule.when),
                                "because": _template_text(rule)}
        if rule.degree is not None:
            data["degree"] = {"fact": rule.degree.fact, "from": _plain(rule.degree.start),
                              "to": _plain(rule.degree.end)}
        if rule.half_life_days is not None:
            data["half_life_days"] = rule.half_life_days
        if rule.description is not None:
            data["description"] = rule.description
        if rule.references:
            data["references"] = list(rule.references)
        result.rules[rule_path(rule.id, "r/", ".yaml")] = data
    return result


def case_data(case: Case) -> dict[str, Any]:
    """A loaded case written back out as a file (every fact as a history of observations)."""
    data: dict[str, Any] = {"case": case.id, "title": case.title, "parties": dict(case.parties),
                            "as_of": case.as_of.isoformat()}
    if case.description is not None:
        data["description"] = case.description
    data["sources"] = {}
    for source in case.sources.values():
        entry = {key: _plain(getattr(source, key)) for key in
                 ("title", "author", "publisher", "published", "url", "reliability", "note")
                 if getattr(source, key) is not None}
        data["sources"][source.id] = entry
    data["facts"] = {}
    for name, history in case.facts.items():
        data["facts"][name] = [
            {key: _plain(getattr(o, key)) for key in ("value", "source", "credibility", "observed", "note", "quote")
             if getattr(o, key) is not None} for o in history]
    return data


def same_model(a: Any, b: Any) -> bool:
    """Models equal but for where they were read from."""
    if isinstance(a, Pack) and isinstance(b, Pack):
        return replace(a, path="", rules=tuple(replace(r, path="") for r in a.rules)) == \
            replace(b, path="", rules=tuple(replace(r, path="") for r in b.rules))
    assert isinstance(a, Case) and isinstance(b, Case)

    def bare(case: Case) -> Case:
        return replace(case, path="", facts={name: tuple(replace(o, line=0, column=0) for o in history)
                                             for name, history in case.facts.items()},
                       sources={key: replace(s, line=0, column=0) for key, s in case.sources.items()})
    return bare(a) == bare(b)
