"""Numbers in the API's JSON answer of a named query keep what the registry holds.

A registry's decimals may carry more digits than a float: the answer must not round
them, and must stay JSON that any parser takes (no ``Infinity``)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from krbgraph.queries import load_catalogue
from krbgraph.settings import Settings
from krbgraph.store import Store
from krbgraph.web.api_models import json_text
from krbgraph.web.spooled_export import json_export

BASE = "https://krb.example.nl"
TEXT = "as text"  # the cell is the literal's text, as rdflib writes it


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (Literal("5.123456789012345678", datatype=XSD.decimal), "5.123456789012345678"),
        (Literal("0.10", datatype=XSD.decimal), "0.10"),
        (Literal(".5", datatype=XSD.decimal), "0.5"),
        (Literal("+007", datatype=XSD.decimal), "7"),
        (Literal("-0", datatype=XSD.decimal), "-0"),
        (Literal("123456789012345678901234567890", datatype=XSD.integer), None),
        (Literal("18446744073709551615", datatype=XSD.unsignedLong), None),
        (Literal("INF", datatype=XSD.double), TEXT),
        (Literal("NaN", datatype=XSD.double), TEXT),
        (Literal("NaN", datatype=XSD.decimal), TEXT),
        (Literal("47,5", datatype=XSD.decimal), '"47,5"'),
        (Literal("1E999999999999", datatype=XSD.decimal, normalize=False), TEXT),
        (Literal("1_000", datatype=XSD.decimal, normalize=False), TEXT),
        (Literal("1_000", datatype=XSD.integer, normalize=False), TEXT),
        (Literal("1.5E3", datatype=XSD.double), "1500.0"),
        (Literal("true", datatype=XSD.boolean), "true"),
        (Literal("0", datatype=XSD.boolean), "false"),
        (Literal('Geluid, "gevel"', lang="nl"), '"Geluid, \\"gevel\\""'),
    ],
)
def test_a_cell_is_json_with_its_value_whole(term: Literal, text: str | None) -> None:
    written = json_text(term)
    expected = {None: str(term), TEXT: json.dumps(str(term))}.get(text, text)
    assert written == expected
    json.loads(written)  # valid JSON on its own
    if term.datatype == XSD.decimal and not written.startswith('"'):
        assert json.loads(written, parse_float=Decimal, parse_int=Decimal) == Decimal(str(term))


def test_a_norm_value_with_twenty_digits_reaches_the_answer_whole(model_store: Store) -> None:
    """The /api/queries JSON of ``normen``: the value as a JSON number with every digit
    (it was a float, 5.123456789012346), and a double too large for JSON as its text."""
    data = Graph().parse(
        format="turtle",
        data=f"""
        @prefix krb: <https://data.krb.nl/def/krb#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        @prefix qudt: <http://qudt.org/schema/qudt/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{BASE}/id/norm/fijn> a krb:Beleidsnorm ; dct:identifier "FIJN" ;
            qudt:numericValue 5.123456789012345678 .
        <{BASE}/id/norm/groot> a krb:Beleidsnorm ; dct:identifier "GROOT" ;
            qudt:numericValue "INF"^^xsd:double .
        """,
    )
    model_store.add_to_graph(f"{BASE}/graph/getallen", data)
    spool = json_export(model_store, Settings(), load_catalogue(), "normen", {})
    with spool:
        answer = json.loads(spool.read(), parse_float=Decimal)
    values = {row["norm_code"]: row["norm_waarde"] for row in answer["rows"]}
    assert values == {"FIJN": Decimal("5.123456789012345678"), "GROOT": "INF"}
