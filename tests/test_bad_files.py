"""Every bad file fails cleanly (issue 4): one located line per problem, a stable code, exit status 1.

The corpus is `tests/bad/`:

- `cases/*.yaml`: one mistake per case file, each checked against the small valid pack tests/packs/pact/rules;
- `rules/<name>/`: complete packs, each differing from the valid `base/` pack in exactly one file;
- `valid/*.yaml`: files that look hazardous but are valid (a UTF-8 BOM, YAML 1.1 words, CRLF, warnings only).

Bytes such as U+2028, NEL, NUL, a UTF-16 BOM or Latin-1 are written into the files exactly. Every file
runs through the real command (click's CliRunner on `engine.cli.main`), from the repository root so
that paths print as `tests/bad/...`.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
from click.testing import Result
from support import LOCATED, WHOLE_FILE, invoke

ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/bad")
PACT_RULES = "tests/packs/pact/rules"
ALPHA = "tests/packs/pact/cases/alpha.yaml"


# (file under tests/bad/cases, code, line, column): checked against tests/packs/pact/rules
CASES = [
    # everyday YAML mistakes, located at the value to fix (the message says what to do: test_hints.py)
    ("colon-in-note.yaml", "yaml-syntax", 8, 11),
    # an alignment has two members, and a list fact's items are distinct
    ("parties-same.yaml", "role", 5, 13),
    ("list-duplicate.yaml", "value", 6, 33),
    # YAML syntax and the shape of the file
    ("yaml-syntax.yaml", "yaml-syntax", 4, 6),
    ("tab-indent.yaml", "yaml-syntax", 8, 1),
    ("complex-key.yaml", "yaml-syntax", 8, 5),
    ("duplicate-key.yaml", "duplicate-key", 5, 1),
    ("duplicate-fact.yaml", "duplicate-key", 10, 3),
    ("empty.yaml", "empty-file", 1, 1),
    ("comments-only.yaml", "empty-file", 1, 1),
    ("bare-scalar.yaml", "not-a-mapping", 1, 1),
    ("list.yaml", "not-a-mapping", 1, 1),
    ("two-documents.yaml", "multiple-documents", 9, 1),
    ("too-deep.yaml", "too-deep", 2, 71),
    # anchors, aliases and tags: rejected before anything walks the data
    ("billion-laughs.yaml", "alias", 1, 4),
    ("self-alias.yaml", "alias", 8, 19),
    ("alias-reuse.yaml", "alias", 2, 8),
    ("python-tag.yaml", "tag", 2, 8),
    ("python-name-tag.yaml", "tag", 8, 16),
    ("unknown-tag.yaml", "tag", 8, 16),
    # characters and encodings
    ("u2028.yaml", "encoding", 2, 18),
    ("u2029.yaml", "encoding", 2, 13),
    ("nel.yaml", "encoding", 2, 13),
    ("control-char.yaml", "encoding", 2, 14),
    ("nul-byte.yaml", "encoding", 2, 13),
    ("bom-inside.yaml", "encoding", 2, 10),
    ("non-utf8.yaml", "encoding", 2, 14),
    ("latin1.yaml", "encoding", 3, 18),
    ("utf16-bom.yaml", "encoding", 1, 1),
    # the same characters written as double-quoted escapes, in a value or a key (issue 13)
    ("escaped-nul.yaml", "encoding", 2, 8),
    ("escaped-esc.yaml", "encoding", 2, 8),
    ("escaped-nel.yaml", "encoding", 6, 17),
    ("escaped-line-separator-key.yaml", "encoding", 8, 3),
    ("escaped-bom.yaml", "encoding", 3, 17),
    ("escaped-carriage-return.yaml", "encoding", 2, 8),
    # a pattern's `$` is the very end: a trailing newline does not pass (issue 13)
    ("case-id-newline.yaml", "value", 1, 7),
    ("date-newline.yaml", "date", 4, 8),
    ("source-id-newline.yaml", "value", 6, 3),
    # YAML 1.1 words and dates
    ("yes-for-boolean.yaml", "type-mismatch", 8, 17),
    ("on-for-boolean.yaml", "type-mismatch", 8, 25),
    ("as-of-2020-13-45.yaml", "date", 4, 8),
    ("as-of-not-iso.yaml", "date", 4, 8),
    ("as-of-number.yaml", "date", 4, 8),
    ("observed-2020-02-30.yaml", "date", 8, 51),
    ("published-invalid.yaml", "date", 6, 59),
    ("date-fact-invalid.yaml", "date", 8, 18),
    ("same-day.yaml", "date", 10, 31),
    ("two-undated.yaml", "date", 10, 7),
    # numbers that are not finite
    ("nan-integer.yaml", "out-of-range", 8, 16),
    ("inf-number.yaml", "out-of-range", 8, 23),
    ("minus-inf-number.yaml", "out-of-range", 8, 15),
    ("huge-integer.yaml", "out-of-range", 8, 16),
    ("huge-float.yaml", "out-of-range", 8, 15),
    # keys and shape
    ("required.yaml", "required", 1, 1),
    ("unknown-key.yaml", "unknown-key", 2, 1),
    ("observation-unknown-key.yaml", "unknown-key", 8, 27),
    ("observation-no-value.yaml", "required", 8, 16),
    ("title-not-text.yaml", "type-mismatch", 2, 8),
    ("case-id.yaml", "value", 1, 7),
    ("fact-name-pattern.yaml", "unknown-fact", 8, 3),
    ("escaped-line-break-key.yaml", "unknown-fact", 8, 3),
    # meaning, against the pack
    ("unknown-fact.yaml", "unknown-fact", 8, 3),
    ("word-for-integer.yaml", "type-mismatch", 8, 16),
    ("float-for-integer.yaml", "type-mismatch", 8, 16),
    ("number-for-string.yaml", "type-mismatch", 8, 15),
    ("word-for-list.yaml", "type-mismatch", 8, 19),
    ("above-max.yaml", "out-of-range", 8, 24),
    ("below-min.yaml", "out-of-range", 8, 15),
    ("value-not-allowed.yaml", "value", 8, 23),
    ("list-item-not-allowed.yaml", "value", 8, 26),
    ("history-bad-value.yaml", "type-mismatch", 10, 15),
    ("unknown-source.yaml", "unknown-source", 8, 35),
    ("grade-reliability.yaml", "grade", 6, 45),
    ("grade-credibility.yaml", "grade", 8, 54),
    ("role-missing.yaml", "role", 3, 10),
    ("role-extra.yaml", "role", 3, 40),
    ("role-misspelt.yaml", "role", 3, 24),
]

# (pack under tests/bad/rules, file in it, code, line, column)
PACKS = [
    ("title-placeholder", "tariffs.yaml", "placeholder", 2, 8),  # no because: the title is the template
    ("facts-misindented", "facts.yaml", "yaml-syntax", 7, 4),  # the line indented by 3, not where YAML stopped
    # conditions: each mistake is caught when the pack loads, at the leaf that is wrong
    ("unknown-operator", "tariffs.yaml", "unknown-operator", 6, 27),
    ("unknown-operator-deep", "tariffs.yaml", "unknown-operator", 12, 33),
    ("unknown-operator-synonym", "tariffs.yaml", "unknown-operator", 6, 27),
    ("two-operators", "tariffs.yaml", "operator", 6, 40),
    ("combinator-and-fact", "tariffs.yaml", "operator", 8, 3),
    ("operator-without-fact", "tariffs.yaml", "required", 6, 8),
    ("empty-condition", "tariffs.yaml", "value", 6, 7),
    ("word-for-number", "tariffs.yaml", "type-mismatch", 6, 37),
    ("bad-date-operand", "tariffs.yaml", "date", 6, 36),
    ("contains-on-string", "tariffs.yaml", "type-mismatch", 6, 36),
    ("equals-on-list", "tariffs.yaml", "type-mismatch", 6, 38),
    ("at-least-on-boolean", "tariffs.yaml", "type-mismatch", 6, 38),
    ("bare-fact-not-boolean", "tariffs.yaml", "type-mismatch", 6, 14),
    ("value-not-allowed", "tariffs.yaml", "value", 6, 34),
    ("one-of-item", "tariffs.yaml", "value", 6, 41),
    ("contains-item", "tariffs.yaml", "value", 6, 40),
    ("between-low-high", "tariffs.yaml", "value", 6, 36),
    ("between-one-bound", "tariffs.yaml", "value", 6, 36),
    ("between-bad-bound", "tariffs.yaml", "date", 6, 51),
    ("known-yes", "tariffs.yaml", "type-mismatch", 6, 34),
    ("nan-operand", "tariffs.yaml", "out-of-range", 6, 33),
    ("unknown-fact", "tariffs.yaml", "unknown-fact", 6, 14),
    # degree
    ("degree-from-equals-to", "tariffs.yaml", "degree", 7, 43),
    ("degree-string-fact", "tariffs.yaml", "degree", 7, 16),
    ("degree-word-bound", "tariffs.yaml", "type-mismatch", 7, 42),
    ("degree-unknown-key", "tariffs.yaml", "unknown-key", 7, 46),
    # weight, effect, category, half-life
    ("weight-negative", "tariffs.yaml", "weight", 5, 9),
    ("weight-zero", "tariffs.yaml", "weight", 5, 9),
    ("weight-over-100", "tariffs.yaml", "weight", 5, 9),
    ("weight-nan", "tariffs.yaml", "weight", 5, 9),
    ("weight-inf", "tariffs.yaml", "weight", 5, 9),
    ("weight-word", "tariffs.yaml", "type-mismatch", 5, 9),
    ("unknown-effect", "tariffs.yaml", "value", 4, 9),
    ("unknown-category", "tariffs.yaml", "category", 3, 11),
    ("half-life-inf", "tariffs.yaml", "out-of-range", 6, 17),
    # `because` placeholders: rejected, never evaluated
    ("placeholder-attribute", "tariffs.yaml", "placeholder", 8, 10),
    ("placeholder-format-spec", "tariffs.yaml", "placeholder", 8, 10),
    ("placeholder-unknown", "tariffs.yaml", "placeholder", 8, 10),
    ("placeholder-unmatched", "tariffs.yaml", "placeholder", 8, 10),
    # the rule file
    ("duplicate-rule", "tariffs.yaml", "duplicate-rule", 1, 5),
    ("id-not-file-name", "tariffs.yaml", "value", 1, 5),
    ("rule-unknown-key", "tariffs.yaml", "unknown-key", 9, 1),
    ("rule-required", "tariffs.yaml", "required", 1, 1),
    ("rule-duplicate-key", "tariffs.yaml", "duplicate-key", 9, 1),
    ("rule-yaml-syntax", "tariffs.yaml", "yaml-syntax", 8, 10),  # the unquoted value starting with '{'

    ("rule-python-tag", "tariffs.yaml", "tag", 2, 8),
    ("rule-alias", "tariffs.yaml", "alias", 6, 14),
    ("rule-empty", "tariffs.yaml", "empty-file", 1, 1),
    ("rule-list", "tariffs.yaml", "not-a-mapping", 1, 1),
    ("rule-u2028", "tariffs.yaml", "encoding", 2, 28),
    ("rule-escaped-line-separator", "tariffs.yaml", "encoding", 8, 10),
    ("rule-id-newline", "tariffs.yaml", "value", 1, 5),
    ("example-wrong-type", "tariffs.yaml", "type-mismatch", 10, 27),
    ("example-unknown-fact", "tariffs.yaml", "unknown-fact", 10, 14),
    ("example-degree-nan", "tariffs.yaml", "out-of-range", 10, 52),
    # pack.yaml and facts.yaml
    ("pack-three-roles", "pack.yaml", "role", 4, 8),
    ("pack-unknown-key", "pack.yaml", "unknown-key", 5, 1),
    ("pack-version-number", "pack.yaml", "type-mismatch", 2, 10),
    ("pack-bands-descend", "pack.yaml", "band", 8, 12),
    ("pack-band-nan", "pack.yaml", "band", 8, 12),
    ("pack-multiplier-nan", "pack.yaml", "out-of-range", 10, 28),
    ("pack-grade", "pack.yaml", "grade", 10, 25),
    ("pack-version-newline", "pack.yaml", "value", 2, 10),
    # a repeated item is located at the repeat (uniqueItems, checked in linear time: issue 13)
    ("pack-roles-repeated", "pack.yaml", "role", 4, 15),
    ("pack-category-repeated", "pack.yaml", "value", 5, 27),
    ("facts-values-repeated", "facts.yaml", "value", 5, 60),
    ("facts-escaped-esc", "facts.yaml", "encoding", 8, 47),
    ("facts-bad-type", "facts.yaml", "type", 8, 24),
    ("facts-bad-name", "facts.yaml", "value", 8, 3),
    ("facts-min-on-boolean", "facts.yaml", "value", 4, 33),
    ("facts-max-below-min", "facts.yaml", "value", 3, 43),
    ("facts-nan-bound", "facts.yaml", "out-of-range", 8, 38),
]

# Messages that must name what was meant
SUGGESTIONS = [
    ("cases/unknown-fact.yaml", "did you mean 'tariff_cuts'?"),
    ("cases/unknown-key.yaml", "did you mean 'title'?"),
    ("cases/observation-unknown-key.yaml", "did you mean 'source'?"),
    ("cases/unknown-source.yaml", "did you mean 'wire'?"),
    ("cases/value-not-allowed.yaml", "did you mean 'warm'?"),
    ("cases/role-misspelt.yaml", "did you mean 'follower'?"),
    ("rules/unknown-fact", "did you mean 'joint_drills'?"),
    ("rules/unknown-operator", "did you mean 'at_least'?"),
    ("rules/unknown-operator-deep", "did you mean 'above'?"),
    ("rules/unknown-operator-synonym", "did you mean 'above'?"),
    ("rules/unknown-category", "did you mean 'money'?"),
    ("rules/unknown-effect", "did you mean 'strengthens'?"),
    ("rules/placeholder-unknown", "did you mean 'tariff_cuts'?"),
    ("rules/example-unknown-fact", "did you mean 'tariff_cuts'?"),
    ("rules/rule-unknown-key", "did you mean 'references'?"),
    ("rules/pack-unknown-key", "did you mean 'categories'?"),
    ("rules/facts-bad-type", "did you mean 'integer'?"),
]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def problems(result: Result) -> list[str]:
    """The problem lines on stderr, after checking that every stderr line has the contract's form."""
    lines = result.stderr.splitlines()
    for line in lines:
        assert LOCATED.match(line) or WHOLE_FILE.match(line), f"malformed line: {line!r}"
    return lines


def expect(result: Result, path: str, code: str, line: int, column: int) -> None:
    found = problems(result)
    assert result.exit_code == 1, result.stderr
    prefix = f"{path}:{line}:{column}: error[{code}]: "
    assert any(p.startswith(prefix) for p in found), f"{prefix!r} not in:\n{result.stderr}"
    assert all(LOCATED.match(p) for p in found), f"a problem without a position:\n{result.stderr}"


def case_path(name: str) -> str:
    return (BAD / "cases" / name).as_posix()


def pack_path(name: str) -> str:
    return (BAD / "rules" / name).as_posix()


@pytest.mark.parametrize(("name", "code", "line", "column"), CASES, ids=[c[0] for c in CASES])
def test_bad_case(name: str, code: str, line: int, column: int) -> None:
    result = invoke("validate", "--rules", PACT_RULES, case_path(name))
    expect(result, case_path(name), code, line, column)


@pytest.mark.parametrize(("name", "file", "code", "line", "column"), PACKS, ids=[p[0] for p in PACKS])
def test_bad_pack(name: str, file: str, code: str, line: int, column: int) -> None:
    result = invoke("validate", pack_path(name))
    expect(result, f"{pack_path(name)}/{file}", code, line, column)


def test_the_table_covers_the_corpus() -> None:
    cases = {path.name for path in (ROOT / BAD / "cases").iterdir()}
    packs = {path.name for path in (ROOT / BAD / "rules").iterdir()}
    assert cases == {c[0] for c in CASES}
    assert packs == {p[0] for p in PACKS}
    assert len(cases) + len(packs) >= 40


REQUIRED_CODES = {"yaml-syntax", "duplicate-key", "not-a-mapping", "empty-file", "encoding", "alias", "too-deep",
                  "tag", "multiple-documents", "required", "unknown-key", "unknown-fact", "unknown-operator",
                  "type-mismatch", "out-of-range", "value", "unknown-source", "grade", "role", "date", "weight",
                  "degree", "placeholder", "duplicate-rule", "category"}  # and too-large: test_hostile.py


def test_every_code_of_the_issue_is_in_the_corpus() -> None:
    covered = {c[1] for c in CASES} | {p[2] for p in PACKS}
    assert not REQUIRED_CODES - covered


def test_each_bad_pack_differs_from_the_base_in_one_file() -> None:
    base = ROOT / BAD / "base"
    for pack in sorted((ROOT / BAD / "rules").iterdir()):
        files = {p.relative_to(pack) for p in pack.rglob("*") if p.is_file()}
        same = {f for f in files if (base / f).is_file() and filecmp.cmp(base / f, pack / f, shallow=False)}
        assert len(files - same) == 1, f"{pack.name} differs from the base in {sorted(map(str, files - same))}"
        assert {p.relative_to(base) for p in base.rglob("*") if p.is_file()} <= files


def test_the_base_pack_and_the_valid_files_are_valid() -> None:
    result = invoke("validate", (BAD / "base").as_posix())
    assert result.exit_code == 0, result.stderr
    assert invoke("test", "--rules", (BAD / "base").as_posix()).exit_code == 0
    result = invoke("validate", "--rules", PACT_RULES, (BAD / "valid").as_posix())
    assert result.exit_code == 0, result.stderr
    assert all(LOCATED.match(p) and "warning[" in p for p in problems(result))


@pytest.mark.parametrize(("target", "hint"), SUGGESTIONS, ids=[s[0] for s in SUGGESTIONS])
def test_messages_suggest_the_closest_name(target: str, hint: str) -> None:
    path = (BAD / target).as_posix()
    args = ["validate", path] if target.startswith("rules/") else ["validate", "--rules", PACT_RULES, path]
    assert hint in invoke(*args).stderr


def test_the_whole_corpus_in_one_run_reports_every_problem() -> None:
    result = invoke("validate", "--rules", PACT_RULES, (BAD / "cases").as_posix(),
                    *(pack_path(p[0]) for p in PACKS))
    assert result.exit_code == 1
    found = problems(result)
    for name, code, line, column in CASES:
        assert any(p.startswith(f"{case_path(name)}:{line}:{column}: error[{code}]: ") for p in found), name
    for name, file, code, line, column in PACKS:
        assert any(p.startswith(f"{pack_path(name)}/{file}:{line}:{column}: error[{code}]: ") for p in found), name
    errors = sum("error[" in p for p in found)
    assert result.stdout.startswith(f"{errors} error(s)")


def test_one_file_reports_all_its_problems(tmp_path: Path) -> None:
    case = tmp_path / "many.yaml"
    case.write_text("case: Many\ntitle: [x]\nparties: {lead: A, follower: B}\nas_of: 2020-1-1\ncolour: red\n",
                    encoding="utf-8")
    found = problems(invoke("validate", "--rules", PACT_RULES, str(case)))
    codes = [(p.split(":")[1], p.split("error[")[1].split("]")[0]) for p in found]
    assert codes == [("1", "value"), ("2", "type-mismatch"), ("4", "date"), ("5", "unknown-key")]


def test_shape_and_meaning_problems_of_one_case_are_reported_together(tmp_path: Path) -> None:
    """A shape problem sets aside only the part it lies in: the meaning of the rest is still checked."""
    case = tmp_path / "two-kinds.yaml"
    case.write_text("case: two\ntitle: t\nparties: {lead: A, follower: B}\nas_of: 2021-06-30\nsourcez: {}\n"
                    "sources:\n  wire: {title: t, reliability: B, publsher: x}\n"
                    "facts:\n  tariff_cutz: 3\n  loan_share: {value: 0.5, sorce: wire}\n"
                    "  press_tone: {value: warmish, source: wires}\n  arms_embargo: {value: maybe}\n"
                    "  rivals_courted: {value: [east], credibility: 9}\n  tariff_cuts: 3\n", encoding="utf-8")
    found = problems(invoke("validate", "--rules", PACT_RULES, str(case)))
    codes = [(p.split(":")[1], p.split(":")[2], p.split("error[")[1].split("]")[0]) for p in found]
    assert codes == [("5", "1", "unknown-key"), ("7", "36", "unknown-key"), ("9", "3", "unknown-fact"),
                     ("10", "28", "unknown-key"), ("11", "23", "value"), ("11", "40", "unknown-source"),
                     ("12", "25", "type-mismatch"), ("13", "48", "grade")]


def test_shape_and_meaning_problems_of_one_rule_are_reported_together(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / PACT_RULES, pack)
    (pack / "core" / "tariffs.yaml").write_text(
        "id: tariffs\ntitle: T\ncategory: mony\neffect: strengthens\nweight: 10\nwhen: {fact: tarif_cuts}\n"
        "because: '{lead} {nobody}'\nreferences: [1]\nexamples:\n  - {facts: {}, fires: true, colour: red}\n",
        encoding="utf-8")
    found = problems(invoke("validate", str(pack)))
    codes = [(p.split(":")[1], p.split("error[")[1].split("]")[0]) for p in found]
    assert codes == [("3", "category"), ("6", "unknown-fact"), ("7", "placeholder"), ("8", "type-mismatch"),
                     ("10", "unknown-key")]


def test_a_missing_file_is_a_whole_file_problem(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    for name in ("pack.yaml", "tariffs.yaml"):
        (pack / name).write_bytes((ROOT / BAD / "base" / name).read_bytes())
    result = invoke("validate", str(pack))
    assert result.exit_code == 1
    assert f"{pack.as_posix()}/facts.yaml: error[file]: " in problems(result)[0]


def test_nothing_executes() -> None:
    invoke("validate", "--rules", PACT_RULES, case_path("python-tag.yaml"))
    invoke("validate", pack_path("rule-python-tag"))
    assert not (ROOT / "PWNED").exists()


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_score_and_explain_report_a_bad_case_as_validate_does(name: str) -> None:
    path = case_path(name)
    expected = problems(invoke("validate", "--rules", PACT_RULES, path))
    for args in (["score", path, "--rules", PACT_RULES],
                 ["score", path, "--rules", PACT_RULES, "--format", "json"],
                 ["explain", path, "--rule", "tariffs", "--rules", PACT_RULES]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert problems(result) == expected, args
        assert result.stdout == ""


@pytest.mark.parametrize("name", [p[0] for p in PACKS])
def test_score_test_and_explain_report_a_bad_pack_as_validate_does(name: str) -> None:
    path = pack_path(name)
    expected = problems(invoke("validate", path))
    for args in (["score", ALPHA, "--rules", path],
                 ["test", "--rules", path],
                 ["explain", ALPHA, "--rule", "tariffs", "--rules", path],
                 ["rules", "--rules", path]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert problems(result) == expected, args
        assert result.stdout == ""


def test_warnings_alone_keep_exit_status_zero() -> None:
    path = (BAD / "valid" / "warnings-only.yaml").as_posix()
    for args in (["validate", "--rules", PACT_RULES, path], ["score", path, "--rules", PACT_RULES]):
        result = invoke(*args)
        assert result.exit_code == 0, result.stderr
        found = problems(result)
        assert any(p.startswith(f"{path}:8:16: warning[unsourced]: ") for p in found), found
        assert any(p.startswith(f"{path}:11:7: warning[future]: ") for p in found), found
        assert not any("error[" in p for p in found)


def test_yaml_1_1_words_stay_strings() -> None:
    from engine.files.case import check_case
    from engine.files.pack import load_pack

    case, found = check_case(ROOT / BAD / "valid" / "yaml11-words.yaml", load_pack(ROOT / PACT_RULES))
    assert case is not None, found
    assert case.parties == {"lead": "NO", "follower": "ON"}
    assert case.sources["y"].title == "yes"
    assert case.facts["press_tone"][0].note == "off"


def test_a_utf8_bom_and_crlf_are_read_as_plain_utf8() -> None:
    from engine.files.case import check_case
    from engine.files.pack import load_pack

    pack = load_pack(ROOT / PACT_RULES)
    for name in ("utf8-bom.yaml", "crlf.yaml"):
        case, found = check_case(ROOT / BAD / "valid" / name, pack)
        assert case is not None, found
        assert case.id == "bad-case"
        assert (case.facts["tariff_cuts"][0].line, case.facts["tariff_cuts"][0].column) == (8, 16)
