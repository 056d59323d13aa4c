"""The query catalogue: .rq headers, parameter typing and the VALUES binding, without a store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from krbgraph.queries import (
    ParameterError,
    ParamType,
    QueryDefinitionError,
    UnknownQueryError,
    bind_parameters,
    catalogue_markdown,
    inject_values,
    load_catalogue,
    parse_query,
)

REQUIRED_QUERIES = {
    "dwarsverbanden-maatregel",
    "dwarsverbanden-netwerk",
    "beleid-in-gebied",
    "normen-per-imbor-objecttype",
    "normen-per-zoekingang",
    "compleetheid",
    "besluitspoor",
    "beleidsketen",
    "geldig-op",
}

XSD = "http://www.w3.org/2001/XMLSchema#"

GOOD = """\
# title: Voorbeeld
# description: Eerste regel
#   en een vervolgregel.
# param: ding (iri, required, class: krb:Beleidsmaatregel) Het ding.
# param: datum (date, optional, default: today) De peildatum.
# param: tekst (string, optional) Vrije tekst.
# column: ding Het ding.
# column: n Aantal.
#
# Free comment after the header.
SELECT ?ding (COUNT(*) AS ?n)
WHERE { ?ding ?p ?datum . FILTER (!BOUND(?tekst) || ?tekst = "x") }
GROUP BY ?ding
"""


def test_every_query_file_parses_and_the_required_queries_exist() -> None:
    catalogue = load_catalogue()
    assert set(catalogue) >= REQUIRED_QUERIES
    for query in catalogue.values():
        assert query.title and query.description
    for name in REQUIRED_QUERIES:
        assert catalogue[name].columns, f"{name} documents no columns"


def test_every_query_is_valid_sparql_once_bound() -> None:
    """Each query parses with its parameters bound to sample terms (syntax checked by Oxigraph)."""
    samples = {
        ParamType.IRI: ox.NamedNode("https://example.org/x"),
        ParamType.STRING: ox.Literal("x"),
        ParamType.DATE: ox.Literal("2025-01-01", datatype=ox.NamedNode(XSD + "date")),
        ParamType.DATETIME: ox.Literal(
            "2025-01-01T10:00:00+01:00", datatype=ox.NamedNode(XSD + "dateTime")
        ),
        ParamType.DECIMAL: ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
        ParamType.INTEGER: ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
        ParamType.BOOLEAN: ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    }
    empty = ox.Store()
    for query in load_catalogue().values():
        terms = {p.name: samples[p.type] for p in query.parameters}
        list(empty.query(inject_values(query.sparql, terms)))


def test_header_is_parsed_into_title_parameters_and_columns() -> None:
    query = parse_query("voorbeeld", GOOD, "voorbeeld.rq")
    assert query.title == "Voorbeeld"
    assert query.description == "Eerste regel en een vervolgregel."
    ding, datum, tekst = query.parameters
    assert (ding.type, ding.required, ding.klasse) == (
        ParamType.IRI,
        True,
        "https://data.krb.nl/def/krb#Beleidsmaatregel",
    )
    assert (datum.type, datum.required, datum.default) == (ParamType.DATE, False, "today")
    assert (tekst.type, tekst.required, tekst.default) == (ParamType.STRING, False, None)
    assert [c.name for c in query.columns] == ["ding", "n"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("# title: Voorbeeld\n", ""), "exactly one '# title"),
        (GOOD.replace("(iri, required,", "(uri, required,"), "voorbeeld.rq:4: unknown type 'uri'"),
        (GOOD.replace("(date, optional,", "(date,"), "voorbeeld.rq:5: say 'required' or"),
        (GOOD.replace("default: today", "default: gisteren"), "voorbeeld.rq:5: bad default"),
        (GOOD.replace("class: krb:", "class: foo:"), "must be <IRI> or use a known prefix"),
        (GOOD.replace("# column: n Aantal.", "# column: m Aantal."), "differ from the SELECT"),
        (GOOD.replace("# param: tekst", "# parameter: tekst"), "unknown header key 'parameter'"),
        (GOOD.replace("?tekst = ", "?anders = ").replace("BOUND(?tekst)", "true"), "never used"),
        (GOOD.replace("WHERE {", "{"), "no top-level 'WHERE {'"),
        (
            GOOD.replace("(date, optional, default: today)", "(date, required, default: today)"),
            "required parameter cannot have a default",
        ),
    ],
)
def test_a_broken_header_is_rejected_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(QueryDefinitionError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_query("voorbeeld", text, "voorbeeld.rq")


def test_an_unknown_query_lists_the_known_ones() -> None:
    catalogue = load_catalogue()
    with pytest.raises(UnknownQueryError) as caught:
        catalogue["bestaat-niet"]
    assert "bestaat-niet" in str(caught.value) and "geldig-op" in str(caught.value)


def test_docs_page_is_generated_from_the_current_headers() -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
    expected = catalogue_markdown(load_catalogue())
    assert page.read_text(encoding="utf-8") == expected, (
        "docs/queries.md is out of date: run `krb queries --format markdown > docs/queries.md`"
    )


# ------------------------------------------------------------------------ parameters

QUERY = parse_query("voorbeeld", GOOD, "voorbeeld.rq")
TYPED = parse_query(
    "getypt",
    """\
# title: Getypt
# description: Elk type een keer.
# param: d (decimal, optional) d
# param: i (integer, optional) i
# param: b (boolean, optional) b
# param: u (iri, optional) u
SELECT * WHERE { BIND (?d + ?i AS ?s) FILTER (?b) ?u ?p ?o }
""",
)


def test_values_become_typed_terms_and_today_is_the_run_date() -> None:
    terms = bind_parameters(
        QUERY, {"ding": "https://example.org/m/1", "tekst": 'a "b"'}, today=date(2026, 3, 1)
    )
    assert terms == {
        "ding": ox.NamedNode("https://example.org/m/1"),
        "datum": ox.Literal("2026-03-01", datatype=ox.NamedNode(XSD + "date")),
        "tekst": ox.Literal('a "b"'),
    }
    typed = bind_parameters(TYPED, {"d": "-3.50", "i": "+7", "b": "ja", "u": "urn:x:1"})
    assert typed == {
        "d": ox.Literal("-3.50", datatype=ox.NamedNode(XSD + "decimal")),
        "i": ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
        "b": ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        "u": ox.NamedNode("urn:x:1"),
    }


def test_an_optional_parameter_without_value_stays_unbound() -> None:
    terms = bind_parameters(QUERY, {"ding": "https://example.org/m/1", "datum": ""})
    assert "tekst" not in terms
    assert "datum" in terms  # the default applies


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs parameter 'ding' \\(iri\\)"),
        ({"ding": "https://x/1", "kleur": "rood"}, "no parameter 'kleur'; parameters: ding: iri"),
        ({"ding": "https://x/1", "datum": "2025-13-01"}, "'datum': '2025-13-01' is not a date"),
        ({"ding": "https://x/1", "datum": "20250101"}, "expected YYYY-MM-DD"),
        ({"ding": "GEL-M01"}, "'ding': 'GEL-M01' is not a valid absolute IRI"),
        ({"ding": "http://x/a b"}, "is not a valid absolute IRI"),
    ],
)
def test_wrong_values_are_rejected_naming_query_and_parameter(
    values: dict[str, str], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        bind_parameters(QUERY, values)


@pytest.mark.parametrize(
    ("name", "value"),
    [("d", "48,5"), ("d", "1e3"), ("d", "NaN"), ("i", "1.0"), ("i", "tien"), ("b", "misschien")],
)
def test_numbers_and_booleans_are_checked_strictly(name: str, value: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        bind_parameters(TYPED, {name: value})


# --------------------------------------------------------------------------- binding


def test_values_block_goes_first_in_the_outer_where_group_past_tricky_tokens() -> None:
    sparql = (
        "PREFIX ex: <http://ex/WHERE/>\n"
        "# WHERE { in a comment\n"
        "SELECT ?a (EXISTS { ?a ?b ?c } AS ?e) ?x\n"
        "WHERE {\n"
        '  ?a ex:p "WHERE { }" , """ } WHERE { """ .\n'
        "  FILTER (?a < ?x && ?x > 1)\n"
        "  { SELECT ?a WHERE { ?a ?q ?r } }\n"
        "}"
    )
    bound = inject_values(sparql, {"x": ox.Literal("} ; DROP ALL ; {")})
    head, tail = bound.split('VALUES (?x) { ("} ; DROP ALL ; {") }')
    assert head.endswith("WHERE {\n  ")
    assert tail.lstrip().startswith('?a ex:p "WHERE { }"')
    # The bound text parses as a single SELECT and the literal stays a literal.
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/WHERE/p"), ox.Literal("WHERE { }")
        )
    )
    assert list(store.query(bound)) == []


def test_literals_with_quotes_backslashes_and_newlines_are_escaped() -> None:
    nasty = 'x" } ; DROP ALL ; { "\\\n\'\r'
    bound = inject_values("SELECT ?t WHERE { }", {"t": ox.Literal(nasty)})
    solutions = list(ox.Store().query(bound))
    assert [s["t"] for s in solutions] == [ox.Literal(nasty)]


def test_query_without_parameters_is_left_unchanged() -> None:
    assert inject_values("SELECT * WHERE { ?s ?p ?o }", {}) == "SELECT * WHERE { ?s ?p ?o }"


def test_catalogue_folder_without_queries_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QueryDefinitionError, match="no .rq files"):
        load_catalogue(tmp_path)
