"""Time the leverage figures (bounds, gaps, counterfactuals, sensitivity) against a plain `score()`.

    .venv/bin/python -m benchmarks.leverage [--rules 1000] [--repeat 15] [--seed 7]

Rows: the bundled pack (rules/) with cases/iran-russia-2020.yaml and with an empty case, and the generated
pack of --rules rules with its case (benchmarks/generate.py). Each time is the best of --repeat rounds
(timeit), the rounds of `leverage()` and of `score()` alternating so that a change in the machine's load
hits both; the ratio is leverage / score, measured in the same run. Targets: 5x on the bundled pack, 20x
on the 1,000-rule pack. The pack is compiled once before timing, for both.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate
from engine.analysis.leverage import leverage
from engine.core.compile import CompiledPack, compile_pack
from engine.core.evaluate import score
from engine.core.model import Case
from engine.files.case import check_case
from engine.files.pack import check_pack

ROOT = Path(__file__).resolve().parent.parent


def best(function: Callable[[], object], repeat: int, number: int) -> float:
    return min(timeit.timeit(function, number=number) for _ in range(repeat)) / number


def measure(label: str, compiled: CompiledPack, case: Case, repeat: int) -> None:
    first = leverage(compiled, case)
    number = max(1, int(0.05 / max(best(lambda: leverage(compiled, case), 1, 1), 1e-6)))
    engine, plain = [], []
    for _ in range(repeat):  # alternate the two, so that a busy spell of the machine hits both
        engine.append(best(lambda: leverage(compiled, case), 1, number))
        plain.append(best(lambda: score(case, compiled), 1, number * 10))
    ratio = min(engine) / min(plain)
    print(f"{label:<44} {min(engine) * 1e3:10.3f} ms {min(plain) * 1e3:10.3f} ms {ratio:8.1f}x   "
          f"gaps {len(first.gaps)}, counterfactuals {len(first.counterfactuals)}, limits {len(first.limits)}")


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
    print(f"{'measurement':<44} {'leverage':>13} {'score':>13} {'ratio':>9}")
    compiled, case = load(ROOT / "rules", ROOT / "cases" / "iran-russia-2020.yaml")
    measure("bundled pack, iran-russia-2020", compiled, case, arguments.repeat)
    measure("bundled pack, empty case", compiled, dataclasses.replace(case, facts={}, sources={}), arguments.repeat)
    with tempfile.TemporaryDirectory() as folder:
        spec = generate(folder, arguments.rules, arguments.seed)
        compiled, case = load(spec.rules_dir, spec.case_path)
    measure(f"generated pack, {arguments.rules} rules", compiled, case, arguments.repeat)


if __name__ == "__main__":
    main()
