"""Time and peak memory of each hostile input through the real command (issue 13).

    .venv/bin/python -m benchmarks.hostile [--only NAME] [--keep DIR] [--timeout 60]

Each hostile input is written into a scratch folder and checked by `durability validate` in a fresh
process (the installed entry point, .venv/bin/durability); the row gives its wall time, its CPU time
(user and system: less disturbed by a busy machine), its peak resident memory (from wait4), its exit
status, how many lines it printed on stderr and the longest. The target is every input under 1 s and
100 MB (OVER otherwise), printing no line of 1,000 characters or more (LONG). The first row, one
small valid case, is the cost of starting the command at all on this machine: the rest of each time
is what the input costs. Each input is built in a process of its own, so that the memory it took to
build does not count in the peak of the command measured next.

The inputs are built by `HOSTILE` below; tests/test_hostile.py checks inputs of the same kinds for their
outcome (codes, bounded output), and this script only measures. A FIFO input would block the reader
forever if it were opened for reading: --timeout (seconds) stops any run that hangs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACT_RULES = ROOT / "tests" / "packs" / "pact" / "rules"
BASE_PACK = ROOT / "tests" / "bad" / "base"
COMMAND = ROOT / ".venv" / "bin" / "durability"
CASE_HEAD = "case: hostile\ntitle: Hostile\nparties: {lead: A, follower: B}\nas_of: 2021-06-30\n"
TARGET_SECONDS = 1.0
TARGET_MB = 100.0
TARGET_LONGEST = 1_000  # characters of the longest line printed


@dataclass(frozen=True)
class Hostile:
    """One hostile input: `build` writes it under a scratch folder and returns the validate arguments."""

    name: str
    what: str
    build: Callable[[Path], list[str]]


def _case(folder: Path, name: str, text: str) -> list[str]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return ["--rules", str(PACT_RULES), str(path)]


def _pack(folder: Path, file: str, text: str) -> list[str]:
    pack = folder / "pack"
    shutil.copytree(BASE_PACK, pack)
    (pack / file).write_text(text, encoding="utf-8")
    return [str(pack)]


def small_valid(folder: Path) -> list[str]:
    return ["--rules", str(PACT_RULES), str(PACT_RULES.parent / "cases" / "alpha.yaml")]


def billion_laughs(folder: Path) -> list[str]:
    lines = ['lol0: &lol0 "lol"', *(f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 31))]
    return _case(folder, "laughs.yaml", "\n".join(lines) + "\n")


def deep(folder: Path) -> list[str]:
    return _case(folder, "deep.yaml", CASE_HEAD + "notes: " + "[" * 50_000 + "]" * 50_000 + "\n")


def sparse_70_mb(folder: Path) -> list[str]:
    path = folder / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(CASE_HEAD.encode())
        handle.truncate(70 * 1024 * 1024)
    return ["--rules", str(PACT_RULES), str(path)]


def link_to(target: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        path = folder / "linked.yaml"
        path.symlink_to(target)
        return ["--rules", str(PACT_RULES), str(path)]
    return build


def fifo(folder: Path) -> list[str]:
    path = folder / "fifo.yaml"
    os.mkfifo(path)
    return ["--rules", str(PACT_RULES), str(path)]


def facts_dev_zero(folder: Path) -> list[str]:
    pack = folder / "pack"
    shutil.copytree(BASE_PACK, pack)
    (pack / "facts.yaml").unlink()
    (pack / "facts.yaml").symlink_to("/dev/zero")
    return [str(pack)]


def link_loop(folder: Path) -> list[str]:
    cases = folder / "cases"
    (cases / "sub").mkdir(parents=True)
    shutil.copy(PACT_RULES.parent / "cases" / "alpha.yaml", cases / "sub" / "alpha.yaml")
    (cases / "sub" / "again").symlink_to("..")
    return ["--rules", str(PACT_RULES), str(cases)]


def link_fan(folder: Path, levels: int = 25) -> list[str]:
    """Two links to the next level at each of 25 levels: 2 ** 25 paths to the bottom if links were
    followed blindly, and no loop for a loop check by ancestors to catch."""
    cases = folder / "cases"
    for level in range(levels + 1):
        (cases / f"l{level}").mkdir(parents=True)
    for level in range(levels):
        for name in ("a", "b"):
            (cases / f"l{level}" / name).symlink_to(f"../l{level + 1}")
    shutil.copy(PACT_RULES.parent / "cases" / "alpha.yaml", cases / f"l{levels}" / "alpha.yaml")
    return ["--rules", str(PACT_RULES), str(cases)]


def bad_items(folder: Path) -> list[str]:
    return _case(folder, "items.yaml", CASE_HEAD + "facts:\n  rivals_courted: [" + ",".join(["1"] * 1_500_000) + "]\n")


def bad_items_within_limit(folder: Path) -> list[str]:
    return _case(folder, "items.yaml", CASE_HEAD + "facts:\n  rivals_courted: [" + ",".join(["1"] * 90_000) + "]\n")


def tags(folder: Path) -> list[str]:
    return _case(folder, "tags.yaml", CASE_HEAD + "notes: [" + ",".join(["!x a"] * 500_000) + "]\n")


def duplicate_keys(folder: Path) -> list[str]:
    return _case(folder, "keys.yaml", CASE_HEAD + "notes:\n" + "  a: 1\n" * 400_000)


def escapes(folder: Path) -> list[str]:
    return _case(folder, "escapes.yaml", CASE_HEAD + "notes: [" + ",".join(['"\\e[2J"'] * 400_000) + "]\n")


def unknown_facts(count: int) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        return _case(folder, "facts.yaml", CASE_HEAD + "facts:\n" + "".join(f"  f{i}: 1\n" for i in range(count)))
    return build


def unknown_keys(folder: Path) -> list[str]:
    return _case(folder, "keys.yaml", CASE_HEAD + "".join(f"k{i}: 1\n" for i in range(45_000)))


def many_categories(folder: Path) -> list[str]:
    names = [f"c{i}" for i in range(10_000)]
    return _pack(folder, "pack.yaml", (BASE_PACK / "pack.yaml").read_text(encoding="utf-8").replace(
        "categories: [money, arms]", f"categories: [money, arms, {', '.join(names + names[:3])}]"))


def many_values(folder: Path) -> list[str]:
    values = ", ".join(f"v{i}" for i in range(10_000))
    facts = (BASE_PACK / "facts.yaml").read_text(encoding="utf-8").replace(
        "values: [hostile, cool, warm]", f"values: [hostile, cool, warm, {values}, v1]")
    return _pack(folder, "facts.yaml", facts)


def unknown_category(folder: Path) -> list[str]:
    names = ", ".join(f"c{i}" for i in range(10_000))
    arguments = _pack(folder, "pack.yaml", (BASE_PACK / "pack.yaml").read_text(encoding="utf-8").replace(
        "categories: [money, arms]", f"categories: [money, arms, {names}]"))
    rule = Path(arguments[0]) / "tariffs.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("category: money", "category: mony"), encoding="utf-8")
    return arguments


def value_not_allowed(folder: Path) -> list[str]:
    pack = folder / "pack"
    shutil.copytree(PACT_RULES, pack)
    values = ", ".join(f"v{i}" for i in range(10_000))
    facts = (pack / "facts.yaml").read_text(encoding="utf-8").replace("values: [hostile, cool, warm]",
                                                                      f"values: [hostile, cool, warm, {values}]")
    (pack / "facts.yaml").write_text(facts, encoding="utf-8")
    case = folder / "case.yaml"
    case.write_text(CASE_HEAD + "facts:\n  press_tone: warmish\n", encoding="utf-8")
    return ["--rules", str(pack), str(case)]


def long_fact_value(folder: Path) -> list[str]:
    return _case(folder, "long.yaml", CASE_HEAD + "facts:\n  tariff_cuts: '" + "x" * 100_000 + "'\n")


def unknown_leaves(folder: Path) -> list[str]:
    leaves = ", ".join(f"{{fact: f{i}}}" for i in range(20_000))
    text = (BASE_PACK / "tariffs.yaml").read_text(encoding="utf-8").replace(
        "when: {fact: tariff_cuts, at_least: 1}", f"when: {{all: [{leaves}]}}")
    return _pack(folder, "tariffs.yaml", text)


def long_value(folder: Path) -> list[str]:
    return _case(folder, "long.yaml", CASE_HEAD.replace("title: Hostile", "title: [" + "x" * 100_000 + "]"))


def newline_name(folder: Path) -> list[str]:
    return _case(folder, "two\nlines\x1b[2J.yaml", CASE_HEAD + "colour: red\n")


HOSTILE = [
    Hostile("start-up", "one small valid case: the cost of starting the command", small_valid),
    Hostile("billion-laughs", "30 levels of 9 aliases each", billion_laughs),
    Hostile("deep", "50,000 nested lists", deep),
    Hostile("70-mb", "a 70 MB (sparse) file", sparse_70_mb),
    Hostile("dev-zero", "a case that is a link to /dev/zero", link_to("/dev/zero")),
    Hostile("etc-passwd", "a case that is a link to /etc/passwd", link_to("/etc/passwd")),
    Hostile("fifo", "a case that is a FIFO with no writer", fifo),
    Hostile("facts-dev-zero", "a pack whose facts.yaml links to /dev/zero", facts_dev_zero),
    Hostile("link-loop", "a case folder holding a link to its parent", link_loop),
    Hostile("link-fan", "25 levels of two links each to the next level (2**25 paths)", link_fan),
    Hostile("bad-items", "1,500,000 list items of the wrong type (3 MB)", bad_items),
    Hostile("bad-items-90k", "90,000 list items of the wrong type, within the value limit", bad_items_within_limit),
    Hostile("tags", "500,000 tags", tags),
    Hostile("duplicate-keys", "400,000 duplicate keys", duplicate_keys),
    Hostile("escapes", "400,000 escaped ESC characters", escapes),
    Hostile("unknown-facts-250k", "250,000 undeclared facts", unknown_facts(250_000)),
    Hostile("unknown-facts-45k", "45,000 undeclared facts, within the value limit", unknown_facts(45_000)),
    Hostile("unknown-keys-45k", "45,000 unknown top-level keys", unknown_keys),
    Hostile("categories-10k", "pack.yaml with 10,000 categories, 3 repeated", many_categories),
    Hostile("values-10k", "a fact with 10,000 allowed values, one repeated", many_values),
    Hostile("category-10k", "a rule's unknown category, in a pack of 10,000 categories", unknown_category),
    Hostile("value-10k", "a case value not among a fact's 10,000 allowed values", value_not_allowed),
    Hostile("unknown-leaves-20k", "a rule condition of 20,000 leaves on undeclared facts", unknown_leaves),
    Hostile("long-value", "a 100 KB value of the wrong type (shape)", long_value),
    Hostile("long-fact-value", "a 100 KB text value for an integer fact (meaning)", long_fact_value),
    Hostile("newline-name", "a bad case whose file name holds a newline and an escape sequence", newline_name),
]


@dataclass(frozen=True)
class Measure:
    seconds: float
    cpu: float
    peak_mb: float
    status: int | None  # None: stopped at the timeout
    lines: int
    longest: int


def measure(arguments: list[str], timeout: float) -> Measure:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([str(COMMAND), "validate", *arguments], stdout=out, stderr=err, cwd=ROOT)
        status: int | None = None
        while True:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                break
            if time.perf_counter() - started > timeout:
                process.send_signal(signal.SIGKILL)
                _, _, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        process.returncode = status if status is not None else -9  # reaped by wait4, not by Popen
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").splitlines()
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return Measure(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale, status, len(lines),
                   max(map(len, lines), default=0))


def build(name: str, folder: Path) -> list[str]:
    """The validate arguments of input `name`, built under `folder` by a process of its own."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.hostile", "--build", name, str(folder)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    arguments: list[str] = json.loads(done.stdout)
    return arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=[h.name for h in HOSTILE], help="run only these")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a run is stopped")
    parser.add_argument("--build", nargs=2, metavar=("NAME", "DIR"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build:  # the child that builds one input: print its arguments
        name, folder = options.build
        print(json.dumps(next(h for h in HOSTILE if h.name == name).build(Path(folder))))
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    chosen = [h for h in HOSTILE if not options.only or h.name in options.only]
    print(f"{'input':<20} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'exit':>5} {'lines':>6} {'longest':>8}  "
          "verdict  what")
    with tempfile.TemporaryDirectory() as scratch:
        top = options.keep or Path(scratch)
        for hostile in chosen:
            folder = top / hostile.name
            folder.mkdir(parents=True, exist_ok=True)
            row = measure(build(hostile.name, folder), options.timeout)
            fine = row.status is not None and row.seconds < TARGET_SECONDS and row.peak_mb < TARGET_MB
            verdict = ("HUNG" if row.status is None else "OVER" if not fine
                       else "LONG" if row.longest >= TARGET_LONGEST else "ok")
            print(f"{hostile.name:<20} {row.seconds:>8.2f} {row.cpu:>6.2f} {row.peak_mb:>8.1f} {row.status!s:>5} "
                  f"{row.lines:>6} {row.longest:>8}  {verdict:<7}  {hostile.what}", flush=True)


if __name__ == "__main__":
    main()
