"""Many case files in one `durability score` call, against one process per case and one cold single run.

    .venv/bin/python -m benchmarks.many [--cases 2000] [--jobs 2] [--sample 40]

The cases are the bundled history library's, copied under new ids until there are `--cases` of them, and
scored with the bundled pack. One process per case is timed on `--sample` of them and scaled to all (the
processes are alike; timing 2,000 would take minutes): the ratio says how much the batch call saves. Every
figure is measured in the same run; the script prints numbers and asserts no timing.

The last line is a floor: the time pyyaml's C parser takes to hand over every event of every file, plus
the time the C JSON encoder takes to write every report, split evenly over the jobs, as if the rest of the
work (checking, scoring with the four figures, building the report, the pool) cost nothing. Both are
compiled code the engine cannot do without on its stack (pyyaml and the standard library's encoder).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.run import best_process

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "cases" / "history"


def write_cases(folder: Path, count: int) -> list[Path]:
    """`count` valid case files: the library's, each id given a number, round robin."""
    sources = sorted(LIBRARY.glob("*.yaml"))
    written = []
    for index in range(count):
        source = sources[index % len(sources)]
        text = source.read_text(encoding="utf-8")
        new_id = f"{source.stem}-{index:05d}"
        target = folder / f"{new_id}.yaml"
        target.write_text(text.replace(f"case: {source.stem}", f"case: {new_id}", 1), encoding="utf-8")
        written.append(target)
    return written


def floor(files: list[Path], jobs: int) -> float:
    """Seconds for pyyaml's C parser to give every event of `files` and the C encoder to write their
    reports (each file is a copy of a library case: its report is encoded once per copy), over `jobs`."""
    from engine.analysis.assess import assess
    from engine.core.compile import compile_pack
    from engine.files.case import load_case
    from engine.files.pack import load_pack
    from engine.reports.data import to_dict
    from engine.reports.registry import dumps

    compiled = compile_pack(load_pack(ROOT / "rules"))
    reports = {path.stem: to_dict(assess(load_case(path, compiled.pack), compiled))
               for path in sorted(LIBRARY.glob("*.yaml"))}
    texts = [path.read_text(encoding="utf-8") for path in files]
    copies = [reports[path.stem.rsplit("-", 1)[0]] for path in files]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            loader = yaml.CSafeLoader(text)  # the engine's parser (engine/files/load.py), its events only
            while loader.check_event():
                loader.get_event()
            loader.dispose()
        for report in copies:
            dumps(report)
        best = min(best, time.perf_counter() - start)
    return best / jobs


def wall(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """The wall time of one fresh process running `command` (it must succeed)."""
    return best_process(command, 1, cwd, env)[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=40, help="single-case processes actually timed")
    options = parser.parse_args(argv)
    script = Path(sys.executable).parent / "durability"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "engine"]
    rules = ["--rules", str(ROOT / "rules")]
    with tempfile.TemporaryDirectory(prefix="durability-many-") as scratch:
        # every process starts from cached bytecode, as an installed package does (see run.py's cold start)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")
        folder = Path(scratch) / "cases"
        folder.mkdir()
        files = write_cases(folder, options.cases)
        one = min(wall([*command, "score", str(files[0]), *rules], ROOT, env) for _ in range(5))
        batch = min(wall([*command, "score", str(folder), *rules, "--format", "jsonl", "--jobs", str(options.jobs)],
                         ROOT, env) for _ in range(2))
        serial = min(wall([*command, "score", str(folder), *rules, "--format", "jsonl"], ROOT, env) for _ in range(1))
        sample = files[:options.sample]
        each = sum(wall([*command, "score", str(path), *rules, "--format", "json"], ROOT, env) for path in sample)
        processes = each / len(sample) * len(files)
        least = floor(files, options.jobs)
    print(f"{options.cases} case files, bundled pack, {os.cpu_count()} CPUs")
    print(f"one cold single-case run                     {one * 1000:9.1f} ms")
    print(f"one call, --jobs {options.jobs}, jsonl                     {batch:9.2f} s   "
          f"{batch / one:6.1f}x the single run (target under 10x)")
    print(f"one call, --jobs 1, jsonl                     {serial:9.2f} s")
    print(f"one process per case ({len(sample)} timed, scaled)    {processes:9.2f} s   "
          f"the call is {processes / batch:6.1f}x faster (target at least 50x)")
    print(f"floor: C parser events + C encoder only, /{options.jobs} {least:9.2f} s   "
          f"{least / one:6.1f}x the single run")


if __name__ == "__main__":
    main()
