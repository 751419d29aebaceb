"""Load a rule pack folder: read every file, check its shape and meaning, build the model."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from ..core import collector, template
from ..core.model import (
    DEFAULT_CREDIBILITY,
    DEFAULT_RELIABILITY,
    AllOf,
    AnyOf,
    Band,
    Calibration,
    Condition,
    Degree,
    EvidenceSettings,
    Example,
    Fact,
    Leaf,
    Not,
    Pack,
    Rule,
    Value,
)
from ..core.operators import BARE, COMBINATORS, KEYED, Misfits
from ..problems import InvalidInput, Problem, did_you_mean, listing
from . import shape
from .load import Document, PathKey, read
from .values import ORDERED_TYPES, Misfit, fit, ordered, show
from .walk import Found, yaml_entries

PACK_FILE = "pack.yaml"
FACTS_FILE = "facts.yaml"


def load_pack(directory: Path | str) -> Pack:
    """Load and validate a pack folder; raise InvalidInput with every problem found."""
    pack, problems = check_pack(directory)
    if pack is None:
        raise InvalidInput(problems)
    return pack


def rule_files(directory: Path, shown: str | None = None) -> tuple[list[Path], list[Problem]]:
    """Every rule file under the pack folder in path order, and a problem for each entry that cannot be
    read (see `walk.yaml_files`: nothing is skipped silently)."""
    found, problems = _rule_entries(directory, shown if shown is not None else directory.as_posix())
    return [Path(each.path) for each in found], problems


def _rule_entries(directory: Path, shown: str) -> tuple[list[Found], list[Problem]]:
    return yaml_entries(directory, shown, exclude=(PACK_FILE, FACTS_FILE))


def pack_of(path: Path) -> Path | None:
    """The pack folder a rule file (or a pack's own pack.yaml or facts.yaml) lies in, if any."""
    if path.is_dir() or path.suffix not in (".yaml", ".yml"):
        return None
    return next((folder for folder in path.parents if (folder / PACK_FILE).is_file()), None)


def check_pack(directory: Path | str) -> tuple[Pack | None, list[Problem]]:
    """The pack (None if any error) and every problem found in its files."""
    with collector.paused():  # a pack's model is many small containers and no cycles: see `collector`
        return _check_pack(Path(directory))


def _check_pack(root: Path) -> tuple[Pack | None, list[Problem]]:
    shown = _display(root)
    if not (root / PACK_FILE).is_file():
        return None, [Problem(shown, None, None, "file", f"no {PACK_FILE} in this folder; is it a rule pack?")]
    problems: list[Problem] = []
    settings = _read_checked(root / PACK_FILE, f"{shown}/{PACK_FILE}", "pack", problems)
    facts_doc = _read_checked(root / FACTS_FILE, f"{shown}/{FACTS_FILE}", "facts", problems)
    head = _PackHead.build(settings, problems) if settings else None
    facts = _build_facts(facts_doc, problems) if facts_doc else None
    rules: list[Rule] = []
    first_seen: dict[str, str] = {}
    found, unreadable = _rule_entries(root, shown)
    problems.extend(unreadable)
    for relative, path in found:
        name = f"{shown}/{relative}"
        document = _read_checked(path, name, "rule", problems)
        if document is None:
            continue
        # the file name without its suffix (`Path.stem`): the walk reads only names ending in .yaml or
        # .yml that do not start with '.', so the suffix is what follows the last '.'
        stem = relative.rpartition("/")[2].rpartition(".")[0]
        rule = _RuleChecker(document, stem, head, facts, problems).build()
        if rule is None:
            continue
        if rule.id in first_seen:
            problems.append(document.problem(("id",), "duplicate-rule",
                                             f"rule id '{rule.id}' is already used by {first_seen[rule.id]}"))
            continue
        first_seen[rule.id] = name
        rules.append(rule)
    if not rules and not any(p.is_error for p in problems):
        problems.append(Problem(shown, None, None, "file", "the pack has no rule files"))
    if any(p.is_error for p in problems) or head is None or facts is None:
        return None, problems
    return Pack(name=head.name, version=head.version, roles=head.roles, bands=head.bands, facts=facts,
                rules=tuple(sorted(rules, key=lambda r: r.id)), evidence=head.evidence,
                categories=head.categories, description=head.description, calibration=head.calibration,
                path=shown), problems


def _display(path: Path) -> str:
    """The folder as the user named it, so problem paths match what they typed."""
    return path.as_posix()


def _read_checked(path: Path | str, name: str, schema: str, problems: list[Problem]) -> Document | None:
    """The document to check the meaning of: the file, or what of it is left once its shape problems
    are set aside (the pack fails on those problems either way)."""
    document, found = read(path, name)
    problems.extend(found)
    if document is None:
        return None
    found = shape.check(document, schema)
    problems.extend(found)
    return shape.remainder(document, schema) if found else document


class _PackHead:
    """pack.yaml, checked: everything of the pack but its facts and rules."""

    def __init__(self, data: dict[str, Any], bands: tuple[Band, ...], evidence: EvidenceSettings) -> None:
        self.name: str = data["pack"]
        self.version: str = data["version"]
        self.description: str | None = data.get("description")
        self.roles: tuple[str, str] = (data["roles"][0], data["roles"][1])
        categories = data.get("categories")
        self.categories: tuple[str, ...] | None = tuple(categories) if categories is not None else None
        self.bands = bands
        self.evidence = evidence
        raw = data.get("calibration")
        self.calibration = Calibration(raw["horizon_years"], raw["intercept"], raw["slope"]) if raw else None

    @classmethod
    def build(cls, document: Document, problems: list[Problem]) -> _PackHead | None:
        data = document.data
        errors: list[Problem] = []
        bands: list[Band] = []
        for index, band in enumerate(data["bands"]):
            start = band["from"]
            if index == 0 and start != 0:
                errors.append(document.problem(("bands", 0, "from"), "band", "the first band must start from 0"))
            elif index and start <= bands[-1].start:
                errors.append(document.problem(("bands", index, "from"), "band", f"bands must ascend: "
                                               f"{show(start)} is not above {show(bands[-1].start)}"))
            line, column = document.at(("bands", index))
            bands.append(Band(start, band["label"], band.get("outlook"), line, column))
        evidence_data = data.get("evidence", {})
        for key in ("unsourced", "half_life_days", "ungraded"):
            value = evidence_data.get(key)
            if isinstance(value, float) and not math.isfinite(value):
                errors.append(document.problem(("evidence", key), "out-of-range", f"{key} must be finite"))
        for key, value in data.get("calibration", {}).items():
            if isinstance(value, float) and not math.isfinite(value):
                errors.append(document.problem(("calibration", key), "out-of-range", f"{key} must be finite"))
        reliability = {**DEFAULT_RELIABILITY, **evidence_data.get("reliability", {})}
        credibility = {**DEFAULT_CREDIBILITY,
                       **{int(k): v for k, v in evidence_data.get("credibility", {}).items()}}
        problems.extend(errors)
        if errors:
            return None
        evidence = EvidenceSettings(reliability, credibility, evidence_data.get("unsourced", 1.0),
                                    evidence_data.get("half_life_days"), evidence_data.get("ungraded", 1.0))
        return cls(data, tuple(bands), evidence)


def _build_facts(document: Document, problems: list[Problem]) -> dict[str, Fact] | None:
    facts: dict[str, Fact] = {}
    errors: list[Problem] = []
    for name, spec in document.data["facts"].items():
        kind = spec["type"]
        for key in ("min", "max"):
            if key in spec and kind not in ("integer", "number"):
                errors.append(document.problem(("facts", name, key), "value",
                                               f"'{key}' applies to integer and number facts, not {kind}", key=True))
            elif key in spec and not math.isfinite(spec[key]):
                errors.append(document.problem(("facts", name, key), "out-of-range", f"'{key}' must be finite"))
        if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
            errors.append(document.problem(("facts", name, "max"), "value",
                                           f"max {show(spec['max'])} is below min {show(spec['min'])}"))
        if "values" in spec and kind not in ("string", "list"):
            errors.append(document.problem(("facts", name, "values"), "value",
                                           f"'values' applies to string and list facts, not {kind}", key=True))
        values = spec.get("values")
        facts[name] = Fact(name, kind, spec.get("min"), spec.get("max"),
                           tuple(values) if values is not None else None, spec.get("unit"), spec.get("description"))
    problems.extend(errors)
    return None if errors else facts


class _RuleChecker:
    """The meaning of one rule file, once its shape is right."""

    def __init__(self, document: Document, stem: str, head: _PackHead | None,
                 facts: dict[str, Fact] | None, problems: list[Problem]) -> None:
        self.doc = document
        self.stem = stem
        self.head = head
        self.facts = facts
        self.problems = problems
        self.errors = 0

    def error(self, where: PathKey, code: str, message: str, *, key: bool = False) -> None:
        self.errors += 1
        self.problems.append(self.doc.problem(where, code, message, key=key))

    def build(self) -> Rule | None:
        data = self.doc.data
        if data["id"] != self.stem:
            self.error(("id",), "value", f"rule id '{data['id']}' must equal the file name '{self.stem}'")
        weight = data["weight"]
        if not math.isfinite(weight):
            self.error(("weight",), "weight",
                       f"weight must be a finite number above 0 and at most 100, got {show(weight)}")
        weight_range = self.weight_range(data.get("weight_range"), weight)
        half_life = data.get("half_life_days")
        if half_life is not None and not math.isfinite(half_life):
            self.error(("half_life_days",), "out-of-range", "half_life_days must be finite")
        if self.head is not None and self.head.categories is not None and data["category"] not in self.head.categories:
            self.error(("category",), "category", f"category '{data['category']}' is not one of the pack's: "
                       f"{listing(self.head.categories)}{did_you_mean(data['category'], self.head.categories)}")
        # without `because` the title is the template: its placeholders' problems are located at the title
        reason: PathKey = ("because",) if "because" in data else ("title",)
        because, messages = template.parse(data.get("because", data["title"]))
        for message in messages:
            self.error(reason, "placeholder", message)
        if self.facts is None or self.head is None:
            return None  # the meaning of conditions and placeholders needs a valid pack.yaml and facts.yaml
        for name in because.names:
            if name not in self.facts and name not in self.head.roles:
                choices = [*self.facts, *self.head.roles]
                self.error(reason, "placeholder",
                           f"placeholder '{{{name}}}' is neither a fact nor a role{did_you_mean(name, choices)}")
        when = self.condition(data["when"], ("when",))
        degree = self.degree(data["degree"]) if "degree" in data else None
        examples = tuple(self.example(index, raw) for index, raw in enumerate(data.get("examples", [])))
        if self.errors or when is None:
            return None
        return Rule(id=data["id"], title=data["title"], category=data["category"], effect=data["effect"],
                    weight=weight, when=when, because=because, description=data.get("description"),
                    degree=degree, half_life_days=half_life, weight_range=weight_range,
                    references=tuple(data.get("references", [])),
                    examples=tuple(e for e in examples if e is not None), path=self.doc.path)

    def weight_range(self, raw: list[float] | None, weight: float) -> tuple[float, float] | None:
        if raw is None:
            return None
        low, high = raw
        for index, bound in enumerate(raw):
            if not math.isfinite(bound):
                self.error(("weight_range", index), "weight", f"weight_range bounds must be finite, got {show(bound)}")
                return None
        if not low <= weight <= high:
            self.error(("weight_range",), "weight", f"weight_range [{show(low)}, {show(high)}] must hold the weight "
                                                    f"{show(weight)} (0 < LO <= weight <= HI <= 100)")
            return None
        return (low, high)

    def fact(self, name: str, where: PathKey, *, key: bool = False) -> Fact | None:
        assert self.facts is not None
        if name not in self.facts:
            self.error(where, "unknown-fact",
                       f"fact '{name}' is not declared in facts.yaml{did_you_mean(name, self.facts)}", key=key)
            return None
        return self.facts[name]

    def condition(self, raw: dict[str, Any], where: PathKey) -> Condition | None:
        for name in COMBINATORS:
            if name in raw:
                return self.combination(name, raw, where)
        operators = []
        for key in raw:  # one pass: this runs for every leaf of every rule
            if key in KEYED:
                operators.append(key)
            elif key != "fact":  # the schema let it through, so schema and registry disagree: a bug, not a user's
                raise RuntimeError(f"operator '{key}' is in the rule schema but not in the operator registry")
        if "fact" not in raw:
            self.error((*where, operators[0]), "required", f"'{operators[0]}' needs a 'fact' to test", key=True)
            return None
        if len(operators) > 1:
            self.error((*where, operators[1]), "operator",
                       f"a condition takes one operator; it has {' and '.join(operators)} "
                       "(combine conditions with all/any)", key=True)
            return None
        fact = self.fact(raw["fact"], (*where, "fact"))
        if fact is None:
            return None
        entry, at = (KEYED[operators[0]], (*where, operators[0])) if operators else (BARE, (*where, "fact"))
        if fact.type not in entry.types:
            self.error(at, "type-mismatch", entry.unfit(fact))
            return None
        try:
            return Leaf(fact.name, entry.name, entry.check(fact, raw.get(entry.name)))
        except Misfit as misfit:
            self.error(at if misfit.item is None else (*at, misfit.item), misfit.code, misfit.message)
        except Misfits as group:
            for item in group.misfits:
                self.error((*at, item.item) if item.item is not None else at, item.code, item.message)
        return None

    def combination(self, name: str, raw: dict[str, Any], where: PathKey) -> Condition | None:
        if len(raw) > 1:
            other = next(key for key in raw if key != name)
            self.error((*where, other), "operator", f"'{name}' stands alone in its condition; "
                       f"move '{other}' into a condition of its own", key=True)
            return None
        if name == "not":
            part = self.condition(raw["not"], (*where, "not"))
            return Not(part) if part is not None else None
        parts: list[Condition] = []
        whole = True
        for index, item in enumerate(raw[name]):  # every part is checked, whatever an earlier one held
            part = self.condition(item, (*where, name, index))
            if part is None:
                whole = False
            else:
                parts.append(part)
        return (AllOf if name == "all" else AnyOf)(tuple(parts)) if whole else None

    def degree(self, raw: dict[str, Any]) -> Degree | None:
        fact = self.fact(raw["fact"], ("degree", "fact"))
        if fact is None:
            return None
        if fact.type not in ORDERED_TYPES:
            self.error(("degree", "fact"), "degree", f"a degree needs an integer, number or date fact; "
                                                     f"'{fact.name}' is {fact.type}")
            return None
        bounds: list[float | dt.date] = []
        for side in ("from", "to"):
            try:
                bounds.append(ordered(fact, raw[side], f"degree '{side}'"))
            except Misfit as misfit:
                self.error(("degree", side), misfit.code, misfit.message)
        if len(bounds) < 2:
            return None
        start, end = bounds
        if start == end:
            self.error(("degree", "to"), "degree", f"degree 'from' and 'to' are both {show(raw['to'])}; "
                                                   "they must differ")
            return None
        return Degree(fact.name, start, end)

    def example(self, index: int, raw: dict[str, Any]) -> Example | None:
        values: dict[str, Value] = {}
        for name, value in raw["facts"].items():
            where = ("examples", index, "facts", name)
            fact = self.fact(name, where, key=True)
            if fact is None:
                continue
            try:
                values[name] = fit(fact, value)
            except Misfit as misfit:
                self.error(where if misfit.item is None else (*where, misfit.item), misfit.code, misfit.message)
        line, column = self.doc.at(("examples", index))
        return Example(values, raw["fires"], raw.get("degree"), raw.get("evaluated"), line, column)


__all__ = ["check_pack", "load_pack", "rule_files"]
