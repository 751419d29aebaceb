"""Load a case file: its shape, then its meaning against a pack, then the model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..core.model import Case, Fact, Observation, Pack, Source, Value
from ..problems import InvalidInput, Problem, did_you_mean
from . import shape
from .load import MAX_PROBLEMS, Document, PathKey, read
from .values import Misfit, fit, parse_date


def load_case(path: Path | str, pack: Pack) -> Case:
    """Load and validate a case file against a pack; raise InvalidInput with every problem found."""
    case, problems = check_case(path, pack)
    if case is None:
        raise InvalidInput(problems)
    return case


def check_case(path: Path | str, pack: Pack | None, shown: str | None = None) -> tuple[Case | None, list[Problem]]:
    """The case (None if any error) and every problem found in the file.

    Without a pack (the pack itself is invalid) only the file's syntax and shape are checked.
    """
    document, problems = read(path, shown)
    if document is None:
        return None, problems
    problems = shape.check(document, "case")
    if pack is None or (problems and (document := shape.remainder(document, "case")) is None):
        return None, problems
    case, more = _CaseChecker(document, pack).build()
    stem = Path(path).stem
    # two files could otherwise carry one id, and the reports mix them up
    if case is not None and not problems and stem != case.id:
        more.append(document.problem(("case",), "case-id", f"case id '{case.id}' differs from the file name "
                                     f"'{stem}'; name the file {case.id}.yaml", severity="warning"))
    return (None if problems else case), problems + more


class _CaseChecker:
    def __init__(self, document: Document, pack: Pack) -> None:
        self.doc = document
        self.pack = pack
        self.problems: list[Problem] = []

    def error(self, where: PathKey, code: str, message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(where, code, message, key=key))

    def date(self, where: PathKey, raw: Any) -> dt.date | None:
        try:
            return parse_date(raw)
        except Misfit as misfit:
            self.error(where, misfit.code, misfit.message)
            return None

    def build(self) -> tuple[Case | None, list[Problem]]:
        data = self.doc.data
        self.check_parties(data["parties"])
        as_of = self.date(("as_of",), data["as_of"])
        sources = {}
        for source_id, raw in data.get("sources", {}).items():
            published = raw.get("published")
            line, column = self.doc.at(("sources", source_id), key=True)
            sources[source_id] = Source(source_id, raw.get("title"), raw.get("author"), raw.get("publisher"),
                                        self.date(("sources", source_id, "published"), published)
                                        if published is not None else None,
                                        raw.get("url"), raw.get("reliability"), raw.get("note"), line, column)
        facts = {}
        for name, raw in data.get("facts", {}).items():
            if len(self.problems) >= MAX_PROBLEMS:  # a flood: what is reported already says what is wrong
                self.error(("facts", name), "too-many-problems",
                           f"{MAX_PROBLEMS:,} problems found; the rest of the facts are not checked", key=True)
                break
            if name not in self.pack.facts:
                self.error(("facts", name), "unknown-fact",
                           f"fact '{name}' is not declared in the pack's facts.yaml"
                           f"{did_you_mean(name, self.pack.facts)}", key=True)
                continue
            facts[name] = self.observations(name, raw, sources)
        if self.problems or as_of is None:
            return None, self.problems
        return Case(id=data["case"], title=data["title"], parties=dict(data["parties"]), as_of=as_of,
                    facts=facts, sources=sources, description=data.get("description"),
                    path=self.doc.path), self.problems

    def check_parties(self, parties: dict[str, str]) -> None:
        roles = self.pack.roles
        for role in parties:
            if role not in roles:
                self.error(("parties", role), "role", f"'{role}' is not a role of the pack ({', '.join(roles)})"
                           f"{did_you_mean(role, roles)}", key=True)
        seen: dict[str, str] = {}
        for role, party in parties.items():
            if isinstance(party, str) and party in seen:
                self.error(("parties", role), "role", f"'{party}' fills both roles ({seen[party]} and {role}); "
                                                      "an alignment has two different members")
            seen.setdefault(party, role)
        missing = [role for role in roles if role not in parties]
        if missing:
            self.error(("parties",), "role", f"no party named for role {', '.join(repr(r) for r in missing)}; "
                                             f"the pack's roles are {', '.join(roles)}")

    def observations(self, name: str, raw: Any, sources: dict[str, Source]) -> tuple[Observation, ...]:
        fact = self.pack.facts[name]
        where: PathKey = ("facts", name)
        if isinstance(raw, dict) or not (isinstance(raw, list) and raw and all(isinstance(i, dict) for i in raw)):
            # one observation, the usual (no history to check for repeated dates), or a bare value: the fact's
            # value is the observation, and lies where it does
            bare = not isinstance(raw, dict)
            observation = self.observation(fact, where, {"value": raw} if bare else raw, sources, bare=bare)
            return () if observation is None else (observation,)
        observations = []
        seen: dict[dt.date | None, PathKey] = {}
        for i, entry in enumerate(raw):
            at = (*where, i)
            observation = self.observation(fact, at, entry, sources)
            if observation is None:
                continue
            observed = observation.observed
            if observed in seen:
                first = self.doc.at(seen[observed])[0]
                what = f"on {observed.isoformat()}" if observed else "without an 'observed' date"
                self.error((*at, "observed") if observed else at, "date",
                           f"two observations of '{name}' {what} (the other at line {first}); "
                           "the one in use would depend on their order")
            seen[observed] = at
            observations.append(observation)
        return tuple(observations)

    def observation(self, fact: Fact, at: PathKey, entry: dict[str, Any], sources: dict[str, Source], *,
                    bare: bool = False) -> Observation | None:
        """The observation `entry` at `at`, or None where its value or date is wrong (each problem reported)."""
        value: Value | None = None
        try:
            value = fit(fact, entry["value"])
        except Misfit as misfit:  # reported; the observation's source and date are still checked
            self.error(_item_at(at if bare else (*at, "value"), entry["value"], misfit), misfit.code, misfit.message)
        source = entry.get("source")
        if source is not None and source not in sources:
            self.error((*at, "source"), "unknown-source",
                       f"source '{source}' is not listed under 'sources'{did_you_mean(source, sources)}")
        observed = None
        if "observed" in entry:
            observed = self.date((*at, "observed"), entry["observed"])
            if observed is None:
                return None
        if value is None:
            return None
        line, column = self.doc.at(at)
        return Observation(value, source, entry.get("credibility"), observed, entry.get("note"), entry.get("quote"),
                           line, column)


def _item_at(where: PathKey, raw: Any, misfit: Misfit) -> PathKey:
    """Where a misfit lies: the offending item of a list value, else the value itself."""
    if isinstance(raw, list) and misfit.item is not None:
        return (*where, misfit.item)
    return where
