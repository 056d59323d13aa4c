"""Files written beside their target and renamed: the mode a user expects, no leftovers.

`krb dump` and `krb export-excel` came back with a shared 0644 file as 0600 (readable by
its owner alone: mkstemp's mode, kept by the rename), and every export killed outright
left a hidden part file that no later export removed.
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from store_templates import copy_of
from typer.testing import CliRunner

from krbgraph.partial_files import open_beside, remove_leftovers
from krbgraph.settings import Settings
from krbgraph.store import ensure_model


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _dead_pid() -> str:
    """A process id nothing here has any more: as a writer killed, or in another container."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_new_file_gets_the_mode_of_any_new_file_and_an_old_one_keeps_its_own(
    tmp_path: Path, umask_022: None
) -> None:
    fresh = tmp_path / "nieuw.xlsx"
    fd, part = open_beside(fresh, ".part")
    os.close(fd)
    assert _mode(part) == 0o644
    kept = tmp_path / "gedeeld.xlsx"
    kept.write_bytes(b"oud")
    kept.chmod(0o640)
    fd, part = open_beside(kept, ".part")
    os.close(fd)
    assert _mode(part) == 0o640


def test_leftovers_of_gone_writers_are_removed_and_a_writers_own_kept(tmp_path: Path) -> None:
    target = tmp_path / "register.xlsx"
    pid = _dead_pid()
    left = tmp_path / f".register.xlsx.{pid}.ab12.part"
    busy = tmp_path / f".register.xlsx.{pid}.cd34.part"
    other = tmp_path / f".ander.xlsx.{pid}.ef56.part"
    for path in (left, busy, other):
        path.write_bytes(b"half")
    with busy.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        remove_leftovers(target, ".part")
    assert not left.exists()
    assert busy.exists() and other.exists()


def _app() -> typer.Typer:
    from krbgraph.commands import excel as excel_commands

    app = typer.Typer()
    excel_commands.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps Typer from folding the single-command app."""

    return app


def test_export_excel_keeps_the_mode_and_clears_a_killed_exports_part(
    tmp_path: Path, umask_022: None
) -> None:
    store = copy_of("model", Settings(), ensure_model, tmp_path / "store")
    env = {"KRB_STORE": str(store), "KRB_BASE_IRI": "https://krb.testgemeente.nl"}
    workbook = tmp_path / "register.xlsx"
    first = CliRunner().invoke(_app(), ["export-excel", str(workbook)], env=env)
    assert first.exit_code == 0, first.output
    assert _mode(workbook) == 0o644, "a new export is as readable as any new file"
    workbook.chmod(0o664)  # shared with the team
    killed = tmp_path / f".register.xlsx.{_dead_pid()}.x9.part"
    killed.write_bytes(b"half")
    again = CliRunner().invoke(_app(), ["export-excel", str(workbook)], env=env)
    assert again.exit_code == 0, again.output
    assert _mode(workbook) == 0o664
    assert not killed.exists()
    assert [p.name for p in tmp_path.glob(".register.xlsx.*")] == []
