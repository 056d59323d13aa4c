"""How krbgraph reaches a SPARQL server, and checks that the server is set up as it needs.

Two mistakes of an operator gave wrong answers as right ones, with exit code 0:

- a server that answers queries over its own default graph instead of the union of
  its named graphs (Oxigraph started without ``--union-default-graph``, Fuseki without
  ``unionDefaultGraph``): every named query answered nothing. ``UnionCheck`` asks once
  per process, in one small query, whether a triple of a named graph is in the default
  graph;
- a ``KRB_GRAPH_STORE_URL`` that is not the server's Graph Store (``/data`` where
  Oxigraph's is ``/store``): it answers 404 for every graph, which read as "no such
  graph", so a dump held 0 quads and a validation of the store checked an empty copy.
  ``graph_missing`` asks the SPARQL endpoint whether a graph the Graph Store says it
  lacks holds triples; when it does, the Graph Store URL is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import URIRef

from ..settings import Settings, shown_url
from .base import QueryResult, StoreError


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        """Oxigraph's paths under a server root, unless the URLs are given explicitly.

        With neither KRB_UPDATE_URL nor KRB_GRAPH_STORE_URL set, KRB_STORE is
        the root of an ``oxigraph serve`` (``/query``, ``/update``, ``/store``).
        With either set, KRB_STORE is the query endpoint itself, updates go to
        KRB_UPDATE_URL (default: the query endpoint) and graphs are read from
        KRB_GRAPH_STORE_URL (default: by CONSTRUCT queries).
        """
        url = settings.store
        if settings.update_url is None and settings.graph_store_url is None:
            root = url.rstrip("/")
            return cls(f"{root}/query", f"{root}/update", f"{root}/store")
        return cls(url, settings.update_url or url, settings.graph_store_url)


class ServerSetupError(StoreError):
    """The server is reachable but not set up as krbgraph needs: its answers would be
    wrong, not missing. Never passed over as a server that is away."""


UNION_CHECK = """
SELECT (EXISTS { ?s ?p ?o } AS ?seen)
WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1 } }
"""
"""One triple of any named graph, and whether the default graph holds it: a server whose
default graph is the union of its named graphs answers true, one that answers over its
own default graph alone false, and one without named graphs no row. Portable SPARQL 1.1,
and as cheap on a store of millions of triples as on an empty one (the first triple of
one index, then one lookup)."""

_SEEN: set[str] = set()
"""Query endpoints seen to answer over the union in this process: each is asked once."""

Query = Callable[..., QueryResult]
"""A store's ``query``."""


class UnionCheck:
    """Whether a server answers queries over the union of its named graphs, asked with
    UNION_CHECK when a store is opened, and before each query until it could tell (a
    server that holds no named graph yet: its answers are right, empty either way)."""

    def __init__(self, query_url: str, *, asked: bool = False) -> None:
        """``asked``: nothing to check (krbgraph's own engine, started so)."""
        self._url = query_url
        self._pending = not asked and query_url not in _SEEN

    def __call__(self, query: Query) -> None:
        """ServerSetupError when the server answers over its own default graph alone."""
        if not self._pending:
            return
        self._pending = False  # the check's own query checks nothing
        try:
            rows = query(UNION_CHECK).rows
        finally:
            self._pending = True
        seen = rows[0][0] if rows else None
        if seen is None:
            return  # no named graph to tell by
        if str(seen).lower() in ("false", "0"):
            raise ServerSetupError(
                f"the SPARQL server at {shown_url(self._url)} answers queries over its own "
                "default graph only, not over the union of its named graphs, where krbgraph "
                "keeps the model and the registries: every query would answer (next to) "
                "nothing. Start it with a union default graph: Oxigraph `oxigraph serve "
                "--location DIR --union-default-graph`; Apache Jena Fuseki "
                "`tdb2:unionDefaultGraph true` (TDB1: `tdb:unionDefaultGraph true`) in the "
                "dataset's configuration; GraphDB and Virtuoso do so by default (see "
                "docs/store.md, 'Endpoints of a remote store')."
            )
        self._pending = False
        _SEEN.add(self._url)

    def when_opened(self, query: Query) -> None:
        """The check as a store is opened: a server that is away or refuses the query is
        left to say so at the first query, as before, which checks again."""
        try:
            self(query)
        except ServerSetupError:
            raise
        except StoreError:
            pass


def graph_missing(endpoints: Endpoints, graph: str | None, query: Query) -> None:
    """After the Graph Store answered 404 for ``graph``: nothing when the SPARQL endpoint
    says the graph holds no triples either (dropped meanwhile, or never there), nor for
    the default graph (always there, but a server may answer 404 for an empty one);
    ServerSetupError when it holds some, as a URL that is not the Graph Store answers 404
    for every graph."""
    if graph is None:
        return
    if not query("ASK WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": URIRef(graph)}).boolean:
        return
    store = shown_url(endpoints.graph_store or "")
    raise ServerSetupError(
        f"the Graph Store at {store} answered 404 (no such graph) for <{graph}>, which "
        f"the SPARQL endpoint {shown_url(endpoints.query)} says holds triples: {store} is "
        "not this server's Graph Store endpoint. Check KRB_GRAPH_STORE_URL: Oxigraph's "
        "Graph Store is SERVER/store, Fuseki's SERVER/DATASET/data, GraphDB's "
        "SERVER/repositories/REPOSITORY/rdf-graphs/service (docs/store.md); without it "
        "and KRB_UPDATE_URL, KRB_STORE must be the root of an Oxigraph server, whose /store "
        "is used."
    )
