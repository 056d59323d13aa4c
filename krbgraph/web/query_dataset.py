"""The dataset a client's query names with FROM and FROM NAMED, as protocol parameters.

The service answers queries over the union of its graphs, so a query without a dataset
sees the whole registry. Both engines then ignore a query's own FROM (pyoxigraph's
union default graph, and `oxigraph serve --union-default-graph`, override it): ``FROM
<g>`` answered with every graph, a wrong answer given as a right one. The protocol's
``default-graph-uri`` and ``named-graph-uri`` are honoured by both, so the IRIs of the
query's dataset clauses are passed as those. They are read with rdflib's SPARQL parser,
which resolves prefixed names against the query's own PREFIX and BASE; only queries
with a FROM keyword pay for it.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from ..sparql_text import tokens
from ..store import QuerySyntaxError

EMPTY_DEFAULT_GRAPH = "urn:x-krb:empty-default-graph"
"""A graph nothing is in: the default graph of a query with FROM NAMED only (SPARQL 1.1,
13.2: then the default graph is empty)."""


def query_dataset(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]]:
    """(FROM IRIs, FROM NAMED IRIs) of ``text``, relative ones resolved against
    ``base_iri`` (the endpoint's, as the engine resolves the rest of the query);
    QuerySyntaxError when they cannot be read or are no IRIs."""
    try:
        parsed = translateQuery(parseQuery(dataset_part(text)), base=base_iri)
        clauses = parsed.algebra.get("datasetClause") or []
    except Exception as exc:  # rdflib raises what its parser meets: pyparsing, ValueError, ...
        raise QuerySyntaxError(
            "The query's FROM clause could not be read; give the dataset as the "
            f"default-graph-uri and named-graph-uri parameters instead ({exc})."
        ) from None
    default = [str(c["default"]) for c in clauses if "default" in c]
    named = [str(c["named"]) for c in clauses if "named" in c]
    for iri in default + named:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise QuerySyntaxError(f"FROM <{iri}> is not an absolute IRI ({exc}).") from None
    if named and not default:
        default = [EMPTY_DEFAULT_GRAPH]
    return default, named


def dataset_part(text: str) -> str:
    """``text`` up to its WHERE group, which is left empty: all rdflib needs to read the
    dataset clauses (prologue, query form, FROM, FROM NAMED). rdflib's parser takes half
    a millisecond per term and runs before the engine's time limit starts: a 1 MB query
    with FROM and a VALUES block of 110,000 values held a core for a minute, past the
    limit, without ever counting as a query that overran. A text whose WHERE group is
    not found is read whole."""
    toks = tokens(text)
    tops = [i for i, t in enumerate(toks) if t.depth == 0 and t.text == "{"]
    if not tops:
        return text
    first = tops[0]
    construct = any(t.depth == 0 and t.text.upper() == "CONSTRUCT" for t in toks[:first])
    if construct and toks[first - 1].text.upper() == "WHERE":
        # CONSTRUCT WHERE { template }: rdflib needs the template, not what follows it
        close = next((t for t in toks[first + 1 :] if t.depth == 0 and t.text == "}"), toks[-1])
        return text[: close.start + 1]
    where = tops[1] if construct else first  # a CONSTRUCT's template comes first
    if construct and len(tops) < 2:
        return text
    return text[: toks[where].start] + "{}"
