"""SIGTERM ends a `krb` command as Ctrl-C does: unwinding, so nothing is left behind.

A command stopped by `kill`, `timeout` or a systemd or cron stop ended on the spot and
left the temporary copies an import makes (the store as N-Quads, the import as
N-Triples) in the temporary folder, where nothing removed them. Here a command of the
real `krb` app holds a temporary folder and waits; SIGTERM must remove the folder and
end the process as an interrupt does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys, tempfile, time
from krbgraph.cli import app

@app.command("houd-vast")
def hold() -> None:
    with tempfile.TemporaryDirectory(prefix="krb-copy-") as folder:
        print(folder, flush=True)
        time.sleep(60)

app(["houd-vast"])
"""


def test_sigterm_unwinds_a_command_and_removes_its_temporary_folder(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        folder = Path(process.stdout.readline().strip())
        assert folder.is_dir() and folder.parent == tmp_path
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 130  # as Ctrl-C
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def _store_with_a_graph(tmp_path: Path) -> tuple[str, str]:
    from store_templates import copy_of

    from krbgraph.settings import Settings
    from krbgraph.store import ensure_model, open_store

    folder = copy_of("model", Settings(), ensure_model, tmp_path / "store")
    graph = "https://krb.testgemeente.nl/graph/afdelingen"
    with open_store(Settings(store=str(folder))) as handle:
        handle.update(
            f"INSERT DATA {{ GRAPH <{graph}> {{ <https://krb.testgemeente.nl/id/afdeling/a> "
            "<http://www.w3.org/2000/01/rdf-schema#label> 'Afdeling A'@nl } }"
        )
    return str(folder), graph


@pytest.mark.parametrize("after_the_write", [True, False], ids=["after", "before"])
def test_an_interrupted_drop_says_what_the_store_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after_the_write: bool
) -> None:
    """The engine's write cannot be cut off: Ctrl-C arrives before or after it. A drop
    that had finished exited 130 without a word and read as cancelled."""
    from typer.testing import CliRunner

    from krbgraph.cli import app
    from krbgraph.commands import store as store_commands

    folder, graph = _store_with_a_graph(tmp_path)
    real = store_commands.drop_data_graph

    def interrupted(*args: object, **kwargs: object) -> int:
        if after_the_write:
            real(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(store_commands, "drop_data_graph", interrupted)
    result = CliRunner().invoke(app, ["drop", graph, "--store", folder])
    assert result.exit_code == 130
    said = " ".join(result.stderr.split())
    assert "interrupted: the drop is whole or not made at all" in said
    if after_the_write:
        assert f"<{graph}> is not in the store" in said
    else:
        assert f"<{graph}> holds 1 triples" in said


def test_the_app_run_in_process_puts_the_sigterm_handler_back(tmp_path: Path) -> None:
    import signal as signals

    from typer.testing import CliRunner

    from krbgraph.cli import app

    def own(signum: int, frame: object) -> None:
        """The handler of whatever runs the app (here: this test)."""

    before = signals.signal(signals.SIGTERM, own)
    try:
        result = CliRunner().invoke(app, ["graphs", "--store", str(tmp_path / "geen")])
        assert result.exit_code == 2  # no store there: the command ran and ended
        assert signals.getsignal(signals.SIGTERM) is own
    finally:
        signals.signal(signals.SIGTERM, before)
