"""Reading tables of cases: every bad cell located, and one table read alike from CSV, JSONL and Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import packs, scratch, write_pack
from strategies_tables import tables, write_csv, write_jsonl, write_parquet, write_sources_csv
from support import PACT_RULES

from engine.files.pack import load_pack
from engine.files.tables import MAX_PROBLEMS, Batch, read_sources, read_table
from engine.problems import cap, sort_key

BAD = Path(__file__).parent / "bad_tables"
BAD_FILES = sorted(p for p in BAD.iterdir() if p.suffix in (".csv", ".jsonl") and p.name != "sources.csv")


@pytest.fixture(scope="module")
def pact() -> Any:
    return load_pack(PACT_RULES)


def _problems(path: Path, pack: Any) -> list[str]:
    sources, problems = read_sources(BAD / "sources.csv")
    assert sources is not None, problems
    return [str(p) for batch in read_table(path, pack, sources) for p in batch.problems]


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_table_is_located(path: Path, pact: Any) -> None:
    """Each file beside its .expected: the problems, one a line, as `ROW:COLUMN: error[code]: message` prefixes."""
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    found = _problems(path, pact)
    assert len(found) == len(expected), found
    for line, wanted in zip(found, expected, strict=True):
        assert line.startswith(f"{path.as_posix()}:{wanted}"), (line, wanted)


def test_every_bad_table_has_its_expectation() -> None:
    assert BAD_FILES and all(p.with_suffix(".expected").is_file() for p in BAD_FILES)


def test_good_rows_of_a_bad_table_are_kept(pact: Any) -> None:
    sources, _ = read_sources(BAD / "sources.csv")
    batches = list(read_table(BAD / "integer-text.csv", pact, sources))
    assert [b.case for b in batches] == [["good-row"]] and batches[0].bad_rows == 1
    assert batches[0].rows.tolist() == [2]


def test_problems_are_capped_per_file(tmp_path: Path, pact: Any) -> None:
    rows = ["case,lead,follower,as_of,tariff_cuts"] + [f"r{i},a,b,2020-01-01,many" for i in range(250)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    problems = [p for batch in read_table(path, pact, batch_rows=64) for p in batch.problems]
    assert len(problems) == MAX_PROBLEMS
    assert problems[0].line == 2 and problems[MAX_PROBLEMS - 2].line == MAX_PROBLEMS
    assert (problems[-1].line, problems[-1].code) == (MAX_PROBLEMS + 1, "too-many-problems")
    assert "151 more problems of this file" in problems[-1].message and "type-mismatch" in problems[-1].message
    assert cap(problems) == sorted(problems, key=sort_key)  # capping again when printing changes nothing


def test_parquet_positions_and_types(tmp_path: Path, pact: Any) -> None:
    """Parquet: row index + 1, the column's index; a schema problem names its column and has no row."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"case": ["a", "b"], "lead": ["x", "y"], "follower": ["z", "w"],
                      "as_of": pa.array([dt.date(2020, 1, 1), dt.date(2020, 1, 2)]),
                      "tariff_cuts": pa.array([1, 70]), "treaty_signed": pa.array([dt.date(2016, 1, 1), None]),
                      "rivals_courted": pa.array([["east"], []], type=pa.list_(pa.string()))})
    pq.write_table(table, tmp_path / "t.parquet")
    (good, *rest) = list(read_table(tmp_path / "t.parquet", pact))
    assert [str(p) for p in good.problems] == [
        f"{(tmp_path / 't.parquet').as_posix()}:2:5: error[out-of-range]: 70 is above the maximum 50 of 'tariff_cuts'"]
    assert good.case == ["a"] and good.facts["treaty_signed"].values[0] == dt.date(2016, 1, 1).toordinal()
    assert good.facts["rivals_courted"].values[0] == ("east",) and not rest
    pq.write_table(table.append_column("mood", pa.array(["x", "y"])), tmp_path / "u.parquet")
    (schema,) = list(read_table(tmp_path / "u.parquet", pact))
    assert [(p.line, p.code) for p in schema.problems] == [(None, "unknown-fact")]
    assert "column 8: column 'mood'" in schema.problems[0].message


def test_source_table_problems(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("source,reliability,titel\nwire,G,x\nwire,A,y\n", encoding="utf-8")
    sources, problems = read_sources(path)
    assert sources is None
    assert [(p.line, p.column, p.code) for p in problems] == [(1, 3, "unknown-key")]
    path.write_text("source,reliability\nwire,G\nwire,A\nbad id,B\n", encoding="utf-8")
    sources, problems = read_sources(path)
    assert sources is None
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 2, "grade"), (3, 1, "duplicate-key"),
                                                              (4, 1, "value")]


def _same_batches(a: list[Batch], b: list[Batch]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.case == y.case and x.parties == y.parties and np.array_equal(x.as_of, y.as_of)
        stated = {name for name, column in x.facts.items() if column.stated.any()}
        assert stated == {name for name, column in y.facts.items() if column.stated.any()}  # JSONL may leave keys out
        for name in stated:
            column, other = x.facts[name], y.facts[name]
            assert np.array_equal(column.stated, other.stated)
            assert column.values.tolist() == other.values.tolist(), name
            for part in ("grade", "credibility", "observed"):
                assert np.array_equal(getattr(column, part), getattr(other, part)), (name, part)


@settings(max_examples=40)
@given(st.data())
def test_csv_jsonl_and_parquet_read_alike(data: st.DataObject) -> None:
    pack_data = data.draw(packs())
    table = data.draw(tables(pack_data))
    with scratch() as root:
        pack = load_pack(write_pack(root / "rules", pack_data))
        sources, _ = read_sources(write_sources_csv(root / "s.csv", table.sources))
        read = {fmt: list(read_table(writer(root / f"t.{fmt}"), pack, sources, batch_rows=3))
                for fmt, writer in (("csv", lambda p: write_csv(p, table.columns, table.rows)),
                                    ("jsonl", lambda p: write_jsonl(p, table.columns, table.rows)),
                                    ("parquet", lambda p: write_parquet(p, table.columns, table.rows, pack_data)))}
        for batches in read.values():
            assert not [p for b in batches for p in b.problems]
        _same_batches(read["csv"], read["jsonl"])
        _same_batches(read["csv"], read["parquet"])
        assert [b.rows.tolist() for b in read["csv"]] == [[r + 1 for r in b.rows.tolist()] for b in read["parquet"]]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path: Path, pact: Any) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfcase,lead,follower,as_of\nx,a,b,2020-01-01\n")
    (batch,) = list(read_table(path, pact))
    assert not batch.problems and batch.case == ["x"]


def test_unreadable_files_are_problems_not_tracebacks(tmp_path: Path, pact: Any) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "bad.csv").write_bytes(b"case,lead\n\xff\xfe\n")
    (tmp_path / "t.xlsx").write_bytes(b"")
    codes = {name: [p.code for b in read_table(tmp_path / name, pact) for p in b.problems]
             for name in ("bad.parquet", "bad.csv", "t.xlsx", "missing.csv")}
    assert codes == {"bad.parquet": ["file"], "bad.csv": ["encoding"], "t.xlsx": ["file"], "missing.csv": ["file"]}


def test_an_empty_batch_scores_to_nothing(tmp_path: Path, pact: Any) -> None:
    from engine.core.columnar import compile_columnar

    path = tmp_path / "empty.csv"
    path.write_text("case,lead,follower,as_of,tariff_cuts\n", encoding="utf-8")
    assert list(read_table(path, pact)) == []
    path.write_text("case,lead,follower,as_of,tariff_cuts\nx,a,b,2020-01-01,many\n", encoding="utf-8")
    (batch,) = list(read_table(path, pact))
    scores = compile_columnar(pact).score(batch)
    assert len(batch) == 0 and scores.score.shape == (0,) and scores.points.shape == (0, len(pact.rules))
