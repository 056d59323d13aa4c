"""The dataset a client's query names with FROM and FROM NAMED, as protocol parameters.

The service answers queries over the union of its graphs, so a query without a dataset
sees the whole registry. Both engines then ignore a query's own FROM (pyoxigraph's
union default graph, and `oxigraph serve --union-default-graph`, override it): ``FROM
<g>`` answered with every graph, a wrong answer given as a right one. The protocol's
``default-graph-uri`` and ``named-graph-uri`` are honoured by both, so the IRIs of the
query's dataset clauses are passed as those.

The IRIs are resolved by the engine itself, from the query's own prologue (BASE and
PREFIX) written before a VALUES query of the clauses' terms as the client wrote them:
rdflib's parser, used before, resolved some otherwise (a base's fragment kept, a
relative BASE replacing the one before it, no base for a ``urn:``, a prefixed name's
escapes kept: a graph that does not exist, or a valid query refused), refused syntax the
engine reads, and took half a millisecond per term of the whole query before the time
limit started. Only queries with a FROM keyword pay for it.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..sparql_text import Token, tokens
from ..store import QuerySyntaxError

EMPTY_DEFAULT_GRAPH = "urn:x-krb:empty-default-graph"
"""A graph nothing is in: the default graph of a query with FROM NAMED only (SPARQL 1.1,
13.2: then the default graph is empty)."""

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_dataset(text: str, base_iri: str | None = None) -> tuple[list[str], list[str]]:
    """(FROM IRIs, FROM NAMED IRIs) of ``text``, relative ones resolved against
    ``base_iri`` (the endpoint's, as the engine resolves the rest of the query);
    QuerySyntaxError when they cannot be read or are no IRIs."""
    toks = tokens(text)
    form = next((i for i, t in enumerate(toks) if t.depth == 0 and t.text.upper() in _FORMS), None)
    if form is None:
        return [], []
    clauses = _clauses(toks[form:])
    if not clauses:
        return [], []
    rows = " ".join(f"({term} {'true' if named else 'false'})" for term, named in clauses)
    lookup = (
        f"{text[: toks[form].start]}\nSELECT ?g ?named WHERE {{ VALUES (?g ?named) {{ {rows} }} }}"
    )
    try:
        answer = ox.Store().query(lookup, base_iri=base_iri)
    except (SyntaxError, ValueError) as exc:
        raise QuerySyntaxError(
            f"The query's FROM clause could not be read ({exc}); give the dataset as the "
            "default-graph-uri and named-graph-uri parameters instead."
        ) from None
    assert isinstance(answer, ox.QuerySolutions)
    default: list[str] = []
    named: list[str] = []
    for row in answer:
        graph, is_named = row[0], row[1]
        if not isinstance(graph, ox.NamedNode):
            raise QuerySyntaxError(f"FROM {graph} is not an IRI.")
        (named if is_named is not None and is_named.value == "true" else default).append(
            graph.value
        )
    if named and not default:
        default = [EMPTY_DEFAULT_GRAPH]
    # A graph named twice is that graph once (an RDF merge with itself): the engine's
    # union of the list counted each of its triples twice.
    return list(dict.fromkeys(default)), list(dict.fromkeys(named))


def _clauses(toks: list[Token]) -> list[tuple[str, bool]]:
    """(term as written, named?) of each FROM [NAMED] at the top level, before the WHERE
    group (a FROM inside it, in a subquery, is not SPARQL and the engine says so)."""
    found: list[tuple[str, bool]] = []
    index = 0
    while index < len(toks):
        token = toks[index]
        if token.depth == 0 and token.text == "{" and not _template(toks, index):
            break
        if token.depth == 0 and token.kind == "word" and token.text.upper() == "FROM":
            named = index + 1 < len(toks) and toks[index + 1].text.upper() == "NAMED"
            at = index + (2 if named else 1)
            if at < len(toks) and toks[at].kind in ("iri", "pname"):
                found.append((toks[at].text, named))
            index = at
        index += 1
    return found


def _template(toks: list[Token], index: int) -> bool:
    """Whether the top-level '{' at ``index`` opens a CONSTRUCT template (the first
    group of a CONSTRUCT not written CONSTRUCT WHERE)."""
    if toks[0].text.upper() != "CONSTRUCT":
        return False
    earlier = [i for i, t in enumerate(toks[:index]) if t.depth == 0 and t.text == "{"]
    return not earlier and toks[index - 1].text.upper() != "WHERE"
