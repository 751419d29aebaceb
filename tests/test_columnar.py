"""The columnar evaluator agrees exactly (==) with the scalar engine, row by row.

Generated packs (every operator, nesting, degrees, half-lives, evidence settings) and generated tables
(unstated facts, graded and ungraded sources, credibility, observed dates) are written as CSV, JSONL or
Parquet, read back through `read_table` and scored by `compile_columnar`; each row, written as a case
file and loaded by `check_case`, is scored by `weigh`. Score, coverage, band and every rule's points
must be the same doubles.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dump, packs, scratch, write_pack
from strategies_tables import (
    TableData,
    row_case,
    tables,
    write_csv,
    write_jsonl,
    write_parquet,
    write_sources_csv,
)

from engine.core.columnar import OPERATORS, UnknownOperator, compile_columnar, row_fsum
from engine.core.compile import compile_pack
from engine.core.evaluate import weigh
from engine.core.model import leaves
from engine.core.operators import OPERATORS as SCALAR_OPERATORS
from engine.files.case import check_case
from engine.files.pack import check_pack, load_pack
from engine.files.tables import read_sources, read_table

FORMATS = ("csv", "jsonl", "parquet")


def _write_table(root: Path, fmt: str, table: TableData, pack_data: Any) -> Path:
    path = root / f"table.{fmt}"
    if fmt == "csv":
        return write_csv(path, table.columns, table.rows)
    if fmt == "jsonl":
        return write_jsonl(path, table.columns, table.rows)
    return write_parquet(path, table.columns, table.rows, pack_data)


def _check_agreement(pack_data: Any, table: TableData, fmt: str) -> None:
    with scratch() as root:
        pack, problems = check_pack(write_pack(root / "rules", pack_data))
        assert pack is not None, problems
        sources_path = write_sources_csv(root / "sources.csv", table.sources)
        sources, problems = read_sources(sources_path)
        assert sources is not None, problems
        path = _write_table(root, fmt, table, pack_data)
        batches = list(read_table(path, pack, sources, batch_rows=4))
        errors = [str(p) for b in batches for p in b.problems]
        assert not errors, errors
        columnar = compile_columnar(pack)
        compiled = compile_pack(pack)
        rows = iter(table.rows)
        for batch in batches:
            scores = columnar.score(batch)
            for i in range(len(batch)):
                row = next(rows)
                case_path = root / "case.yaml"
                case_path.write_text(dump(row_case(row, pack_data, table.sources)), encoding="utf-8")
                case, problems = check_case(case_path, pack)
                assert case is not None, problems
                expected = weigh(case, compiled)
                assert scores.score[i] == expected.score, (scores.score[i], expected.score)
                assert scores.coverage[i] == expected.coverage
                band = [b for b in pack.bands if b.start <= expected.score][-1]
                assert pack.bands[scores.band[i]] == band
                points = {w.rule.rule.id: w.points for w in expected.evaluated}
                for j, rule in enumerate(pack.rules):
                    assert bool(scores.evaluated[i, j]) == (rule.id in points), rule.id
                    assert scores.points[i, j] == points.get(rule.id, 0.0), rule.id
        assert next(rows, None) is None


@settings(max_examples=60)
@given(st.data(), st.sampled_from(FORMATS))
def test_columnar_agrees_with_weigh(data: st.DataObject, fmt: str) -> None:
    pack_data = data.draw(packs())
    table = data.draw(tables(pack_data))
    _check_agreement(pack_data, table, fmt)


@settings(max_examples=25)
@given(st.data())
def test_columnar_agrees_on_many_rules(data: st.DataObject) -> None:
    """Bigger packs and tables: more rules per row's sum, more distinct ages per batch; and decay taken once
    per distinct age instead of from the table of ages (the path for ages beyond DECAY_TABLE days)."""
    pack_data = data.draw(packs(min_rules=5, max_rules=12))
    table = data.draw(tables(pack_data, min_rows=5, max_rows=12))
    with mock.patch("engine.core.columnar.DECAY_TABLE", data.draw(st.sampled_from((1, 64, 1 << 20)))):
        _check_agreement(pack_data, table, "csv")


def test_bundled_pack_agrees() -> None:
    """The bundled pack on the example cases' facts, through a CSV of one row per case."""
    from engine.files.case import load_case

    pack = load_pack("rules")
    columnar, compiled = compile_columnar(pack), compile_pack(pack)
    for path in sorted(Path("cases").glob("*.yaml")):
        case = load_case(path, pack)
        expected = weigh(case, compiled)
        # the case's observations in use, one per fact, as a table row
        row: dict[str, Any] = {"case": case.id, "as_of": case.as_of.isoformat(), **case.parties}
        for name, observation in expected.observations.items():
            value = observation.value
            row[name] = list(value) if isinstance(value, tuple) else (
                value.isoformat() if hasattr(value, "isoformat") else value)
            row[f"{name}.source"] = observation.source
            row[f"{name}.credibility"] = observation.credibility
            row[f"{name}.observed"] = observation.observed.isoformat() if observation.observed else None
        columns = list(row)
        sources = {s.id: {k: v for k, v in (("reliability", s.reliability),) if v} for s in case.sources.values()}
        with scratch() as root:
            table_path = write_csv(root / "t.csv", columns, [row])
            known, problems = read_sources(write_sources_csv(root / "s.csv", sources))
            assert known is not None, problems
            (batch,) = list(read_table(table_path, pack, known))
            assert not batch.problems, batch.problems
            scores = columnar.score(batch)
            assert scores.score[0] == expected.score and scores.coverage[0] == expected.coverage


def test_every_scalar_operator_has_a_columnar_function() -> None:
    assert set(OPERATORS) == set(SCALAR_OPERATORS)


def test_an_operator_without_a_function_fails_at_compile_time(monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack("rules")
    used = {leaf.operator for rule in pack.rules for leaf in leaves(rule.when)}
    missing = sorted(used)[0]
    monkeypatch.delitem(OPERATORS, missing)
    with pytest.raises(UnknownOperator, match=missing):
        compile_columnar(pack)




@given(st.lists(st.lists(st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20),
    st.sampled_from((0.5, 2.0 ** -60, 1e-300, 5e-324, -0.0, 1.0, 2.0 ** 53))), min_size=1, max_size=12),
    min_size=1, max_size=8).filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_row_fsum_is_math_fsum(rows: list[list[float]]) -> None:
    sums = row_fsum(np.asarray(rows, dtype=np.float64))
    for row, value in zip(rows, sums, strict=True):
        assert value == math.fsum(row) and math.copysign(1, value) == math.copysign(1, math.fsum(row))


def test_row_fsum_ties_fall_back() -> None:
    """A sum exactly half-way between two doubles: the bound cannot decide, math.fsum does."""
    rows = [[1.0, 2.0 ** -53, 2.0 ** -106], [1.0, 2.0 ** -53], [2.0 ** 53, 1.0, -0.5]]
    assert list(row_fsum(np.asarray([r + [0.0] * (3 - len(r)) for r in rows]))) == [math.fsum(r) for r in rows]

