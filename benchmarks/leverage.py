"""Time the leverage figures (bounds, gaps, counterfactuals, sensitivity) against a plain `score()`.

    .venv/bin/python -m benchmarks.leverage [--rules 1000] [--repeat 15] [--seed 7]

Rows: the bundled pack (rules/) with cases/iran-russia-2020.yaml and with an empty case, and the generated
pack of --rules rules with its case (benchmarks/generate.py). Each time is the best of --repeat rounds
(timeit), the rounds of `leverage()` and of `score()` alternating so that a change in the machine's load
hits both; the ratio is leverage / score, measured in the same run. Targets: 5x on the bundled pack, 20x
on the 1,000-rule pack. The pack is compiled once before timing, for both.

A second table times the JSON report a user gets (`durability score --format json` without reading and
printing): the full one (`assess`: the score with all four figures and the probability, then `to_dict` and
the C encoder) against the same report of a plain `score()` (no figures), in the same alternating way.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate
from engine.analysis.assess import assess
from engine.analysis.leverage import leverage
from engine.core.compile import CompiledPack, compile_pack
from engine.core.evaluate import score
from engine.core.model import Case
from engine.files.case import check_case
from engine.files.pack import check_pack
from engine.reports.data import to_dict
from engine.reports.registry import dumps

ROOT = Path(__file__).resolve().parent.parent


def best(function: Callable[[], object], repeat: int, number: int) -> float:
    return min(timeit.timeit(function, number=number) for _ in range(repeat)) / number


def measure(label: str, compiled: CompiledPack, case: Case, repeat: int) -> None:
    first = leverage(compiled, case)
    ratio = compare(label, lambda: leverage(compiled, case), lambda: score(case, compiled), repeat)
    print(f"{ratio}   gaps {len(first.gaps)}, counterfactuals {len(first.counterfactuals)}, limits {len(first.limits)}")


def measure_report(label: str, compiled: CompiledPack, case: Case, repeat: int) -> None:
    print(compare(label, lambda: dumps(to_dict(assess(case, compiled))), lambda: dumps(to_dict(score(case, compiled))),
                  repeat))


def compare(label: str, engine: Callable[[], object], plain: Callable[[], object], repeat: int) -> str:
    """The row of one measurement: the best time of each, their rounds alternating, and the ratio."""
    number = max(1, int(0.05 / max(best(engine, 1, 1), 1e-6)))
    ours, theirs = [], []
    for _ in range(repeat):  # alternate the two, so that a busy spell of the machine hits both
        ours.append(best(engine, 1, number))
        theirs.append(best(plain, 1, number * 5))
    return f"{label:<44} {min(ours) * 1e3:10.3f} ms {min(theirs) * 1e3:10.3f} ms {min(ours) / min(theirs):8.1f}x"


def load(rules: Path, case: Path) -> tuple[CompiledPack, Case]:
    pack, problems = check_pack(rules)
    if pack is None:
        raise SystemExit("\n".join(map(str, problems)))
    model, problems = check_case(case, pack)
    if model is None:
        raise SystemExit("\n".join(map(str, problems)))
    return compile_pack(pack), model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        spec = generate(folder, arguments.rules, arguments.seed)
        generated = load(spec.rules_dir, spec.case_path)
    bundled = load(ROOT / "rules", ROOT / "cases" / "iran-russia-2020.yaml")
    empty = (bundled[0], dataclasses.replace(bundled[1], facts={}, sources={}))
    rows = [("bundled pack, iran-russia-2020", bundled), ("bundled pack, empty case", empty),
            (f"generated pack, {arguments.rules} rules", generated)]
    print(f"{'the analysis':<44} {'leverage':>13} {'score':>13} {'ratio':>9}")
    for label, (compiled, case) in rows:
        measure(label, compiled, case, arguments.repeat)
    print(f"\n{'the JSON report':<44} {'full':>13} {'plain':>13} {'ratio':>9}")
    for label, (compiled, case) in rows:
        measure_report(label, compiled, case, arguments.repeat)

if __name__ == "__main__":
    main()
