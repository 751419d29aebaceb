"""Hypothesis strategies for tables of cases (docs/batch.md), as plain data, and their writers.

A generated table is a `TableData`: its columns in order, its rows (column -> plain value, None for an
empty cell; dates as ISO strings, lists as lists) and the source table. `row_case` turns a row into the
case file the scalar engine reads, so one table can be scored both ways.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from strategies import (
    CASE_DATES,
    CASE_IDS,
    CREDIBILITIES,
    PARTIES,
    PackData,
    draw_sources,
    iso,
    values,
)


@dataclass
class TableData:
    columns: list[str]
    rows: list[dict[str, Any]]
    sources: dict[str, dict[str, Any]]


@st.composite
def tables(draw: st.DrawFn, pack: PackData, min_rows: int = 1, max_rows: int = 6) -> TableData:
    """A valid table for `pack`: some facts with a column, some with source, credibility and observed
    columns; cells empty or not; observations dated on or before the row's as_of."""
    roles = pack.settings["roles"]
    names = sorted(pack.facts)
    with_column = draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)) if names else []
    sources = draw_sources(draw)
    columns = ["case", *roles, "as_of"]
    if draw(st.booleans()):
        columns.append("title")
    companions: dict[str, list[str]] = {}
    for name in sorted(with_column):
        parts = [part for part in ("source", "credibility", "observed") if draw(st.booleans())]
        if "source" in parts and not sources:
            parts.remove("source")
        companions[name] = parts
        columns.extend([name, *(f"{name}.{part}" for part in parts)])
    rows = []
    for _ in range(draw(st.integers(min_rows, max_rows))):
        as_of = dt.date.fromisoformat(draw(CASE_DATES))
        row: dict[str, Any] = {"case": draw(CASE_IDS), "as_of": iso(as_of)}
        row.update(zip(roles, draw(st.lists(st.sampled_from(PARTIES), min_size=2, max_size=2, unique=True)),
                       strict=True))
        if "title" in columns:
            row["title"] = draw(st.one_of(st.none(), st.just("A dyad-year")))
        for name, parts in companions.items():
            stated = draw(st.integers(0, 3)) > 0
            row[name] = draw(values(pack.facts[name])) if stated else None
            for part in parts:
                row[f"{name}.{part}"] = None
            if not stated:
                continue
            if "source" in parts and draw(st.booleans()):
                row[f"{name}.source"] = draw(st.sampled_from(sorted(sources)))
            if "credibility" in parts and draw(st.booleans()):
                row[f"{name}.credibility"] = draw(st.sampled_from(CREDIBILITIES))
            if "observed" in parts and draw(st.booleans()):
                offset = draw(st.one_of(st.integers(0, 9000), st.just(0)))
                row[f"{name}.observed"] = iso(as_of - dt.timedelta(days=offset))
        rows.append(row)
    return TableData(columns, rows, sources)


@st.composite
def packs_and_tables(draw: st.DrawFn, **pack_options: Any) -> tuple[PackData, TableData]:
    from strategies import packs

    pack = draw(packs(**pack_options))
    return pack, draw(tables(pack))


# --- one row as a case file --------------------------------------------------------------------------

def row_case(row: dict[str, Any], pack: PackData, sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The case file stating what the row states (one observation per fact)."""
    facts: dict[str, Any] = {}
    for name in pack.facts:
        if row.get(name) is None:
            continue
        entry: dict[str, Any] = {"value": row[name]}
        for part in ("source", "credibility", "observed"):
            if row.get(f"{name}.{part}") is not None:
                entry[part] = row[f"{name}.{part}"]
        facts[name] = entry
    return {"case": row["case"], "title": "A dyad-year", "as_of": row["as_of"],
            "parties": {role: row[role] for role in pack.settings["roles"]}, "sources": sources, "facts": facts}


# --- writers ------------------------------------------------------------------------------------------

def cell_text(value: Any) -> str:
    """A cell as CSV text: true/false, numbers as Python writes them, lists as JSON arrays, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value) if not isinstance(value, float) else repr(value)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell_text(row.get(column)) for column in columns])
    return path


def write_jsonl(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({c: row.get(c) for c in columns if row.get(c) is not None}) + "\n")
    return path


def write_parquet(path: Path, columns: list[str], rows: list[dict[str, Any]], pack: PackData) -> Path:
    """Typed columns: dates of date facts as date32, lists as list<string>, numbers as they are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for column in columns:
        cells = [row.get(column) for row in rows]
        spec = pack.facts.get(column)
        if spec is not None and spec["type"] == "date":
            cells = [None if c is None else dt.date.fromisoformat(c) for c in cells]
            arrays[column] = pa.array(cells, type=pa.date32())
        elif spec is not None and spec["type"] == "list":
            arrays[column] = pa.array(cells, type=pa.list_(pa.string()))
        elif spec is not None and spec["type"] == "number" and any(isinstance(c, float) for c in cells):
            arrays[column] = pa.array([None if c is None else float(c) for c in cells], type=pa.float64())
        else:
            arrays[column] = pa.array(cells)
    pq.write_table(pa.table(arrays), path)
    return path


def write_sources_csv(path: Path, sources: dict[str, dict[str, Any]]) -> Path:
    columns = ["source", "reliability", "title", "author", "publisher", "published", "url"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for source_id, entry in sources.items():
            writer.writerow([source_id, *(entry.get(column, "") for column in columns[1:])])
    return path
