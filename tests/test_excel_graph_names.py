"""The default graph of a workbook whose file name has no letter or digit to name it by.

`krb import-excel` names a workbook's graph after its file (``{base}/graph/excel/
{slug}``), and the slug keeps the letters A-Z (accents dropped) and digits 0-9 only.
'€.xlsx', '指标.xlsx' or 'μετρήσεις.xlsx' have none: the command said only "error: no
IRI reference can be made from '€'", naming neither the file nor what to do. Now it
says it as `krb load` and `krb import-metingen` do (krbgraph.loading.data_graph_iri):
which file, that no graph name can be made from its name, and to give the graph
(--graph) or rename the file; exit 2, as other wrong uses. --graph imports the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from store_templates import copy_of
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.importing import excel_graph_iri
from krbgraph.excel.template import write_template
from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
# Dots alone are no name either: '...xlsx' named the graph {base}/graph/excel/.., which
# an IRI resolves to {base}/graph/ (its page was a 404, and a token for graph/excel/
# was said to be at fault).
NAMELESS = ["€", "指标", "μετρήσεις", "..", ".", ". ."]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the model, closed so the command can open it."""
    return copy_of("model", Settings(), ensure_model, tmp_path_factory.mktemp("namen") / "db")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _squeezed(text: str) -> str:
    """``text`` without white space: rich wraps the output at 80 columns, a long path
    or a word anywhere in it."""
    return "".join(text.split())


@pytest.mark.parametrize("name", NAMELESS)
def test_import_excel_asks_for_a_graph_for_a_file_name_without_letters(
    folder: Path, tmp_path: Path, name: str
) -> None:
    path = tmp_path / f"{name}.xlsx"
    write_template(path)
    code, said = _run("import-excel", str(path), "--store", str(folder), "--base-iri", BASE)
    assert code == 2, said
    assert "Traceback" not in said
    # (the file as import_workbook names a path: by its name, without the folder)
    expected = (
        f"{name}.xlsx: no graph name can be made from the file name '{name}.xlsx': a "
        "default graph is named after the letters A-Z and digits 0-9 of the name, and it "
        "has none; give the graph (--graph IRI"
    )
    assert said.lstrip().startswith("error: "), said
    assert _squeezed(expected) in _squeezed(said), said
    assert _squeezed("or rename the file") in _squeezed(said)
    assert "no IRI reference can be made" not in " ".join(said.split())
    with open_store(Settings(store=str(folder))) as handle:
        assert not [info.iri for info in handle.graphs() if "/graph/excel/" in info.iri]


def test_the_same_file_imports_into_the_graph_given(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "€.xlsx"
    write_template(path)
    graph = f"{BASE}/graph/excel/euro"
    args = ["import-excel", str(path), "--store", str(folder), "--base-iri", BASE]
    code, said = _run(*args, "--graph", graph)
    assert code == 0, said
    assert f"<{graph}>" in said


def test_names_with_letters_keep_their_graph() -> None:
    assert excel_graph_iri(BASE, "Geluid 2023.xlsx") == f"{BASE}/graph/excel/geluid-2023"
    assert excel_graph_iri(BASE + "/", "/tmp/€ Überblick.xlsx") == f"{BASE}/graph/excel/uberblick"
    with pytest.raises(ValueError, match="'€.xlsx'") as refused:
        excel_graph_iri(BASE, "uploads/€.xlsx")
    assert str(refused.value).startswith("uploads/€.xlsx: no graph name can be made")


def test_a_file_name_too_long_for_a_graph_name_is_refused_naming_the_limit() -> None:
    """An upload may name a file of 2,000 characters (no file system can): its graph
    was written, and then neither read nor deleted through the Graph Store (400)."""
    from krbgraph.loading import LoadError, data_graph_iri
    from krbgraph.rdfio import MAX_GRAPH_IRI

    long = "x" * MAX_GRAPH_IRI
    with pytest.raises(ValueError, match=f"at most {MAX_GRAPH_IRI:,}"):
        excel_graph_iri(BASE, f"{long}.xlsx")
    with pytest.raises(LoadError, match=f"at most {MAX_GRAPH_IRI:,}"):
        data_graph_iri(BASE, Path(f"{long}.ttl"))
    # The workbook's measurements go to {graph}/metingen, which must fit too.
    fits = "x" * (MAX_GRAPH_IRI - len(f"{BASE}/graph/excel/") - len("/metingen"))
    assert len(excel_graph_iri(BASE, f"{fits}.xlsx") + "/metingen") == MAX_GRAPH_IRI
    with pytest.raises(ValueError, match=f"at most {MAX_GRAPH_IRI:,}"):
        excel_graph_iri(BASE, f"{fits}x.xlsx")
    from krbgraph.measurements.identity import metingen_graph_iri

    fits = "x" * (MAX_GRAPH_IRI - len(f"{BASE}/graph/metingen/"))
    assert len(metingen_graph_iri(BASE, Path(f"{fits}.csv"))) == MAX_GRAPH_IRI
    with pytest.raises(LoadError, match=f"at most {MAX_GRAPH_IRI:,}"):
        metingen_graph_iri(BASE, Path(f"{fits}x.csv"))


@pytest.mark.parametrize("code", [".", "..", "..."])
def test_a_code_of_dots_names_no_thing(code: str) -> None:
    from krbgraph.iris import thing_iri

    with pytest.raises(ValueError, match="no IRI reference"):
        thing_iri(BASE, "beleidsnorm", code)
