"""`krb import-metingen` never picks one of several concepts a sector, materiaal or
leefomgeving names.

A shared store holds the demo registry, two own material streams of the demo named
'Hemelwater' (notation HW) in two graphs, and another municipality's own sector
'Inwoners' and local object type 'Boom' (IMBOR has a Boom too, and two classes
'Warmte- en koudeopslag'). A row naming any of these fits two concepts: it is refused
at its line and column with the IRIs that fit, in the CSV import and in the workbook's
sheet metingen, and nothing is written. Before, the first concept the engine answered
was taken: the measurement was filed under another material, another municipality's
sector or an object type of its own, and normtoets compared it with the wrong norms.
The municipality's own concept still hides a national one of its name (docs/excel.md),
and an IRI names one concept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from metingen_store import demo_store_folder, graphs_before
from openpyxl import load_workbook
from other_municipality import BASE, OTHER, PREFIXES
from rdflib import URIRef
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.importing import ImportFailed as WorkbookFailed
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import open_store

KRB = "https://data.krb.nl/def/krb#"
IMBOR = "https://data.crow.nl/imbor/def/"
HEMELWATER = f"{BASE}/id/begrip/materiaal/hemelwater"
REGENWATER = f"{BASE}/id/begrip/materiaal/regenwater"  # also named Hemelwater
NATIONAL_INWONERS = "https://data.krb.nl/id/begrip/sector/inwoners"
OTHER_INWONERS = f"{OTHER}/id/begrip/sector/inwoners"
IMBOR_BOOM = f"{IMBOR}83a942f7-5291-42f0-afb1-9a57d0fb2f15"
OTHER_BOOM = f"{OTHER}/id/leefomgeving/boom"
WKO_CLASS = f"{IMBOR}c6c78eb3-795a-4c3f-96c8-1b780feb78e8"
WKO_ZOEKINGANG = f"{IMBOR}d891f89c-0e04-45ff-b456-af1e643e3759"
OWN_CONTAINER = f"{BASE}/id/leefomgeving/container"  # IMBOR has a Container too
HEADER = "indicator;gebied;jaar;waarde;eenheid;bron;sector;materiaal;leefomgeving\n"
GEZ = "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor"
GRO = "GRO-I01;WK999901;2023;0,5;km;cbs-nabijheid"

PREFIXES_OWL = PREFIXES + "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
OWN_GRAPH = (
    PREFIXES_OWL
    + f"""
<{BASE}/id/conceptschema/materiaalstromen> a skos:ConceptScheme ;
    dct:title "Eigen materiaalstromen"@nl ; skos:prefLabel "Eigen materiaalstromen"@nl .
<{HEMELWATER}> a skos:Concept ; skos:prefLabel "Hemelwater"@nl ; skos:notation "HW" ;
    skos:inScheme <{BASE}/id/conceptschema/materiaalstromen> ;
    skos:topConceptOf <{BASE}/id/conceptschema/materiaalstromen> ;
    skos:broadMatch <https://data.krb.nl/id/begrip/materiaal/alle> .
<{OWN_CONTAINER}> a owl:Class , krb:LokaalObjecttype , skos:Concept ;
    skos:prefLabel "Container"@nl ; rdfs:label "Container"@nl ;
    rdfs:subClassOf <{IMBOR}df3a7cac-4653-49b9-be3a-7fece9bf7a69> ;
    skos:inScheme <{BASE}/id/conceptschema/leefomgeving-lokaal> .
"""
)
"""The demo's own material Hemelwater and local object type Container."""

SECOND_GRAPH = (
    PREFIXES_OWL
    + f"""
<{REGENWATER}> a skos:Concept ; skos:prefLabel "Hemelwater"@nl ; skos:notation "HW" ;
    skos:inScheme <{BASE}/id/conceptschema/materiaalstromen> ;
    skos:topConceptOf <{BASE}/id/conceptschema/materiaalstromen> ;
    skos:broadMatch <https://data.krb.nl/id/begrip/materiaal/alle> .
<{OTHER}/id/conceptschema/sectoren> a skos:ConceptScheme ;
    dct:title "Eigen sectoren"@nl ; skos:prefLabel "Eigen sectoren"@nl .
<{OTHER_INWONERS}> a skos:Concept ; skos:prefLabel "Inwoners"@nl ;
    skos:inScheme <{OTHER}/id/conceptschema/sectoren> ;
    skos:topConceptOf <{OTHER}/id/conceptschema/sectoren> ;
    skos:closeMatch <{NATIONAL_INWONERS}> .
<{OTHER}/id/conceptschema/leefomgeving-lokaal> a skos:ConceptScheme ;
    dct:title "Lokale objecttypen"@nl ; skos:prefLabel "Lokale objecttypen"@nl .
<{OTHER_BOOM}> a owl:Class , krb:LokaalObjecttype , skos:Concept ;
    skos:prefLabel "Boom"@nl ; rdfs:label "Boom"@nl ;
    rdfs:subClassOf <{IMBOR_BOOM}> ;
    skos:inScheme <{OTHER}/id/conceptschema/leefomgeving-lokaal> .
"""
)
"""A second graph: another own material of the demo named Hemelwater, and another
municipality's own sector Inwoners and local object type Boom."""

__all__ = ["graphs_before"]  # the fixture, used by name


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder (closed, so the command can open it) with both graphs, validated."""
    root = tmp_path_factory.mktemp("indeling")
    own, second = root / "eigen.ttl", root / "gedeeld.ttl"
    own.write_text(OWN_GRAPH, encoding="utf-8")
    second.write_text(SECOND_GRAPH, encoding="utf-8")
    db = demo_store_folder(root, validated=own, base_iri=BASE)
    with open_store(Settings(store=str(db))) as handle:
        load_paths(handle, [second], replace=True, base_iri=BASE)
    return db


def _import(folder: Path, tmp_path: Path, body: str) -> tuple[int, str, str]:
    path = tmp_path / "metingen.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    result = CliRunner().invoke(app, ["import-metingen", str(path), "--store", str(folder)])
    return result.exit_code, " ".join(result.stderr.split()), result.stdout


def _refused(column: str, text: str, *iris: str) -> tuple[str, str]:
    listed = ", ".join(iris)
    return (
        f"kolom {column}: '{text}' past bij meer begrippen van de lijst {column}: {listed}; "
        "geef de IRI",
        f"'{text}' fits several concepts of the {column} list: {listed}; give the IRI",
    )


def test_a_name_or_notation_of_two_own_materials_is_refused_with_both_iris(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    code, err, _ = _import(folder, tmp_path, f"{GEZ};;Hemelwater;\n{GEZ};;HW;\n")
    assert code == 1, err
    assert "Traceback" not in err
    for line, text in ((2, "Hemelwater"), (3, "HW")):
        nl, en = _refused("materiaal", text, HEMELWATER, REGENWATER)
        assert f"metingen.csv:{line}, {nl}" in err
        assert en in err
    assert "2 fout(en) / error(s)" in err and "nothing loaded" in err


def test_another_municipalitys_own_sector_and_the_national_one_are_refused(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    """The other municipality's own Inwoners does not hide the national inwoners for
    this one (before, it was taken: an own concept of any registry came first)."""
    code, err, _ = _import(folder, tmp_path, f"{GEZ};inwoners;;\n")
    assert code == 1, err
    nl, en = _refused("sector", "inwoners", NATIONAL_INWONERS, OTHER_INWONERS)
    assert f"metingen.csv:2, {nl}" in err
    assert en in err


def test_a_leefomgeving_name_of_two_object_types_is_refused(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    """Another municipality's local object type Boom beside IMBOR's Boom; IMBOR's own two
    classes named Warmte- en koudeopslag."""
    code, err, _ = _import(folder, tmp_path, f"{GRO};;;Boom\n{GRO};;;warmte- en koudeopslag\n")
    assert code == 1, err
    nl, en = _refused("leefomgeving", "Boom", IMBOR_BOOM, OTHER_BOOM)
    assert f"metingen.csv:2, {nl}" in err
    assert en in err
    nl, en = _refused("leefomgeving", "warmte- en koudeopslag", WKO_CLASS, WKO_ZOEKINGANG)
    assert f"metingen.csv:3, {nl}" in err
    assert en in err


def test_iris_and_the_municipalitys_own_concepts_name_one_concept(
    folder: Path, tmp_path: Path
) -> None:
    """The IRI resolves what the name could not; the demo's own Container hides IMBOR's
    Container, as a cell of the policy sheets does."""
    code, err, out = _import(
        folder,
        tmp_path,
        f"{GEZ};{OTHER_INWONERS};{REGENWATER};\n"
        f"{GEZ};{NATIONAL_INWONERS};{HEMELWATER};\n"
        f"{GRO};;;{IMBOR_BOOM}\n"
        f"{GRO.replace('WK999901', 'WK999902')};;;Container\n",
    )
    assert code == 0, err
    graph = f"{BASE}/graph/metingen/metingen"
    assert f"<{graph}>: 4 measurements" in out
    with open_store(Settings(store=str(folder))) as handle:
        try:
            stored = handle.read_graph(graph)
            classified = {
                str(o)
                for p in ("sector", "materiaal", "leefomgeving")
                for o in stored.objects(None, URIRef(KRB + p))
            }
        finally:
            handle.drop_graph(graph)
    assert classified == {
        OTHER_INWONERS,
        REGENWATER,
        NATIONAL_INWONERS,
        HEMELWATER,
        IMBOR_BOOM,
        OWN_CONTAINER,
    }


def test_the_workbook_sheet_metingen_refuses_the_same_cells(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "onderzoek.xlsx"
    write_template(path)
    book = load_workbook(path)
    common = {"indicator": "GEZ-I01", "gebied": "WK999901", "waarde": 7.5, "eenheid": "%"}
    common |= {"bron": "ggd-gezondheidsmonitor"}
    rows = [
        common | {"jaar": 2021, "materiaal": "Hemelwater"},
        common | {"jaar": 2022, "sector": "Inwoners"},
        common | {"jaar": 2023, "leefomgeving": "Boom"},
    ]
    for row in rows:
        book["metingen"].append([row.get(c) for c in SHEETS_BY_NAME["metingen"].names])
    book.save(path)
    with open_store(Settings(store=str(folder))) as handle, pytest.raises(WorkbookFailed) as failed:
        import_workbook(handle, path, base_iri=BASE)
    errors = [p for p in failed.value.problems if p.is_error]
    where = sorted((p.sheet, p.row, p.column) for p in errors)
    assert where == [
        ("metingen", 2, "materiaal"),
        ("metingen", 3, "sector"),
        ("metingen", 4, "leefomgeving"),
    ]
    texts = " ".join(p.message_en for p in errors)
    assert _refused("materiaal", "Hemelwater", HEMELWATER, REGENWATER)[1] in texts
    assert _refused("sector", "Inwoners", NATIONAL_INWONERS, OTHER_INWONERS)[1] in texts
    assert _refused("leefomgeving", "Boom", IMBOR_BOOM, OTHER_BOOM)[1] in texts
