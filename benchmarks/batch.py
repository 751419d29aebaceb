"""Measure batch scoring: generated dyad-year rows against the bundled pack (rules/).

    .venv/bin/python -m benchmarks.batch [--rows 100000] [--seed 7] [--scale 10000,100000,1000000] [--no-dask]

Prints, each figure measured in this run:

- evaluation: the columnar evaluator (`compile_columnar(pack).score(batch)`) over the table's batches
  against the scalar engine's `weigh()` looping over the same rows as Case objects, one core; the ratio
  is scalar time / columnar time (higher is better; target >= 20x). Both are checked to agree first.
- run_batch: the whole run from a CSV file in to a Parquet file out (read, check, score, write), in
  seconds (target < 10 s for 100,000 rows on 2 cores), with jobs=1 and jobs=2, and the peak memory of a
  fresh process doing it for 10,000 and for --rows rows (flat: about the same).
- scaling with rows: run_batch CSV -> Parquet at each --scale size, seconds and rows a second.
- scaling with Dask workers: run_batch Parquet -> Parquet on a LocalCluster of 1 and of 2 workers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.core.model import Case, Fact, Observation, Pack, Source

ROOT = Path(__file__).resolve().parent.parent
GRADES = ("A", "B", "C", "D", "E", "F")
SOURCES = (*tuple(f"src-{grade.lower()}" for grade in GRADES), "src-ungraded")
COUNTRIES = ("Russia", "Iran", "China", "Armenia", "Syria", "India", "Turkey", "Cuba", "Belarus", "Serbia")


def _value(fact: Fact, r: random.Random) -> Any:
    kind = fact.type
    if kind == "boolean":
        return r.random() < 0.5
    if kind in ("integer", "number"):
        low = fact.min if fact.min is not None else 0
        high = fact.max if fact.max is not None else 100
        if kind == "integer":
            return r.randint(int(low), int(high))
        return round(r.uniform(low, high), 2)
    if kind == "string":
        return r.choice(fact.values) if fact.values else r.choice(("low", "high"))
    if kind == "date":
        return dt.date(1990, 1, 1) + dt.timedelta(days=r.randint(0, 12000))
    items = fact.values or ("a", "b", "c")
    return sorted(r.sample(items, r.randint(0, min(3, len(items)))))


def generate_rows(pack: Pack, rows: int, seed: int = 7) -> tuple[list[str], Any]:
    """Columns and an iterator of rows (lists of CSV text) of dyad-years: each fact stated 80% of the time,
    sources, credibility and observed dates on most."""
    r = random.Random(seed)
    roles = list(pack.roles)
    facts = sorted(pack.facts)
    columns = ["case", *roles, "as_of", *(f"{n}{part}" for n in facts
                                          for part in ("", ".source", ".credibility", ".observed"))]

    def iterate() -> Any:
        for index in range(rows):
            year = 1990 + index % 35
            as_of = dt.date(year, 12, 31)
            row = [f"dyad-{index:07d}", *r.sample(COUNTRIES, 2), as_of.isoformat()]
            for name in facts:
                if r.random() < 0.2:
                    row.extend(("", "", "", ""))
                    continue
                value = _value(pack.facts[name], r)
                if isinstance(value, dt.date) and value > as_of:
                    value = as_of
                text = json.dumps(value) if isinstance(value, list) else (
                    ("true" if value else "false") if isinstance(value, bool) else
                    value.isoformat() if isinstance(value, dt.date) else str(value))
                source = r.choice(SOURCES) if r.random() < 0.8 else ""
                credibility = str(r.randint(1, 6)) if r.random() < 0.7 else ""
                observed = (as_of - dt.timedelta(days=r.randint(0, 3000))).isoformat() if r.random() < 0.8 else ""
                row.extend((text, source, credibility, observed))
            yield row
    return columns, iterate()


def write_tables(folder: Path, pack: Pack, rows: int, seed: int = 7) -> tuple[Path, Path]:
    """A CSV of `rows` rows and its source table."""
    table = folder / f"dyads-{rows}.csv"
    columns, data = generate_rows(pack, rows, seed)
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(data)
    sources = folder / "sources.csv"
    with sources.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "reliability", "title"])
        for source in SOURCES:
            grade = source.rsplit("-", 1)[1].upper()
            writer.writerow([source, grade if grade in GRADES else "", f"Source {source}"])
    return table, sources


def to_cases(batch: Any, pack: Pack, sources: dict[str, Source]) -> list[Case]:
    """The batch's rows as Case objects for the scalar engine (the same observations)."""
    grade_of = {2 + i: g for i, g in enumerate(GRADES)}
    by_grade: dict[Any, str] = {}
    for source_id, source in sources.items():
        by_grade.setdefault(source.reliability, source_id)
    cases = []
    for i in range(len(batch)):
        facts = {}
        for name, column in batch.facts.items():
            if not column.stated[i]:
                continue
            value: Any = column.values[i]
            kind = pack.facts[name].type
            if kind == "date":
                value = dt.date.fromordinal(int(value))
            elif kind == "integer":
                value = int(value)
            elif kind in ("number",):
                value = float(value)
            elif kind == "boolean":
                value = bool(value)
            grade = int(column.grade[i])
            source = None if grade == 0 else by_grade[None if grade == 1 else grade_of[grade]]
            credibility = int(column.credibility[i]) or None
            observed = dt.date.fromordinal(int(column.observed[i])) if column.observed[i] else None
            facts[name] = (Observation(value, source, credibility, observed),)
        cases.append(Case(batch.case[i], "row", {role: batch.parties[role][i] for role in pack.roles},
                          dt.date.fromordinal(int(batch.as_of[i])), facts, sources))
    return cases


def bench_evaluation(pack: Pack, table: Path, sources_path: Path) -> tuple[float, float, int]:
    from engine.core.columnar import compile_columnar
    from engine.core.compile import compile_pack
    from engine.core.evaluate import weigh
    from engine.files.tables import read_sources, read_table

    sources, _ = read_sources(sources_path)
    assert sources is not None
    batches = list(read_table(table, pack, sources))
    columnar, compiled = compile_columnar(pack), compile_pack(pack)
    cases = [to_cases(batch, pack, sources) for batch in batches]
    rows = sum(len(b) for b in batches)
    for batch, chunk in zip(batches, cases, strict=True):  # agree first, on a sample of each batch
        scores = columnar.score(batch)
        for i in range(0, len(batch), 97):
            assert scores.score[i] == weigh(chunk[i], compiled).score
    best_columnar = best_scalar = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for batch in batches:
            columnar.score(batch)
        best_columnar = min(best_columnar, time.perf_counter() - start)
    for _ in range(2 if rows <= 100_000 else 1):
        start = time.perf_counter()
        for chunk in cases:
            for case in chunk:
                weigh(case, compiled)
        best_scalar = min(best_scalar, time.perf_counter() - start)
    return best_scalar, best_columnar, rows


_PEAK = """
import resource, sys
from pathlib import Path
from engine.analysis.batch import run_batch
from engine.files.pack import load_pack
outcome = run_batch([Path(sys.argv[1])], Path(sys.argv[2]), rules=load_pack(sys.argv[3]), sources=Path(sys.argv[4]),
                    jobs=1, force=True)
assert outcome.written and not outcome.failed, outcome.problems[:3]
status = Path("/proc/self/status")
if status.exists():  # VmHWM: ru_maxrss would count the forking parent's size too (Linux keeps it across exec)
    print(next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM:")))
else:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1))
"""


def peak_kib(table: Path, out: Path, sources: Path) -> int:
    """The peak resident memory (KiB) of a fresh process running run_batch on the table."""
    done = subprocess.run([sys.executable, "-c", _PEAK, str(table), str(out), str(ROOT / "rules"), str(sources)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return int(done.stdout.strip().splitlines()[-1])


def timed_run(tables: list[Path], out: Path, pack: Pack, sources: Path, **options: Any) -> float:
    from engine.analysis.batch import run_batch

    start = time.perf_counter()
    outcome = run_batch(tables, out, rules=pack, sources=sources, force=True, **options)
    elapsed = time.perf_counter() - start
    assert outcome.written and not outcome.failed, outcome.problems[:3]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", default="10000,100000,1000000")
    parser.add_argument("--no-dask", action="store_true")
    arguments = parser.parse_args()
    from engine.files.pack import load_pack

    pack = load_pack(ROOT / "rules")
    print(f"pack: {len(pack.rules)} rules, {len(pack.facts)} facts; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as name:
        folder = Path(name)
        table, sources = write_tables(folder, pack, arguments.rows, arguments.seed)
        scalar, columnar, rows = bench_evaluation(pack, table, sources)
        print(f"evaluation, {rows:,} rows: weigh() loop {scalar:.2f} s, columnar {columnar:.3f} s: "
              f"{scalar / columnar:.1f}x faster")
        out = folder / "out.parquet"
        for jobs in (1, 2):
            seconds = timed_run([table], out, pack, sources, jobs=jobs)
            print(f"run_batch CSV -> Parquet, {rows:,} rows, jobs={jobs}: {seconds:.2f} s "
                  f"({rows / seconds:,.0f} rows/s)")
        small, _ = write_tables(folder, pack, 10_000, arguments.seed)
        low, high = peak_kib(small, out, sources), peak_kib(table, out, sources)
        print(f"peak memory of run_batch: 10,000 rows {low / 1024:.0f} MiB, {rows:,} rows {high / 1024:.0f} MiB "
              f"(ratio {high / low:.2f})")
        for size in (int(s) for s in arguments.scale.split(",") if s):
            path, _ = write_tables(folder, pack, size, arguments.seed) if size != rows else (table, sources)
            seconds = timed_run([path], out, pack, sources, jobs=2)
            print(f"scaling: {size:>9,} rows, jobs=2: {seconds:7.2f} s ({size / seconds:,.0f} rows/s)")
            if path != table:
                path.unlink()
        if not arguments.no_dask:
            parquet_in = folder / "in.parquet"
            _csv_to_parquet(table, parquet_in, pack)
            for workers in (1, 2):
                seconds = timed_run([parquet_in], folder / "dask-out.parquet", pack, sources, jobs=workers,
                                    dask="local")
                print(f"dask LocalCluster, {workers} worker(s), {rows:,} rows Parquet -> Parquet: {seconds:.2f} s "
                      "(cluster start included)")
    print(f"(this process peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


def _csv_to_parquet(table: Path, parquet: Path, pack: Pack) -> None:
    """The CSV as typed Parquet (types inferred by pyarrow, list cells parsed), row groups of 20,000 rows."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    data = pcsv.read_csv(table, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    for name, fact in pack.facts.items():
        if fact.type == "list" and name in data.column_names:
            cells = [None if text is None else json.loads(text) for text in data.column(name).to_pylist()]
            data = data.set_column(data.column_names.index(name), name, pa.array(cells, type=pa.list_(pa.string())))
    pq.write_table(data, parquet, row_group_size=20_000)


if __name__ == "__main__":
    main()
