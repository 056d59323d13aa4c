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
