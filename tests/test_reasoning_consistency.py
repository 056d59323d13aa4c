"""`krb check-ontology`: HermiT over the model plus data, run for real (Java)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, XSD
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.reasoning import likely_contradictions, prepare_for_reasoner
from krbgraph.settings import Settings
from krbgraph.store import open_store

DATA = Path(__file__).parent / "data" / "shapes"
GEO_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")


def check(*paths: Path):
    return CliRunner().invoke(app, ["check-ontology", *map(str, paths)])


def test_a_norm_that_is_also_a_rule_is_inconsistent_and_named() -> None:
    result = check(DATA / "norm-en-regel.ttl")
    assert result.exit_code == 1, result.output
    assert "inconsistent:" in result.stdout
    assert (
        "<https://krb.example.org/id/beleidsnorm/DUBBEL> is both krb:Beleidsnorm and "
        "krb:Beleidsregel" in result.stdout
    )


def test_consistent_data_passes_and_the_datatype_workaround_is_reported() -> None:
    result = check(DATA / "consistent.ttl")
    assert result.exit_code == 0, result.output
    assert "consistent:" in result.stdout
    assert "literal(s) of datatype xsd:date (not in the OWL 2 datatype map)" in result.stdout
    assert "literal(s) of datatype geo:wktLiteral" in result.stdout


def test_unreadable_data_exits_2() -> None:
    result = check(DATA / "broken.ttl")
    assert result.exit_code == 2
    assert "broken.ttl:6:1:" in result.stderr


def test_the_demo_registry_is_consistent() -> None:
    result = CliRunner().invoke(app, ["check-ontology"], env={"KRB_STORE": ""})
    assert result.exit_code == 0, result.output
    assert "the data of the demo registry" in result.stdout


def test_reasoning_copy_drops_imports_and_retypes_unknown_datatypes() -> None:
    s, p = URIRef("https://e.org/s"), URIRef("https://e.org/p")
    graph = Graph()
    graph.add((s, OWL.imports, URIRef("https://e.org/elders")))
    graph.add((s, p, Literal("2024-01-01", datatype=XSD.date)))
    graph.add((s, p, Literal("POINT(1 2)", datatype=GEO_WKT)))
    graph.add((s, p, Literal("3", datatype=XSD.integer)))
    notes = prepare_for_reasoner(graph)
    assert len(notes) == 3
    assert (s, OWL.imports, None) not in graph
    assert set(graph.objects(s, p)) == {
        Literal("2024-01-01", datatype=XSD.string),
        Literal("POINT(1 2)", datatype=XSD.string),
        Literal("3", datatype=XSD.integer),
    }


def test_language_tagged_text_against_an_xsd_range_is_named_as_a_likely_cause() -> None:
    graph = Graph().parse(
        data="""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://e.org/p> rdfs:range xsd:string .
        <https://e.org/s> <https://e.org/p> "tekst"@nl .""",
        format="turtle",
    )
    (cause,) = likely_contradictions(graph)
    assert '"tekst"@nl' in cause and "xsd:string" in cause


def test_the_registry_in_a_store_is_what_it_reasons_over(tmp_path: Path) -> None:
    """`krb check-ontology` with KRB_STORE set checked the demo files and said
    "consistent" of a store holding a norm that is also a rule."""
    folder = tmp_path / "store"
    store = open_store(Settings(store=str(folder), engine="embedded"))
    try:
        store.add_to_graph(
            "https://krb.example.org/graph/dubbel", Graph().parse(DATA / "norm-en-regel.ttl")
        )
    finally:
        store.close()
    for args, env in ((["--store", str(folder)], {}), ([], {"KRB_STORE": str(folder)})):
        result = CliRunner().invoke(app, ["check-ontology", *args], env=env)
        assert result.exit_code == 1, result.output
        assert f"the data of the registry in {folder}" in result.stdout
        assert "DUBBEL> is both krb:Beleidsnorm and krb:Beleidsregel" in result.stdout
    missing = CliRunner().invoke(app, ["check-ontology"], env={"KRB_STORE": str(tmp_path / "x")})
    assert missing.exit_code == 2
    assert "no store at" in missing.stderr
