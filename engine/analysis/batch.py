# mypy: disable-error-code="no-untyped-call"
# (dask and distributed are partly typed: calls into them are not; pyproject ignores their missing stubs)
"""Score tables of cases (one row per case) into one output table: `run_batch` (docs/batch.md).

The tables are read in chunks of rows (files/tables.py), each chunk is checked, scored by the columnar
evaluator (core/columnar.py) and formatted, and the output grows chunk by chunk in a temporary file
beside `out`, renamed over it only when every row is done: memory stays flat however long the tables.
With `jobs` > 1 the chunks are checked, scored and formatted in worker processes; the output is written
in input order, so it is byte-identical to one job's. With `dask`, each input Parquet file becomes a
dask dataframe of row groups scored with map_partitions on the cluster, and written in order here.

numpy, pyarrow, dask and tqdm are imported inside the functions that need them.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..core.model import Pack, Source
from ..problems import Problem

if TYPE_CHECKING:
    from ..core.columnar import ColumnarPack, Scores
    from ..core.compile import CompiledPack
    from ..files.tables import Batch, RawChunk

OUTPUT_SUFFIXES = (".jsonl", ".csv", ".parquet")


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch run did: every problem (capped per file), the rows written, and whether it failed
    (an error anywhere; with keep_going the good rows are still written)."""

    problems: tuple[Problem, ...]
    rows: int
    failed: bool
    written: bool
    message: str = ""  # one line saying what was written, for the command to print; "" when a problem says it


@dataclass(frozen=True)
class Scored:
    """A chunk's good rows with their numbers, ready to format."""

    case: list[str]
    parties: dict[str, list[str]]
    as_of: list[str]                   # ISO dates
    score: list[float]
    band: list[str]
    coverage: list[float]
    probability: list[float | None]
    points: list[list[float | None]]   # per rule (pack order), per row; None: not evaluated
    bounds_low: list[float | None]     # the exact bounds (contract section 7) with --bounds; else None
    bounds_high: list[float | None]

    def columns(self, pack: Pack) -> dict[str, list[Any]]:
        """The output's columns in order (`output_columns`): the one place that says what a row holds."""
        return {"case": self.case, **{role: self.parties[role] for role in pack.roles}, "as_of": self.as_of,
                "score": self.score, "band": self.band, "coverage": self.coverage, "probability": self.probability,
                "bounds_low": self.bounds_low, "bounds_high": self.bounds_high,
                **{f"points.{rule.id}": points for rule, points in zip(pack.rules, self.points, strict=True)}}


@dataclass(frozen=True)
class _Done:
    """One chunk's result: its problems, and its good rows formatted for the output."""

    path: str
    problems: tuple[Problem, ...]
    rows: int
    payload: Any  # bytes for JSONL and CSV, a pyarrow Table for Parquet
    bad_rows: int = 0


def output_columns(pack: Pack) -> list[str]:
    return ["case", *pack.roles, "as_of", "score", "band", "coverage", "probability", "bounds_low", "bounds_high",
            *(f"points.{rule.id}" for rule in pack.rules)]


_TEXT_COLUMNS = ("case", "band")  # and the roles; as_of is a date; every other column a number, or empty


def _is_text(column: str, pack: Pack) -> bool:
    return column in _TEXT_COLUMNS or column in pack.roles


def run_batch(tables: Sequence[Path], out: Path, *, rules: Pack, sources: Path | None = None, jobs: int = 1,
              dask: str | None = None, keep_going: bool = False, force: bool = False,
              progress: bool = False, bounds: bool = False) -> BatchOutcome:
    """Score every row of `tables` against `rules` into `out` (.jsonl, .csv or .parquet).

    Without keep_going, any error means nothing is written and every problem is returned; with it, the
    good rows are written and the outcome says failed. `jobs`: worker processes (0: one per core).
    `dask`: "local" for a LocalCluster of `jobs` workers, else a scheduler's address (Parquet tables only).
    `bounds`: fill bounds_low and bounds_high with each row's exact bounds, from the scalar analysis (about a
    millisecond a row, so asked for rather than always done); without it they are empty.
    """
    from ..files.tables import read_sources

    out = Path(out)
    refusal = _refuse(out, force)
    if refusal is not None:
        return BatchOutcome((refusal,), 0, True, False)
    known: dict[str, Source] | None = None
    problems: list[Problem] = []
    if sources is not None:
        known, problems = read_sources(sources)
        if known is None:
            return BatchOutcome(tuple(problems), 0, True, False)
    workers = (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)
    if dask is not None:
        wrong = [Problem(Path(t).as_posix(), None, None, "file", "with --dask, tables are Parquet files")
                 for t in tables if Path(t).suffix.lower() != ".parquet"]
        if wrong:
            return BatchOutcome(tuple(problems + wrong), 0, True, False)
        done: Iterable[_Done] = _dask_chunks(tables, rules, known, out.suffix.lower(), dask, workers, bounds)
    else:
        done = _local_chunks(tables, rules, known, out.suffix.lower(), workers, bounds)
    return _write(out, rules, done, problems, keep_going, progress, force)


def _refuse(out: Path, force: bool) -> Problem | None:
    name = out.as_posix()
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        return Problem(name, None, None, "file", f"the output is a .jsonl, .csv or .parquet file, not '{out.suffix}'")
    return None


# --- writing ------------------------------------------------------------------------------------------

def _write(out: Path, pack: Pack, done: Iterable[_Done], problems: list[Problem], keep_going: bool,
           progress: bool, force: bool) -> BatchOutcome:
    """Stream each chunk's rows into a temporary file beside `out` (files/write.py's `open_atomic`), which
    replaces `out` at the end, or is removed when there is an error and not keep_going, or on any failure:
    an interrupted batch never leaves a file that looks finished."""
    from ..files.tables import ProblemCap
    from ..files.write import WriteError, open_atomic

    caps: dict[str, ProblemCap] = {}
    rows = bad = 0
    failed = False
    bar = _progress_bar() if progress else None
    try:
        with open_atomic(out, force=force) as atomic, _Writer(atomic.file, pack, out.suffix.lower().lstrip(".")) \
                as writer:
            for chunk in done:
                cap = caps.setdefault(chunk.path, ProblemCap(chunk.path))
                problems.extend(cap.take(chunk.problems))
                if chunk.rows:
                    writer.write(chunk.payload)
                    rows += chunk.rows
                bad += chunk.bad_rows
                if bar is not None:
                    bar.update(chunk.rows)
            for cap in caps.values():
                problems.extend(cap.summary())
            failed = any(p.is_error for p in problems)
            if failed and not keep_going:
                atomic.discard()
    except WriteError as error:
        return BatchOutcome((*problems, Problem(out.as_posix(), None, None, "file", error.message)), 0, True, False)
    finally:
        if bar is not None:
            bar.close()
    if failed and not keep_going:
        return BatchOutcome(tuple(problems), 0, True, False,
                            f"nothing written to {out.as_posix()}: the tables have errors (keep going to write "
                            f"the {rows:,} valid rows)")
    left = f"; {bad:,} row(s) with errors left out" if bad else ("; some tables could not be read" if failed else "")
    return BatchOutcome(tuple(problems), rows, failed, True, f"scored {rows:,} row(s) into {out.as_posix()}{left}")


def _progress_bar() -> Any:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked after the bar starts
    return tqdm(unit=" rows", file=sys.stderr, unit_scale=True)


class _Writer:
    """The output file: JSONL lines, CSV rows under a header, or Parquet row groups (one per chunk)."""

    def __init__(self, handle: IO[bytes], pack: Pack, kind: str) -> None:
        self.handle, self.pack, self.kind = handle, pack, kind
        self.parquet: Any = None

    def __enter__(self) -> _Writer:
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            self.parquet = pq.ParquetWriter(self.handle, _arrow_schema(self.pack))
        elif self.kind == "csv":
            text = io.StringIO()
            _csv_writer(text).writerow(output_columns(self.pack))
            self.handle.write(text.getvalue().encode("utf-8"))
        return self

    def write(self, payload: Any) -> None:
        if self.parquet is not None:
            self.parquet.write_table(payload, row_group_size=payload.num_rows)
        else:
            self.handle.write(payload)

    def __exit__(self, *exc: object) -> None:
        if self.parquet is not None:
            self.parquet.close()


def _csv_writer(text: io.StringIO) -> Any:
    import csv

    return csv.writer(text, lineterminator="\n")


def _arrow_schema(pack: Pack) -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(c, pa.string() if _is_text(c, pack) else pa.date32() if c == "as_of" else pa.float64())
                      for c in output_columns(pack)])


def format_rows(scored: Scored, pack: Pack, kind: str) -> Any:
    """The rows as the output's bytes (JSONL, CSV) or as a pyarrow Table (Parquet)."""
    columns = scored.columns(pack)
    if kind == "parquet":
        import datetime as dt

        import pyarrow as pa

        columns["as_of"] = [dt.date.fromisoformat(day) for day in scored.as_of]
        schema = _arrow_schema(pack)
        return pa.Table.from_arrays([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)
    rows = zip(*columns.values(), strict=True)
    if kind == "csv":
        text = io.StringIO()
        writer = _csv_writer(text)
        texts = [_is_text(c, pack) or c == "as_of" for c in columns]
        for row in rows:
            writer.writerow([cell if is_text else _number(cell) for cell, is_text in zip(row, texts, strict=True)])
        return text.getvalue().encode("utf-8")
    keys = [json.dumps(name) + ": " for name in columns]
    return "".join("{" + ", ".join(key + json.dumps(cell) for key, cell in zip(keys, row, strict=True)) + "}\n"
                   for row in rows).encode("utf-8")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)




def scored_rows(batch: Batch, scores: Scores, pack: Pack) -> Scored:
    """The batch's rows and their numbers as plain lists (probability from the pack's calibration)."""
    import datetime as dt

    import numpy as np

    calibration = pack.calibration
    score = scores.score.tolist()
    labels = [band.label for band in pack.bands]
    points = []
    for j in range(len(pack.rules)):
        column = scores.points[:, j].tolist()
        points.append([p if e else None for p, e in zip(column, scores.evaluated[:, j].tolist(), strict=True)])
    days = np.unique(batch.as_of, return_inverse=True)
    iso = [dt.date.fromordinal(int(day)).isoformat() for day in days[0]]
    return Scored(batch.case, batch.parties, [iso[i] for i in days[1].reshape(-1).tolist()], score,
                  [labels[i] for i in scores.band.tolist()], scores.coverage.tolist(),
                  [calibration.endures(s) for s in score] if calibration is not None else [None] * len(score),
                  points, [None] * len(score), [None] * len(score))


# --- local: chunks in this process or in worker processes -----------------------------------------------

_WORKER: dict[str, Any] = {}  # per worker process: the pack, compiled, and the sources


def _start_worker(pack: Pack, sources: dict[str, Source] | None, kind: str, bounds: bool) -> None:
    from ..core.columnar import compile_columnar

    _WORKER.update(pack=pack, columnar=compile_columnar(pack), sources=sources, kind=kind,
                   scalar=_scalar(pack, bounds))


def _scalar(pack: Pack, bounds: bool) -> CompiledPack | None:
    """The scalar compiled pack the bounds are computed with, when they are asked for."""
    from ..core.compile import compile_pack

    return compile_pack(pack) if bounds else None


def _work(chunk: RawChunk) -> _Done:
    return _score_chunk(chunk, _WORKER["pack"], _WORKER["columnar"], _WORKER["sources"], _WORKER["kind"],
                        _WORKER["scalar"])


def _score_chunk(chunk: RawChunk, pack: Pack, columnar: ColumnarPack, sources: dict[str, Source] | None,
                 kind: str, scalar: CompiledPack | None) -> _Done:
    from ..files.tables import convert

    batch = convert(chunk, pack, sources)
    payload = format_rows(_bounded(scored_rows(batch, columnar.score(batch), pack), batch, scalar), pack, kind) \
        if len(batch) else None
    return _Done(chunk.path, batch.problems, len(batch), payload, batch.bad_rows)


def _bounded(scored: Scored, batch: Batch, scalar: CompiledPack | None) -> Scored:
    """The rows with their exact bounds, each row's case bounded by the scalar analysis (`--bounds`)."""
    if scalar is None:
        return scored
    import dataclasses

    from ..files.tables import cases_of
    from .leverage import bounds

    found = [bounds(scalar, case) for case in cases_of(batch, scalar.pack)]
    return dataclasses.replace(scored, bounds_low=[b.low for b in found], bounds_high=[b.high for b in found])


def _all_chunks(tables: Sequence[Path], pack: Pack) -> Iterator[RawChunk]:
    from ..files.tables import raw_chunks

    for table in tables:
        yield from raw_chunks(Path(table), pack)


def _local_chunks(tables: Sequence[Path], pack: Pack, sources: dict[str, Source] | None, suffix: str,
                  workers: int, bounds: bool) -> Iterator[_Done]:
    kind = suffix.lstrip(".")
    if workers == 1:
        from ..core.columnar import compile_columnar

        columnar, scalar = compile_columnar(pack), _scalar(pack, bounds)
        for chunk in _all_chunks(tables, pack):
            yield _score_chunk(chunk, pack, columnar, sources, kind, scalar)
        return
    # the platform's default start method, as `score --jobs` uses (spawn would run engine/__main__.py again)
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(pack, sources, kind, bounds)) as pool:
        pending: list[Future[_Done]] = []
        for chunk in _all_chunks(tables, pack):
            pending.append(pool.submit(_work, chunk))
            if len(pending) > 2 * workers:  # a bounded window: memory holds a few chunks, not the table
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


# --- dask: row groups as partitions, scored with map_partitions ------------------------------------------

PROBLEM_COLUMN = "__problems"
ROW_COLUMN = "__row"


def _dask_chunks(tables: Sequence[Path], pack: Pack, sources: dict[str, Source] | None, suffix: str,
                 address: str, workers: int, bounds: bool) -> Iterator[_Done]:
    from distributed import Client, LocalCluster

    kind = suffix.lstrip(".")
    # quiet: a closing cluster logs its workers' lost heartbeats as errors, which say nothing to the user
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.CRITICAL) if address == "local" else None
    try:
        with Client(cluster if cluster is not None else address) as client:
            for table in tables:
                yield from _dask_table(client, Path(table), pack, sources, kind, workers, bounds)
    finally:
        if cluster is not None:
            cluster.close()


def _dask_table(client: Any, path: Path, pack: Pack, sources: dict[str, Source] | None, kind: str,
                workers: int, bounds: bool) -> Iterator[_Done]:
    import dask
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ..files.tables import plan_columns, raw_chunks

    name = path.as_posix()
    try:
        metadata = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException):  # unreadable: the local reader says why, located
        yield from (_Done(name, c.problems, 0, None) for c in raw_chunks(path, pack))
        return
    columns = metadata.schema.to_arrow_schema().names
    if plan_columns(columns, pack)[1]:
        yield from (_Done(name, c.problems, 0, None) for c in raw_chunks(path, pack))
        return
    pieces, first = [], 1
    where = str(path.resolve())  # workers elsewhere open it by the same absolute path (a shared file system)
    for group in range(metadata.num_row_groups):
        pieces.append((where, group, first))
        first += metadata.row_group(group).num_rows
    if not pieces:
        return
    raw_meta = pd.DataFrame({**{c: pd.Series([], dtype=object) for c in columns},
                             ROW_COLUMN: pd.Series([], dtype="int64")})
    # raw cells are Python objects (dates, lists, None): dask must not turn them into Arrow strings
    with dask.config.set({"dataframe.convert-string": False}):
        raw = dd.from_map(read_row_group, pieces, meta=raw_meta, enforce_metadata=False)
        scored = raw.map_partitions(score_partition, pack, sources, name, bounds, meta=_scored_meta(pack))
        partitions = scored.to_delayed()
    window = 2 * workers
    futures = client.compute(partitions[:window])
    for index in range(len(partitions)):
        if index + window < len(partitions):
            futures.append(client.compute(partitions[index + window]))
        frame = futures[index].result()
        futures[index] = None  # let the cluster forget it
        yield _from_frame(frame, pack, name, kind)


def read_row_group(piece: tuple[str, int, int]) -> Any:
    """One row group of a Parquet table as a pandas frame of raw cells (Python objects), with row numbers."""
    import pandas as pd
    import pyarrow.parquet as pq

    path, group, first = piece
    table = pq.ParquetFile(path).read_row_group(group)
    frame = pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype=object) for c in table.column_names})
    frame[ROW_COLUMN] = pd.Series(range(first, first + table.num_rows), dtype="int64")
    return frame


def score_partition(frame: Any, pack: Pack, sources: dict[str, Source] | None, path: str, bounds: bool) -> Any:
    """A partition of raw rows, checked and scored: its good rows' output columns, then one row per problem
    (its JSON in PROBLEM_COLUMN, the other columns empty)."""
    import pandas as pd

    from ..core.columnar import compile_columnar
    from ..files.tables import RawChunk, convert, plan_columns

    names = [c for c in frame.columns if c != ROW_COLUMN]
    chunk = RawChunk(path, False, tuple(plan_columns(names, pack)[0]), tuple(frame[ROW_COLUMN].tolist()),
                     tuple(frame[c].tolist() for c in names))
    batch = convert(chunk, pack, sources)
    scored = _bounded(scored_rows(batch, compile_columnar(pack).score(batch), pack), batch, _scalar(pack, bounds))
    data = scored.columns(pack)
    data[PROBLEM_COLUMN] = [None] * len(scored.case)
    meta = _scored_meta(pack)
    good = pd.DataFrame({c: pd.Series(data[c], dtype=meta[c].dtype) for c in meta.columns})
    bad = pd.DataFrame({c: pd.Series([None] * len(batch.problems), dtype=meta[c].dtype) for c in meta.columns})
    bad[PROBLEM_COLUMN] = [json.dumps([p.line, p.column, p.code, p.message, p.severity]) for p in batch.problems]
    return pd.concat([good, bad], ignore_index=True)


def _scored_meta(pack: Pack) -> Any:
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=object if _is_text(c, pack) or c == "as_of" else "float64")
                         for c in [*output_columns(pack), PROBLEM_COLUMN]})


def _from_frame(frame: Any, pack: Pack, path: str, kind: str) -> _Done:
    import math

    problem_rows = frame[PROBLEM_COLUMN].notna()
    problems = tuple(Problem(path, *json.loads(text)) for text in frame.loc[problem_rows, PROBLEM_COLUMN])
    good = frame.loc[~problem_rows]

    def numbers(column: str) -> list[float | None]:
        return [None if math.isnan(v) else v for v in good[column].tolist()]

    scored = Scored(good["case"].tolist(), {role: good[role].tolist() for role in pack.roles},
                    good["as_of"].tolist(), good["score"].tolist(), good["band"].tolist(), good["coverage"].tolist(),
                    numbers("probability"), [numbers(f"points.{rule.id}") for rule in pack.rules],
                    numbers("bounds_low"), numbers("bounds_high"))
    rows = len(scored.case)
    bad_rows = len({p.line for p in problems if p.is_error})
    return _Done(path, problems, rows, format_rows(scored, pack, kind) if rows else None, bad_rows)
