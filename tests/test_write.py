"""Writing files (issue 15): atomic replacement, its refusals, and the calibration edit of pack.yaml."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.core.model import Calibration
from engine.files import write
from engine.files.pack import check_pack
from engine.files.write import WriteError, set_calibration, write_atomic, write_calibration

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "rules"
CALIBRATION = Calibration(3, 0.1 + 0.2, -1.25e-05)
BLOCK = ["calibration:", "  horizon_years: 3", "  intercept: 0.30000000000000004", "  slope: -1.25e-05"]


def _copy_pack(tmp_path: Path, *, calibrated: bool = False) -> Path:
    """A copy of the bundled pack; unless `calibrated`, without the calibration block it ships (its last
    four lines), i.e. the pack as written by hand before it was calibrated."""
    pack = tmp_path / "rules"
    shutil.copytree(BUNDLED, pack)
    if not calibrated:
        lines = (pack / "pack.yaml").read_bytes().splitlines(keepends=True)
        assert lines[-4].startswith(b"calibration:")
        (pack / "pack.yaml").write_bytes(b"".join(lines[:-4]))
    return pack


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- the calibration edit ---------------------------------------------------------------------------

def test_calibration_written_into_the_bundled_pack_changes_only_its_lines(tmp_path: Path) -> None:
    """The bundled pack is calibrated: its block is replaced (with force) and no other byte changes; without
    the block (the pack as it was before calibration) the new block is added at the end."""
    import difflib

    pack = _copy_pack(tmp_path, calibrated=True)
    before = (pack / "pack.yaml").read_bytes()
    assert write_calibration(pack, CALIBRATION, force=True) == pack / "pack.yaml"
    after = (pack / "pack.yaml").read_bytes()
    old, new = before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True)
    start = next(i for i, line in enumerate(old) if line.startswith("calibration:"))
    changed = [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in
               difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if tag != "equal"]
    assert changed and all(i1 >= start and j1 >= start for _, i1, _, j1, _ in changed)
    assert [line.rstrip("\n") for line in new[start:start + len(BLOCK)]] == BLOCK
    assert new[:start] == old[:start] and new[start + len(BLOCK):] == old[start + 4:]  # the old block: 4 lines
    uncalibrated = "".join(old[:start] + old[start + 4:]).encode()
    (pack / "pack.yaml").write_bytes(uncalibrated)
    write_calibration(pack, CALIBRATION)
    added = (pack / "pack.yaml").read_bytes().decode().splitlines(keepends=True)
    assert added[:len(old) - 4] == old[:start] + old[start + 4:]
    assert [line.rstrip("\n") for line in added[len(old) - 4:]] == BLOCK
    loaded, problems = check_pack(pack)
    assert loaded is not None and not [p for p in problems if p.is_error], problems
    assert loaded.calibration == CALIBRATION
    assert loaded.calibration.intercept == 0.1 + 0.2  # repr-exact


def test_replacing_a_block_keeps_everything_around_it(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("evidence:")
    old = ("# fitted by hand\ncalibration: {horizon_years: 1,\n  intercept: 0, slope: 0.1}   # old one\n"
           "# keep this comment\n\n")
    (pack / "pack.yaml").write_text(head + old + "evidence:" + rest, encoding="utf-8")
    write_calibration(pack, CALIBRATION, force=True)
    new = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert new == head + "# fitted by hand\n" + "\n".join(BLOCK) + "\n# keep this comment\n\nevidence:" + rest
    loaded, _ = check_pack(pack)
    assert loaded is not None and loaded.calibration == CALIBRATION


def test_replacing_a_block_style_block_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: p\nversion: '1.0.0'\ncalibration:\n  horizon_years: 2\n  note: |\n    fitted on\n"
                    "    four cases\n\n  intercept: 1\n  slope: 2   # steep\n\n\n# after\nroles: [a, b]\n"
                    "bands: [{from: 0, label: x}]\n", encoding="utf-8")
    new = set_calibration(path, Calibration(5, 0.5, 0.25))
    assert new == ("pack: p\nversion: '1.0.0'\ncalibration:\n  horizon_years: 5\n  intercept: 0.5\n  slope: 0.25\n"
                   "\n\n# after\nroles: [a, b]\nbands: [{from: 0, label: x}]\n")


def test_a_block_scalar_at_the_end_of_the_block(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: p\ncalibration:\n  horizon_years: 2\n  intercept: 1\n  slope: 2\n  note: >\n"
                    "    long\n    text\n\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]\n",
                    encoding="utf-8")
    new = set_calibration(path, Calibration(5, 0.5, 0.25))
    assert new == ("pack: p\ncalibration:\n  horizon_years: 5\n  intercept: 0.5\n  slope: 0.25\n"
                   "\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]\n")


def test_crlf_stays_crlf_and_a_bom_stays(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    lf = (pack / "pack.yaml").read_bytes().replace(b"\r\n", b"\n")
    crlf = b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n")
    (pack / "pack.yaml").write_bytes(crlf)
    write_calibration(pack, CALIBRATION)
    after = (pack / "pack.yaml").read_bytes()
    assert after == crlf + "\r\n".join(BLOCK).encode() + b"\r\n"
    write_calibration(pack, Calibration(2, 0.5, 0.1), force=True)  # replacing keeps CRLF too
    again = (pack / "pack.yaml").read_bytes()
    assert again == crlf + b"calibration:\r\n  horizon_years: 2\r\n  intercept: 0.5\r\n  slope: 0.1\r\n"
    loaded, _ = check_pack(pack)
    assert loaded is not None and loaded.calibration == Calibration(2, 0.5, 0.1)


def test_a_file_without_a_final_line_end(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: p\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]  # last", encoding="utf-8")
    assert set_calibration(path, Calibration(1, 0, 1)) == (
        "pack: p\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]  # last\n"
        "calibration:\n  horizon_years: 1\n  intercept: 0\n  slope: 1\n")
    path.write_text("pack: p\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]\n"
                    "calibration: {horizon_years: 1, intercept: 0, slope: 1}", encoding="utf-8")
    assert set_calibration(path, Calibration(2, 0, 1)).endswith("bands: [{from: 0, label: x}]\ncalibration:\n"
                                                               "  horizon_years: 2\n  intercept: 0\n  slope: 1")


@pytest.mark.parametrize("number", [0.1 + 0.2, 1e-300, -2.5e16, 5e-324, 1.7976931348623157e308, 123456789.123456789])
def test_numbers_read_back_exactly(tmp_path: Path, number: float) -> None:
    pack = _copy_pack(tmp_path)
    write_calibration(pack, Calibration(1.5, number, number))
    loaded, _ = check_pack(pack)
    assert loaded is not None and loaded.calibration == Calibration(1.5, number, number)


@pytest.mark.parametrize(("calibration", "message"), [
    (Calibration(3, float("nan"), 0.1), "intercept must be a finite number"),
    (Calibration(3, 0.1, float("inf")), "slope must be a finite number"),
    (Calibration(0, 0.1, 0.1), "horizon_years must be above 0"),
])
def test_a_calibration_that_would_not_validate_is_refused(tmp_path: Path, calibration: Calibration,
                                                          message: str) -> None:
    pack = _copy_pack(tmp_path)
    with pytest.raises(WriteError, match=message):
        write_calibration(pack, calibration)


def test_an_invalid_pack_yaml_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("pack: p\nversion: [1\n", encoding="utf-8")
    with pytest.raises(WriteError, match=r"pack.yaml:\d+:\d+: error\[yaml-syntax\].*fix it first") as raised:
        set_calibration(path, CALIBRATION)
    assert "\n" not in str(raised.value)
    path.write_text("pack: p\nversion: '1.0.0'\nroles: [a, b]\nbands: [{from: 0, label: x}]\ncalibration: 3\n",
                    encoding="utf-8")
    with pytest.raises(WriteError, match=r"error\[type-mismatch\]"):
        set_calibration(path, CALIBRATION)


def test_an_existing_calibration_is_replaced_only_with_force(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    write_calibration(pack, CALIBRATION)
    before = (pack / "pack.yaml").read_bytes()
    with pytest.raises(WriteError, match=r"already has a calibration \(line \d+\); .*--force"):
        write_calibration(pack, Calibration(1, 1, 1))
    assert (pack / "pack.yaml").read_bytes() == before


def test_write_calibration_into_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="does not exist"):
        write_calibration(tmp_path / "nowhere", CALIBRATION)


# --- write_atomic ---------------------------------------------------------------------------------

def test_write_creates_and_replaces_only_with_force(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "one\n", force=False)
    assert target.read_bytes() == b"one\n"
    with pytest.raises(WriteError, match="already exists; refusing to replace it without --force") as raised:
        write_atomic(target, "two\n", force=False)
    assert "\n" not in str(raised.value)
    assert target.read_bytes() == b"one\n"
    write_atomic(target, b"two\r\n", force=True)
    assert target.read_bytes() == b"two\r\n"
    assert _leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "pack.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new", force=True)
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_missing_folder_is_said(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match=r"folder .*nowhere does not exist"):
        write_atomic(tmp_path / "nowhere" / "out.txt", "x", force=True)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(WriteError, match="is a folder"):
        write_atomic(tmp_path / "sub", "x", force=True)


def test_a_failing_write_leaves_the_original_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pack.yaml"
    target.write_bytes(b"original\n")
    real_write = os.write
    calls = []

    def disk_full(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # part of it goes to disk, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(WriteError, match="not written: no space left on the device; the file is unchanged"):
        write_atomic(target, b"x" * 100_000, force=True)
    monkeypatch.undo()
    assert len(calls) == 2
    assert target.read_bytes() == b"original\n"
    assert _leftovers(tmp_path) == []


def test_an_interrupt_leaves_the_original_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pack.yaml"
    target.write_bytes(b"original\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new\n", force=True)
    monkeypatch.undo()
    assert target.read_bytes() == b"original\n"
    assert _leftovers(tmp_path) == []


def test_a_full_tmpfs(tmp_path: Path) -> None:
    """The real thing: a 64 KiB tmpfs, where writing 1 MiB fails with ENOSPC (needs root and mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        target = mount / "pack.yaml"
        target.write_bytes(b"original\n")
        with pytest.raises(WriteError, match="no space left on the device"):
            write_atomic(target, b"x" * (1 << 20), force=True)
        assert target.read_bytes() == b"original\n"
        assert _leftovers(mount) == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_symlink_is_refused_unless_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(WriteError, match="is a symbolic link"):
        write_atomic(link, "new\n", force=True)
    assert real.read_bytes() == b"old\n" and link.is_symlink()
    with pytest.raises(WriteError, match="already exists"):  # the target exists: force is still needed
        write_atomic(link, "new\n", force=False, follow_symlinks=True)
    write_atomic(link, "new\n", force=True, follow_symlinks=True)
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    chain = tmp_path / "chain.yaml"  # a link to a link: the end of the chain is written
    chain.symlink_to(link)
    write_atomic(chain, "newer\n", force=True, follow_symlinks=True)
    assert chain.is_symlink() and link.is_symlink() and real.read_bytes() == b"newer\n"
    assert _leftovers(tmp_path) == []


def test_the_installed_pack_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed = tmp_path / "site-packages" / "engine" / "_rules"
    shutil.copytree(BUNDLED, installed)
    monkeypatch.setattr(write, "INSTALLED_PACK", installed)
    before = (installed / "pack.yaml").read_bytes()
    with pytest.raises(WriteError, match="installed with the package; copy it first"):
        write_calibration(installed, CALIBRATION)
    with pytest.raises(WriteError, match="installed with the package"):
        write_atomic(installed / "diplomatic" / ".." / "new.yaml", "x", force=True)
    link = tmp_path / "pack.yaml"  # nor through a link to it
    link.symlink_to(installed / "pack.yaml")
    with pytest.raises(WriteError, match="installed with the package"):
        write_atomic(link, "x", force=True, follow_symlinks=True)
    assert (installed / "pack.yaml").read_bytes() == before
    assert write.INSTALLED_PACK != ROOT / "rules"  # a checkout's own rules/ may be written


def test_a_loop_of_links_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.symlink_to(second)
    second.symlink_to(first)
    with pytest.raises(WriteError, match="loop of links"):
        write_atomic(first, "x", force=True, follow_symlinks=True)
