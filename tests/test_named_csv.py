"""The CSV export with names written from the engine's terms (krbgraph.named_csv) gives
the bytes the general path gives, for every named query, on both backends.

The registry is the demo plus what real ones hold and the demo lacks: names only in
English, a name with a comma, a quote and a line break, codes that sort as numbers and
one that is no number, a blank node in an answer.
"""

from __future__ import annotations

import io
from datetime import date

import pyoxigraph as ox
import pytest
from demo_backends import demo_store_fixture
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from krbgraph.derived import refresh
from krbgraph.labels import languages_from
from krbgraph.named_csv import _sort_value, write_named_csv
from krbgraph.queries import _sort_value as general_sort_value
from krbgraph.queries import load_catalogue, stream_named_query
from krbgraph.sparql_results import csv_chunks
from krbgraph.store import Store
from krbgraph.store.terms import to_rdflib

store = demo_store_fixture()
CATALOGUE = load_catalogue()
TODAY = date(2026, 6, 1)
VALUES = {
    "gebied": "Parkrand",
    "instrument": "GEL-N01",
    "maatregel": "GRO-M01",
    "objecttype": "Asfaltverharding",
    "begrip": "Huishoudens",
    "zoekingang": "Bomen",
    "zoekterm": "asfalt",
    "tekst": "GEL-N01",
    "klasse": "https://data.krb.nl/def/krb#Beleidsnorm",
}
VARIED = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01> rdfs:label "Facade noise, max 48"@en .
<https://krb.demogemeente.nl/id/beleidsthema/geluid> rdfs:label "Noise"@en .
<https://krb.demogemeente.nl/id/beleidsmaatregel/GEL-M01>
    rdfs:label "Stil asfalt, \\"fluister\\"\\nfase 2"@nl .
<https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> dct:identifier "10" .
<https://krb.demogemeente.nl/id/beleidsindicator/GEL-I02> dct:identifier "9" .
<https://krb.demogemeente.nl/id/beleidsindicator/GRO-I01> dct:identifier "1x" .
"""
USER_FACING = sorted(q.name for q in CATALOGUE.public())


@pytest.fixture(scope="module")
def varied(store: Store) -> Store:
    store.replace_graph("https://krb.demogemeente.nl/graph/varied", Graph().parse(data=VARIED))
    refresh(store)
    return store


def _general(store: Store, name: str, values: dict[str, str], lang: str) -> bytes:
    with stream_named_query(
        store, CATALOGUE, name, values, today=TODAY, languages=languages_from(lang)
    ) as (variables, rows):
        return "".join(csv_chunks(variables, rows)).encode("utf-8")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", USER_FACING)
def test_the_engine_path_writes_the_bytes_of_the_general_path(
    varied: Store, name: str, lang: str
) -> None:
    query = CATALOGUE[name]
    values = {p.name: VALUES[p.name] for p in query.parameters if p.required}
    out = io.BytesIO()
    write_named_csv(
        varied, CATALOGUE, name, values, out, today=TODAY, languages=languages_from(lang)
    )
    expected = _general(varied, name, values, lang)
    assert out.getvalue() == expected
    assert expected.count(b"\r\n") > 1 or name in EMPTY_ON_THE_DEMO, "the demo answers it"


EMPTY_ON_THE_DEMO = {"compleetheid"}  # every demo object is complete


XSD = "http://www.w3.org/2001/XMLSchema#"
LEXICAL = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["true", "false", "1", "0", "abc", "", " 5", "1e3", "INF", "-0", "1x"]),
)
DATATYPES = st.sampled_from(
    ["integer", "int", "decimal", "double", "float", "boolean", "string", "date", "unsignedByte"]
)


@settings(max_examples=500, deadline=None)
@given(lexical=LEXICAL, datatype=DATATYPES, lang=st.sampled_from([None, "nl"]))
def test_the_order_sort_key_is_the_general_one(
    lexical: str, datatype: str, lang: str | None
) -> None:
    """Rows sorted by a number column (dwarsverbanden-netwerk's count, normgat's gap)
    order as the general path orders them: as numbers, an ill-formed one as text."""
    term = (
        ox.Literal(lexical, language=lang)
        if lang
        else ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))
    )
    assert _sort_value(term) == general_sort_value(to_rdflib(term))


@pytest.mark.parametrize("node", [ox.BlankNode("f00"), ox.NamedNode("urn:x:abc")])
def test_the_order_sort_key_of_a_node_is_the_general_one(node: ox.BlankNode) -> None:
    """A blank node sorted by "_:f00" here and by "f00" there: "abc" came between."""
    assert _sort_value(node) == general_sort_value(to_rdflib(node))
