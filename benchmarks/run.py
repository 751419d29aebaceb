"""Measure the engine's speed, each figure as a ratio against a baseline timed in the same run.

    .venv/bin/python -m benchmarks.run [--rules 1000] [--repeat 7] [--seed 7] [--starts 10]

Prints one table (see benchmarks/README.md for what each row means):

- evaluation: `engine.evaluate.score` of one case against a generated pack of N rules, after compiling,
  against the same rules hand-written as one Python lambda per rule (generated from the same rule data,
  checked to give the same score and coverage before anything is timed);
- loading: `engine.pack.check_pack` (read, shape-check and meaning-check every file) against plain
  `yaml.load(..., Loader=yaml.CSafeLoader)` and against `yaml.safe_load` of the same files;
- cold start: `durability score CASE` in a fresh process against `python -c "import yaml, jsonschema, click"`.

Every time is the best of --repeat runs (timeit); ratios are engine / baseline (lower is better).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generate import Spec, generate

ROOT = Path(__file__).resolve().parent.parent


# --- timing ------------------------------------------------------------------------------------

def best_times(functions: dict[str, Callable[[], Any]], repeat: int, budget: float = 0.1) -> dict[str, float]:
    """The best time of one call of each function over `repeat` timeit rounds of about `budget` seconds.

    The rounds of the functions alternate, so that a change in the machine's load (other processes)
    hits the engine and its baseline alike. Garbage collection is off while timing (timeit's default).
    """
    timers = {}
    for name, function in functions.items():
        timer = timeit.Timer(function)
        number, seconds = timer.autorange()
        timers[name] = (timer, max(1, int(number * budget / max(seconds, 1e-9))))
    best = dict.fromkeys(functions, math.inf)
    for _ in range(repeat):
        for name, (timer, number) in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number)
    return best


def best_process(command: list[str], repeat: int, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """The best wall time and the best CPU time (user + system) of running `command` in a fresh process."""
    wall = cpu = math.inf
    for _ in range(repeat):
        before = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited with status {done.returncode}")
        wall = min(wall, elapsed)
        cpu = min(cpu, _children_cpu() - before)
    return wall, cpu


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (microseconds where getrusage exists)."""
    try:
        import resource
    except ImportError:  # Windows
        times = os.times()
        return times.children_user + times.children_system
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the hand-written baseline -------------------------------------------------------------------

_SYMBOLS = {"equals": "==", "not_equals": "!=", "at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}


class _Writer:
    """Writes the rules of a Spec as Python source: one lambda per rule, as a programmer would.

    Each lambda takes `v` (fact -> value in use), `q` (fact -> confidence of its observation) and
    `g` (fact -> age in days of its observation) and returns None when the rule is not evaluated,
    else its points `50*s*w * a * c * t / W`, with Kleene logic written out as conditional
    expressions that short-circuit like hand-written code would.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.constants: dict[str, str] = {}  # hoisted dates and date sets, as a programmer would
        self.names = itertools.count()

    def literal(self, value: Any) -> str:
        if isinstance(value, dt.date):
            name = f"D_{value:%Y%m%d}"
            self.constants[name] = f"date({value.year}, {value.month}, {value.day})"
            return name
        return repr(value)

    def members(self, items: list[Any]) -> str:
        if any(isinstance(item, dt.date) for item in items):
            name = f"S_{next(self.names)}"
            self.constants[name] = "frozenset({" + ", ".join(self.literal(i) for i in items) + "})"
            return name
        return "{" + ", ".join(repr(i) for i in items) + "}"

    def condition(self, condition: dict[str, Any]) -> str:
        if "not" in condition:
            n = f"n{next(self.names)}"
            return f"(None if ({n} := {self.condition(condition['not'])}) is None else not {n})"
        for combinator, decisive in (("all", False), ("any", True)):
            if combinator in condition:
                parts = [(f"p{next(self.names)}", self.condition(part)) for part in condition[combinator]]
                first = " or ".join(f"({p} := {source}) is {decisive}" for p, source in parts)
                unknown = " or ".join(f"{p} is None" for p, _ in parts)
                return f"({decisive} if {first} else None if {unknown} else {not decisive})"
        name = condition["fact"]
        operator = next((key for key in condition if key != "fact"), None)
        if operator is None:
            return f"v.get({name!r})"  # a boolean fact: its value is its truth, None when unknown
        operand = condition[operator]
        if operator == "known":
            return f"({name!r} {'in' if operand else 'not in'} v)"
        x = f"x{next(self.names)}"
        if operator in _SYMBOLS:
            test = f"{x} {_SYMBOLS[operator]} {self.literal(operand)}"
        elif operator == "between":
            test = f"{self.literal(operand[0])} <= {x} <= {self.literal(operand[1])}"
        elif operator == "one_of":
            test = f"{x} in {self.members(operand)}"
        elif operator == "none_of":
            test = f"{x} not in {self.members(operand)}"
        else:  # contains
            test = f"{operand!r} in {x}"
        return f"(None if ({x} := v.get({name!r})) is None else {test})"

    def degree(self, degree: dict[str, Any]) -> str:
        start, end = degree["from"], degree["to"]
        x = f"x{next(self.names)}"
        if isinstance(start, dt.date):
            value, low, span = f"{x}.toordinal()", float(start.toordinal()), float(end.toordinal()) - start.toordinal()
        else:
            value, low, span = x, float(start), float(end) - float(start)
        f = f"f{next(self.names)}"
        return (f"(None if ({x} := v.get({degree['fact']!r})) is None else "
                f"0.0 if ({f} := ({value} - {low!r}) / {span!r}) <= 0 else 1.0 if {f} >= 1 else {f})")

    def rule(self, rule: dict[str, Any], total: float) -> str:
        named = [leaf["fact"] for leaf in _leaves(rule["when"])]
        if "degree" in rule:
            named.append(rule["degree"]["fact"])
        named = list(dict.fromkeys(named))
        sign = 1 if rule["effect"] == "strengthens" else -1
        constant = 50 * sign * rule["weight"]
        confidence = " * " + _min_or_max("min", [f"q.get({n!r}, 1.0)" for n in named])
        half_life = rule.get("half_life_days", self.spec.pack["evidence"]["half_life_days"])
        decay = "" if half_life is None else \
            f" * 0.5 ** ({_min_or_max('max', [f'g.get({n!r}, 0)' for n in named])} / {half_life!r})"
        body = f"(None if (t := {self.condition(rule['when'])}) is None else 0.0 if not t else "
        if "degree" in rule:
            body += f"None if (a := {self.degree(rule['degree'])}) is None else {constant!r} * a"
        else:
            body += f"{constant!r}"
        return f"lambda v, q, g: {body}{confidence}{decay} / {total!r})"

    def module(self) -> str:
        total = self.spec.total_weight
        rules = [f"    ({rule['id']!r}, {self.rule(rule, total)}, {rule['weight']!r})," for rule in self.spec.rules]
        evidence = self.spec.pack["evidence"]
        return "\n".join([
            '"""The generated rules, hand-written as one lambda per rule (benchmark baseline)."""',
            "from datetime import date",
            "from math import fsum",
            *(f"{name} = {value}" for name, value in self.constants.items()),
            f"W = {total!r}",
            f"RELIABILITY = {evidence['reliability']!r}",
            f"CREDIBILITY = {evidence['credibility']!r}",
            f"UNSOURCED = {evidence['unsourced']!r}",
            "RULES = [", *rules, "]",
            _EVALUATE,
        ]) + "\n"


def _min_or_max(function: str, items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{function}({', '.join(items)})"


def _leaves(condition: dict[str, Any]) -> list[dict[str, Any]]:
    for combinator in ("all", "any"):
        if combinator in condition:
            return [leaf for part in condition[combinator] for leaf in _leaves(part)]
    if "not" in condition:
        return _leaves(condition["not"])
    return [condition]


# the per-case work the hand-written version does too: the observation in use of each fact (section 3),
# its confidence and its age; then one call per rule and the sum
_EVALUATE = '''

def prepare(case, as_of):
    """fact -> value, confidence and age in days of its observation in use at `as_of` (contract section 3)."""
    v, q, g = {}, {}, {}
    sources = case.sources
    for name, history in case.facts.items():
        best = when_best = None
        for o in history:
            when = o.observed or as_of
            if when > as_of:
                continue
            if best is None or when > when_best or (when == as_of and o.observed is None):
                best, when_best = o, when
        if best is None:
            continue
        v[name] = best.value
        if best.source is None:
            reliability = UNSOURCED
        else:
            grade = sources[best.source].reliability
            reliability = RELIABILITY[grade] if grade else 1.0
        q[name] = reliability * (CREDIBILITY[best.credibility] if best.credibility else 1.0)
        g[name] = (as_of - when_best).days
    return v, q, g


def evaluate(case, as_of):
    """(score, coverage) of an engine Case at `as_of`."""
    v, q, g = prepare(case, as_of)
    points = []
    weights = []
    for _, rule, weight in RULES:
        p = rule(v, q, g)
        if p is not None:
            points.append(p)
            weights.append(weight)
    return min(100.0, max(0.0, fsum([50.0, *points]))), fsum(weights) / W


def points_by_rule(case, as_of):
    """rule id -> its points (None: not evaluated), to check the lambdas against the engine rule by rule."""
    v, q, g = prepare(case, as_of)
    return {rule_id: rule(v, q, g) for rule_id, rule, _ in RULES}
'''


def hand_written(spec: Spec) -> tuple[str, dict[str, Any]]:
    """The baseline module's source and its namespace (compiled here: trusted code the benchmark wrote)."""
    source = _Writer(spec).module()
    namespace: dict[str, Any] = {}
    exec(compile(source, "<hand-written rules>", "exec"), namespace)
    return source, namespace


# --- the measurements --------------------------------------------------------------------------

Row = tuple[str, float, str, float, str]  # measurement, engine seconds, baseline, baseline seconds, note


def measure_evaluation(spec: Spec, repeat: int) -> list[Row]:
    from engine.core.compile import compile_pack
    from engine.core.evaluate import score
    from engine.files.case import load_case
    from engine.files.pack import load_pack

    pack = load_pack(spec.rules_dir)
    case = load_case(spec.case_path, pack)
    compiled = compile_pack(pack)
    _, baseline = hand_written(spec)
    evaluate = baseline["evaluate"]

    result = score(case, compiled)
    expected = evaluate(case, case.as_of)
    if (result.score, result.coverage) != expected:
        raise SystemExit(f"the hand-written rules disagree with the engine: engine (score, coverage) = "
                         f"{(result.score, result.coverage)}, hand-written = {expected}")
    engine_points: dict[str, float | None] = {c.rule: c.points for c in result.contributions}
    engine_points.update({n.rule: None for n in result.not_evaluated})
    disagree = [(rule, engine_points[rule], p) for rule, p in baseline["points_by_rule"](case, case.as_of).items()
                if engine_points[rule] != p]
    if disagree or len(engine_points) != len(spec.rules):
        raise SystemExit(f"the hand-written rules disagree with the engine on {len(disagree)} rules: {disagree[:5]}")
    evaluated = len(result.contributions)
    fired = sum(c.fired for c in result.contributions)
    note = (f"{len(pack.rules)} rules: {fired} fired, {evaluated - fired} false, {len(result.not_evaluated)} unknown; "
            "score, coverage and every rule's points agree exactly")

    from engine.reports.data import to_dict

    def report() -> str:  # score() with every explanation read, then the JSON report as --format json prints it
        return json.dumps(to_dict(score(case, compiled)), ensure_ascii=False)

    data = to_dict(score(case, compiled))
    functions: dict[str, Callable[[], Any]] = {
        "baseline": lambda: evaluate(case, case.as_of),
        "score": lambda: score(case, compiled),
        "report": report,
        "c-encoder": lambda: json.dumps(data, ensure_ascii=False),
        "indented": lambda: json.dumps(data, ensure_ascii=False, indent=2),
    }
    weigh = _core()
    if weigh is not None:
        weighed = weigh(case, compiled, case.as_of)
        if (weighed.score, weighed.coverage) != expected:
            raise SystemExit(f"engine core disagrees: {(weighed.score, weighed.coverage)} vs {expected}")
        functions["core"] = lambda: weigh(case, compiled, case.as_of)
    best = best_times(functions, repeat)
    rows: list[Row] = [
        ("evaluate: score() -> Result", best["score"], "hand-written lambdas", best["baseline"],
         note + "; score() also builds a Contribution per evaluated rule, the warnings, and sorts; each rule's "
                "reason, facts, sources and evidence are built when first read (the next row reads them all)"),
        ("report: score() + to_dict + json", best["report"], "hand-written lambdas", best["baseline"],
         "every explanation read and the JSON report encoded, as `score --format json` does"),
        ("json: the report, one line (C encoder)", best["c-encoder"], "the same, indent=2 (pure Python)",
         best["indented"], "json.dumps of the same report dict"),
    ]
    if "core" in best:
        rows.append(("evaluate: core only (truth+degree+points)", best["core"], "hand-written lambdas",
                     best["baseline"], "engine.core.evaluate.weigh, the part of score() that computes truth, degree, "
                                       "confidence, decay, points, score and coverage (what the lambdas compute)"))
    return rows


def _core() -> Callable[..., Any] | None:
    import engine.core.evaluate

    return getattr(engine.core.evaluate, "weigh", None)


def measure_loading(spec: Spec, repeat: int) -> list[Row]:
    from engine.files.pack import check_pack, rule_files

    files = [spec.rules_dir / "pack.yaml", spec.rules_dir / "facts.yaml", *rule_files(spec.rules_dir)[0]]
    loader: Any = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise SystemExit("PyYAML is built without libyaml: no CSafeLoader to compare with")

    def c_load() -> list[Any]:
        return [yaml.load(path.read_bytes(), Loader=loader) for path in files]

    def safe_load() -> list[Any]:
        return [yaml.safe_load(path.read_bytes()) for path in files]

    pack, problems = check_pack(spec.rules_dir)
    if pack is None:
        raise SystemExit("the generated pack does not validate:\n" + "\n".join(map(str, problems)))
    best = best_times({"engine": lambda: check_pack(spec.rules_dir), "c": c_load}, repeat, budget=0.5)
    slow = best_times({"safe": safe_load}, max(3, repeat // 2), budget=0.5)
    note = f"{len(files)} files, {sum(p.stat().st_size for p in files) // 1024} KiB"
    return [
        ("load+validate: check_pack(pack)", best["engine"], "yaml.load(CSafeLoader), no checks", best["c"], note),
        ("load+validate: check_pack(pack)", best["engine"], "yaml.safe_load, no checks", slow["safe"], note),
    ]


_C_LOAD = ("import pathlib, sys, yaml\n"
           "for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
           "    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)\n")


def measure_validation(rules: int, seed: int, repeat: int, scratch: Path) -> list[Row]:
    """`durability validate` of a generated pack of `rules` rules in a fresh process (read, check, build,
    compile, band reach), against a fresh process that only parses the same files with CSafeLoader."""
    spec = generate(scratch / f"validate-{rules}", rules, seed)
    script = Path(sys.executable).parent / "durability"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "engine"]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    engine_wall = base_wall = math.inf
    for _ in range(repeat):  # alternating, as the cold starts
        engine_wall = min(engine_wall, best_process([*command, "validate", str(spec.rules_dir)], 1, ROOT, env)[0])
        base_wall = min(base_wall, best_process([sys.executable, "-c", _C_LOAD, str(spec.rules_dir)], 1, ROOT, env)[0])
    return [(f"validate: durability validate ({rules:,} rules)", engine_wall, "a process that only CSafeLoads them",
             base_wall, f"best wall time of {repeat} processes each, alternating; target under 2 s at 10,000 rules")]


def cold_start_target() -> tuple[list[str], str]:
    """The arguments of `durability score` for the bundled case, or the test pack's when it is absent."""
    bundled = ROOT / "cases" / "iran-russia-2020.yaml"
    if bundled.is_file() and (ROOT / "rules" / "pack.yaml").is_file():
        return ["score", "cases/iran-russia-2020.yaml"], "cases/iran-russia-2020.yaml"
    return (["score", "tests/packs/pact/cases/alpha.yaml", "--rules", "tests/packs/pact/rules"],
            "tests/packs/pact/cases/alpha.yaml (bundled case absent)")


def measure_cold_start(repeat: int, scratch: Path) -> tuple[list[Row], list[str]]:
    arguments, shown = cold_start_target()
    script = Path(sys.executable).parent / "durability"
    command = [str(script), *arguments] if script.is_file() else [sys.executable, "-m", "engine", *arguments]
    baseline = [sys.executable, "-c", "import yaml, click"]
    # Both start from cached bytecode, as an installed package does (pip compiles it). A checkout run
    # with PYTHONDONTWRITEBYTECODE=1 would compile the engine from source on every start while the
    # baseline's site-packages come with their .pyc: so the bytecode goes to a scratch cache for both.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    check = subprocess.run([sys.executable, "-X", "importtime", "-m", "engine", *arguments], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise SystemExit(f"durability {' '.join(arguments)} failed:\n{check.stderr[-2000:]}")
    imported = {line.split("|")[-1].strip() for line in check.stderr.splitlines() if line.startswith("import time:")}
    heavy = sorted(name for name in ("jsonschema", "referencing", "rpds", "attrs", "hypothesis") if name in imported)
    for warm in (command, baseline):
        best_process(warm, 1, ROOT, env)  # writes the bytecode cache
    bare, _ = best_process([sys.executable, "-c", "pass"], repeat, ROOT, env)
    # alternate the two commands, so that a change in the machine's load hits both alike
    engine_wall = engine_cpu = base_wall = base_cpu = math.inf
    for _ in range(repeat):
        wall, cpu = best_process(command, 1, ROOT, env)
        engine_wall, engine_cpu = min(engine_wall, wall), min(engine_cpu, cpu)
        wall, cpu = best_process(baseline, 1, ROOT, env)
        base_wall, base_cpu = min(base_wall, wall), min(base_cpu, cpu)
    notes = [f"cold start case: {shown}; bare interpreter start (python -c pass) {bare * 1000:.1f} ms; "
             f"bytecode cached for both",
             f"cold start CPU time (user+system, best of {repeat}): durability {engine_cpu * 1000:.1f} ms, "
             f"baseline {base_cpu * 1000:.1f} ms, ratio {engine_cpu / base_cpu:.2f}x",
             f"modules imported by `durability {arguments[0]}`: {len(imported)}; "
             f"jsonschema and its dependencies imported: {', '.join(heavy) if heavy else 'none'}"]
    return [("cold start: durability " + " ".join(arguments), engine_wall, 'python -c "import yaml, click"',
             base_wall, f"best wall time of {repeat} processes each, alternating")], notes


# --- the report --------------------------------------------------------------------------------

def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:10.3f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the engine against baselines in the same run.")
    parser.add_argument("--rules", type=int, default=1000, help="rules in the generated pack (default 1000)")
    parser.add_argument("--repeat", type=int, default=15, help="timeit rounds; the best counts (default 15)")
    parser.add_argument("--starts", type=int, default=10, help="processes per cold-start figure (default 10)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated pack (default 7)")
    parser.add_argument("--validate-rules", type=int, default=10_000,
                        help="rules in the pack the validate row checks (default 10000)")
    parser.add_argument("--only", choices=("evaluate", "load", "validate", "start"), action="append",
                        help="run only these measurements (repeatable)")
    parser.add_argument("--keep", metavar="DIR", help="write the generated pack and baseline source here and keep them")
    options = parser.parse_args(argv)
    wanted = set(options.only or ("evaluate", "load", "validate", "start"))

    print(f"python {platform.python_version()} ({platform.python_implementation()}, {sys.executable})")
    print(f"machine {platform.machine()}, {_cpu()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"PyYAML {yaml.__version__} (libyaml: {'yes' if hasattr(yaml, 'CSafeLoader') else 'no'}); "
          f"{options.rules} generated rules, seed {options.seed}, best of {options.repeat}")
    print()

    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="durability-bench-") as scratch:
        folder = Path(options.keep) if options.keep else Path(scratch)
        spec = generate(folder / "generated", options.rules, options.seed)
        if options.keep:
            (folder / "hand_written.py").write_text(_Writer(spec).module(), encoding="utf-8")
        if "evaluate" in wanted:
            rows += measure_evaluation(spec, options.repeat)
        if "load" in wanted:
            rows += measure_loading(spec, options.repeat)
        if "validate" in wanted:
            rows += measure_validation(options.validate_rules, options.seed, max(3, options.starts // 3), Path(scratch))
        if "start" in wanted:
            started, notes = measure_cold_start(options.starts, Path(scratch))
            rows += started

    width = max(len(r[0]) for r in rows)
    base_width = max(len(r[2]) for r in rows)
    print(f"{'measurement':<{width}}  {'engine':>13}  {'baseline':<{base_width}}  {'baseline':>13}  {'ratio':>7}")
    for name, engine, baseline, base_seconds, _ in rows:
        print(f"{name:<{width}}  {_ms(engine)}  {baseline:<{base_width}}  {_ms(base_seconds)}  "
              f"{engine / base_seconds:6.2f}x")
    print()
    for name, _, baseline, _, note in rows:
        print(f"- {name} vs {baseline}: {note}")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
