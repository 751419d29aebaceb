"""run_batch: tables of cases in, one scored table out (docs/batch.md)."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from strategies import dump
from support import PACT_RULES

from engine.analysis.batch import output_columns, run_batch
from engine.core.compile import compile_pack
from engine.core.evaluate import weigh
from engine.core.model import Calibration
from engine.files.case import check_case
from engine.files.pack import load_pack

BAD = Path(__file__).parent / "bad_tables"
HEADER = ("case,lead,follower,as_of,tariff_cuts,tariff_cuts.source,tariff_cuts.credibility,tariff_cuts.observed,"
          "loan_share,arms_embargo,press_tone,rivals_courted,treaty_signed")
TONES = ("hostile", "cool", "warm", "")


@pytest.fixture(scope="module")
def pact() -> Any:
    return load_pack(PACT_RULES)


def _rows(count: int) -> list[str]:
    """Varied good rows: every fact stated or not, sourced, graded, dated."""
    rows = []
    for i in range(count):
        year = 2000 + i % 20
        cuts = "" if i % 7 == 0 else str(i % 51)
        rows.append(",".join([
            f"dyad-{i}", "Russia", "Iran", f"{year}-06-30", cuts,
            ("wire" if i % 3 else "ungraded-blog") if cuts else "", str(1 + i % 6) if cuts and i % 2 else "",
            f"{year - i % 5}-01-01" if cuts and i % 4 else "",
            "" if i % 5 == 0 else str((i % 11) / 10), "" if i % 6 == 0 else ("true" if i % 2 else "false"),
            TONES[i % 4], '"[""east""]"' if i % 3 == 0 else ('"[]"' if i % 3 == 1 else ""),
            f"{2010 + i % 12}-03-0{1 + i % 9}" if i % 8 else ""]))
    return rows


def _table(path: Path, count: int, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    path.write_text("\n".join([HEADER, *_rows(count), *extra]) + "\n", encoding="utf-8")
    return path


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_output_matches_the_scalar_engine(tmp_path: Path, pact: Any) -> None:
    table = _table(tmp_path / "t.csv", 60)
    outcome = run_batch([table], tmp_path / "out.jsonl", rules=pact, sources=BAD / "sources.csv")
    assert outcome.written and not outcome.failed and outcome.rows == 60 and not outcome.problems
    records = _read_jsonl(tmp_path / "out.jsonl")
    assert [list(r) for r in records[:1]] == [output_columns(pact)]
    compiled = compile_pack(pact)
    sources = {"wire": {"reliability": "B"}, "ungraded-blog": {}}
    with table.open(newline="", encoding="utf-8") as handle:
        for row, record in zip(csv.DictReader(handle), records, strict=True):
            facts: dict[str, Any] = {}
            for name, fact in pact.facts.items():
                if not row.get(name):
                    continue
                text = row[name]
                value: Any = {"integer": lambda t: int(t), "number": float, "boolean": lambda t: t == "true",
                              "list": json.loads}.get(fact.type, lambda t: t)(text)
                entry = {"value": value}
                for part in ("source", "credibility", "observed"):
                    if row.get(f"{name}.{part}"):
                        entry[part] = int(row[f"{name}.{part}"]) if part == "credibility" else row[f"{name}.{part}"]
                facts[name] = entry
            case_path = tmp_path / "case.yaml"
            case_path.write_text(dump({"case": row["case"], "title": "t", "as_of": row["as_of"],
                                       "parties": {"lead": row["lead"], "follower": row["follower"]},
                                       "sources": sources, "facts": facts}), encoding="utf-8")
            case, problems = check_case(case_path, pact)
            assert case is not None, problems
            expected = weigh(case, compiled)
            assert record["score"] == expected.score and record["coverage"] == expected.coverage
            assert record["band"] == [b for b in pact.bands if b.start <= expected.score][-1].label
            assert record["probability"] is None
            points = {w.rule.rule.id: w.points for w in expected.evaluated}
            assert {k[7:]: v for k, v in record.items() if k.startswith("points.")} == \
                {rule.id: points.get(rule.id) for rule in pact.rules}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_output_formats_hold_the_same_numbers(tmp_path: Path, pact: Any, suffix: str) -> None:
    table = _table(tmp_path / "t.csv", 40)
    run_batch([table], tmp_path / "ref.jsonl", rules=pact, sources=BAD / "sources.csv")
    reference = _read_jsonl(tmp_path / "ref.jsonl")
    out = tmp_path / f"out{suffix}"
    assert run_batch([table], out, rules=pact, sources=BAD / "sources.csv").written
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        data = pq.read_table(out).to_pylist()
        records = [{**r, "as_of": r["as_of"].isoformat()} for r in data]
    elif suffix == ".csv":
        with out.open(newline="", encoding="utf-8") as handle:
            records = [{k: (None if v == "" else float(v) if k in ("score", "coverage", "probability")
                            or k.startswith("points.") else v) for k, v in r.items()} for r in csv.DictReader(handle)]
    else:
        records = _read_jsonl(out)
    assert records == reference


def test_input_formats_give_the_same_output(tmp_path: Path, pact: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = _table(tmp_path / "t.csv", 30)
    run_batch([table], tmp_path / "from-csv.jsonl", rules=pact, sources=BAD / "sources.csv")
    lines = []
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        data: dict[str, Any] = {}
        for key, text in row.items():
            if text == "":
                continue
            fact = pact.facts.get(key)
            data[key] = text if fact is None and not key.endswith(".credibility") else (
                int(text) if key.endswith(".credibility") or fact.type == "integer" else float(text)
                if fact.type == "number" else text == "true" if fact.type == "boolean"
                else json.loads(text) if fact.type == "list" else text)
        lines.append(json.dumps(data))
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_batch([tmp_path / "t.jsonl"], tmp_path / "from-jsonl.jsonl", rules=pact, sources=BAD / "sources.csv")
    records = [json.loads(line) for line in lines]
    columns = {key: [r.get(key) for r in records] for key in dict.fromkeys(k for r in records for k in r)}
    types = {"rivals_courted": pa.list_(pa.string()), "loan_share": pa.float64()}
    pq.write_table(pa.table({k: pa.array(v, type=types.get(k)) for k, v in columns.items()}), tmp_path / "t.parquet")
    run_batch([tmp_path / "t.parquet"], tmp_path / "from-parquet.jsonl", rules=pact, sources=BAD / "sources.csv")
    reference = (tmp_path / "from-csv.jsonl").read_bytes()
    assert (tmp_path / "from-jsonl.jsonl").read_bytes() == reference
    assert (tmp_path / "from-parquet.jsonl").read_bytes() == reference


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_two_jobs_write_the_same_bytes(tmp_path: Path, pact: Any, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.files.tables.BATCH_ROWS", 7)  # many chunks, so order matters
    tables = [_table(tmp_path / "a.csv", 50), _table(tmp_path / "b.csv", 23)]
    one = run_batch(tables, tmp_path / f"one{suffix}", rules=pact, sources=BAD / "sources.csv", jobs=1)
    two = run_batch(tables, tmp_path / f"two{suffix}", rules=pact, sources=BAD / "sources.csv", jobs=2)
    assert one.rows == two.rows == 73
    assert (tmp_path / f"one{suffix}").read_bytes() == (tmp_path / f"two{suffix}").read_bytes()


def test_bad_rows_stop_the_write_without_keep_going(tmp_path: Path, pact: Any) -> None:
    bad = ["bad-1,Russia,Iran,2020-01-01,many,,,,,,,,", "bad-2,Russia,Iran,2020-13-01,,,,,,,,,"]
    table = _table(tmp_path / "t.csv", 10, bad)
    out = tmp_path / "out.csv"
    outcome = run_batch([table], out, rules=pact, sources=BAD / "sources.csv")
    assert outcome.failed and not outcome.written and outcome.rows == 0 and not out.exists()
    assert [(p.line, p.column, p.code) for p in outcome.problems] == [(12, 5, "type-mismatch"), (13, 4, "date")]
    assert list(tmp_path.iterdir()) == [table]  # no temporary left behind
    kept = run_batch([table], out, rules=pact, sources=BAD / "sources.csv", keep_going=True)
    assert kept.failed and kept.written and kept.rows == 10 and len(kept.problems) == 2
    assert len(out.read_text(encoding="utf-8").splitlines()) == 11


def test_keep_going_skips_an_unreadable_table(tmp_path: Path, pact: Any) -> None:
    table = _table(tmp_path / "t.csv", 5)
    missing = tmp_path / "missing.csv"
    outcome = run_batch([missing, table], tmp_path / "o.jsonl", rules=pact, sources=BAD / "sources.csv",
                        keep_going=True)
    assert outcome.failed and outcome.written and outcome.rows == 5
    assert [(p.path, p.code) for p in outcome.problems] == [(missing.as_posix(), "file")]


def test_existing_output_needs_force(tmp_path: Path, pact: Any) -> None:
    table = _table(tmp_path / "t.csv", 3)
    out = tmp_path / "o.parquet"
    out.write_bytes(b"keep me")
    refused = run_batch([table], out, rules=pact, sources=BAD / "sources.csv")
    assert not refused.written and refused.problems[0].code == "file" and out.read_bytes() == b"keep me"
    assert run_batch([table], out, rules=pact, sources=BAD / "sources.csv", force=True).rows == 3
    wrong = run_batch([table], tmp_path / "o.xlsx", rules=pact)
    assert not wrong.written and "jsonl, .csv or .parquet" in wrong.problems[0].message


def test_bad_source_table_writes_nothing(tmp_path: Path, pact: Any) -> None:
    sources = tmp_path / "s.csv"
    sources.write_text("source,reliability\nwire,Z\n", encoding="utf-8")
    outcome = run_batch([_table(tmp_path / "t.csv", 3)], tmp_path / "o.csv", rules=pact, sources=sources,
                        keep_going=True)
    assert not outcome.written and [p.code for p in outcome.problems] == ["grade"]


def test_probability_from_the_calibration(tmp_path: Path, pact: Any) -> None:
    from dataclasses import replace

    calibrated = replace(pact, calibration=Calibration(5, 0.5, 0.08))
    run_batch([_table(tmp_path / "t.csv", 20)], tmp_path / "o.jsonl", rules=calibrated, sources=BAD / "sources.csv")
    for record in _read_jsonl(tmp_path / "o.jsonl"):
        assert record["probability"] == calibrated.calibration.endures(record["score"])
        assert 0 < record["probability"] < 1 and not math.isnan(record["probability"])


def test_progress_bar_on_stderr(tmp_path: Path, pact: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run_batch([_table(tmp_path / "t.csv", 5)], tmp_path / "o.csv", rules=pact, sources=BAD / "sources.csv",
              progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "rows" in captured.err
    run_batch([_table(tmp_path / "t.csv", 5)], tmp_path / "p.csv", rules=pact, sources=BAD / "sources.csv")
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_dask_local_cluster_of_two_workers(tmp_path: Path, pact: Any) -> None:
    """The same rows, numbers and problems as the local run, from Parquet row groups as partitions."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = _table(tmp_path / "t.csv", 45, ["bad-1,Russia,Iran,2020-01-01,77,,,,,,,,"])
    data = pcsv.read_csv(table, convert_options=pcsv.ConvertOptions(
        strings_can_be_null=True, column_types={"rivals_courted": "string", "treaty_signed": "string"}))
    import pyarrow as pa

    lists = [None if t is None else json.loads(t) for t in data.column("rivals_courted").to_pylist()]
    data = data.set_column(data.column_names.index("rivals_courted"), "rivals_courted",
                           pa.array(lists, type=pa.list_(pa.string())))
    parquet = tmp_path / "t.parquet"
    pq.write_table(data, parquet, row_group_size=10)
    local = run_batch([parquet], tmp_path / "local.parquet", rules=pact, sources=BAD / "sources.csv", keep_going=True)
    dask = run_batch([parquet], tmp_path / "dask.parquet", rules=pact, sources=BAD / "sources.csv", keep_going=True,
                     jobs=2, dask="local")
    assert dask.rows == local.rows == 45 and dask.failed and dask.written
    assert [str(p) for p in dask.problems] == [str(p) for p in local.problems]
    assert [(p.line, p.column, p.code) for p in dask.problems] == [(46, 5, "out-of-range")]
    assert pq.read_table(tmp_path / "dask.parquet").to_pylist() == pq.read_table(tmp_path / "local.parquet").to_pylist()
    refused = run_batch([table], tmp_path / "x.parquet", rules=pact, dask="local")
    assert not refused.written and "Parquet" in refused.problems[0].message


def test_cli_style_folder_cleanup(tmp_path: Path, pact: Any) -> None:
    """A failed write leaves the output folder as it was."""
    folder = tmp_path / "out"
    folder.mkdir()
    outcome = run_batch([_table(tmp_path / "t.csv", 3, ["x,a,b,2020-01-01,,,,,,maybe,,,"])], folder / "o.parquet",
                        rules=pact, sources=BAD / "sources.csv")
    assert outcome.failed and list(folder.iterdir()) == []
    shutil.rmtree(folder)
