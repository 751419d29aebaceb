"""The README tells the truth: its sample output is the real output, and its module map is the folders."""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_sample_output_is_the_real_output() -> None:
    found = re.search(r"<!-- sample: durability score (\S+) \(the first (\d+) lines[^>]*-->\n```\n(.*?)```", README,
                      re.S)
    assert found, "the README has no sample block"
    case, count, sample = found[1], int(found[2]), found[3]
    previous = Path.cwd()
    os.chdir(REPO)  # as the README runs it: from the repository, whose ./rules is the pack
    try:
        result = CliRunner().invoke(main, ["score", case])
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.stderr
    assert sample.splitlines() == result.stdout.splitlines()[:count]


def test_the_module_map_is_the_folders() -> None:
    table = README[README.index("## How the code is laid out"):README.index("## Dependencies, and why")]
    for folder in ("files", "core", "analysis", "reports"):
        row = next(line for line in table.splitlines() if line.startswith(f"| `engine/{folder}/`"))
        named = set(re.findall(r"`([a-z_]+)`", row.split("|")[2]))
        modules = {p.stem for p in (REPO / "engine" / folder).glob("*.py") if p.stem != "__init__"}
        assert named - {"templates"} == modules, folder


def test_the_readme_points_inside_the_repository() -> None:
    assert "../shared" not in README
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        assert (REPO / link).exists(), link
