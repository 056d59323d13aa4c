"""The default graph of a file whose name has no letter or digit a graph name can keep.

A default graph is named after the file (``{base}/graph/metingen/{slug}`` for
`krb import-metingen`, ``{base}/graph/{slug}`` for `krb load`), and the slug keeps the
letters A-Z (accents dropped) and digits 0-9 only. 'μετρήσεις.csv', '指标.csv' or
'€.csv' have none: the commands stopped with a Python traceback (exit 1, the code for
problems in the file). Now they say which file and ask for --graph (exit 2, as other
wrong uses), and --graph imports the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from metingen_store import demo_store_folder
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.loading import LoadError, data_graph_iri
from krbgraph.measurements.importing import metingen_graph_iri
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = "https://krb.demogemeente.nl"
NAMELESS = ["μετρήσεις", "指标", "€"]
ROWS = (
    "indicator;gebied;jaar;waarde;eenheid;bron\nGEL-I01;parkstraat;2021;51,0;dB(A);geluidmeetnet\n"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the demo registry, closed so the commands can open it."""
    return demo_store_folder(tmp_path_factory.mktemp("namen"))


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("name", NAMELESS)
def test_import_metingen_asks_for_a_graph_for_a_file_name_without_letters(
    folder: Path, tmp_path: Path, name: str
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(ROWS, encoding="utf-8")
    code, said = _run("import-metingen", str(path), "--store", str(folder))
    assert code == 2, said
    assert "Traceback" not in said
    # The message is wrapped at the terminal's width, a long path anywhere in it.
    expected = f"{path}: no graph name can be made from the file name '{name}.csv'"
    assert "".join(expected.split()) in "".join(said.split())
    assert "give the graph (--graph IRI) or rename the file" in said


def test_the_same_file_imports_into_the_graph_given(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "μετρήσεις.csv"
    path.write_text(ROWS, encoding="utf-8")
    graph = f"{BASE}/graph/metingen/metingen-grieks"
    code, said = _run("import-metingen", str(path), "--store", str(folder), "--graph", graph)
    assert code == 0, said
    assert f"loaded <{graph}>: 1 measurements" in said
    with open_store(Settings(store=str(folder))) as handle:
        handle.drop_graph(graph)


def test_krb_load_asks_for_a_graph_for_a_file_name_without_letters(tmp_path: Path) -> None:
    path = tmp_path / "指标.ttl"
    path.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    store = str(tmp_path / "db")
    code, said = _run("load", str(path), "--store", store, "--no-validate")
    assert code == 2, said
    assert "Traceback" not in said
    expected = f"{path}: no graph name can be made from the file name '指标.ttl'"
    assert "".join(expected.split()) in "".join(said.split())
    assert "--graph" in said


def test_names_with_letters_keep_their_graph() -> None:
    assert metingen_graph_iri(BASE, Path("Geluid 2023.csv")) == f"{BASE}/graph/metingen/geluid-2023"
    assert metingen_graph_iri(BASE + "/", Path("Überblick.csv")) == (
        f"{BASE}/graph/metingen/Uberblick"
    )
    assert metingen_graph_iri(BASE, Path("GGD_2024.v2.csv")) == f"{BASE}/graph/metingen/GGD_2024.v2"
    assert data_graph_iri(BASE, Path("€ Überblick.ttl.gz")) == f"{BASE}/graph/uberblick"
    with pytest.raises(LoadError, match="'€.ttl'"):
        data_graph_iri(BASE, Path("€.ttl"))
