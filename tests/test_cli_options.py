"""Every `krb` command that opens a store takes `--timeout` (KRB_QUERY_TIMEOUT_S), and the
option reaches the store: the README promises each variable a matching option that wins.

The store commands (load, drop, ...) are covered in test_store_cli.py; here the
others. A time limit of a nanosecond makes the first query the command runs fail
with the limit in its message, which shows the value arrived where queries run;
the same limit in the environment with a generous `--timeout` on top shows the
option wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from model_store import model_template_fixture, store_folder_fixture
from typer.testing import CliRunner, Result

from krbgraph.cli import app

TINY = "1e-09"
TIMED_OUT = f"query did not finish within {TINY} s"

model_template = model_template_fixture()


folder = store_folder_fixture()


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty KRB workbook (the template), which imports as an empty graph."""
    from krbgraph.excel.template import write_template

    path = tmp_path_factory.mktemp("workbook") / "leeg.xlsx"
    write_template(path)
    return path


@pytest.fixture
def measurements(tmp_path: Path) -> Path:
    path = tmp_path / "geluid.csv"
    path.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron\n"
        "GEL-I01;parkstraat;2025;49,6;dB(A);geluidmeetnet\n",
        encoding="utf-8",
    )
    return path


def krb(*args: str, env: dict[str, str] | None = None) -> Result:
    """`krb` in this process, with KRB_QUERY_TIMEOUT_S unset unless ``env`` sets it."""
    unset: dict[str, str | None] = {"KRB_QUERY_TIMEOUT_S": None}
    return CliRunner().invoke(app, list(args), env={**unset, **(env or {})})


def _commands(group: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    context = typer.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if hasattr(command, "list_commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def _options(command: Any) -> dict[str, Any]:
    return {opt: param for param in command.params for opt in param.opts}


def test_every_command_with_a_store_takes_a_timeout_from_the_same_variable() -> None:
    with_store = {
        name: _options(command)
        for name, command in _commands(typer.main.get_command(app))
        if "--store" in _options(command)
    }
    assert {"serve", "import-excel", "export-excel", "import-metingen", "query"} <= set(with_store)
    missing = [name for name, options in with_store.items() if "--timeout" not in options]
    assert missing == []
    # Read by Settings (one message for a malformed value), named in the help.
    assert all(
        "KRB_QUERY_TIMEOUT_S" in (options["--timeout"].help or "")
        for options in with_store.values()
    )


def test_export_excel_describes_its_own_graph_option() -> None:
    commands = dict(_commands(typer.main.get_command(app)))
    export_help = _options(commands["export-excel"])["--graph"].help
    import_help = _options(commands["import-excel"])["--graph"].help
    assert "import" not in export_help and "{base}/graph/excel" not in export_help
    assert "all data graphs" in export_help and "{graph}/metingen" in export_help
    assert "{base}/graph/excel/{file}" in import_help


@pytest.mark.parametrize("command", ["import-excel", "export-excel", "import-metingen"])
def test_the_timeout_option_limits_the_commands_queries(
    command: str, folder: str, workbook: Path, measurements: Path, tmp_path: Path
) -> None:
    target = {
        "import-excel": workbook,
        "export-excel": tmp_path / "uit.xlsx",
        "import-metingen": measurements,
    }[command]
    result = krb(command, str(target), "--store", folder, "--timeout", TINY)
    assert result.exit_code == 2, result.output
    assert TIMED_OUT in result.stderr


def test_import_excel_timeout_option_wins_over_the_environment(folder: str, workbook: Path) -> None:
    result = krb(
        "import-excel", str(workbook), "--store", folder, "--timeout", "60",
        env={"KRB_QUERY_TIMEOUT_S": TINY},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "graph/excel/leeg>: 0 triples" in result.stdout


def test_export_excel_timeout_option_wins_over_the_environment(folder: str, tmp_path: Path) -> None:
    target = tmp_path / "uit.xlsx"
    result = krb(
        "export-excel", str(target), "--store", folder, "--timeout", "60",
        env={"KRB_QUERY_TIMEOUT_S": TINY},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target.is_file()


def test_import_metingen_timeout_option_wins_over_the_environment(
    folder: str, measurements: Path
) -> None:
    """The store holds the model only, so the rows are refused (exit 1) after the lookups
    ran within the time limit the option set."""
    result = krb(
        "import-metingen", str(measurements), "--store", folder, "--timeout", "60",
        env={"KRB_QUERY_TIMEOUT_S": TINY},
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert TIMED_OUT not in result.stderr
    assert "no policy indicator" in result.stderr


def test_serve_hands_the_timeout_option_to_the_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The service gets the settings the options make: `--timeout` over the variable."""
    store = str(tmp_path / "store")
    settings = _served_settings(
        monkeypatch,
        "--store", store, "--timeout", "5", "--engine", "embedded", "--port", "8123",
        env={"KRB_QUERY_TIMEOUT_S": "7"},
    )  # fmt: skip
    assert settings.query_timeout_s == 5.0
    assert (settings.store, settings.engine, settings.port) == (store, "embedded", 8123)


def test_serve_timeout_option_caps_the_lane_of_marked_clients(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The lane's own limit (2 s) is never more than the service's: --timeout 0.5 lowers it."""
    settings = _served_settings(monkeypatch, "--store", str(tmp_path / "store"), "--timeout", "0.5")
    assert settings.query_timeout_s == 0.5
    assert settings.lane_timeout_s == 0.5


def _served_settings(
    monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None
) -> Any:
    """The settings `krb serve ARGS` hands the app (the server itself is not started)."""
    import uvicorn

    import krbgraph.web.app

    made: list[Any] = []
    monkeypatch.setattr(krbgraph.web.app, "create_app", lambda settings: made.append(settings))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    result = krb("serve", *args, env=env)
    assert result.exit_code == 0, result.output
    (settings,) = made
    return settings


def test_a_malformed_variable_does_not_stop_a_command_given_its_option(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """docs/store.md: options win over environment variables; a malformed
    KRB_QUERY_TIMEOUT_S or KRB_PORT stopped `krb serve --timeout 5 --port 8123`."""
    settings = _served_settings(
        monkeypatch,
        "--store", str(tmp_path / "store"), "--timeout", "5", "--port", "8123",
        env={"KRB_QUERY_TIMEOUT_S": "30s", "KRB_PORT": "acht"},
    )  # fmt: skip
    assert (settings.query_timeout_s, settings.port) == (5.0, 8123)


def test_serve_reads_its_port_from_the_environment_without_the_option(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = _served_settings(
        monkeypatch, "--store", str(tmp_path / "store"), env={"KRB_PORT": "8124"}
    )
    assert settings.port == 8124
    assert _served_settings(monkeypatch, "--store", str(tmp_path / "store")).port == 8000


@pytest.mark.parametrize(
    ("variable", "value"), [("KRB_QUERY_TIMEOUT_S", "30s"), ("KRB_PORT", "acht")]
)
def test_a_malformed_variable_gets_the_message_every_variable_gets(
    tmp_path: Path, variable: str, value: str
) -> None:
    """One line naming the variable and its value, exit 2; typer's own boxed
    "Invalid value for '--timeout'" named an option the user never gave."""
    result = krb("serve", "--store", str(tmp_path / "store"), env={variable: value})
    assert result.exit_code == 2
    assert f"{variable}={value!r} is not valid" in result.output
    assert "Invalid value" not in result.output


def test_serve_takes_its_engine_from_the_option_the_variable_or_its_own_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--engine wins over a malformed KRB_ENGINE (it stopped the command), the variable
    over serve's own default (supervised, where other commands run embedded)."""
    store = str(tmp_path / "store")
    given = _served_settings(
        monkeypatch, "--store", store, "--engine", "Embedded", env={"KRB_ENGINE": "foo"}
    )
    assert given.engine == "embedded"
    from_variable = _served_settings(monkeypatch, "--store", store, env={"KRB_ENGINE": "embedded"})
    assert from_variable.engine == "embedded"
    assert _served_settings(monkeypatch, "--store", store, env={"KRB_ENGINE": ""}).engine == (
        "supervised"
    )
