"""What a workbook says keeps saying the same after an export: generated names, the export's
warnings, and the names a cell may use.

Three things a tester found with a municipality's workbooks (Lindenhoven):

- an effect's generated name put the indicator's name in lower case, also an abbreviation:
  "Zero-emissiezone op nO2-concentratie";
- the export of one graph warned that its themes' skos:hasTopConcept triples were not
  exported when another graph types the themes scheme, although the import gives them
  back;
- an own sector under a national hoofdtype (row 'particulieren | Studenten') was named
  'particulieren/Studenten' in the workbook as written, but no longer in its export, which
  writes that row 'Studenten | | ... | broadMatch | particulieren' (the same triples).

The workbooks are the template with rows appended (test_excel_own_lists), imported with the
real import into a real embedded store where a graph of another department matters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS
from test_excel_own_lists import ID, _triples, _with, own_workbook
from test_excel_roundtrip import _explain
from test_excel_support import BASE, edit, row_of

from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.reader import read_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.writer import write_workbook
from krbgraph.namespaces import KRB
from krbgraph.store import Store

STUDENTS = URIRef(f"{ID}/begrip/sector/studenten")


@pytest.fixture
def store(model_store: Store) -> Store:
    return model_store


# --- generated names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "in_name"),
    [
        ("NO2-concentratie", "NO2-concentratie"),
        ("CO2-uitstoot", "CO2-uitstoot"),
        ("PM10", "PM10"),
        ("GGD score gezondheid", "GGD score gezondheid"),
        ("Restafval per inwoner", "restafval per inwoner"),
        ("E-bikes op de fietsstraat", "e-bikes op de fietsstraat"),
    ],
)
def test_an_effects_generated_name_keeps_an_abbreviation_in_capitals(
    tmp_path: Path, indicator: str, in_name: str
) -> None:
    """'Drempels op NO2-concentratie', never 'op nO2-concentratie'; an ordinary word is
    still written in lower case inside the name ('Drempels op restafval per inwoner')."""
    path = _with(
        tmp_path,
        {
            "beleidsindicator": [
                {
                    "code": "VER-I02",
                    "naam": indicator,
                    "beleidsthema": "Verkeer",
                    "kenmerk": "effectindicator milieu",
                    "eenheid": "t/a",
                }
            ],
            "beleidsnorm": [
                {
                    "code": "VER-N02",
                    "indicator": "VER-I02",
                    "document": "VER-UP",
                    "operator": "max",
                    "waarde": 20,
                    "werkingsgebied": "Gemeente Oost",
                }
            ],
            "beoogd_effect": [
                {
                    "code": "VER-E02",
                    "maatregel": "VER-M01",
                    "doel_indicator": "VER-I02",
                    "waarde": -5,
                },
                {"code": "VER-E03", "maatregel": "VER-M01", "norm": "VER-N02", "waarde": -2},
            ],
        },
    )
    result = read_workbook(path, BASE)

    assert result.ok, [p.text_en for p in result.errors]
    names = {
        code: [
            str(o) for o in result.graph.objects(URIRef(f"{ID}/beoogd-effect/{code}"), RDFS.label)
        ]
        for code in ("VER-E01", "VER-E02", "VER-E03")
    }
    # on the indicator and on a norm on it alike (a norm is named by its indicator here)
    assert names["VER-E02"] == names["VER-E03"] == [f"Drempels op {in_name}"]
    # the workbook's own effect on a norm on 'Maximumsnelheid', as before
    assert names["VER-E01"] == ["Drempels op maximumsnelheid"]


# --- the export's warnings ---------------------------------------------------------------


def test_themes_of_a_scheme_another_graph_types_export_without_a_false_warning(
    store: Store, tmp_path: Path
) -> None:
    """Department A's workbook brings the themes scheme; B's workbook has themes of its own
    in it, so B's graph holds 'scheme skos:hasTopConcept theme' without typing the scheme.
    B's export warned those triples were not exported; importing that export gives B's
    graph back whole, those triples included."""
    graph_a, graph_b = f"{BASE}/graph/afdeling-a", f"{BASE}/graph/afdeling-b"
    import_workbook(store, own_workbook(tmp_path), base_iri=BASE, graph=graph_a)
    workbook_b = tmp_path / "Afdeling B.xlsx"
    write_template(workbook_b)
    book = load_workbook(workbook_b)
    for name in ("Lucht", "Geluid", "Klimaat"):
        book["beleidsthemas"].append([name])
    book.save(workbook_b)
    import_workbook(store, workbook_b, base_iri=BASE, graph=graph_b)
    before = _triples(store, graph_b)
    scheme = f"{ID}/conceptschema/beleidsthemas"
    assert sum(f"{scheme} {SKOS.hasTopConcept}" in t for t in before) == 3, before
    assert f"{scheme} {RDF.type} {SKOS.ConceptScheme}" not in before  # A types it

    exported = tmp_path / "export B.xlsx"
    warnings = export_workbook(store, exported, graph=graph_b)

    assert [w.text_en for w in warnings] == []
    import_workbook(store, exported, base_iri=BASE, graph=graph_b)
    assert _triples(store, graph_b) == before


# --- names a cell may use after the export -----------------------------------------------

_STUDENTS_ROW = {
    "hoofdtype": "particulieren",
    "subtype": "Studenten",
    "koppeling": "broadMatch",
    "landelijk_begrip": "particulieren",
}


def test_an_own_subtype_under_a_national_hoofdtype_keeps_its_slash_name_in_the_export(
    store: Store, tmp_path: Path
) -> None:
    """The sheet sectoren's row 'particulieren | Studenten' lets a norm say
    'particulieren/Studenten'. The export writes the row 'Studenten | | ... | broadMatch |
    particulieren' (the same triples); in that workbook the same cell was refused:
    "'particulieren/Studenten' is unknown ...; did you mean: particulieren?"."""
    path = _with(tmp_path, {"sectoren": [_STUDENTS_ROW]})
    norm_row = row_of(path, "beleidsnorm", "VER-N01")
    edit(path, [("beleidsnorm", norm_row, "sector", "Inwoners; particulieren/Studenten")])
    report = import_workbook(store, path, base_iri=BASE)
    before = _triples(store, report.graph)
    norm = f"{ID}/beleidsnorm/VER-N01"
    assert f"{norm} {KRB.sector} {STUDENTS}" in before

    exported = tmp_path / "export.xlsx"
    assert export_workbook(store, exported, graph=report.graph) == []
    # the user writes the cell in the exported workbook as in the workbook as written
    edit(
        exported,
        [
            (
                "beleidsnorm",
                row_of(exported, "beleidsnorm", "VER-N01"),
                "sector",
                "Inwoners; particulieren/Studenten",
            )
        ],
    )
    import_workbook(store, exported, base_iri=BASE, graph=report.graph)  # ImportFailed before

    assert _triples(store, report.graph) == before


def test_two_own_subtypes_of_one_name_are_exported_by_their_slash_names(tmp_path: Path) -> None:
    """Beside 'particulieren | Studenten', an own hoofdtype has a 'Studenten' too: the
    export names each the way the workbook as written does, not one of them by its IRI."""
    path = _with(
        tmp_path,
        {
            "sectoren": [
                _STUDENTS_ROW,
                {
                    "hoofdtype": "Onderwijsinstellingen",
                    "subtype": "Studenten",
                    "code": "studenten-onderwijs",
                    "koppeling": "broadMatch",
                    "landelijk_begrip": "bedrijven",
                },
            ]
        },
    )
    both = "particulieren/Studenten; Onderwijsinstellingen/Studenten"
    edit(path, [("beleidsnorm", row_of(path, "beleidsnorm", "VER-N01"), "sector", both)])
    first = read_workbook(path, BASE)
    assert first.ok, [p.text_en for p in first.errors]

    exported = tmp_path / "export.xlsx"
    assert write_workbook(first.graph, exported) == []
    book = load_workbook(exported)
    header = [cell.value for cell in book["beleidsnorm"][1]]
    cells = {row[0].value: row for row in book["beleidsnorm"].iter_rows(min_row=2)}

    assert cells["VER-N01"][header.index("sector")].value == both
    again = read_workbook(exported, BASE)
    assert again.ok, [p.text_en for p in again.errors]
    assert isomorphic(again.graph, first.graph), _explain(first.graph, again.graph)
    assert (URIRef(f"{ID}/beleidsnorm/VER-N01"), KRB.sector, STUDENTS) in again.graph
    assert Literal("Studenten", lang="nl") in set(again.graph.objects(STUDENTS, SKOS.prefLabel))
