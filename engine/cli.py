"""The `durability` command. The only module that imports click; the engine is imported lazily."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from .core.compile import CompiledPack
    from .core.evaluate import Result
    from .core.model import Case, Pack
    from .problems import Problem

FORMATS = ("text", "json", "markdown")
CASE_SUFFIXES = (".yaml", ".yml")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    from .files.values import Misfit, parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except Misfit as misfit:
        raise click.BadParameter(misfit.message) from None


rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Rule pack folder. Default: ./rules if it holds a pack.yaml, else the pack installed with the package.")
as_of_option = click.option("--as-of", callback=_date, metavar="DATE",
                            help="Assess at this date (ISO) instead of each case's as_of.")


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
        from .problems import sort_key

        for problem in sorted(set(self.problems), key=sort_key):
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


def _case_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="alliance-durability", prog_name="durability")
def main() -> None:
    """Score how durable an alliance is, rule by rule, from YAML rule packs and case files."""


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_option
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True)
@as_of_option
def score(cases: tuple[Path, ...], rules_dir: Path | None, output: str, as_of: dt.date | None) -> None:
    """Score each CASE file against the rule pack."""
    from .core.compile import compile_pack

    run = Run()
    pack = run.pack(rules_dir)
    loaded = run.cases(cases, pack)
    if pack is None or run.failed:
        run.finish()
    compiled = compile_pack(pack)
    results = [_score(compiled, case, as_of, run) for case in loaded]
    click.echo(_render(results, output), nl=False)
    run.finish()


def _score(compiled: CompiledPack, case: Case, as_of: dt.date | None, run: Run) -> Result:
    from .core.evaluate import score as score_case

    result = score_case(case, compiled, as_of)
    run.add(w for w in result.warnings if w.line is not None)
    return result


def _render(results: list[Result], output: str) -> str:
    from .reports.text import to_dict, to_markdown, to_text

    if output == "json":
        data: Any = [to_dict(r) for r in results]
        return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False) + "\n"
    render = to_markdown if output == "markdown" else to_text
    return "\n".join(render(r) for r in results)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@rules_option
def validate(paths: tuple[Path, ...], rules_dir: Path | None) -> None:
    """Check packs (folders with a pack.yaml) and cases (files or folders of them).

    With no PATH: the rule pack (--rules, or its default) and ./cases.
    """
    from .core.compile import compile_pack
    from .files.pack import PACK_FILE, check_pack

    run = Run()
    packs = [p for p in paths if p.is_dir() and (p / PACK_FILE).is_file()]
    case_paths = [f for p in paths if p not in packs for f in (_case_files(p) if p.is_dir() else [p])]
    if not paths and Path("cases").is_dir():
        case_paths = _case_files(Path("cases"))
    for folder in packs:
        run.add(check_pack(folder)[1])
    # cases are checked against --rules; with no PATH at all, that pack is itself a target
    pack = run.pack(rules_dir) if case_paths or not paths else None
    cases = run.cases(case_paths, pack)
    if pack is not None:
        compiled = compile_pack(pack)
        for case in cases:
            _score(compiled, case, None, run)
    run.report()
    # stderr holds nothing but problem lines; the summary goes to stdout
    errors = sum(p.is_error for p in run.problems)  # counted for the summary line
    checked = f"{len(packs) + (0 if paths else 1)} pack(s), {len(case_paths)} case(s)"
    if pack is None and case_paths:
        checked += " (cases checked for syntax and shape only: the rule pack has errors)"
    click.echo(f"{errors} error(s) in {checked}" if errors else f"ok: {checked}, no errors")
    sys.exit(1 if errors else 0)


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
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    sys.exit(1 if failed or run.failed else 0)


@main.command(name="rules")
@rules_option
def list_rules(rules_dir: Path | None) -> None:
    """List the pack's rules."""
    from .core.present import render

    run = Run()
    pack = run.required_pack(rules_dir)
    width = max(len(r.id) for r in pack.rules)
    click.echo(f"{pack.name} {pack.version}: {len(pack.rules)} rules, total weight {render(pack.total_weight)}")
    click.echo(f"{'rule':<{width}}  {'category':<13} {'effect':<11} {'weight':>6}  title")
    for rule in sorted(pack.rules, key=lambda r: (r.category, r.id)):
        click.echo(f"{rule.id:<{width}}  {rule.category:<13} {rule.effect:<11} {render(rule.weight):>6}  {rule.title}")
    run.finish()


@main.command()
@click.argument("case_path", metavar="CASE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
    result = _score(compile_pack(pack), cases[0], as_of, run)
    click.echo(explain_rule(result, rule), nl=False)
    run.finish()
