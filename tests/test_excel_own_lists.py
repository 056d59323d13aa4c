"""A municipality's own pick lists: own sectors, materials and document types beside the
national lists, units by UCUM code, and errors that name a few close matches, not a list.

The workbook is the one from the issue: its sectors (Natuurlijke personen / Inwoners),
its material stream (Water / Hemelwater) mapped to the national list, a norm classified
on that material, a document type 'uitvoeringsplan', and an indicator, a norm and an
effect in km/h (a speed limit). It is written with openpyxl into the template and
imported with the real import into a real embedded store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS, SKOS
from test_excel_roundtrip import _explain
from test_excel_support import BASE, edit, row_of

from krbgraph.excel.exporting import export_workbook, registry_data
from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.problems import Problem
from krbgraph.excel.reader import read_workbook
from krbgraph.excel.rows_to_rdf import ReadResult
from krbgraph.excel.template import write_template
from krbgraph.excel.writer import write_workbook
from krbgraph.namespaces import BEGRIP, KRB, QUDT, UNIT
from krbgraph.store import Store

ID = f"{BASE}/id"
SECTOR = URIRef(f"{ID}/begrip/sector/inwoners")
PERSONS = URIRef(f"{ID}/begrip/sector/natuurlijke-personen")
RAINWATER = URIRef(f"{ID}/begrip/materiaal/hemelwater")
WATER = URIRef(f"{ID}/begrip/materiaal/water")
PLAN = URIRef(f"{ID}/begrip/documentsoort/uitvoeringsplan")
KMH = UNIT["KiloM-PER-HR"]

ROWS: dict[str, list[dict[str, object]]] = {
    "beleidsthemas": [{"naam": "Verkeer"}, {"naam": "Water"}],
    "werkingsgebieden": [{"naam": "Gemeente Oost", "soort": "gemeente", "code": "GM9998"}],
    "sectoren": [{"hoofdtype": "Natuurlijke personen", "subtype": "Inwoners"}],
    # The national list has no water stream: its closest broader concept is 'alle'.
    "materiaalstromen": [
        {
            "hoofdtype": "Water",
            "subtype": "Hemelwater",
            "omschrijving": "Regenwater van daken en verharding.",
            "koppeling": "broadMatch",
            "landelijk_begrip": "alle",
        }
    ],
    "documentsoorten": [
        {"naam": "uitvoeringsplan", "koppeling": "closeMatch", "landelijk_begrip": "programma"}
    ],
    "beleidsdossier": [{"code": "VER", "naam": "Verkeersveiligheid"}],
    "besluitdocument": [
        {
            "code": "VER-UP",
            "titel": "Uitvoeringsplan verkeer",
            "soort": "uitvoeringsplan",
            "dossier": "VER",
            "bestuurslaag": "Gemeente",
        }
    ],
    "besluitproces": [
        {"code": "VER-B01", "document": "VER-UP", "soort": "collegebesluit", "datum": "2025-03-04"}
    ],
    "beleidsindicator": [
        {
            "code": "VER-I01",
            "naam": "Maximumsnelheid",
            "beleidsthema": "Verkeer",
            "kenmerk": "systeemindicator",
            "eenheid": "km/h",
        },
        {
            "code": "WAT-I01",
            "naam": "Afgekoppeld dakoppervlak",
            "beleidsthema": "Water",
            "kenmerk": "effectindicator milieu",
            "eenheid": "%",
        },
    ],
    "beleidsnorm": [
        {
            "code": "VER-N01",
            "indicator": "VER-I01",
            "document": "VER-UP",
            "operator": "max",
            "waarde": 30,
            "eenheid": "km/h",
            "sector": "Inwoners",
            "werkingsgebied": "Gemeente Oost",
            "rekenmethode": "V85 per wegvak",
            "geldig_van": "2025-01-01",
            "geldig_tot": "2030-12-31",
        },
        {
            "code": "WAT-N01",
            "indicator": "WAT-I01",
            "document": "VER-UP",
            "operator": "min",
            "waarde": 40,
            "materiaal": "Hemelwater",
            "werkingsgebied": "Gemeente Oost",
            "rekenmethode": "Afgekoppeld dakoppervlak / totaal",
            "geldig_van": "2025-01-01",
            "geldig_tot": "2030-12-31",
        },
    ],
    "beleidsmaatregel": [
        {
            "code": "VER-M01",
            "naam": "Drempels",
            "document": "VER-UP",
            "beleidsthema": "Verkeer",
            "werkingsgebied": "Gemeente Oost",
        }
    ],
    "beoogd_effect": [
        {
            "code": "VER-E01",
            "maatregel": "VER-M01",
            "norm": "VER-N01",
            "waarde": -20,
            "eenheid": "km/h",
        }
    ],
}


_OWN_WORKBOOK: list[bytes] = []
"""The file own_workbook writes, once per process: each test gets a copy it may edit."""


def own_workbook(folder: Path, name: str = "Eigen lijsten.xlsx") -> Path:
    """The template with the rows above appended to its sheets."""
    path = folder / name
    if _OWN_WORKBOOK:
        path.write_bytes(_OWN_WORKBOOK[0])
        return path
    write_template(path)
    book = load_workbook(path)
    for sheet, rows in ROWS.items():
        ws = book[sheet]
        header = [cell.value for cell in ws[1]]
        for row in rows:
            ws.append([row.get(column) for column in header])
    book.save(path)
    _OWN_WORKBOOK.append(path.read_bytes())
    return path


def _warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


@pytest.fixture(scope="module")
def own_read(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReadResult]:
    """own_workbook and what read_workbook makes of it, for the tests that only look at
    that (none of them changes the result)."""
    path = own_workbook(tmp_path_factory.mktemp("own-lists"))
    return path, read_workbook(path, BASE)


@pytest.fixture
def store(model_store: Store) -> Store:
    return model_store


def test_own_lists_and_km_per_hour_import_and_export_again(store: Store, tmp_path: Path) -> None:
    report = import_workbook(store, own_workbook(tmp_path), base_iri=BASE)
    graph = registry_data(store, report.graph)

    assert (URIRef(f"{ID}/beleidsnorm/VER-N01"), KRB.sector, SECTOR) in graph
    assert (URIRef(f"{ID}/beleidsnorm/WAT-N01"), KRB.materiaal, RAINWATER) in graph
    assert (URIRef(f"{ID}/besluitdocument/VER-UP"), KRB.documentsoort, PLAN) in graph
    for thing in ("beleidsnorm/VER-N01", "beleidsindicator/VER-I01", "beoogd-effect/VER-E01"):
        assert (URIRef(f"{ID}/{thing}"), QUDT.hasUnit, KMH) in graph
    assert {p.sheet for p in report.warnings} == {"sectoren", "materiaalstromen"}, [
        p.text_en for p in report.warnings
    ]
    exported = tmp_path / "export.xlsx"
    assert export_workbook(store, exported, graph=report.graph) == []
    again = read_workbook(exported, BASE)
    assert again.ok, [p.text_en for p in again.errors]
    assert isomorphic(again.graph, read_workbook(own_workbook(tmp_path, "b.xlsx"), BASE).graph)


def test_own_concepts_live_in_own_schemes_two_levels_deep_and_mapped(
    own_read: tuple[Path, ReadResult],
) -> None:
    result = own_read[1]
    graph = result.graph

    assert result.ok, [p.text_en for p in result.errors]
    norm = URIRef(f"{ID}/beleidsnorm/VER-N01")
    sectors = URIRef(f"{ID}/conceptschema/sectoren")
    materials = URIRef(f"{ID}/conceptschema/materiaalstromen")
    documents = URIRef(f"{ID}/conceptschema/documentsoorten")
    assert (norm, KRB.sector, SECTOR) in graph
    assert (URIRef(f"{ID}/beleidsnorm/WAT-N01"), KRB.materiaal, RAINWATER) in graph
    assert (URIRef(f"{ID}/besluitdocument/VER-UP"), KRB.documentsoort, PLAN) in graph
    assert (SECTOR, SKOS.broader, PERSONS) in graph
    assert (SECTOR, SKOS.inScheme, sectors) in graph
    assert (PERSONS, SKOS.topConceptOf, sectors) in graph
    assert (sectors, SKOS.hasTopConcept, PERSONS) in graph
    assert (RAINWATER, SKOS.broader, WATER) in graph
    assert (RAINWATER, SKOS.inScheme, materials) in graph
    assert (RAINWATER, SKOS.broadMatch, BEGRIP["materiaal/alle"]) in graph
    assert (
        RAINWATER,
        SKOS.definition,
        Literal("Regenwater van daken en verharding.", lang="nl"),
    ) in graph
    assert (PLAN, SKOS.closeMatch, BEGRIP["documentsoort/omgevingsprogramma"]) in graph
    assert (PLAN, SKOS.inScheme, documents) in graph
    for scheme, title in ((sectors, "Eigen sectorindeling"), (documents, "Eigen documentsoorten")):
        assert (scheme, DCTERMS.title, Literal(title, lang="nl")) in graph


def test_km_per_hour_is_read_by_its_ucum_code_on_indicator_norm_and_effect(
    own_read: tuple[Path, ReadResult],
) -> None:
    graph = own_read[1].graph

    for thing in ("beleidsnorm/VER-N01", "beleidsindicator/VER-I01", "beoogd-effect/VER-E01"):
        assert (URIRef(f"{ID}/{thing}"), QUDT.hasUnit, KMH) in graph
    assert (
        URIRef(f"{ID}/beleidsnorm/VER-N01"),
        RDFS.label,
        Literal("Maximumsnelheid maximaal 30 km/h", lang="nl"),
    ) in graph


def test_an_own_concept_without_mapping_is_a_warning_at_its_row(
    own_read: tuple[Path, ReadResult],
) -> None:
    path, result = own_read

    assert result.ok, [p.text_en for p in result.errors]
    sector_row = row_of(path, "sectoren", "Inwoners", column="subtype")
    material_row = row_of(path, "materiaalstromen", "Hemelwater", column="subtype")
    found = {(p.sheet, p.row, p.column, p.value) for p in _warnings(result.problems)}
    assert found == {
        ("sectoren", sector_row, "hoofdtype", "Natuurlijke personen"),
        ("sectoren", sector_row, "landelijk_begrip", "Inwoners"),
        ("sectoren", sector_row, "subtype", "Inwoners"),
        ("materiaalstromen", material_row, "hoofdtype", "Water"),
    }
    # The own Inwoners takes the national inwoners' name: every cell naming it now
    # means the own concept, also those of norms that meant the national one.
    hiding = next(p for p in result.problems if p.column == "subtype")
    assert "heeft de naam van het landelijke begrip inwoners" in hiding.text_nl
    assert "or map the own concept with exactMatch" in hiding.text_en
    warning = next(
        p for p in result.problems if p.value == "Inwoners" and p.column == "landelijk_begrip"
    )
    assert warning.severity == "waarschuwing"
    assert "eigen begrip 'Inwoners' is niet gekoppeld aan de landelijke lijst Sectoren" in (
        warning.text_nl
    )
    assert "own concept 'Inwoners' is not mapped to the national list Sectors" in warning.text_en


def test_a_typo_in_a_basistabel_is_an_error_with_a_few_suggestions(
    store: Store,
    tmp_path: Path,
) -> None:
    path = own_workbook(tmp_path)
    row = row_of(path, "beleidsnorm", "WAT-N01")
    edit(path, [("beleidsnorm", row, "materiaal", "Hemelwatr")])
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE)

    [error] = [p for p in failed.value.problems if p.is_error]
    assert (error.sheet, error.row, error.column, error.value) == (
        "beleidsnorm",
        row,
        "materiaal",
        "Hemelwatr",
    )
    assert error.text_nl.startswith(
        f"beleidsnorm rij {row}, kolom materiaal: 'Hemelwatr' is onbekend in de lijst Materialen "
        "(ook niet als eigen begrip in blad materiaalstromen); bedoelt u: "
    )
    suggested = error.text_en.split("did you mean: ", 1)[1].rstrip("?").split(", ")
    assert suggested[0] == "Hemelwater" and len(suggested) <= 5
    assert store.graphs() and not [g for g in store.graphs() if "/graph/excel/" in g.iri]


@pytest.mark.parametrize(
    ("sheet", "column", "typo", "expected"),
    [
        ("beleidsnorm", "leefomgeving", "Woongebouwen", "Woongebouw"),
        ("beleidsnorm", "sector", "Inwonerss", "Inwoners"),
        ("besluitdocument", "soort", "uitvoeringsplannen", "uitvoeringsplan"),
        ("beleidsnorm", "operator", "maximal", "maximaal"),
    ],
)
def test_unknown_values_never_list_the_whole_list(
    tmp_path: Path, sheet: str, column: str, typo: str, expected: str
) -> None:
    path = own_workbook(tmp_path)
    code = {"beleidsnorm": "VER-N01", "besluitdocument": "VER-UP"}[sheet]
    edit(path, [(sheet, row_of(path, sheet, code), column, typo)])
    [error] = read_workbook(path, BASE).errors

    for text, marker in ((error.text_nl, "bedoelt u: "), (error.text_en, "did you mean: ")):
        assert text.count(marker) == 1, text
        suggested = text.split(marker, 1)[1].rstrip("?").split(", ")
        assert expected in suggested and len(suggested) <= 5, text
    assert len(error.text_en) < 400


def test_a_unit_read_as_kelvin_is_refused_and_asks_for_the_ucum_code(tmp_path: Path) -> None:
    path = own_workbook(tmp_path)
    row = row_of(path, "beleidsnorm", "WAT-N01")
    edit(path, [("beleidsnorm", row, "eenheid", "K/jr")])
    [error] = read_workbook(path, BASE).errors

    assert (error.sheet, error.row, error.column, error.value) == (
        "beleidsnorm",
        row,
        "eenheid",
        "K/jr",
    )
    assert "UCUM" in error.text_nl and "UCUM" in error.text_en
    assert "t/a" in error.text_en


def test_own_lists_round_trip_through_the_export(
    own_read: tuple[Path, ReadResult], tmp_path: Path
) -> None:
    first = own_read[1].graph
    exported = tmp_path / "export.xlsx"
    assert write_workbook(first, exported) == []
    again = read_workbook(exported, BASE)

    assert again.ok, [p.text_en for p in again.errors]
    assert isomorphic(again.graph, first), _explain(first, again.graph)
    book = load_workbook(exported)
    header = [cell.value for cell in book["beleidsnorm"][1]]
    norms = {row[0].value: row for row in book["beleidsnorm"].iter_rows(min_row=2)}
    assert norms["VER-N01"][header.index("eenheid")].value == "km/h"
    assert norms["VER-N01"][header.index("sector")].value == "Inwoners"
    again_path = tmp_path / "again.xlsx"
    assert write_workbook(again.graph, again_path) == []
    assert isomorphic(read_workbook(again_path, BASE).graph, first)

    # Every name a norm's sector or material cell holds is one its drop-down offers:
    # the own ones too (Excel called "Inwoners" an unknown value of its own list).
    offered = _drop_down_values(book, "beleidsnorm")
    for column in ("sector", "materiaal"):
        index = header.index(column)
        written = {
            name.strip()
            for row in norms.values()
            for name in str(row[index].value or "").split(";")
            if name.strip()
        }
        assert written, column
        assert written <= set(offered[column]), (column, written - set(offered[column]))


def _drop_down_values(book: Any, sheet: str) -> dict[str, list[str]]:
    """Column -> the values its list drop-down offers (read from the range it names)."""
    header = [cell.value for cell in book[sheet][1]]
    found = {}
    for validation in book[sheet].data_validations.dataValidation:
        column = header[next(iter(validation.sqref.ranges)).min_col - 1]
        target, cells = validation.formula1.lstrip("=").split("!")
        start, end = cells.replace("$", "").split(":")
        found[column] = [c.value for row in book[target][start:end] for c in row if c.value]
    return found


def _with(tmp_path: Path, changes: dict[str, list[dict[str, object]]]) -> Path:
    """The workbook above with more rows (sheet -> rows) appended."""
    path = own_workbook(tmp_path)
    book = load_workbook(path)
    for sheet, rows in changes.items():
        ws = book[sheet]
        header = [cell.value for cell in ws[1]]
        for row in rows:
            ws.append([row.get(column) for column in header])
    book.save(path)
    return path


def test_own_names_hide_national_ones_and_the_export_keeps_them_apart(tmp_path: Path) -> None:
    """An own 'Bedrijven' (a code makes a national name an own concept) wins in base tables;
    'hoofdtype/subtype' still reaches the national list; a subtype under a national
    hoofdtype is mapped to it; mixed relations survive the export."""
    path = _with(
        tmp_path,
        {
            "sectoren": [
                {
                    "hoofdtype": "Bedrijven",
                    "code": "eigen-bedrijven",
                    "koppeling": "exactMatch",
                    "landelijk_begrip": "bedrijven",
                },
                {"hoofdtype": "Bedrijven", "subtype": "Terrassen"},
                {
                    "hoofdtype": "particulieren",
                    "subtype": "Buurtbewoners",
                    "landelijk_begrip": "broadMatch: inwoners; closeMatch: bezoekers",
                },
            ],
            "beleidsnorm": [
                {
                    "code": "VER-N02",
                    "indicator": "VER-I01",
                    "document": "VER-UP",
                    "operator": "max",
                    "waarde": 15,
                    "eenheid": "km/h",
                    "sector": "Bedrijven; bedrijven/horeca; Buurtbewoners; Terrassen",
                    "werkingsgebied": "Gemeente Oost",
                }
            ],
        },
    )
    result = read_workbook(path, BASE)
    graph = result.graph
    own, terraces, neighbours = (
        URIRef(f"{ID}/begrip/sector/{ref}")
        for ref in ("eigen-bedrijven", "terrassen", "buurtbewoners")
    )

    assert result.ok, [p.text_en for p in result.errors]
    assert set(graph.objects(URIRef(f"{ID}/beleidsnorm/VER-N02"), KRB.sector)) == {
        own,
        BEGRIP["sector/horeca"],
        neighbours,
        terraces,
    }
    assert (own, SKOS.exactMatch, BEGRIP["sector/bedrijven"]) in graph
    # Equal to the national concept it hides (exactMatch): nothing to warn about.
    hiding = [p.value for p in result.problems if "heeft de naam van het landelijke" in p.text_nl]
    assert hiding == ["Inwoners"]  # the workbook's own Inwoners, not mapped: not Bedrijven
    assert (terraces, SKOS.broader, own) in graph
    assert {(p, o) for p, o in graph.predicate_objects(neighbours) if "Match" in str(p)} == {
        (SKOS.broadMatch, BEGRIP["sector/particulieren"]),
        (SKOS.broadMatch, BEGRIP["sector/inwoners"]),
        (SKOS.closeMatch, BEGRIP["sector/bezoekers"]),
    }
    # Mapped themselves or through their hoofdtype: no warning for these three.
    assert {p.value for p in _warnings(result.problems)} == {
        "Natuurlijke personen",
        "Inwoners",
        "Water",
    }
    exported = tmp_path / "export.xlsx"
    assert write_workbook(graph, exported) == []
    again = read_workbook(exported, BASE)
    assert again.ok, [p.text_en for p in again.errors]
    assert isomorphic(again.graph, graph), _explain(graph, again.graph)
    rows = [[cell.value for cell in row] for row in load_workbook(exported)["sectoren"]]
    header = rows[0]
    own_row = next(r for r in rows if r[header.index("code")] == "eigen-bedrijven")
    assert own_row[header.index("hoofdtype")] == "Bedrijven"


def test_mapping_cells_are_checked(tmp_path: Path) -> None:
    path = _with(
        tmp_path,
        {
            "sectoren": [
                {"hoofdtype": "Ondernemers", "landelijk_begrip": "bedrijven"},  # no relation
                {
                    "hoofdtype": "Scholieren",
                    "koppeling": "broadMatch",
                    "landelijk_begrip": "inwonerz",
                },  # unknown target
                {
                    "hoofdtype": "Toeristen",
                    "koppeling": "ongeveer",
                    "landelijk_begrip": "bezoekers",
                },  # unknown relation
                {"hoofdtype": "Forenzen", "koppeling": "closeMatch"},  # nothing mapped
                {"hoofdtype": "huishoudens", "omschrijving": "Onze huishoudens"},  # national row
            ]
        },
    )
    result = read_workbook(path, BASE)
    errors = {(p.column, p.value): p for p in result.errors}
    warnings = {(p.column, p.value): p for p in _warnings(result.problems)}

    assert set(errors) == {
        ("koppeling", None),
        ("landelijk_begrip", "inwonerz"),
        ("koppeling", "ongeveer"),
    }
    assert "schrijf 'broadMatch: bedrijven'" in errors[("koppeling", None)].text_nl
    assert "did you mean: inwoners?" in errors[("landelijk_begrip", "inwonerz")].text_en
    assert (
        "'ongeveer' is unknown in the list Mapping relations"
        in errors[("koppeling", "ongeveer")].text_en
    )
    assert (
        "koppeling is filled in but landelijk_begrip is not"
        in warnings[("landelijk_begrip", None)].text_en
    )
    assert (
        "'huishoudens' is in the national list"
        in warnings[("omschrijving", "Onze huishoudens")].text_en
    )


def test_a_workbook_without_the_new_sheets_still_reads(tmp_path: Path) -> None:
    path = own_workbook(tmp_path)
    book = load_workbook(path)
    for sheet in ("documentsoorten", "sectoren", "materiaalstromen", "conceptschemas"):
        del book[sheet]
    book.save(path)
    edit(
        path,
        [
            ("besluitdocument", row_of(path, "besluitdocument", "VER-UP"), "soort", "actieplan"),
            ("beleidsnorm", row_of(path, "beleidsnorm", "VER-N01"), "sector", "inwoners"),
            ("beleidsnorm", row_of(path, "beleidsnorm", "WAT-N01"), "materiaal", "GFT-afval"),
        ],
    )
    result = read_workbook(path, BASE)

    assert result.ok and not _warnings(result.problems), [p.text_en for p in result.problems]
    assert (URIRef(f"{ID}/beleidsnorm/VER-N01"), KRB.sector, BEGRIP["sector/inwoners"]) in (
        result.graph
    )


def test_classifying_queries_follow_the_mappings_to_the_national_list(
    store: Store, tmp_path: Path
) -> None:
    from krbgraph.queries import load_catalogue, run_named_query

    import_workbook(store, own_workbook(tmp_path), base_iri=BASE)
    answer = run_named_query(
        store,
        load_catalogue(),
        "normen-per-indeling",
        {"begrip": str(BEGRIP["materiaal/alle"]), "datum": "2026-06-01"},
    ).dicts()
    found = {(str(row["norm"]), str(row["ingedeeld_op"]), str(row["via"])) for row in answer}
    # WAT-N01 is classified on the municipality's own Hemelwater, mapped with broadMatch.
    assert (f"{ID}/beleidsnorm/WAT-N01", str(RAINWATER), "koppeling") in found
    # The same question on the own concept finds it directly.
    own = run_named_query(
        store,
        load_catalogue(),
        "normen-per-indeling",
        {"begrip": str(RAINWATER), "datum": "2026-06-01"},
    ).dicts()
    assert {str(row["norm"]) for row in own} == {f"{ID}/beleidsnorm/WAT-N01"}


def test_a_second_departments_own_sector_round_trips_through_its_graphs_export(
    store: Store, tmp_path: Path
) -> None:
    """Department A's workbook brings the own sector scheme; B's adds a sector of its own
    to it, which the import writes into B's graph without the scheme (A describes it).
    B's export left that sector out of its sheet, so importing B's unedited export back
    was refused."""
    graph_a, graph_b = f"{BASE}/graph/afdeling-a", f"{BASE}/graph/afdeling-b"
    import_workbook(store, own_workbook(tmp_path), base_iri=BASE, graph=graph_a)
    workbook_b = tmp_path / "Afdeling B.xlsx"
    write_template(workbook_b)
    book = load_workbook(workbook_b)
    sheet = book["sectoren"]
    header = [cell.value for cell in sheet[1]]
    row = {"hoofdtype": "Boomeigenaren", "koppeling": "broadMatch", "landelijk_begrip": "inwoners"}
    sheet.append([row.get(column) for column in header])
    book.save(workbook_b)
    import_workbook(store, workbook_b, base_iri=BASE, graph=graph_b)
    before = _triples(store, graph_b)

    exported = tmp_path / "export B.xlsx"
    export_workbook(store, exported, graph=graph_b)
    names = [r[0] for r in load_workbook(exported)["sectoren"].iter_rows(values_only=True)]
    assert "Boomeigenaren" in names
    import_workbook(store, exported, base_iri=BASE, graph=graph_b)  # ImportFailed before

    assert _triples(store, graph_b) == before


def _triples(store: Store, graph: str) -> list[str]:
    rows = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return sorted(" ".join(str(term) for term in row) for row in rows.rows)


def test_a_norm_on_a_unit_the_registry_declares_is_named_with_the_units_name(
    store: Store, tmp_path: Path
) -> None:
    """A municipality's own unit (no QUDT unit) is written by its IRI; a norm's generated
    name carried that IRI: 'Bomendichtheid minimaal 20 https://.../bomen-per-ha'."""
    unit = f"{ID}/eenheid/bomen-per-ha"
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}/graph/eenheden> {{ <{unit}> "
        "a <http://qudt.org/schema/qudt/Unit> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "bomen per hectare"@nl } }'
    )
    path = tmp_path / "Groen.xlsx"
    write_template(path)
    book = load_workbook(path)
    for sheet, row in (
        ("beleidsthemas", {"naam": "Groen"}),
        ("werkingsgebieden", {"naam": "Gemeente Oost", "soort": "gemeente", "code": "GM9998"}),
        ("beleidsdossier", {"code": "GRO", "naam": "Groen", "beleidsthema": "Groen"}),
        (
            "besluitdocument",
            {
                "code": "GRO-2030",
                "titel": "Groenplan 2030",
                "soort": "beleidsplan",
                "dossier": "GRO",
                "bestuurslaag": "gemeente",
            },
        ),
        (
            "beleidsindicator",
            {
                "code": "GRO-I01",
                "naam": "Bomendichtheid",
                "beleidsthema": "Groen",
                "kenmerk": "effectindicator milieu",
                "eenheid": unit,
            },
        ),
        (
            "beleidsnorm",
            {
                "code": "GRO-N01",
                "indicator": "GRO-I01",
                "document": "GRO-2030",
                "operator": "min",
                "waarde": 20,
                "werkingsgebied": "Gemeente Oost",
                "rekenmethode": "telling",
            },
        ),
    ):
        header = [cell.value for cell in book[sheet][1]]
        book[sheet].append([row.get(column) for column in header])
    book.save(path)

    report = import_workbook(store, path, base_iri=BASE)

    graph = registry_data(store, report.graph)
    names = set(graph.objects(URIRef(f"{ID}/beleidsnorm/GRO-N01"), RDFS.label))
    assert names == {Literal("Bomendichtheid minimaal 20 bomen per hectare", lang="nl")}


def test_every_own_name_a_drop_down_offers_reads_back_as_that_concept(tmp_path: Path) -> None:
    """Two own subtypes called Overig (under two own hoofdtypes) and an own sector whose
    name holds the separator: the drop-down offered "Overig" (ambiguous) and "Water;
    afval" (split into two unknown values), and the export wrote that name in a norm's
    cell, which did not read back."""
    path = _with(
        tmp_path,
        {
            "sectoren": [
                {"hoofdtype": "Bedrijven eigen", "subtype": "Overig", "code": "OVB"},
                {"hoofdtype": "Particulieren eigen", "subtype": "Overig", "code": "OVP"},
                {"hoofdtype": "Water; afval", "code": "WA", "landelijk_begrip": "broadMatch: alle"},
            ]
        },
    )
    first = read_workbook(path, BASE)
    assert first.ok, [p.text_en for p in first.errors]
    own = {
        c
        for c in first.graph.subjects(SKOS.inScheme, None)
        if str(c).startswith(f"{ID}/begrip/sector/")
    }
    norm = URIRef(f"{ID}/beleidsnorm/VER-N01")
    (water,) = first.graph.subjects(SKOS.prefLabel, Literal("Water; afval", lang="nl"))
    first.graph.set((norm, KRB.sector, water))
    exported = tmp_path / "export.xlsx"
    write_workbook(first.graph, exported)
    book = load_workbook(exported)
    header = [cell.value for cell in book["beleidsnorm"][1]]
    row = row_of(exported, "beleidsnorm", "VER-N01")
    assert book["beleidsnorm"].cell(row=row, column=header.index("sector") + 1).value == "WA"

    template = tmp_path / "sjabloon.xlsx"
    write_template(template)
    national = set(_drop_down_values(load_workbook(template), "beleidsnorm")["sector"])
    offered = [n for n in _drop_down_values(book, "beleidsnorm")["sector"] if n not in national]
    assert "Overig" not in offered and "Water; afval" not in offered
    found = set()
    for name in offered:
        edit(exported, [("beleidsnorm", row, "sector", name)])
        again = read_workbook(exported, BASE)
        assert again.ok, (name, [p.text_en for p in again.errors])
        (concept,) = again.graph.objects(norm, KRB.sector)
        found.add(concept)
    assert own - {URIRef(f"{ID}/begrip/sector/inwoners")} <= found, own - found


def _each_chosen(
    exported: Path, sheet_name: str, code: str, column: str, predicate: URIRef
) -> dict[URIRef, str]:
    """Every name the drop-down of ``column`` offers, chosen in a copy of row ``code``
    (one row each, a code of its own; one read): the concept each reads back as, asserted
    to be a different one for every name."""
    book = load_workbook(exported)
    offered = [name for name in _drop_down_values(book, sheet_name)[column] if name]
    sheet = book[sheet_name]
    header = [cell.value for cell in sheet[1]]
    model = [cell.value for cell in sheet[row_of(exported, sheet_name, code)]]
    for number, name in enumerate(offered):
        values = list(model)
        values[header.index("code")] = f"KEUZE-{number}"
        values[header.index(column)] = name
        sheet.append(values)
    book.save(exported)
    again = read_workbook(exported, BASE)
    assert again.ok, [p.text_en for p in again.errors]
    found: dict[URIRef, str] = {}
    for number, name in enumerate(offered):
        (concept,) = again.graph.objects(URIRef(f"{ID}/{sheet_name}/KEUZE-{number}"), predicate)
        assert isinstance(concept, URIRef)
        assert concept not in found, (name, found.get(concept), concept)
        found[concept] = name
    return found


def test_each_name_a_drop_down_offers_reads_back_as_a_concept_of_its_own(
    own_read: tuple[Path, ReadResult], tmp_path: Path
) -> None:
    """The own "Inwoners" hides the national "inwoners" (a cell reads a name as the own
    concept first, in any case): the export wrote the national one as
    "particulieren/inwoners" but its drop-down still offered "inwoners", which put a
    norm on the own concept without a word. Every name offered, chosen in a norm's
    cell, reads back, and no two names read back as the same concept."""
    exported = tmp_path / "export.xlsx"
    assert write_workbook(own_read[1].graph, exported) == []
    found = _each_chosen(exported, "beleidsnorm", "VER-N01", "sector", KRB.sector)
    assert {SECTOR, BEGRIP["sector/inwoners"]} <= set(found)
    assert found[BEGRIP["sector/inwoners"]] == "particulieren/inwoners"


def test_each_document_kind_its_drop_down_offers_reads_back_as_a_kind_of_its_own(
    tmp_path: Path,
) -> None:
    """The document kind's drop-down is the sheet documentsoorten: with an own
    "Omgevingsplan" beside it, the national row "omgevingsplan" was offered and put a
    document on the own kind."""
    path = _with(
        tmp_path, {"documentsoorten": [{"naam": "Omgevingsplan", "code": "eigen-omgevingsplan"}]}
    )
    first = read_workbook(path, BASE)
    assert first.ok, [p.text_en for p in first.errors]
    exported = tmp_path / "export.xlsx"
    write_workbook(first.graph, exported)
    found = _each_chosen(exported, "besluitdocument", "VER-UP", "soort", KRB.documentsoort)
    assert BEGRIP["documentsoort/omgevingsplan"] in found
    assert URIRef(f"{ID}/begrip/documentsoort/eigen-omgevingsplan") in found
