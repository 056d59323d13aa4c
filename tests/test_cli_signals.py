"""SIGTERM ends a `krb` command as Ctrl-C does: unwinding, so nothing is left behind.

A command stopped by `kill`, `timeout` or a systemd or cron stop ended on the spot and
left the temporary copies an import makes (the store as N-Quads, the import as
N-Triples) in the temporary folder, where nothing removed them. Here a command of the
real `krb` app holds a temporary folder and waits; SIGTERM must remove the folder and
end the process as an interrupt does.

A write cannot be cut off: the interrupt arrives before the engine commits it or after.
`krb load`, `drop`, `restore`, `import-excel` and `import-metingen` then exit 130 saying
the write is whole or not made and what its graphs hold now (krbgraph.commands.
interrupted); the imports said nothing. They are stopped here by a real SIGTERM, sent to
a real process at the moment before or after its commit.
"""

from __future__ import annotations

import os
import shutil
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


COMMIT = """
import functools, sys, time
from krbgraph import loading
from krbgraph.store.embedded import EmbeddedStore
from krbgraph.cli import app

target, moment = sys.argv[1], sys.argv[2]
fired = False


def at_the_commit(write):
    # The first write of the target graph: the engine's transaction (or, into a new graph,
    # the bulk load kept once the registry has passed) that makes the import.
    @functools.wraps(write)
    def held(owner, data, *args, **kwargs):
        global fired
        if fired or target not in data:
            return write(owner, data, *args, **kwargs)
        fired = True
        if moment == "before":
            print("before", flush=True)
            time.sleep(60)
        done = write(owner, data, *args, **kwargs)
        print("after", flush=True)
        time.sleep(60)
        return done

    return held


for name in ("update", "write_graphs", "load_files"):
    setattr(EmbeddedStore, name, at_the_commit(getattr(EmbeddedStore, name)))
loading._validated_while_loading = at_the_commit(loading._validated_while_loading)
app(sys.argv[3:])
"""
"""A `krb` command whose write of graph argv[1] stops for a minute before or after the
engine commits it (argv[2]): the moment a signal is sent."""

BASE = "https://krb.demogemeente.nl"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from metingen_store import demo_store_folder

    return demo_store_folder(tmp_path_factory.mktemp("demo"))


def _interrupted(folder: Path, target: str, moment: str, *command: str) -> str:
    """Run ``command`` on the store ``folder``, send SIGTERM at ``moment`` of its commit
    of ``target``; returns what it said on stderr."""
    with subprocess.Popen(
        [sys.executable, "-c", COMMIT, target, moment, *command, "--store", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            if line.strip() == moment:
                break
        else:
            pytest.fail(f"no commit of <{target}>: {process.stderr.read()}")
        process.send_signal(signal.SIGTERM)
        said = process.stderr.read()
        assert process.wait(timeout=60) == 130, said
    assert "Traceback" not in said
    return " ".join(said.split())


def _sizes(folder: Path) -> dict[str, int]:
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    with open_store(Settings(store=str(folder))) as handle:
        return {info.iri: info.triples for info in handle.graphs()}


@pytest.mark.parametrize("moment", ["after", "before"])
def test_an_interrupted_measurement_import_says_what_the_store_holds(
    demo_folder: Path, tmp_path: Path, moment: str
) -> None:
    """`krb import-metingen` stopped by Ctrl-C or SIGTERM exited 130 without a word."""

    folder = shutil.copytree(demo_folder, tmp_path / "db")
    csv = tmp_path / "metingen.csv"
    csv.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron\n"
        "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor\n",
        encoding="utf-8",
    )
    graph = f"{BASE}/graph/metingen/metingen"
    said = _interrupted(folder, graph, moment, "import-metingen", str(csv), "--base-iri", BASE)
    assert "interrupted: the import is whole or not made at all; now" in said
    sizes = _sizes(folder)
    if moment == "after":
        assert sizes[graph] > 0
        assert f"<{graph}> holds {sizes[graph]} triples" in said
    else:
        assert graph not in sizes
        assert f"<{graph}> is not in the store" in said


@pytest.mark.parametrize("moment", ["after", "before"])
def test_an_interrupted_workbook_import_says_what_the_store_holds(
    demo_folder: Path, tmp_path: Path, moment: str
) -> None:
    """`krb import-excel` of policy with measurements: both graphs are one write."""

    from openpyxl import load_workbook

    from krbgraph.excel.template import write_template
    from krbgraph.excel.workbook_format import SHEETS_BY_NAME

    folder = shutil.copytree(demo_folder, tmp_path / "db")
    workbook = tmp_path / "onderzoek.xlsx"
    write_template(workbook)
    book = load_workbook(workbook)
    book["afdelingen"].append(["Afdeling Onderzoek", None])
    row = {"indicator": "GEZ-I01", "gebied": "WK999901", "jaar": 2023, "waarde": 7.5}
    row |= {"eenheid": "%", "bron": "ggd-gezondheidsmonitor"}
    book["metingen"].append([row.get(c) for c in SHEETS_BY_NAME["metingen"].names])
    book.save(workbook)
    graph = f"{BASE}/graph/excel/onderzoek"
    metingen = f"{graph}/metingen"
    said = _interrupted(folder, graph, moment, "import-excel", str(workbook), "--base-iri", BASE)
    assert "interrupted: the import is whole or not made at all; now" in said
    sizes = _sizes(folder)
    if moment == "after":
        assert sizes[graph] > 0 and sizes[metingen] > 0
        assert (
            f"now <{graph}> holds {sizes[graph]} triples, "
            f"<{metingen}> holds {sizes[metingen]} triples" in said
        )
    else:
        assert graph not in sizes and metingen not in sizes
        assert said.endswith(f"now <{graph}> is not in the store")
