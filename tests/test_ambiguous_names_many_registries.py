"""A name many registries share is answered with every thing it names.

A province's store holds as many "Centrum"s as it has municipalities. A named query's
parameter that names several things is refused with the candidates to choose from; it
listed the first six, so the seventh municipality's Centrum was never offered, though the
API's own lookups (``/api/gebieden/Centrum/beleid``) listed all. The ``id:`` short form
the pages show (``id:werkingsgebied/centrum``) likewise.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from krbgraph.namespaces import KRB
from krbgraph.queries import ParameterError, load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store
from krbgraph.web.app import create_app
from krbgraph.web.class_list import PAGE_SIZE

BASES = [f"https://krb.gemeente-{n:02d}.nl" for n in range(1, 10)]


def _areas(store: Store, bases: list[str], name: str, coded: bool = True) -> None:
    """An area ``name`` with the code ``name.lower()`` (or none) under each base, in its
    own graph."""
    for base in bases:
        graph = Graph()
        area = URIRef(f"{base}/id/werkingsgebied/{name.lower()}")
        graph.add((area, RDF.type, KRB.Werkingsgebied))
        graph.add((area, RDFS.label, Literal(name, lang="nl")))
        if coded:
            graph.add((area, DCTERMS.identifier, Literal(name.lower())))
        store.add_to_graph(f"{base}/graph/gebieden", graph)


@pytest.fixture
def province(model_store: Store) -> Store:
    _areas(model_store, BASES, "Centrum")
    return model_store


@pytest.mark.parametrize("value", ["Centrum", "centrum", "id:werkingsgebied/centrum"])
def test_every_municipalitys_area_of_the_name_is_a_candidate(province: Store, value: str) -> None:
    with pytest.raises(ParameterError) as refused:
        run_named_query(province, load_catalogue(), "beleid-in-gebied", {"gebied": value})
    assert sorted(refused.value.candidates) == [
        f"{base}/id/werkingsgebied/centrum" for base in BASES
    ]
    assert "dubbelzinnig" in refused.value.nl


@pytest.mark.parametrize("coded", [True, False], ids=["with-code", "without-code"])
def test_every_row_of_the_list_that_reads_alike_says_whose_it_is_on_every_page(
    model_store: Store, coded: bool
) -> None:
    """Things with a code are listed by code, so namesakes sharing it are neighbours;
    those without (areas often have none) by IRI, pages apart: each must still say whose
    it is, on whichever page it falls."""
    bases = [f"https://krb.gemeente-{n:03d}.nl" for n in range(PAGE_SIZE + 1)]
    _areas(model_store, bases, "Noord", coded)
    app = create_app(Settings(store="unused", base_iri=bases[0]), store=model_store)
    rows: list[str] = []
    with TestClient(app) as client:
        page = client.get("/lijst", params={"klasse": str(KRB.Werkingsgebied)})
        while True:
            assert page.status_code == 200
            found = re.findall(r"<tr><td>(.*?Noord.*?)</td><td>[^<]*</td></tr>", page.text, re.S)
            rows += [re.sub(r"<[^>]+>", "", row).strip() for row in found]
            more = re.search(r'<a rel="next" href="([^"]*)"', page.text)
            if more is None:
                break
            page = client.get(more.group(1).replace("&amp;", "&"))
    assert sorted(rows) == sorted(f"Noord ({base.split('//')[1]})" for base in bases)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/query", {"voorbeeld": "beleid-in-gebied", "p.gebied": "Centrum", "uitvoeren": "true"}),
        ("/query/beleid-in-gebied.xlsx", {"gebied": "Centrum"}),
        ("/monitoring", {"gebied": "Centrum"}),
        ("/monitoring", {"gebied": "CENTRUM"}),
    ],
    ids=["query-form", "workbook", "monitoring", "monitoring-other-case"],
)
def test_the_pages_answer_a_shared_name_with_every_candidate_and_409(
    province: Store, path: str, params: dict[str, str]
) -> None:
    """The query form listed five of nine and said 400; a name of several things is a
    conflict the reader resolves by choosing, as the API says (409)."""
    app = create_app(Settings(store="unused", base_iri=BASES[0]), store=province)
    with TestClient(app) as client:
        answer = client.get(path, params=params)
    assert answer.status_code == 409, answer.text[:500]
    missing = [b for b in BASES if f"{b}/id/werkingsgebied/centrum" not in answer.text]
    assert missing == []


def test_the_indicator_page_says_whose_each_norm_of_one_name_is(tmp_path) -> None:
    """A province's store: another municipality's GEL-N01 on the same indicator, of the
    same name. Its norms in force were two links reading alike beside the chart."""
    from research_registry import build_research_registry
    from test_pages_fixtures import BASE

    other = "https://krb.anders.nl/id/beleidsnorm/GEL-N01"
    registry = build_research_registry(tmp_path / "store")
    norm = Graph().parse(
        data=f"""
        @prefix krb: <https://data.krb.nl/def/krb#> .
        @prefix qudt: <http://qudt.org/schema/qudt/> .
        <{other}> a krb:Beleidsnorm ; <http://www.w3.org/2000/01/rdf-schema#label>
                "Geluidsdruk gevel maximaal 48 dB(A)"@nl ;
            <http://purl.org/dc/terms/identifier> "GEL-N01" ;
            krb:indicator <{BASE}/id/beleidsindicator/GEL-I01> ;
            krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;
            qudt:numericValue 48.0 ; qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ;
            krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> .""",
        format="turtle",
    )
    # Many norms on the indicator, as a province has: the page's tables show their first
    # hundred rows, so the other GEL-N01 is told apart only where it is listed.
    for n in range(150):
        filler = URIRef(f"https://krb.anders.nl/id/beleidsnorm/A-{n:03d}")
        norm.add((filler, RDF.type, KRB.Beleidsnorm))
        norm.add((filler, RDFS.label, Literal(f"Aanvullende norm {n:03d}", lang="nl")))
        norm.add((filler, KRB.indicator, URIRef(f"{BASE}/id/beleidsindicator/GEL-I01")))
    registry.store.add_to_graph("https://krb.anders.nl/graph/geluid", norm)
    try:
        with TestClient(registry.app) as client:
            page = client.get("/id/beleidsindicator/GEL-I01").text
    finally:
        registry.store.close()
    listed = re.search(r"<dt>Normen die vandaag gelden</dt><dd>(.*?)</dd>", page, re.S)
    assert listed is not None
    links = dict(re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', listed.group(1)))
    ours = links["/id/beleidsnorm/GEL-N01"]
    theirs = [text for href, text in links.items() if "krb.anders.nl" in unquote(href)]
    assert len(theirs) == 1 and theirs[0] != ours, links
    assert "48 dB(A)" in ours and "48 dB(A)" in theirs[0]


def test_a_code_fewer_than_max_alike_share_is_told_apart_across_pages() -> None:
    """60 things of code A and 940 of code B, the page on their boundary: every B thing
    is looked at (the page's own things do not count against the bound twice)."""
    from krbgraph.web import class_list

    keys = tuple(
        sorted(
            [(True, "A", f"https://a.example/{n:04d}") for n in range(60)]
            + [(True, "B", f"https://b.example/{n:04d}") for n in range(940)]
        )
    )
    shown = keys[50 : 50 + PAGE_SIZE]
    alike = class_list._alike(keys, shown, {})
    assert sum(1 for code in alike.values() if code == "B") == 940
    assert sum(1 for code in alike.values() if code == "A") == 60
