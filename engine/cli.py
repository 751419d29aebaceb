"""The `durability` command. The only module that imports click; the engine is imported lazily.

Each command reads its files (every problem collected in a `Run`), computes, and hands what it
computed to a renderer from `reports.registry`, whose entries are the `--format` choices.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from .reports.registry import formats

if TYPE_CHECKING:
    from .core.compile import CompiledPack
    from .core.evaluate import Result
    from .core.model import Case, Pack
    from .problems import Problem
    from .reports.registry import Kind, Style


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    from .files.values import Misfit, parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except Misfit as misfit:
        raise click.BadParameter(misfit.message) from None


def _jobs(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value < 0:
        raise click.BadParameter("must be 0 (all cores) or a positive number of processes")
    return value or os.cpu_count() or 1


rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Rule pack folder. Default: ./rules if it holds a pack.yaml, else the pack installed with the package.")
as_of_option = click.option("--as-of", callback=_date, metavar="DATE",
                            help="Assess at this date (ISO) instead of each case's as_of.")
# `readable=False`: an unreadable file is the reader's to report, located, as error[file]
case_argument = click.argument("cases", nargs=-1, required=True, metavar="CASE_OR_FOLDER...",
                               type=click.Path(exists=True, readable=False, path_type=Path))


def format_option(kind: Kind, default: str = "text") -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option("--format", "output", type=click.Choice(formats(kind)), default=default,
                        show_default=True, help="Output format.")


class Run:
    """The problems of one command run: every one is printed, and any error makes the exit status 1."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)

    def report(self) -> None:
        from .problems import cap

        for problem in cap(self.problems):  # sorted, each file's first 100 and a count of the rest
            click.echo(str(problem), err=True)

    def finish(self) -> NoReturn:
        self.report()
        sys.exit(1 if self.failed else 0)

    def pack(self, rules_dir: Path | None) -> Pack | None:
        from .files.locate import default_rules
        from .files.pack import check_pack

        try:
            directory = rules_dir if rules_dir is not None else default_rules()
        except FileNotFoundError as error:
            raise click.UsageError(str(error)) from None
        pack, problems = check_pack(directory)
        self.add(problems)
        return pack

    def required_pack(self, rules_dir: Path | None) -> Pack:
        """The pack, or the end of the command (exit 1 with its problems) when it does not load."""
        pack = self.pack(rules_dir)
        if pack is None:
            self.finish()
        return pack

    def files(self, paths: Sequence[Path]) -> list[Path]:
        """The case files named: a folder means every *.yaml/*.yml under it, in path order."""
        from .files.walk import yaml_files

        found: list[Path] = []
        for path in paths:
            if path.is_dir():
                files, problems = yaml_files(path, path.as_posix())
                found.extend(files)
                self.add(problems)
            else:
                found.append(path)
        return found

    def cases(self, paths: Sequence[Path], pack: Pack | None) -> list[Case]:
        """Load the cases; against an invalid pack (None) only their syntax and shape are checked."""
        from .files.case import check_case

        cases = []
        for path in paths:
            case, problems = check_case(path, pack, str(path))
            self.add(problems)
            if case is not None:
                cases.append(case)
        return cases


def emit(text: str) -> None:
    """Write to stdout; a write error (a full disk, a closed pipe) ends the command in one line, exit 1."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing to say, and no one to say it to
        _stdout_gone()
        sys.exit(1)
    except OSError as error:
        _stdout_gone()
        fail(f"cannot write the output: {error.strerror or error}")


def _stdout_gone() -> None:
    """Point stdout at nothing, so that the interpreter's own last flush of it fails no more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def fail(message: str) -> NoReturn:
    """End the command with one line on stderr and exit status 1 (a file that cannot be written, say)."""
    click.echo(f"durability: {message}", err=True)
    sys.exit(1)


def _style() -> Style:
    from .reports.registry import Style

    if not sys.stdout.isatty():
        return Style(width=100, color=False)
    import shutil  # with its compression modules, 2 ms of start-up that only a terminal needs

    return Style(width=min(shutil.get_terminal_size().columns, 120), color="NO_COLOR" not in os.environ)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="alliance-durability", prog_name="durability")
def main() -> None:
    """Score how durable an alliance is, rule by rule, from YAML rule packs and case files."""


# --- score -----------------------------------------------------------------------------------------

@main.command()
@case_argument
@rules_option
@format_option("scores")
@as_of_option
@click.option("--set", "overrides", multiple=True, metavar="FACT=VALUE",
              help="State a fact hypothetically (confidence 1, no decay) for a what-if; repeatable.")
@click.option("--jobs", type=int, default=1, show_default=True, callback=_jobs,
              help="Processes to score with (0: all cores); the output is the same for any number.")
@click.option("--keep-going", is_flag=True,
              help="Score the valid cases even when others are invalid (still exit 1), streaming as it goes.")
def score(cases: tuple[Path, ...], rules_dir: Path | None, output: str, as_of: dt.date | None,
          overrides: tuple[str, ...], jobs: int, keep_going: bool) -> None:
    """Score each CASE (a case file, or a folder of them) against the rule pack."""
    from .analysis.scoring import Job, score_files
    from .core.compile import compile_pack
    from .reports.registry import RENDERERS

    run = Run()
    pack = run.pack(rules_dir)
    files = run.files(cases)
    if pack is None:
        run.cases(files, None)
        run.finish()
    settings = _overrides(pack, overrides, run)
    if run.failed:
        run.finish()
    job = Job(pack.path, output, _style(), as_of, settings)
    renderer = RENDERERS[output].scores
    assert renderer is not None
    # All or nothing (no --keep-going): what is scored waits in a temporary file until every file is
    # read, so each is read once and memory stays flat; after an error the rest are only checked. One
    # file needs no waiting: its output comes once it is read either way.
    held = None if keep_going or len(files) < 2 or not isinstance(renderer.joined, str) else _held()
    first, parts = True, []
    warnings: list[Problem] = []

    def stopped() -> bool:  # asked as each file's turn comes: once true, the rest are only checked
        return run.failed and not keep_going

    for outcome in score_files(job, files, jobs, compile_pack(pack), checking_only=stopped):
        run.add(outcome.problems)
        warnings.extend(outcome.warnings)
        if outcome.part is None or stopped():
            continue
        if isinstance(renderer.joined, str):
            text = ("" if first else renderer.joined) + outcome.part
            if held is not None:
                held.write(text)
            else:
                emit(text)
            first = False
        else:
            parts.append(outcome.part)
    if stopped():
        run.finish()  # the scoring warnings of the others are not shown: nothing of theirs is
    run.add(warnings)
    if held is not None:
        held.seek(0)
        while block := held.read(1 << 16):
            emit(block)
    if parts:
        emit(renderer.whole(parts))
    run.finish()


def _held() -> IO[str]:
    """A temporary file for output that is shown only if the whole run succeeds (in memory while small)."""
    import tempfile

    return tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8", newline="")


def _overrides(pack: Pack, raw: Sequence[str], run: Run) -> dict[str, Any]:
    """`--set FACT=VALUE`, each VALUE read as a YAML scalar or flow list and checked like a case value."""
    from .files.overrides import parse_overrides

    values, problems = parse_overrides(pack, raw)
    run.add(problems)
    return values


# --- validate, test, rules, facts, new case, explain -----------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, readable=False, path_type=Path))
@rules_option
def validate(paths: tuple[Path, ...], rules_dir: Path | None) -> None:
    """Check packs (folders with a pack.yaml) and cases (files or folders of them).

    With no PATH: the rule pack (--rules, or its default) and ./cases.
    """
    from .analysis.reach import band_warnings
    from .core.compile import compile_pack
    from .files.pack import PACK_FILE, check_pack, pack_of

    run = Run()
    packs = [p for p in paths if p.is_dir() and (p / PACK_FILE).is_file()]
    # a rule file names its pack: validating it validates the pack it belongs to
    packs += [folder for p in paths if p not in packs and (folder := pack_of(p)) is not None and folder not in packs]
    others = [p for p in paths if p not in packs and pack_of(p) is None]
    case_paths = run.files(others)
    if not paths and Path("cases").is_dir():
        case_paths = run.files([Path("cases")])
    checked: list[Pack] = []
    for folder in packs:
        pack, problems = check_pack(folder)
        run.add(problems)
        if pack is not None:
            checked.append(pack)
    # cases are checked against --rules; with no PATH at all, that pack is itself a target
    pack = run.pack(rules_dir) if case_paths or not paths else None
    if pack is not None and not paths:
        checked.append(pack)
    cases = run.cases(case_paths, pack)
    for each in checked:
        run.add(band_warnings(compile_pack(each)))  # compiling is part of checking: every rule must compile
    if pack is not None:
        compiled = compile_pack(pack)
        for case in cases:
            _warnings(_plain_score(compiled, case, None), run)
    run.report()
    # stderr holds nothing but problem lines; the summary goes to stdout
    errors = sum(p.is_error for p in run.problems)
    warnings = sum(not p.is_error for p in run.problems)
    checked_text = f"{len(packs) + (0 if paths else 1)} pack(s), {len(case_paths)} case(s)"
    if pack is None and case_paths:
        checked_text += " (cases checked for syntax and shape only: the rule pack has errors)"
    tail = f", {warnings} warning(s)"
    emit((f"{errors} error(s){tail} in {checked_text}" if errors else f"ok: {checked_text}, no errors{tail}")
         + "\n")
    sys.exit(1 if errors else 0)


def _plain_score(compiled: CompiledPack, case: Case, as_of: dt.date | None) -> Result:
    from .core.evaluate import score as score_case

    return score_case(case, compiled, as_of)


def _warnings(result: Result, run: Run) -> None:
    run.add(w for w in result.warnings if w.line is not None)


@main.command()
@rules_option
def test(rules_dir: Path | None) -> None:
    """Run the rules' examples."""
    from .core.examples import run_examples

    run = Run()
    pack = run.required_pack(rules_dir)
    outcomes = run_examples(pack)
    run.add(o.problem() for o in outcomes if o.failure)
    failed = sum(1 for o in outcomes if o.failure)
    run.report()
    emit(f"{len(outcomes) - failed} passed, {failed} failed\n")
    sys.exit(1 if failed or run.failed else 0)


@main.command(name="rules")
@rules_option
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(rules_dir: Path | None, output: str) -> None:
    """List the pack's rules (with --format json: every field, and the facts each rule reads)."""
    from .core.present import render
    from .reports.registry import dumps
    from .reports.vocabulary import rules_json

    run = Run()
    pack = run.required_pack(rules_dir)
    if output == "json":
        emit(dumps(rules_json(pack)) + "\n")
        run.finish()
    width = max(len(r.id) for r in pack.rules)
    lines = [f"{pack.name} {pack.version}: {len(pack.rules)} rules, total weight {render(pack.total_weight)}",
             f"{'rule':<{width}}  {'category':<13} {'effect':<11} {'weight':>6}  title"]
    lines += [f"{rule.id:<{width}}  {rule.category:<13} {rule.effect:<11} {render(rule.weight):>6}  {rule.title}"
              for rule in sorted(pack.rules, key=lambda r: (r.category, r.id))]
    emit("\n".join(lines) + "\n")
    run.finish()


@main.command()
@rules_option
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def facts(rules_dir: Path | None, output: str) -> None:
    """List the pack's fact vocabulary: types, allowed values, units, descriptions, the rules that read each."""
    from .reports.registry import dumps
    from .reports.vocabulary import facts_json, facts_text

    run = Run()
    pack = run.required_pack(rules_dir)
    emit(dumps(facts_json(pack)) + "\n" if output == "json" else facts_text(pack))
    run.finish()


@main.group(name="new")
def new() -> None:
    """Write a new file from a scaffold."""


@new.command(name="case")
@click.argument("case_id", metavar="ID")
@rules_option
@click.option("--party", "parties", multiple=True, metavar="ROLE=NAME", help="A party, e.g. patron=Russia.")
@click.option("--as-of", callback=_date, metavar="DATE", help="The assessment date (default: today).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
def new_case(case_id: str, rules_dir: Path | None, parties: tuple[str, ...], as_of: dt.date | None,
             out: Path | None, force: bool) -> None:
    """A case file with every fact of the pack commented out, described, ready to fill in."""
    import re

    from .files.write import WriteError, write_atomic
    from .reports.vocabulary import new_case_yaml

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case_id):
        raise click.BadParameter("a case id is lower-case words joined by '-', e.g. iran-russia-2020",
                                 param_hint="ID")
    named: dict[str, str] = {}
    for item in parties:
        role, sep, name = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not ROLE=NAME", param_hint="--party")
        named[role.strip()] = name.strip()
    run = Run()
    pack = run.required_pack(rules_dir)
    unknown = [role for role in named if role not in pack.roles]
    if unknown:
        raise click.BadParameter(f"'{unknown[0]}' is not a role of the pack ({', '.join(pack.roles)})",
                                 param_hint="--party")
    text = new_case_yaml(pack, case_id, named, as_of or dt.date.today())
    if out is None:
        emit(text)
        run.finish()
    try:
        write_atomic(out, text, force=force)
    except WriteError as error:
        fail(str(error))
    click.echo(f"wrote {out}", err=True)
    run.finish()


@main.command()
@click.argument("case_path", metavar="CASE", type=click.Path(exists=True, dir_okay=False, readable=False,
                                                             path_type=Path))
@click.option("--rule", "rule_id", required=True, help="The id of the rule to explain.")
@rules_option
@as_of_option
def explain(case_path: Path, rule_id: str, rules_dir: Path | None, as_of: dt.date | None) -> None:
    """Show how one rule's condition evaluated on CASE, leaf by leaf."""
    from .core.compile import compile_pack
    from .problems import did_you_mean
    from .reports.explain import explain_rule

    run = Run()
    pack = run.pack(rules_dir)
    if pack is None:
        run.cases([case_path], None)
        run.finish()
    rule = pack.rule(rule_id)
    if rule is None:
        raise click.BadParameter(f"no rule '{rule_id}' in the pack{did_you_mean(rule_id, [r.id for r in pack.rules])}",
                                 param_hint="--rule")
    cases = run.cases([case_path], pack)
    if run.failed:
        run.finish()
    result = _plain_score(compile_pack(pack), cases[0], as_of)
    _warnings(result, run)
    emit(explain_rule(result, rule))
    run.finish()


# --- compare, timeline -----------------------------------------------------------------------------

def _one_case(run: Run, path: Path, pack: Pack) -> Case:
    cases = run.cases([path], pack)
    if run.failed:
        run.finish()
    return cases[0]


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="A [B]",
                type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@rules_option
@format_option("compare")
@as_of_option
@click.option("--from", "start", callback=_date, metavar="DATE", help="With one case: the earlier date.")
@click.option("--to", "end", callback=_date, metavar="DATE", help="With one case: the later date (default: its as_of).")
def compare(paths: tuple[Path, ...], rules_dir: Path | None, output: str, as_of: dt.date | None,
            start: dt.date | None, end: dt.date | None) -> None:
    """What changed: case A against case B (both at --as-of if given), or one case --from DATE [--to DATE]."""
    from .analysis.assess import assess
    from .analysis.compare import compare as compare_results
    from .core.compile import compile_pack
    from .reports.registry import render

    if len(paths) > 2:
        raise click.UsageError("compare takes two cases, or one case with --from")
    if len(paths) == 2 and (start or end):
        raise click.UsageError("--from/--to compare one case at two dates; with two cases use --as-of")
    if len(paths) == 1 and start is None:
        raise click.UsageError("with one case, say --from DATE (and optionally --to DATE)")
    if len(paths) == 1 and as_of is not None:
        raise click.UsageError("with one case, --from and --to give the dates; --as-of is for two cases")
    run = Run()
    pack = run.required_pack(rules_dir)
    compiled = compile_pack(pack)
    sides = [_one_case(run, path, pack) for path in paths]
    if len(sides) == 2:
        before, after = (assess(case, compiled, as_of) for case in sides)
    else:
        before, after = assess(sides[0], compiled, start), assess(sides[0], compiled, end or sides[0].as_of)
    for result in (before, after):
        _warnings(result, run)
    emit(render(output, "compare", compare_results(before, after), _style()))
    run.finish()


@main.command()
@click.argument("case_path", metavar="CASE", type=click.Path(exists=True, dir_okay=False, readable=False,
                                                             path_type=Path))
@rules_option
@format_option("timeline")
@click.option("--from", "start", callback=_date, metavar="DATE", help="The first date to show.")
@click.option("--to", "end", callback=_date, metavar="DATE", help="The last date to show.")
def timeline(case_path: Path, rules_dir: Path | None, output: str, start: dt.date | None,
             end: dt.date | None) -> None:
    """The score at each date on which CASE's evidence changes."""
    from .analysis.assess import assess
    from .analysis.timeline import timeline as steps_of
    from .core.compile import compile_pack
    from .reports.registry import render

    run = Run()
    pack = run.required_pack(rules_dir)
    compiled = compile_pack(pack)
    case = _one_case(run, case_path, pack)
    steps = steps_of(case, lambda day: assess(case, compiled, day), start, end)
    if not steps:
        raise click.UsageError("no date of the case's evidence lies within --from/--to")
    _warnings(steps[-1].result, run)
    emit(render(output, "timeline", steps, _style()))
    run.finish()


# --- backtest, calibrate ---------------------------------------------------------------------------

outcomes_option = click.option("--outcomes", "outcomes_path", required=True,
                               type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
                               help="The outcomes file: case id -> {outcome: held | broke, ...}.")


def _library(run: Run, paths: Sequence[Path], pack: Pack, outcomes_path: Path) -> tuple[list[Case], Any]:
    from .files.outcomes import check_outcomes, match_outcomes

    cases = run.cases(run.files(paths), pack)
    outcomes, problems = check_outcomes(outcomes_path, str(outcomes_path))
    run.add(problems)
    if outcomes is not None:
        run.add(match_outcomes(outcomes, cases))
    if run.failed:
        run.finish()
    return cases, outcomes


@main.command()
@case_argument
@outcomes_option
@rules_option
@format_option("backtest")
def backtest(cases: tuple[Path, ...], outcomes_path: Path, rules_dir: Path | None, output: str) -> None:
    """How well the scores separate the alignments that held from those that broke."""
    from .analysis.backtest import BacktestError, to_dict
    from .analysis.backtest import backtest as run_backtest
    from .core.compile import compile_pack
    from .reports.registry import render

    run = Run()
    pack = run.required_pack(rules_dir)
    library, outcomes = _library(run, cases, pack, outcomes_path)
    try:
        result = run_backtest(compile_pack(pack), library, outcomes)
    except BacktestError as error:
        run.report()
        fail(str(error))
    emit(render(output, "backtest", to_dict(result), _style()))
    run.finish()


@main.command()
@case_argument
@outcomes_option
@rules_option
@click.option("--horizon-years", type=click.FloatRange(min=0, min_open=True), default=3.0, show_default=True,
              help="How many years 'endures' means.")
@click.option("--write", is_flag=True, help="Write the fitted calibration into the pack's pack.yaml.")
@click.option("--force", is_flag=True, help="With --write: replace a calibration the pack already has.")
def calibrate(cases: tuple[Path, ...], outcomes_path: Path, rules_dir: Path | None, horizon_years: float,
              write: bool, force: bool) -> None:
    """Fit the pack's calibration (score -> probability of enduring) on a library of cases with outcomes."""
    from .analysis.calibrate import CalibrationError, describe_fit, fit_library
    from .files.locate import default_rules
    from .files.write import WriteError, write_calibration

    run = Run()
    pack = run.required_pack(rules_dir)
    library, outcomes = _library(run, cases, pack, outcomes_path)
    try:
        fit = fit_library(pack, library, outcomes, horizon_years)
    except CalibrationError as error:
        run.report()
        fail(str(error))
    emit(describe_fit(fit))
    if write:
        try:
            written = write_calibration(rules_dir if rules_dir is not None else default_rules(), fit.calibration,
                                        force=force)
        except WriteError as error:
            fail(str(error))
        click.echo(f"wrote the calibration into {written}", err=True)
    run.finish()


# --- batch -----------------------------------------------------------------------------------------

@main.command()
@click.argument("tables", nargs=-1, required=True, metavar="TABLE...",
                type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The output table: .jsonl, .csv or .parquet.")
@rules_option
@click.option("--sources", "sources_path", type=click.Path(exists=True, dir_okay=False, readable=False,
                                                           path_type=Path),
              help="A table of sources and their reliability grades.")
@click.option("--jobs", type=int, default=1, show_default=True, callback=_jobs,
              help="Processes to score with (0: all cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Score on a Dask cluster: 'local' for a local one, else the scheduler's address.")
@click.option("--keep-going", is_flag=True, help="Write the valid rows even when others are invalid (exit 1).")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--bounds", is_flag=True,
              help="Fill bounds_low/bounds_high with each row's exact bounds (about a millisecond a row).")
def batch(tables: tuple[Path, ...], out: Path, rules_dir: Path | None, sources_path: Path | None, jobs: int,
          dask_address: str | None, keep_going: bool, force: bool, bounds: bool) -> None:
    """Score tables of dyad-years (one row per case, one column per fact) into an output table."""
    from .analysis.batch import run_batch

    run = Run()
    pack = run.required_pack(rules_dir)
    outcome = run_batch(tables, out, rules=pack, sources=sources_path, jobs=jobs, dask=dask_address,
                        keep_going=keep_going, force=force, progress=sys.stderr.isatty(), bounds=bounds)
    run.add(outcome.problems)
    if outcome.message:
        click.echo(outcome.message, err=True)
    run.report()
    sys.exit(1 if run.failed or outcome.failed else 0)
