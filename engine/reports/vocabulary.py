"""A pack's vocabulary for the analyst: its facts and rules (as text and JSON), and a new case file to fill in.

The case scaffold states nothing: every fact is there as a comment (its type, allowed values, unit,
description, the rules that read it, and an observation ready to uncomment), so the file validates as it
is and each fact an analyst uncomments validates too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from ..core.compile import compile_pack
from ..core.model import Fact, Pack, Value
from ..core.present import render
from .outline import Column, Outline, Para, Row, Section, Table, clean
from .text import render as render_text

CASE_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
EXAMPLE_SOURCE = "source-1"
COMMENT_WIDTH = 100
# Characters a case file may not hold raw (engine.files.load): written as YAML escapes instead.
_UNWRITABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def readers(pack: Pack) -> dict[str, tuple[str, ...]]:
    """For each fact, the ids of the rules that read it (in their conditions or degrees), in pack order."""
    found: dict[str, list[str]] = {name: [] for name in pack.facts}
    for item in compile_pack(pack).rules:
        for name in item.facts:
            found[name].append(item.rule.id)
    return {name: tuple(ids) for name, ids in found.items()}


def facts_json(pack: Pack) -> list[dict[str, Any]]:
    """Every fact of the pack, in facts.yaml order, with the rules that read it."""
    read = readers(pack)
    return [{"name": f.name, "type": f.type, "values": list(f.values) if f.values is not None else None,
             "min": f.min, "max": f.max, "unit": f.unit, "description": f.description, "rules": list(read[f.name])}
            for f in pack.facts.values()]


def rules_json(pack: Pack) -> list[dict[str, Any]]:
    """Every rule of the pack, in pack order, with the facts it reads. `half_life_days` is the rule's own;
    `half_life_applied` the one its evidence decays with (the rule's, else the pack's, else null)."""
    return [{"id": r.id, "title": r.title, "description": r.description, "category": r.category,
             "effect": r.effect, "weight": r.weight, "weight_range": list(r.weight_range) if r.weight_range else None,
             "half_life_days": r.half_life_days, "half_life_applied": item.half_life, "path": r.path,
             "facts": list(item.facts)}
            for item in compile_pack(pack).rules for r in (item.rule,)]


def kind(fact: Fact) -> str:
    """A fact's type and what it allows, in words: 'integer, 0 to 50 vetoes', 'one of: cool, warm'."""
    unit = f" {fact.unit}" if fact.unit else ""
    if fact.type in ("integer", "number"):
        low, high = fact.min, fact.max
        span = (f", {render(low)} to {render(high)}" if low is not None and high is not None else
                f", at least {render(low)}" if low is not None else f", at most {render(high)}" if high is not None
                else "")
        return f"{fact.type}{span}{unit}"
    if fact.type == "string":
        return f"string, one of: {', '.join(fact.values)}" if fact.values else f"string (free text){unit}"
    if fact.type == "list":
        return f"list of: {', '.join(fact.values)}" if fact.values else "list of text items"
    if fact.type == "boolean":
        return "boolean: true or false"
    return "date: an ISO date such as 2020-09-12"


def facts_text(pack: Pack, *, width: int = 100, color: bool = False) -> str:
    """The vocabulary as a person reads it: each fact with its type, allowed values, description and readers."""
    read = readers(pack)
    rows = []
    for fact in pack.facts.values():
        lines = [kind(fact)]
        if fact.description:
            lines.append(fact.description)
        lines.append(f"read by: {', '.join(read[fact.name])}" if read[fact.name] else "read by no rule")
        rows.append(Row((fact.name, "\n".join(lines))))
    table = Table((Column("fact"), Column("type, values, description, rules", wrap=True)), tuple(rows))
    lead = Para(f"{len(pack.facts)} facts; a case states any of them under `facts:`, and a rule that reads a fact "
                "the case leaves out is not evaluated.")
    outline = Outline(f"The facts of the pack {pack.name} {pack.version}", (lead,), (Section("Facts", (table,)),))
    return render_text(outline, width=width, color=color)


def new_case_yaml(pack: Pack, case_id: str, parties: Mapping[str, str] | None = None,
                  as_of: dt.date | None = None) -> str:
    """A case file for `pack` that validates as it is: every fact commented out with its description, allowed
    values and an observation to uncomment; a commented `sources:` entry. `parties` maps roles to names (a
    role left out is named after itself); `as_of` defaults to today."""
    if not CASE_ID.match(case_id):
        raise ValueError(f"case id '{case_id}' is not lower-case words joined by '-' (such as iran-russia-2020)")
    named = dict(parties or {})
    unknown = [role for role in named if role not in pack.roles]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a role of the pack ({', '.join(pack.roles)})")
    date = (as_of or dt.date.today()).isoformat()
    names = {role: named.get(role, role.capitalize()) for role in pack.roles}
    read = readers(pack)
    lines = [f"# A case for the pack {clean(pack.name)} {clean(pack.version)}. It states nothing yet, so it validates",
             "# as it is. For each fact you know, uncomment its line (delete the '# ' before its name), set the",
             "# value and name its source; a fact left out is unknown, and the rules that read it are not",
             "# evaluated. Lines starting '##' describe the fact below them.",
             "# Check it with: durability validate <this file>",
             f"case: {case_id}",
             f"title: {_quoted(' and '.join(names.values()) + ' as of ' + date)}",
             "parties:"]
    lines += [f"  {role}: {_quoted(name)}" + ("" if role in named else "  # the party in this role")
              for role, name in names.items()]
    lines += [f"as_of: {date}",
              "",
              "# One entry per document the facts come from. Admiralty grades: reliability A (reliable) to",
              "# F (cannot be judged) for the source; credibility 1 (confirmed) to 6 (cannot be judged) for",
              "# each observation. Delete the {} when you uncomment the first source.",
              "sources: {}",
              f"  # {EXAMPLE_SOURCE}:",
              "  #   title: \"The document's title\"",
              "  #   author: \"Its author\"",
              "  #   publisher: \"Its publisher\"",
              f"  #   published: {date}",
              "  #   url: https://example.org/the-document",
              "  #   reliability: B",
              "",
              "# Delete the {} when you uncomment the first fact. `observed` is the date the value was true.",
              "facts: {}"]
    for fact in pack.facts.values():
        lines.append("")
        about = f"{fact.name} ({kind(fact)}). " + (clean(fact.description) + " " if fact.description else "")
        about += f"Read by: {', '.join(read[fact.name])}." if read[fact.name] else "Read by no rule."
        lines += ["  ## " + line for line in _comment(about)]  # '##': still a comment once '# ' is deleted
        lines.append(f"  # {fact.name}: {{value: {_example(fact, date)}, source: {EXAMPLE_SOURCE}, credibility: 2, "
                     f"observed: {date}}}")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    return textwrap.wrap(" ".join(clean(text).split()), COMMENT_WIDTH - 4, break_long_words=False,
                         break_on_hyphens=False)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), with nothing a case file may not hold raw."""
    return _UNWRITABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _example(fact: Fact, date: str) -> str:
    """A value the fact allows, written as YAML flow: what an uncommented line starts from."""
    value: Value
    if fact.type in ("integer", "number"):
        start = fact.min if fact.min is not None else min(0.0, fact.max) if fact.max is not None else 0.0
        value = math.ceil(start) if fact.type == "integer" else start  # an integer's least whole number
        return render(value)
    if fact.type == "boolean":
        return "true"
    if fact.type == "date":
        return date
    if fact.type == "string":
        return _quoted(fact.values[0] if fact.values else "describe it")
    return "[" + (_quoted(fact.values[0]) if fact.values else _quoted("an item")) + "]"
