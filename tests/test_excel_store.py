"""Import into and export from a real embedded store, through the library and the CLI."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from rdflib.compare import isomorphic
from test_excel_support import BASE, demo_graph, demo_workbook, edit, row_of
from test_sparql_support import DEMO
from typer.testing import CliRunner

from krbgraph.commands import excel as excel_commands
from krbgraph.containment import MAX_ENCLOSING
from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import ImportFailed, excel_graph_iri, import_workbook
from krbgraph.excel.reader import read_workbook
from krbgraph.store import Store


@pytest.fixture
def store(model_store: Store) -> Store:
    return model_store


def _quads(store: Store, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / f"{name}.nq"
    store.dump(path)
    return sorted(path.read_text(encoding="utf-8").splitlines())


def _app() -> typer.Typer:
    app = typer.Typer()
    excel_commands.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps Typer from folding the single-command app."""

    return app


def test_import_loads_one_graph_and_reimport_replaces_it(store: Store, tmp_path: Path) -> None:
    workbook = demo_workbook(tmp_path, "Demo Gemeente.xlsx")
    first = import_workbook(store, workbook, base_iri=BASE)
    again = import_workbook(store, workbook, base_iri=BASE)

    assert first.graph == again.graph == f"{BASE}/graph/excel/demo-gemeente"
    assert (first.replaced, again.replaced) == (False, True)
    assert first.triples == again.triples == len(demo_graph())
    assert {info.iri for info in store.graphs() if "/graph/excel/" in info.iri} == {first.graph}
    # The store writes decimals in its own canonical form (48.0 -> 48); exporting
    # from it and reading the workbook back still gives the demo exactly.
    exported = tmp_path / "from-store.xlsx"
    assert export_workbook(store, exported, graph=first.graph) == []
    assert isomorphic(read_workbook(exported, BASE).graph, demo_graph())


def test_failed_import_leaves_the_store_unchanged(store: Store, tmp_path: Path) -> None:
    workbook = demo_workbook(tmp_path)
    import_workbook(store, workbook, base_iri=BASE)
    before = _quads(store, tmp_path, "before")
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    edit(
        workbook,
        [("beleidsnorm", norm, "indicator", "GEL-02"), ("beleidsnorm", norm, "waarde", "veel")],
    )

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    assert {(p.row, p.column) for p in failed.value.problems if p.is_error} == {
        (norm, "indicator"),
        (norm, "waarde"),
    }
    assert _quads(store, tmp_path, "after") == before


def test_shape_violation_is_mapped_to_its_cell_and_nothing_is_written(
    store: Store, tmp_path: Path
) -> None:
    workbook = demo_workbook(tmp_path)
    row = row_of(workbook, "werkingsgebieden", "GM9999", column="code")
    edit(workbook, [("werkingsgebieden", row, "ligt_in", "Parkstraat")])  # a cycle
    before = _quads(store, tmp_path, "before")

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    located = [p for p in failed.value.problems if p.is_error and p.sheet is not None]
    assert located, [p.text_en for p in failed.value.problems]
    assert {(p.sheet, p.column) for p in located} == {("werkingsgebieden", "ligt_in")}
    assert _quads(store, tmp_path, "after") == before


def test_a_cycle_of_replacements_is_placed_in_the_column_the_user_typed_it_in(
    store: Store, tmp_path: Path
) -> None:
    workbook = demo_workbook(tmp_path)
    first, second = (row_of(workbook, "besluitdocument", c) for c in ("BOU-HBV", "CIR-2030"))
    edit(
        workbook,
        [
            ("besluitdocument", first, "vervangt", "CIR-2030"),
            ("besluitdocument", second, "vervangt", "BOU-HBV"),
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    cycle = [p for p in failed.value.problems if "kringloop" in p.text_nl]
    assert {(p.row, p.column) for p in cycle} == {(first, "vervangt"), (second, "vervangt")}


def test_the_same_workbook_under_another_name_is_refused_saying_where_it_already_is(
    store: Store, tmp_path: Path
) -> None:
    workbook = demo_workbook(tmp_path)
    first = import_workbook(store, workbook, base_iri=BASE)
    renamed = tmp_path / "beleid-v2.xlsx"
    renamed.write_bytes(workbook.read_bytes())
    before = _quads(store, tmp_path, "before")

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, renamed, base_iri=BASE)

    lead = failed.value.problems[0]
    assert f"al in graaf <{first.graph}>" in lead.text_nl
    assert f"--graph {first.graph}" in lead.text_en
    assert _quads(store, tmp_path, "after") == before


def test_a_missing_required_value_found_by_the_shapes_names_its_column(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A cell holding only the list separator gives no area: the shapes find the norm
    # without one, where no triple says which column was meant.
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    edit(workbook, [("beleidsnorm", norm, "werkingsgebied", ";")])

    with caplog.at_level(logging.WARNING), pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    located = {(p.sheet, p.row, p.column) for p in failed.value.problems if p.is_error}
    assert ("beleidsnorm", norm, "werkingsgebied") in located
    # No stray warnings from reading the findings' paths (^p was made an IRI).
    assert not [r for r in caplog.records if "does not look like a valid URI" in r.getMessage()]


def test_areas_nested_too_deep_are_refused_at_their_rows_and_nothing_is_written(
    store: Store, tmp_path: Path
) -> None:
    """A chain of areas each in the next, deeper than any area hierarchy
    (krbgraph.containment.MAX_ENCLOSING): the rows of the areas too deep are named."""
    workbook = demo_workbook(tmp_path)
    book = load_workbook(workbook)
    sheet = book["werkingsgebieden"]
    first = sheet.max_row + 1
    length = MAX_ENCLOSING + 10
    for i in range(length):
        parent = "Demogemeente" if i == 0 else f"Keten {i - 1}"
        sheet.append([f"Keten {i}", "plangebied", parent, f"keten-{i}", None, None])
    book.save(workbook)
    before = _quads(store, tmp_path, "before")

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    located = [p for p in failed.value.problems if p.is_error]
    assert located and all(p.sheet == "werkingsgebieden" for p in located)
    rows = {p.row for p in located}
    # The chain's last rows, and never the rows near its start.
    assert first + length - 1 in rows and rows <= set(range(first + 90, first + length))
    assert any(f"meer dan {MAX_ENCLOSING} gebieden" in p.text_nl for p in located)
    assert _quads(store, tmp_path, "after") == before


def test_cli_import_export_round_trip_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"KRB_STORE": str(tmp_path / "store"), "KRB_BASE_IRI": BASE}
    workbook = demo_workbook(tmp_path)
    loaded = runner.invoke(_app(), ["import-excel", str(workbook)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert f"<{excel_graph_iri(BASE, 'demo.xlsx')}>" in loaded.output

    exported = tmp_path / "export.xlsx"
    result = runner.invoke(_app(), ["export-excel", str(exported)], env=env)
    assert result.exit_code == 0, result.output
    assert load_workbook(exported)["beleidsnorm"].max_row == 1 + len(
        {r for r in load_workbook(workbook)["beleidsnorm"].iter_rows(min_row=2) if r[0].value}
    )

    edit(exported, [("beleidsnorm", 2, "document", "NOPE")])
    bad = runner.invoke(_app(), ["import-excel", str(exported)], env=env)
    assert bad.exit_code == 1
    assert "beleidsnorm rij 2, kolom document: 'NOPE' bestaat niet in blad besluitdocument" in (
        " ".join(bad.output.split())
    )

    (tmp_path / "broken.xlsx").write_bytes(b"no workbook")
    unreadable = runner.invoke(_app(), ["import-excel", str(tmp_path / "broken.xlsx")], env=env)
    assert unreadable.exit_code == 2

    # A workbook written under another format's name would open nowhere.
    for command in (["export-excel"], ["excel-template"]):
        misnamed = tmp_path / "beleid.csv"
        refused = runner.invoke(_app(), [*command, str(misnamed)], env=env)
        assert refused.exit_code == 2 and not misnamed.exists()
        assert "ending in .xlsx" in " ".join(refused.output.split())


def test_a_refused_reimport_names_only_what_would_be_lost(store: Store, tmp_path: Path) -> None:
    """A norm typed with the municipality's own class (no workbook holds that type) makes
    importing the graph's export over it a refusal; the refusal also named the norm's
    value, typed 48.0 in the Turtle and given back as 48 by the workbook (the same
    decimal, kept), and a measure's period, a new blank node after the import."""
    from krbgraph.loading import load_paths

    load_paths(store, [DEMO], base_iri=BASE, validate=False)
    own = "https://krb.demogemeente.nl/def/gem#Geluidsnorm"
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}/graph/gemeentemodel> {{ <{own}> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://data.krb.nl/def/krb#Beleidsnorm> } }"
    )
    graph = f"{BASE}/graph/geluid"
    turtle = (DEMO / "geluid.ttl").read_text(encoding="utf-8")
    typed = "beleidsnorm:GEL-N01 a krb:Beleidsnorm ;"
    assert typed in turtle and "qudt:numericValue 48.0 ;" in turtle
    source = tmp_path / "geluid.ttl"
    source.write_text(turtle.replace(typed, f"beleidsnorm:GEL-N01 a <{own}> ;"), encoding="utf-8")
    load_paths(store, [source], graph=graph, replace=True, base_iri=BASE, validate=False)
    exported = tmp_path / "export.xlsx"
    export_workbook(store, exported, graph=graph)

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, exported, base_iri=BASE, graph=graph)

    message = failed.value.problems[0].text_en
    assert "(1 triple(s) with rdf:type)" in message, message
