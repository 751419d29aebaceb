# (pyarrow, pandas, dask, distributed and tqdm ship no type information)
"""Read tables of cases (CSV, JSONL, Parquet) in batches of columns, checking every cell like a case value.

A table holds one case per row: `case`, one column per role, `as_of`, an optional `title`, one column per
fact (an empty cell: not stated) and optional `FACT.source`, `FACT.credibility`, `FACT.observed` columns.
docs/batch.md describes the layout; this module is its checker.

Reading is split in two so that processes can share the work: `raw_chunks` cuts a file into chunks of
raw cells (cheap, in one process), and `convert` checks a chunk's cells and turns them into a `Batch` of
numpy columns (the costly part, in any process). `read_table` chains the two. A cell is converted once
per distinct raw value in its column and chunk (most columns hold few distinct values).

Positions: the line of a problem is the row number (CSV: the header is row 1, so the first case is row 2;
JSONL: the line number; Parquet: the row index + 1) and its column the 1-based column index (JSONL: the
position of the key in the line's object, 1 for a missing key). Parquet schema problems have no row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.model import Case, Fact, Observation, Pack, Source, Value
from ..problems import Problem, did_you_mean
from .values import Misfit, fit, parse_date, show

BATCH_ROWS = 5_000
MAX_PROBLEMS = 100  # per file; the rest are counted in one last problem
EXACT_INTEGER = 2 ** 53  # whole numbers beyond this cannot all be held exactly as doubles
SUFFIXES = (".csv", ".jsonl", ".parquet")
COMPANIONS = ("source", "credibility", "observed")
SOURCE_COLUMNS = ("source", "reliability", "title", "author", "publisher", "published", "url")
GRADES = ("A", "B", "C", "D", "E", "F")
GRADE_CODES = {grade: index + 2 for index, grade in enumerate(GRADES)}  # 0: unsourced, 1: sourced, ungraded
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_WHOLE = re.compile(r"[-+]?[0-9]+\Z")

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class Column:
    """What a table column holds: `kind` is case, title, as_of, role, fact or a companion (source,
    credibility, observed); `name` is the role's or the fact's."""

    kind: str
    name: str


@dataclass(frozen=True)
class RawChunk:
    """Raw cells of consecutive rows of one file, column by column (`cells[j][i]`: column j, row i).

    `rows` are the rows' numbers; `columns[j]` says what column j holds (None: a column already reported
    as unknown). JSONL rows may differ in their keys: then `keys[i]` lists row i's keys in order, for
    positions, and a missing key's cell is None.
    """

    path: str
    text: bool                          # True for CSV: every cell is text and an empty cell is not stated
    columns: tuple[Column | None, ...]
    rows: tuple[int, ...]
    cells: tuple[list[Any], ...]
    keys: tuple[tuple[str, ...], ...] | None = None
    problems: tuple[Problem, ...] = ()  # found while cutting the chunk (rows of the wrong length, bad JSON)
    csv_text: str | None = None         # CSV records not parsed yet (see parse_csv), from line `first_line`
    first_line: int = 0


@dataclass(frozen=True)
class FactColumn:
    """One fact over a batch's rows. `values` holds a filler where the fact is not stated:
    float64 for integer and number facts (exact: whole numbers are within 2^53), float64 day ordinals for
    dates, bool for booleans, objects (str) for strings and objects (tuples of str) for lists."""

    stated: Array        # bool
    values: Array
    grade: Array         # int8: 0 names no source, 1 an ungraded source, 2..7 a source graded A..F
    credibility: Array   # int8: 0 none, else 1..6
    observed: Array      # int64 day ordinal, 0 when undated
    codes: Array         # intp: each row's value as an index into `distinct` (values == distinct[codes])
    distinct: Array      # the distinct values of the chunk's column (and the filler): a test of strings or
                         # lists is asked once per distinct value, not once per row


@dataclass(frozen=True)
class Batch:
    """The good rows of a chunk as columns, and the problems of the chunk."""

    path: str
    rows: Array                        # int64 row numbers (as problems give them)
    case: list[str]
    parties: dict[str, list[str]]      # role -> party, per row
    as_of: Array                       # int64 day ordinals
    facts: dict[str, FactColumn]       # the facts the table has a column for
    problems: tuple[Problem, ...] = ()
    bad_rows: int = 0                  # rows left out for their errors

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class ProblemCap:
    """At most MAX_PROBLEMS problems of a file, streamed: the first ones as they come, and at the end either the
    last one or, when there are more, one `too-many-problems` line counting them (as engine.problems.cap words
    it, so capping again when printing changes nothing)."""

    path: str
    shown: int = 0
    held: Problem | None = None
    omitted: int = 0
    codes: set[str] = field(default_factory=set)
    errors: bool = False

    def take(self, problems: Iterable[Problem]) -> list[Problem]:
        passed = []
        for problem in problems:
            if self.shown < MAX_PROBLEMS - 1:
                self.shown += 1
                passed.append(problem)
            elif self.held is None:
                self.held = problem
            else:
                self.omitted += 1
                self.codes.add(problem.code)
                self.errors = self.errors or problem.is_error
        return passed

    def summary(self) -> list[Problem]:
        first = self.held
        if first is None:
            return []
        if not self.omitted:
            return [first]
        rest = self.omitted + 1
        codes = ", ".join(sorted({first.code, *self.codes}))
        return [Problem(first.path, first.line, first.column, "too-many-problems",
                        f"{rest:,} more problems of this file, from here on, not shown (codes: {codes})",
                        "error" if self.errors or first.is_error else "warning")]


# --- the header ----------------------------------------------------------------------------------------

def plan_columns(names: Iterable[str], pack: Pack) -> tuple[list[Column | None], list[tuple[int, str, str]]]:
    """What each named column holds, and the header's problems as (column index, code, message)."""
    roles = pack.roles
    allowed = ["case", "title", "as_of", *roles, *pack.facts,
               *(f"{fact}.{part}" for fact in pack.facts for part in COMPANIONS)]
    plan: list[Column | None] = []
    problems: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    names = list(names)
    for index, name in enumerate(names):
        column = _column(name, pack)
        if name in seen:
            problems.append((index, "duplicate-key",
                             f"column '{name}' appears twice (first as column {seen[name] + 1})"))
            column = None
        elif column is None:
            problems.append((index, "unknown-fact", f"column '{name}' is neither a fact of the pack's facts.yaml nor "
                                                    f"one of case, title, as_of, {', '.join(roles)}, FACT.source, "
                                                    f"FACT.credibility, FACT.observed{did_you_mean(name, allowed)}"))
        seen.setdefault(name, index)
        plan.append(column)
    for name in ("case", "as_of"):
        if name not in seen:
            problems.append((-1, "required", f"no '{name}' column"))
    for role in roles:
        if role not in seen:
            problems.append((-1, "role", f"no column for role '{role}'; the pack's roles are {', '.join(roles)}"))
    for index, column in enumerate(plan):
        if column is not None and column.kind in COMPANIONS and column.name not in seen:
            problems.append((index, "required", f"column '{names[index]}' needs a column '{column.name}' for the "
                                                f"fact's value"))
    return plan, problems


def _column(name: str, pack: Pack) -> Column | None:
    if name in ("case", "title", "as_of"):
        return Column(name, name)
    if name in pack.roles:  # a role wins over a fact of the same name (see docs/batch.md)
        return Column("role", name)
    if name in pack.facts:
        return Column("fact", name)
    fact, _, part = name.rpartition(".")
    if fact in pack.facts and part in COMPANIONS:
        return Column(part, fact)
    return None


# --- cutting files into chunks ----------------------------------------------------------------------

def suffix_of(path: Path) -> str:
    return path.suffix.lower()


def raw_chunks(path: Path, pack: Pack, batch_rows: int | None = None,
               shown: str | None = None) -> Iterator[RawChunk]:
    """The file's rows in chunks of raw cells (of BATCH_ROWS rows by default); a file-level problem
    (unreadable, bad header) comes as a chunk with no rows. Memory holds one chunk at a time."""
    name = shown if shown is not None else path.as_posix()
    batch_rows = batch_rows or BATCH_ROWS
    suffix = suffix_of(path)
    try:
        if suffix == ".csv":
            yield from _csv_chunks(path, name, pack, batch_rows)
        elif suffix == ".jsonl":
            yield from _jsonl_chunks(path, name, pack, batch_rows)
        elif suffix == ".parquet":
            yield from _parquet_chunks(path, name, pack, batch_rows)
        else:
            yield _failed(name, "file", f"a table is a .csv, .jsonl or .parquet file, not '{path.suffix}'")
    except OSError as error:
        yield _failed(name, "file", f"cannot read file: {error.strerror or error}")
    except UnicodeDecodeError as error:
        yield _failed(name, "encoding", f"the file is not UTF-8 ({error.reason} at byte {error.start})")


def _failed(path: str, code: str, message: str, line: int | None = None, column: int | None = None) -> RawChunk:
    return RawChunk(path, False, (), (), (), problems=(Problem(path, line, column, code, message),))


def _header_problems(path: str, found: list[tuple[int, str, str]], line: int | None) -> tuple[Problem, ...]:
    return tuple(Problem(path, line, None if line is None else max(index, 0) + 1, code,
                         message if line is not None or index < 0 else f"column {index + 1}: {message}")
                 for index, code, message in found)


def _csv_chunks(path: Path, name: str, pack: Pack, batch_rows: int) -> Iterator[RawChunk]:
    """Chunks of CSV text, cut between records by counting quotes (a quoted cell may hold line breaks);
    `convert` parses them, so that worker processes share the parsing."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        line = 0
        header_text = ""
        for text in handle:
            line += 1
            header_text += text
            if header_text.count('"') % 2 == 0:
                break
        if not header_text.strip():
            yield _failed(name, "empty-file", "the table has no header row", 1, 1)
            return
        try:
            header = next(csv.reader(io.StringIO(header_text), strict=True))
        except csv.Error as error:
            yield _failed(name, "csv-syntax", f"the CSV does not parse: {error}", 1, 1)
            return
        plan, found = plan_columns(header, pack)
        if found:
            yield RawChunk(name, True, (), (), (), problems=_header_problems(name, found, 1))
            return
        lines: list[str] = []
        first, records, quoted = line + 1, 0, False
        for text in handle:
            line += 1
            lines.append(text)
            if text.count('"') % 2:
                quoted = not quoted
            if not quoted:
                records += 1
                if records == batch_rows:
                    yield RawChunk(name, True, tuple(plan), (), (), csv_text="".join(lines), first_line=first)
                    lines, first, records = [], line + 1, 0
        if lines:
            yield RawChunk(name, True, tuple(plan), (), (), csv_text="".join(lines), first_line=first)


def _transpose(cells: list[list[Any]], width: int) -> tuple[list[Any], ...]:
    if not cells:
        return tuple([] for _ in range(width))
    return tuple(list(column) for column in zip(*cells, strict=True))


def parse_csv(chunk: RawChunk) -> RawChunk:
    """A chunk of CSV text as cells; a row of the wrong length or a syntax error is a problem."""
    assert chunk.csv_text is not None
    width = len(chunk.columns)
    reader = csv.reader(io.StringIO(chunk.csv_text), strict=True)
    rows: list[int] = []
    cells: list[list[str]] = []
    problems: list[Problem] = []
    while True:
        start = chunk.first_line + reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(chunk.path, start, 1, "csv-syntax", f"the CSV does not parse: {error}; "
                                                                        "the rows after it in this chunk are not read"))
            break
        if len(record) != width:
            if record:  # a blank line is no row
                problems.append(Problem(chunk.path, start, min(len(record), width) + 1, "csv-syntax",
                                        f"row has {len(record)} cell(s); the header has {width}"))
            continue
        rows.append(start)
        cells.append(record)
    return RawChunk(chunk.path, True, chunk.columns, tuple(rows), _transpose(cells, width),
                    problems=(*chunk.problems, *problems))


def _jsonl_chunks(path: Path, name: str, pack: Pack, batch_rows: int) -> Iterator[RawChunk]:
    plans: dict[tuple[str, ...], tuple[list[Column | None], list[tuple[int, str, str]]]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        rows: list[int] = []
        objects: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for line, data in _json_objects(handle, name):
            if isinstance(data, Problem):
                problems.append(data)
                continue
            keys = tuple(data)
            if keys not in plans:
                plans[keys] = plan_columns(keys, pack)
            found = plans[keys][1]
            if found:
                problems.extend(Problem(name, line, max(index, 0) + 1, code, message) for index, code, message in found)
                continue
            rows.append(line)
            objects.append(data)
            if len(rows) == batch_rows:
                yield _jsonl_chunk(name, pack, rows, objects, problems)
                rows, objects, problems = [], [], []
        if rows or problems:
            yield _jsonl_chunk(name, pack, rows, objects, problems)


def _json_objects(lines: Iterable[str], name: str) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """Each non-blank line of a JSONL table with its number: the object it holds, or the problem that it
    does not parse or holds something else."""
    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            yield line, Problem(name, line, error.colno, "json-syntax", f"the line is not JSON: {error.msg}")
            continue
        yield line, data if isinstance(data, dict) else Problem(
            name, line, 1, "not-a-mapping", "a line holds one JSON object of column names to cells")


def _jsonl_chunk(name: str, pack: Pack, rows: list[int], objects: list[dict[str, Any]],
                 problems: list[Problem]) -> RawChunk:
    names = list(dict.fromkeys(key for data in objects for key in data))
    plan = [_column(key, pack) for key in names]
    cells = tuple([data.get(key) for data in objects] for key in names)
    return RawChunk(name, False, tuple(plan), tuple(rows), cells, tuple(tuple(data) for data in objects),
                    tuple(problems))


def _parquet_chunks(path: Path, name: str, pack: Pack, batch_rows: int) -> Iterator[RawChunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
    except pa.ArrowException as error:
        yield _failed(name, "file", f"not a readable Parquet file: {error}")
        return
    plan, found = plan_columns(file.schema_arrow.names, pack)
    if found:
        yield RawChunk(name, False, (), (), (), problems=_header_problems(name, found, None))
        return
    start = 1
    batches = file.iter_batches(batch_size=batch_rows)
    while True:
        try:
            record_batch = next(batches, None)
        except pa.ArrowException as error:
            yield _failed(name, "file", f"rows from row {start} on cannot be read: {error}", start, 1)
            return
        if record_batch is None:
            return
        count = record_batch.num_rows
        cells = tuple(column.to_pylist() for column in record_batch.columns)
        yield RawChunk(name, False, tuple(plan), tuple(range(start, start + count)), cells)
        start += count


# --- checking cells -----------------------------------------------------------------------------------

_MISSING = object()  # a cell that states nothing
_ISO_DATES = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}\n)*\Z")
_EPOCH = dt.date(1970, 1, 1).toordinal()


@dataclass
class _Rows:
    """The problems of a chunk's rows, and which rows are bad."""

    chunk: RawChunk
    bad: Array
    problems: list[Problem] = field(default_factory=list)

    def report(self, index: int, column: int, key: str, code: str, message: str) -> None:
        chunk = self.chunk
        if chunk.keys is None:
            position = column + 1
        else:
            keys = chunk.keys[index]
            position = keys.index(key) + 1 if key in keys else 1
        self.problems.append(Problem(chunk.path, chunk.rows[index], position, code, message))
        self.bad[index] = True


@dataclass(frozen=True)
class _Cells:
    """A column's cells converted: where a value is stated, and the values (a filler elsewhere)."""

    column: int
    stated: Array
    values: Array
    failed: Array  # bool: the cell does not fit (reported); it is not stated either
    codes: Array   # index of each cell's value in `distinct`
    distinct: Array


def _memo_key(raw: Any) -> Any:
    """A dict key that keeps true apart from 1 and 1 apart from 1.0 (Python would merge them)."""
    if isinstance(raw, list):
        return (list, tuple(_memo_key(item) for item in raw))
    if isinstance(raw, dict):
        return (dict, id(raw))  # never equal to another: converted each time (and refused)
    return (type(raw), raw)


_PLAIN = (str, int, float, bool, dt.date, type(None))


def _keys(cells: list[Any], text: bool) -> tuple[list[Any], dict[Any, Any] | None]:
    """Keys to convert each distinct cell once, and the raw cell of each key when they differ from the cells."""
    if text:
        return cells, None
    kinds = set(map(type, cells)) - {type(None)}
    if len(kinds) <= 1 and kinds <= set(_PLAIN):
        return cells, None
    keys = [_memo_key(raw) for raw in cells]
    return keys, dict(zip(keys, cells, strict=True))


def _cells(rows: _Rows, column: int, key: str, convert: Any, dtype: Any, filler: Any,
           dates: bool = False) -> _Cells:
    """Each cell of the column converted by `convert`, once per distinct raw value; a Misfit is reported at
    its cells and their rows marked bad. `dates`: text cells are ISO dates, parsed by numpy when all are."""
    chunk = rows.chunk
    cells = chunk.cells[column]
    keys, raw_of = _keys(cells, chunk.text)
    first: dict[Any, int] = {}  # each distinct key -> the index of its first cell; one pass, in C
    seen = np.fromiter(map(first.setdefault, keys, itertools.count()), dtype=np.intp, count=len(keys))
    dense = np.empty(len(keys), dtype=np.intp)
    dense[list(first.values())] = np.arange(len(first))
    codes = dense[seen]
    unique = list(first)
    raws = unique if raw_of is None else [raw_of[k] for k in unique]
    results: list[Any] = [None] * len(raws)
    todo = [i for i, raw in enumerate(raws) if raw is None or (chunk.text and raw == "")]
    for i in todo:
        results[i] = _MISSING
    rest = [i for i, result in enumerate(results) if result is None]
    if dates and chunk.text and rest:
        rest = _iso_ordinals([raws[i] for i in rest], rest, results)
    for i in rest:
        try:
            results[i] = convert(raws[i])
        except Misfit as misfit:
            results[i] = misfit
    missing = np.asarray([r is _MISSING or isinstance(r, Misfit) for r in results], dtype=np.bool_)
    filled = [filler if r is _MISSING or isinstance(r, Misfit) else r for r in results]
    if dtype is object:
        values = np.empty(len(filled), dtype=object)
        for i, value in enumerate(filled):  # one by one: numpy would read tuples as rows
            values[i] = value
    else:
        values = np.asarray(filled, dtype=dtype) if filled else np.zeros(0, dtype=dtype)
    is_bad = np.asarray([isinstance(r, Misfit) for r in results], dtype=np.bool_)
    failed = is_bad[codes]
    for index in np.flatnonzero(failed).tolist():
        found = results[codes[index]]
        rows.report(index, column, key, found.code, found.message)
    return _Cells(column, ~missing[codes], values[codes], failed, codes, values)


def _iso_ordinals(texts: list[str], where: list[int], results: list[Any]) -> list[int]:
    """Day ordinals of ISO date texts, parsed by numpy at once when every one is a real ISO date (year 1 on);
    else nothing is parsed here. The indexes left to convert one by one."""
    if not _ISO_DATES.match("\n".join(texts) + "\n"):
        return where
    try:
        days = np.asarray(texts).astype("datetime64[D]").astype(np.int64) + _EPOCH
    except ValueError:
        return where
    if days.min() < 1:
        return where
    for i, day in zip(where, days.tolist(), strict=True):
        results[i] = day
    return []


def _text_to_raw(fact: Fact, text: str) -> Any:
    """A CSV cell as the value YAML would have read: numbers as written, true/false, a JSON array for a list."""
    kind = fact.type
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("integer", "number"):
        if _WHOLE.match(text):
            return int(text)
        return float(text) if _NUMBER.match(text) else text
    if kind == "list":
        if not text.startswith("["):
            raise Misfit("type-mismatch", f"fact '{fact.name}' is a list: a cell holds a JSON array of strings such "
                                          f"as [\"a\", \"b\"] ([] for none), got {show(text)}")
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise Misfit("type-mismatch", f"fact '{fact.name}' is a list: the cell is not a JSON array "
                                          f"({error.msg} at character {error.pos + 1})") from None
    return text


def _fact_converter(fact: Fact, text: bool) -> Any:
    def convert(raw: Any) -> Any:
        if isinstance(raw, dt.datetime):
            raise Misfit("date", f"expected a date, got the timestamp {raw.isoformat()}")
        value = fit(fact, _text_to_raw(fact, raw) if text else raw)
        if type(value) is int and abs(value) > EXACT_INTEGER:
            raise Misfit("out-of-range", f"{show(value)} is too large for a table: whole numbers must lie within "
                                         f"±{EXACT_INTEGER} (2^53) to be held exactly")
        if isinstance(value, dt.date):
            return float(value.toordinal())
        return value
    return convert


def _credibility(text: bool) -> Any:
    def convert(raw: Any) -> int:
        grade = int(raw) if text and raw in ("1", "2", "3", "4", "5", "6") else raw
        if type(grade) is not int or not 1 <= grade <= 6:
            raise Misfit("grade", f"{show(raw)} is not one of: 1, 2, 3, 4, 5, 6 (an Admiralty information grade, "
                                  "1 (confirmed) to 6 (cannot be judged))")
        return grade
    return convert


def _ordinal(raw: Any) -> int:
    if isinstance(raw, dt.datetime):
        raise Misfit("date", f"expected a date, got the timestamp {raw.isoformat()}")
    return parse_date(raw).toordinal()


def _text(what: str, pattern: re.Pattern[str] | None = None, hint: str = "") -> Any:
    def convert(raw: Any) -> str:
        if not isinstance(raw, str):
            raise Misfit("type-mismatch", f"{what} must be text, got {show(raw)}")
        if not raw:  # JSONL and Parquet may hold "", which a case file's schema refuses too
            raise Misfit("value", f"{what} is empty text")
        if pattern is not None and not pattern.match(raw):
            raise Misfit("value", f"{what} {show(raw)} does not match {pattern.pattern[:-2]} ({hint})")
        return raw
    return convert


_DTYPES: dict[str, Any] = {"boolean": np.bool_, "integer": np.float64, "number": np.float64, "date": np.float64,
                           "string": object, "list": object}
_FILLERS: dict[str, Any] = {"boolean": False, "integer": 0.0, "number": 0.0, "date": 0.0, "string": "", "list": ()}


def _report_where(rows: _Rows, mask: Array, column: int, key: str, code: str, message: Any) -> None:
    """Report `code` at each row of `mask`; `message(index)` words it."""
    for index in np.flatnonzero(mask).tolist():
        rows.report(index, column, key, code, message(index))


def convert(chunk: RawChunk, pack: Pack, sources: dict[str, Source] | None) -> Batch:
    """Check every cell of the chunk and build the batch of its good rows (a row with an error is left out)."""
    if chunk.csv_text is not None:
        chunk = parse_csv(chunk)
    count = len(chunk.rows)
    rows = _Rows(chunk, np.zeros(count, dtype=np.bool_), list(chunk.problems))
    text = chunk.text
    index_of = {(column.kind, column.name): j for j, column in enumerate(chunk.columns) if column is not None}
    key_of = {j: (c.name if c.kind not in COMPANIONS else f"{c.name}.{c.kind}")
              for j, c in enumerate(chunk.columns) if c is not None}

    def column_cells(kind: str, name: str, conversion: Any, dtype: Any, filler: Any, *,
                     dates: bool = False, required: str | None = None) -> _Cells | None:
        j = index_of.get((kind, name))
        if j is None:
            return None
        cells = _cells(rows, j, key_of[j], conversion, dtype, filler, dates)
        if required is not None:
            _report_where(rows, ~cells.stated & ~cells.failed, j, key_of[j], "required",
                          lambda index: f"{required} is empty; every row needs one")
        return cells

    case_id = _text("the case id", _ID, "lower-case words joined by hyphens, such as iran-russia-2020")
    case = column_cells("case", "case", case_id, object, "", required="the case id")
    as_of = column_cells("as_of", "as_of", _ordinal, np.int64, 0, dates=True, required="as_of")
    column_cells("title", "title", _text("the title"), object, "")
    parties = {role: column_cells("role", role, _text(f"the party for role '{role}'"), object, "",
                                  required=f"the party for role '{role}'") for role in pack.roles}
    first_role, second_role = pack.roles
    one, other = parties[first_role], parties[second_role]
    if one is not None and other is not None:  # as in a case file: an alignment has two different members
        same = one.stated & other.stated & (one.values == other.values)
        _report_where(rows, same, other.column, second_role, "role",
                      lambda index: f"'{other.values[index]}' fills both roles ({first_role} and {second_role}); "
                                    "an alignment has two different members")
    grades = {source_id: (GRADE_CODES[s.reliability] if s.reliability else 1)
              for source_id, s in (sources or {}).items()}

    def source_grade(raw: Any) -> int:
        if not isinstance(raw, str):
            raise Misfit("type-mismatch", f"a source is named by its id, got {show(raw)}")
        if raw not in grades:
            where = "in the source table" if sources is not None else "anywhere: no source table (--sources) is given"
            raise Misfit("unknown-source", f"source '{raw}' is not listed {where}{did_you_mean(raw, grades)}")
        return grades[raw]

    zeros = np.zeros(count, dtype=np.int64)
    days = as_of.values if as_of is not None else zeros
    facts: dict[str, tuple[_Cells, Array, Array, Array]] = {}
    for name, fact in pack.facts.items():
        value = column_cells("fact", name, _fact_converter(fact, text), _DTYPES[fact.type], _FILLERS[fact.type],
                             dates=fact.type == "date" and text)
        if value is None:
            continue
        source = column_cells("source", name, source_grade, np.int8, 0)
        credibility = column_cells("credibility", name, _credibility(text), np.int8, 0)
        observed = column_cells("observed", name, _ordinal, np.int64, 0, dates=True)
        for part, cells in zip(COMPANIONS, (source, credibility, observed), strict=True):
            if cells is not None:
                _report_where(rows, cells.stated & ~value.stated & ~value.failed, cells.column, key_of[cells.column],
                              "required", lambda index, part=part, name=name:
                              f"'{name}.{part}' is given but '{name}' states no value")
        if observed is not None:
            day = observed.values
            after = observed.stated & (as_of.stated if as_of is not None else False) & (day > days)
            _report_where(rows, after, observed.column, key_of[observed.column], "date",
                          lambda index, day=day, name=name: f"'{name}' observed "
                          f"{dt.date.fromordinal(int(day[index])).isoformat()} is after the row's as_of "
                          f"{dt.date.fromordinal(int(days[index])).isoformat()}; a row states what was known by then")
        facts[name] = (value, source.values if source else np.zeros(count, np.int8),
                       credibility.values if credibility else np.zeros(count, np.int8),
                       observed.values if observed else zeros)
    keep = ~rows.bad

    def kept(cells: _Cells | None) -> list[Any]:
        return cells.values[keep].tolist() if cells is not None else []

    return Batch(chunk.path, np.asarray(chunk.rows, dtype=np.int64)[keep] if count else np.zeros(0, np.int64),
                 kept(case), {role: kept(cells) for role, cells in parties.items()},
                 days[keep].astype(np.int64),
                 {name: FactColumn(value.stated[keep], value.values[keep], source[keep], credibility[keep],
                                   observed[keep], value.codes[keep], value.distinct)
                  for name, (value, source, credibility, observed) in facts.items()},
                 tuple(sorted(rows.problems, key=lambda p: (p.line or 0, p.column or 0))), int(rows.bad.sum()))


def read_table(path: Path | str, pack: Pack, sources: dict[str, Source] | None = None, *,
               batch_rows: int | None = None) -> Iterator[Batch]:
    """The table's good rows in batches of columns, each with its problems (the first MAX_PROBLEMS of the file;
    a last batch without rows counts the rest). Memory holds one batch at a time."""
    path = Path(path)
    cap = ProblemCap(path.as_posix())
    for chunk in raw_chunks(path, pack, batch_rows):
        batch = convert(chunk, pack, sources)
        yield Batch(batch.path, batch.rows, batch.case, batch.parties, batch.as_of, batch.facts,
                    tuple(cap.take(batch.problems)), batch.bad_rows)
    more = cap.summary()
    if more:
        yield Batch(cap.path, np.zeros(0, np.int64), [], {role: [] for role in pack.roles}, np.zeros(0, np.int64),
                    {}, tuple(more))


def cases_of(batch: Batch, pack: Pack) -> Iterator[Case]:
    """Each good row of a batch as the case file it stands for, for the scalar analyses (`--bounds`). A
    source is named by its grade alone (`grade-B`, `ungraded`): the grade is all a score reads of it."""
    named = {code: Source(f"grade-{grade}", reliability=grade) for grade, code in GRADE_CODES.items()}
    named[1] = Source("ungraded")
    for i in range(len(batch)):
        facts: dict[str, tuple[Observation, ...]] = {}
        for name, column in batch.facts.items():
            if not column.stated[i]:
                continue
            grade, credibility, observed = int(column.grade[i]), int(column.credibility[i]), int(column.observed[i])
            facts[name] = (Observation(_as_value(pack.facts[name].type, column.values[i]),
                                       named[grade].id if grade else None, credibility or None,
                                       dt.date.fromordinal(observed) if observed else None),)
        used = {o.source for history in facts.values() for o in history if o.source is not None}
        yield Case(batch.case[i], batch.case[i], {role: batch.parties[role][i] for role in pack.roles},
                   dt.date.fromordinal(int(batch.as_of[i])), facts,
                   {s.id: s for s in named.values() if s.id in used}, path=batch.path)


def _as_value(kind: str, raw: Any) -> Value:
    """A column's cell as the scalar engine holds it (numpy scalars, day numbers and floats made plain)."""
    if kind == "boolean":
        return bool(raw)
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "date":
        return dt.date.fromordinal(int(raw))
    if kind == "list":
        return tuple(raw)
    return str(raw)


# --- the source table -------------------------------------------------------------------------------

def read_sources(path: Path | str) -> tuple[dict[str, Source] | None, list[Problem]]:
    """The source table (columns source, reliability, title, author, publisher, published, url), checked.
    Same formats and positions as a case table; it is read whole (it lists sources, not cases)."""
    path = Path(path)
    name = path.as_posix()
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    first: dict[str, int] = {}
    for row, cells in _source_rows(path, name, problems):
        entry: dict[str, Any] = {}
        failed = False
        for key, (column, raw) in cells.items():
            if raw is None or raw == "":
                continue
            try:
                entry[key] = _SOURCE_CHECKS[key](raw)
            except Misfit as misfit:
                problems.append(Problem(name, row, column, misfit.code, misfit.message))
                failed = True
        source_id = entry.get("source")
        if source_id is None:
            if not failed:
                problems.append(Problem(name, row, cells.get("source", (1, None))[0], "required",
                                        "the source id is empty; every row needs one"))
            continue
        if source_id in first:
            problems.append(Problem(name, row, cells["source"][0], "duplicate-key",
                                    f"source '{source_id}' is listed twice (first at row {first[source_id]})"))
            continue
        first[source_id] = row
        if not failed:
            sources[source_id] = Source(source_id, entry.get("title"), entry.get("author"), entry.get("publisher"),
                                        entry.get("published"), entry.get("url"), entry.get("reliability"),
                                        None, row, cells["source"][0])
    if any(p.is_error for p in problems):
        return None, problems
    return sources, problems


def _grade(raw: Any) -> str:
    if raw not in GRADES:
        raise Misfit("grade", f"{show(raw)} is not one of: {', '.join(GRADES)} (an Admiralty source grade, "
                              "A (reliable) to F (cannot be judged))")
    return str(raw)


def _published(raw: Any) -> dt.date:
    return dt.date.fromordinal(_ordinal(raw))


_SOURCE_CHECKS: dict[str, Any] = {
    "source": _text("the source id", _SOURCE_ID, "letters, digits, '-', '_' or '.'"),
    "reliability": _grade, "title": _text("the title"), "author": _text("the author"),
    "publisher": _text("the publisher"), "published": _published, "url": _text("the url"),
}


def _source_rows(path: Path, name: str, problems: list[Problem]) -> Iterator[tuple[int, dict[str, tuple[int, Any]]]]:
    """Each row of the source table as {column name: (position, raw cell)}; header problems go to `problems`."""
    def header(names: list[str], line: int | None) -> bool:
        bad = False
        for index, column in enumerate(names):
            if column not in SOURCE_COLUMNS:
                bad = True
                where = f"column {index + 1}: " if line is None else ""
                problems.append(Problem(name, line, None if line is None else index + 1, "unknown-key",
                                        f"{where}unknown column '{column}'{did_you_mean(column, SOURCE_COLUMNS)}; "
                                        f"allowed: {', '.join(SOURCE_COLUMNS)}"))
        if "source" not in names:
            bad = True
            problems.append(Problem(name, line, None if line is None else 1, "required", "no 'source' column"))
        return not bad

    suffix = suffix_of(path)
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle, strict=True)
                names = next(reader, None)
                if names is None or not header(names, 1):
                    if names is None:
                        problems.append(Problem(name, 1, 1, "empty-file", "the table has no header row"))
                    return
                try:
                    for record in reader:
                        if len(record) != len(names):
                            if record:
                                problems.append(Problem(name, reader.line_num, min(len(record), len(names)) + 1,
                                                        "csv-syntax", f"row has {len(record)} cell(s); the header has "
                                                                   f"{len(names)}"))
                            continue
                        yield reader.line_num, {k: (j + 1, v)
                                                for j, (k, v) in enumerate(zip(names, record, strict=True))}
                except csv.Error as error:
                    problems.append(Problem(name, reader.line_num, 1, "csv-syntax", f"the CSV does not parse: {error}"))
        elif suffix == ".jsonl":
            with path.open(encoding="utf-8-sig") as handle:
                for line, data in _json_objects(handle, name):
                    if isinstance(data, Problem):
                        problems.append(data)
                    elif header(list(data), line):
                        yield line, {k: (j + 1, v) for j, (k, v) in enumerate(data.items())}
        elif suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                table = pq.read_table(path)
            except pa.ArrowException as error:
                problems.append(Problem(name, None, None, "file", f"not a readable Parquet file: {error}"))
                return
            if header(table.column_names, None):
                columns = {k: table.column(k).to_pylist() for k in table.column_names}
                for index in range(table.num_rows):
                    yield index + 1, {k: (j + 1, columns[k][index]) for j, k in enumerate(table.column_names)}
        else:
            problems.append(Problem(name, None, None, "file",
                                    f"a source table is a .csv, .jsonl or .parquet file, not '{path.suffix}'"))
    except OSError as error:
        problems.append(Problem(name, None, None, "file", f"cannot read file: {error.strerror or error}"))
    except UnicodeDecodeError as error:
        problems.append(Problem(name, None, None, "encoding",
                                f"the file is not UTF-8 ({error.reason} at byte {error.start})"))
