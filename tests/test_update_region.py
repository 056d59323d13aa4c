"""The region read from an update's text holds every quad the update changes.

The service learns what a client's SPARQL update changed by comparing, before and
after it runs, only the quads its templates can match (krbgraph.update_region). If
the region missed a quad, the change validated and committed would differ from the
change made on the replica. Each update below runs once on a copy of the demo; the
change seen through the region must equal the change seen by comparing every quad of
the same run (so RAND() and fresh blank nodes are the same on both sides).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from krbgraph.model import project_root
from krbgraph.update_region import graphs_named, update_region

DEMO = "https://krb.demogemeente.nl/id/graph/demo"
ID = "https://krb.demogemeente.nl/id/"
PREFIXES = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
NORM = f"<{ID}beleidsnorm/GEL-N01>"

UPDATES: dict[str, str] = {
    "insert data, Turtle abbreviations": PREFIXES
    + f"""INSERT DATA {{ GRAPH <{DEMO}> {{
        <{ID}x/1> a krb:Beleidsnorm ; rdfs:label "een"@nl , "one"@en ;
            qudt:numericValue 2.0 ; krb:lijst ( 1 2 "drie" ) ;
            krb:periode [ krb:van "2020-01-01"^^xsd:date ] .
    }} }}""",
    "insert data into the default graph, no final dot": PREFIXES
    + f"INSERT DATA {{ <{ID}x/2> qudt:numericValue 7.50 }}",
    "delete data with a literal not in canonical form": PREFIXES
    + f"DELETE DATA {{ GRAPH <{DEMO}> {{ {NORM} qudt:numericValue 48.0 }} }}",
    "triples running into GRAPH": f"""INSERT DATA {{ <{ID}a> <{ID}b> <{ID}c>
        GRAPH <{DEMO}> {{ <{ID}d> <{ID}e> 1 }} }}""",
    "delete insert where, graph variable": PREFIXES
    + """DELETE { GRAPH ?g { ?doc eli:first_date_entry_in_force ?d } }
        INSERT { GRAPH ?g { ?doc eli:first_date_entry_in_force "2029-01-01"^^xsd:date } }
        WHERE { GRAPH ?g { ?doc eli:first_date_entry_in_force ?d } }""",
    "with": PREFIXES
    + f"""WITH <{DEMO}> DELETE {{ ?n qudt:numericValue ?v }} INSERT {{ ?n qudt:numericValue ?w }}
        WHERE {{ ?n qudt:numericValue ?v BIND (?v + 1 AS ?w) }}""",
    "with, templates without variables": PREFIXES
    + f"""WITH <{DEMO}> DELETE {{ {NORM} qudt:numericValue 48.0 }}
        INSERT {{ {NORM} qudt:numericValue 47 . GRAPH <{ID}graph/ander> {{ {NORM} a krb:X }} }}
        WHERE {{}}""",
    "delete where, variable predicate": f"DELETE WHERE {{ GRAPH ?g {{ {NORM} ?p ?o }} }}",
    "insert where with RAND and a fresh blank node": PREFIXES
    + f"""INSERT {{ GRAPH <{DEMO}> {{ ?n krb:toeval [ krb:getal ?r ] }} }}
        WHERE {{ GRAPH ?g {{ ?n a krb:Beleidsnorm }} BIND (RAND() AS ?r) FILTER (?r < 0.5) }}""",
    "a whole graph's triples copied by pattern": f"""
        INSERT {{ GRAPH <{ID}graph/kopie> {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH <{DEMO}> {{ ?s ?p ?o }} }}""",
    "default graph by pattern": f"""INSERT DATA {{ <{ID}d/1> <{ID}d/p> 1 }} ;
        DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER (isLiteral(?o)) }}""",
    "graph operations": f"""COPY <{DEMO}> TO <{ID}graph/a> ; ADD <{DEMO}> TO <{ID}graph/b> ;
        MOVE GRAPH <{ID}graph/a> TO <{ID}graph/c> ; CREATE GRAPH <{ID}graph/d> ;
        DROP SILENT GRAPH <{ID}graph/b> ; CLEAR DEFAULT""",
    "prefixes, base and relative IRIs": f"""BASE <{ID}> PREFIX ex: <ex/>
        INSERT DATA {{ GRAPH <graph/rel> {{ <x/3> <p> "a" }} }} ;
        INSERT {{ GRAPH <graph/rel> {{ ?s ex:q ?o }} }}
        WHERE {{ GRAPH <graph/rel> {{ ?s <p> ?o }} }} ;
        DELETE {{ GRAPH <graph/rel> {{ <x/3> <p> ?o }} }}
        WHERE {{ GRAPH <graph/rel> {{ <x/3> <p> ?o }} }}""",
    "comments and braces in strings": PREFIXES
    + f"""INSERT DATA {{ GRAPH <{DEMO}> {{ # a comment with }} in it\r
        {NORM} rdfs:comment "}} {{ ?x" , '''two
        lines}}''' }} }}""",
    "a blank node in a template subject": PREFIXES
    + f"""INSERT {{ GRAPH <{DEMO}> {{ _:b krb:over ?n . ?n krb:heeft _:b }} }}
        WHERE {{ GRAPH <{DEMO}> {{ ?n a krb:Beleidsnorm }} }}""",
}


@pytest.fixture(scope="module")
def demo_quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    folder: Path = project_root() / "examples" / "demo"
    for path in sorted(folder.glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            quads.append(
                ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(DEMO))
            )
    quads.append(ox.Quad(ox.NamedNode(ID + "d/0"), ox.NamedNode(ID + "d/p"), ox.Literal("0")))
    return quads


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_the_region_holds_every_changed_quad(demo_quads: list[ox.Quad], name: str) -> None:
    update = UPDATES[name]
    store = ox.Store()
    store.extend(demo_quads)
    region = update_region(update, "https://krb.demogemeente.nl/")
    assert region is not None, "an update of a kind the region reads"
    everything_before, seen_before = set(store), region.quads(store)
    store.update(update, base_iri="https://krb.demogemeente.nl/")
    everything_after, seen_after = set(store), region.quads(store)
    added, removed = everything_after - everything_before, everything_before - everything_after
    assert added or removed, "the update changes something"
    assert seen_after - seen_before == added
    assert seen_before - seen_after == removed


def test_a_typical_edit_reads_a_small_region(demo_quads: list[ox.Quad]) -> None:
    """Moving one document's date compares the quads of that predicate, not the store."""
    store = ox.Store()
    store.extend(demo_quads)
    region = update_region(UPDATES["delete insert where, graph variable"])
    assert region is not None
    assert 0 < len(region.quads(store)) < 50 < len(store)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP NAMED",
        "INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DELETE DATA { <a> <b> ",
    ],
)
def test_what_the_text_cannot_bound_is_compared_whole(update: str) -> None:
    assert update_region(update, "https://krb.demogemeente.nl/") is None


AUDIT = "https://data.krb.nl/graph/audit"


@pytest.mark.parametrize(
    "update",
    [
        f"COPY <{AUDIT}> TO <urn:x:g>",
        "COPY <https://data.krb.nl/graph/\\u0061udit> TO <urn:x:g>",
        "COPY <https://data.krb.nl/graph/\\U00000061udit> TO <urn:x:g>",
        "BASE <https://data.krb.nl/graph/> COPY <audit> TO <urn:x:g>",
        "BASE <https://data.krb.nl/> PREFIX g: <graph/> CLEAR GRAPH g:audit",
        f"PREFIX a: <{AUDIT}> COPY <{AUDIT}> TO <urn:x:g>",
        "DELETE { GRAPH <urn:x:g> { ?s ?p ?o } } WHERE { GRAPH <urn:x:g> { ?s ?p ?o } "
        f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?x ?y ?z }} VALUES ?g {{ <{AUDIT}> }} }} }}",
        f"INSERT {{ GRAPH <urn:x:g> {{ ?s ?p ?o }} }} WHERE {{ BIND (<{AUDIT}> AS ?g) "
        "GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_a_graph_is_named_however_it_is_spelled(update: str) -> None:
    """The engine reads escapes, BASE and PREFIX, and a graph named through a variable
    (VALUES, BIND): so must the refusal of the graphs the service keeps."""
    assert AUDIT in graphs_named(update)


def test_a_relative_graph_is_read_against_the_services_base() -> None:
    assert graphs_named("COPY <rel> TO <g>", "http://svc/sparql") == {
        "http://svc/rel",
        "http://svc/g",
    }
    assert graphs_named("PREFIX a: <urn:x:> INSERT DATA { a:s a:p a:o }") == {
        "urn:x:s",
        "urn:x:p",
        "urn:x:o",
    }
