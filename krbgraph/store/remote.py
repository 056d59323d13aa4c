"""The remote backend: any SPARQL 1.1 server over the SPARQL 1.1 Protocol.

Queries and updates follow the SPARQL 1.1 Protocol (queries as URL-encoded
form POSTs, updates as application/sparql-update bodies); graphs are
read with the Graph Store Protocol (GET ?graph= / ?default). Every write,
however many graphs it touches, is ONE update request
(``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }``) built from
data parsed completely on this side first: a server that runs a request as
one transaction (Oxigraph, Fuseki, GraphDB) then applies it all or nothing,
which a series of Graph Store PUTs cannot promise.

The server must answer queries over the union of its named graphs as the
default graph (Oxigraph ``serve --union-default-graph``, Fuseki
``tdb2:unionDefaultGraph true``; GraphDB and Virtuoso do this by default):
the model and the registries live in separate named graphs. A server that does not, and
a Graph Store URL that is not one, are refused (remote_setup), never read as empty.

Query answers are streamed and parsed as they arrive: the time and size limits are
checked between solutions, and the connection is closed as soon as one is exceeded, so
a huge answer is never held in memory (Oxigraph then stops evaluating; other servers
may not). Relative IRIs are resolved against ``base_iri`` by a ``BASE`` line put in
front of the text; syntax error positions in Oxigraph's format (``error at L:C``) are
corrected for that line, other servers' messages count it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from ..model import WRITES_GRAPH
from ..settings import Settings
from . import write_claim
from .answers import AnswerLimits, collect
from .backend import StoreBackend, TripleData
from .base import QueryResult, QuerySyntaxError, StoreError, UnsupportedAnswer
from .dumps import dump_format, read_dump, write_dump
from .remote_errors import graph_store_errors
from .remote_errors import http_errors as _http_errors
from .remote_errors import refusal as _refusal
from .remote_setup import Endpoints as Endpoints
from .remote_setup import ServerSetupError, UnionCheck, graph_missing
from .terms import (
    ToOxigraph,
    bind_values,
    dataset_update,
    followed_by,
    graph_ref,
    joined_update,
    named_node,
    rdflib_graph,
    with_base,
    write_update,
)
from .write_claim import new_version, read_between_writes, turn_for

_HOLDS_ANY = f"ASK {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH <{WRITES_GRAPH}> {{ ?s ?p ?o }} }} }}"
"""Whether the store (its default graph: the union) holds a triple but the bookkeeping's."""

QUERY_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
WRITE_TIMEOUT_S = 600.0
"""How long a write may take on the server before we give up waiting."""
CONNECT_TIMEOUT_S = 10.0


class RemoteStore(StoreBackend):
    """A Store on a SPARQL 1.1 server, reached with httpx."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        client: httpx.Client,
        default_timeout_s: float | None = None,
        on_connect: Callable[[tuple[str, int]], object] | None = None,
        shared: bool = False,
    ):
        """``on_connect`` is called with the client's (host, port) of every new
        connection this store opens, before its request is sent (the supervised
        engine finds the thread that serves it by that address). ``shared``: a server
        other processes may write too, whose write version every update sets
        (krbgraph.store.write_claim); not the supervised engine's own child."""
        self.endpoints = endpoints
        self.default_timeout_s = default_timeout_s
        self.shared = shared
        self.written_version: str | None = None
        """The write version this store's last update set (on a shared server)."""
        self._client = client
        self._on_connect = on_connect
        self._union_check = UnionCheck(endpoints.query, asked=not shared)

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """KRB_USER + KRB_PASSWORD are sent as HTTP Basic, KRB_PASSWORD alone as bearer token."""
        headers = {"User-Agent": "krbgraph"}
        auth: httpx.Auth | None = None
        if settings.user is not None:
            auth = httpx.BasicAuth(settings.user, settings.password or "")
        elif settings.password is not None:
            headers["Authorization"] = f"Bearer {settings.password}"
        client = httpx.Client(headers=headers, auth=auth, follow_redirects=True)
        store = cls(
            Endpoints.from_settings(settings),
            client=client,
            default_timeout_s=settings.query_timeout_s,
            shared=True,
        )
        try:
            store._union_check.when_opened(store.query)
        except ServerSetupError:
            store.close()
            raise
        return store

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoints.query!r})"

    # -- reading ---------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
        nice: int = 0,
    ) -> QueryResult:
        del nice  # another server's threads are not ours to change
        self._union_check(self.query)
        text = bind_values(sparql, bindings)
        if base_iri is not None:
            text = with_base(text, base_iri)
        form: dict[str, str | list[str]] = {
            "query": text,
            "default-graph-uri": [named_node(iri).value for iri in default_graph_uris],
            "named-graph-uri": [named_node(iri).value for iri in named_graph_uris],
        }
        timeout = timeout_s if timeout_s is not None else self.default_timeout_s
        limits = AnswerLimits(max_rows=max_rows, max_bytes=max_bytes, timeout_s=timeout)
        url = self.endpoints.query
        try:
            with (
                _http_errors(url, "query", timeout),
                # A form POST ("query via URL-encoded POST") rather than an
                # application/sparql-query body: both are SPARQL 1.1 Protocol, but
                # Virtuoso 7 never answers the latter.
                self._streamed(
                    "POST",
                    url,
                    data=form,
                    headers={"Accept": QUERY_ACCEPT},
                    timeout=timeout,
                    what="query",
                ) as response,
            ):
                return _read_answer(response, limits)
        except QuerySyntaxError as exc:
            if base_iri is None:
                raise
            raise exc.lines_removed(1) from exc

    @contextmanager
    def solutions(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[ox.QuerySolutions]:
        """The solutions of a SELECT query, parsed as the server sends them.

        For exports (krbgraph.store.streaming): nothing is collected, so memory
        stays flat however long the answer. The time limit is checked as the
        body arrives; the response is closed when the block ends. Use the
        solutions inside the block. Raises QuerySyntaxError, QueryTimeout or
        StoreError (also for an answer that is not a SELECT's).
        """
        self._union_check(self.query)
        text = bind_values(sparql, bindings)
        timeout = timeout_s if timeout_s is not None else self.default_timeout_s
        limits = AnswerLimits(timeout_s=timeout)
        url = self.endpoints.query
        with (
            _http_errors(url, "query", timeout),
            self._streamed(
                "POST",
                url,
                data={"query": text},
                headers={"Accept": QUERY_ACCEPT},
                timeout=timeout,
                what="query",
            ) as response,
        ):
            media = _media_type(response)
            if media not in RESULT_FORMATS:  # a graph, from a CONSTRUCT or DESCRIBE
                raise StoreError(f"only SELECT answers can be streamed, not {media or 'this'}")
            body = io.BufferedReader(BodyReader(response, limits))
            try:
                answer = ox.parse_query_results(body, RESULT_FORMATS[media])
            except SyntaxError as exc:
                raise StoreError(f"the server sent an unreadable {media} answer: {exc}") from exc
            if not isinstance(answer, ox.QuerySolutions):
                raise StoreError("only SELECT answers can be streamed, not an ASK")
            yield answer

    def read_graph(self, graph: str | None) -> rdflib.Graph:
        return rdflib_graph(self._graph_triples(graph))

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """The triples of one graph with the server's own blank node labels."""
        if self.endpoints.graph_store is None and graph is not None:
            result = self.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph_uris=[graph]
            )
            return list(ToOxigraph().triples(result.graph or rdflib.Graph()))
        with graph_store_errors(), self.graph_response(graph) as response:
            if response is None:
                return []
            return [q.triple for q in ox.parse(response.read(), format=rdf_format(response))]

    @contextmanager
    def graph_response(self, graph: str | None) -> Iterator[httpx.Response | None]:
        """One graph as the Graph Store sends it, its body still to be read (None: the server
        has no such graph), for a reader that passes a large graph on as it arrives
        (streaming.write_graph); given a write's time, as a whole graph may be large. A 404
        for a named graph the SPARQL endpoint says holds triples is a wrong Graph Store
        URL, never an empty graph (ServerSetupError, remote_setup.graph_missing)."""
        url = self.endpoints.graph_store
        if url is None:
            raise StoreError(
                "reading the default graph needs the Graph Store Protocol; set KRB_GRAPH_STORE_URL"
            )
        params = {"default": ""} if graph is None else {"graph": named_node(graph).value}
        with (
            _http_errors(url, "graph read", WRITE_TIMEOUT_S),
            self._streamed(
                "GET",
                url,
                params=params,
                headers={"Accept": "application/n-triples"},
                timeout=WRITE_TIMEOUT_S,
                what="graph read",
                missing_ok=True,
            ) as response,
        ):
            if response.status_code != 404:
                yield response
                return
        graph_missing(self.endpoints, graph, self.query)
        yield None

    def copy_data(self, into: ox.Store, *, leave_out: Collection[str]) -> None:
        """Each graph's Graph Store answer, with the server's blank node labels, none
        written meanwhile (read_between_writes); the graphs left out are never sent (the
        derived graph is as large as the data)."""
        if self.endpoints.graph_store is None:
            raise StoreError("a copy of a remote store needs KRB_GRAPH_STORE_URL")

        def read() -> None:
            into.clear()  # what an earlier attempt, overtaken by a write, loaded
            wanted = [info.iri for info in self.graphs() if info.iri not in leave_out]
            for graph in [None, *wanted]:
                target = ox.DefaultGraph() if graph is None else named_node(graph)
                # Parsed, not loaded: a load names blank nodes anew per call, and a blank
                # node two graphs share (a period and its norm) must stay one node.
                with graph_store_errors(), self.graph_response(graph) as response:
                    if response is not None:
                        into.extend(
                            ox.Quad(q.subject, q.predicate, q.object, target)
                            for q in ox.parse(response.read(), format=rdf_format(response))
                        )

        read_between_writes(self, read)

    # -- writing ---------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None, repeatable: bool = False) -> None:
        """On a shared server the update also sets a new write version, in the same
        request, and is marked in the turn first (krbgraph.store.write_claim)."""
        del repeatable  # a server's failure is reported; another client may have written since
        text = sparql if base_iri is None else with_base(sparql, base_iri)
        version = new_version() if self.shared else None
        if version is not None:
            text = followed_by(text, write_claim.sent_with_data(self, version))
        try:
            self._post_update(text)
        except QuerySyntaxError as exc:
            if base_iri is None:
                raise
            raise exc.lines_removed(1) from exc
        if version is not None:
            self.written_version = version

    def update_unversioned(self, sparql: str) -> None:
        """An update that leaves the write version as it is: a service's announcement
        of a write (krbgraph.store.write_claim), which changes no data."""
        self._post_update(sparql)

    def _post_update(self, text: str) -> None:
        self._send(
            "POST",
            self.endpoints.update,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            timeout=WRITE_TIMEOUT_S,
            what="update",
        )

    def _write_triples(self, graphs: TripleData, replace: bool, then: str = "") -> None:
        self.update(joined_update(write_update(graphs, replace=replace), then))

    def drop_graph(self, graph: str) -> None:
        ref = graph_ref(graph)
        exists = self.query(
            "ASK WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": rdflib.URIRef(graph)}
        )
        if not exists.boolean:
            raise KeyError(f"the store has no graph <{graph}>")
        self.update(f"DROP GRAPH {ref}")

    # -- whole store -----------------------------------------------------

    def dump(self, path: Path) -> int:
        """All graphs, one Graph Store GET each, none written meanwhile (server's labels)."""
        dump_format(path)
        if self.endpoints.graph_store is None:
            raise StoreError("a dump of a remote store needs KRB_GRAPH_STORE_URL")
        try:
            return write_dump(path, read_between_writes(self, self._every_quad))
        except OSError as exc:
            raise StoreError(f"could not write dump {path}: {exc}") from exc

    def _every_quad(self) -> list[ox.Quad]:
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in self._graph_triples(None)]
        for info in self.graphs():
            name = named_node(info.iri)
            triples = self._graph_triples(info.iri)
            quads += [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        return quads

    def restore(self, path: Path, *, unchecked: bool = False) -> int:
        dump_format(path)
        quads = read_dump(path, unchecked=unchecked)
        # In a turn, as every write to a shared server: no other writer's first write
        # lands between the check that the store is empty and the restore.
        with turn_for(self):
            if self.query(_HOLDS_ANY).boolean:
                raise StoreError("the store is not empty; restore only into an empty store")
            self.update(dataset_update(quads))
        return len(quads)

    def close(self) -> None:
        write_claim.closing(self)  # a write intent it could not withdraw: one more try
        self._client.close()

    # -- HTTP --------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout: float | None,
        missing_ok: bool = False,
        **kwargs: object,
    ) -> httpx.Response:
        """A complete response (body read) with a success status, or 404 when ``missing_ok``."""
        with (
            _http_errors(url, what, timeout),
            self._streamed(
                method, url, what=what, timeout=timeout, missing_ok=missing_ok, **kwargs
            ) as response,
        ):
            response.read()
            return response

    @contextmanager
    def _streamed(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout: float | None,
        missing_ok: bool = False,
        **kwargs: object,
    ) -> Iterator[httpx.Response]:
        """A response whose body is still to be read; it is closed when the block ends.

        An error status becomes QuerySyntaxError (400 to a query or update) or
        StoreError; network failures are left to the caller's ``_http_errors``.
        """
        limits = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT_S)
        if self._on_connect is not None:
            kwargs["extensions"] = {"trace": self._trace}
        request = self._client.build_request(method, url, timeout=limits, **kwargs)  # type: ignore[arg-type]
        response = self._client.send(request, stream=True)
        try:
            if not (response.is_success or (missing_ok and response.status_code == 404)):
                response.read()
                raise _refusal(response, url, what)
            write_claim.server_answered(self)  # back: withdraw what it could not
            yield response
        finally:
            response.close()

    def _trace(self, event: str, info: dict[str, object]) -> None:
        """httpcore's trace hook: hands a new connection's client address to ``on_connect``."""
        if event == "connection.connect_tcp.complete" and self._on_connect is not None:
            stream = info.get("return_value")
            address = getattr(stream, "get_extra_info", lambda _name: None)("client_addr")
            if isinstance(address, tuple) and len(address) >= 2:
                self._on_connect((str(address[0]), int(address[1])))


class BodyReader(io.RawIOBase):
    """A streamed response body as a file, so pyoxigraph parses it while it arrives.

    The time limit is checked before each chunk, so a server that sends
    slowly cannot keep the reader past it either.
    """

    def __init__(self, response: httpx.Response, limits: AnswerLimits):
        self._chunks = response.iter_bytes()
        self._limits = limits
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            self._limits.check_time()
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _media_type(response: httpx.Response) -> str:
    content_type: str = response.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower()


def rdf_format(response: httpx.Response) -> ox.RdfFormat:
    """The RDF syntax of a response, from its Content-Type; StoreError for another."""
    media = _media_type(response)
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        raise StoreError(f"{response.url} answered with {media or 'no content type'}, not RDF")
    return fmt


def _read_answer(response: httpx.Response, limits: AnswerLimits) -> QueryResult:
    """The answer parsed from the streamed body, read only up to the limits."""
    media = _media_type(response)
    body = io.BufferedReader(BodyReader(response, limits))
    try:
        if media in RESULT_FORMATS:
            return collect(ox.parse_query_results(body, RESULT_FORMATS[media]), limits)
        return collect(ox.parse(body, format=rdf_format(response)), limits)
    except SyntaxError as exc:
        # The server computed a term its own formats cannot carry (STRDT("abc",
        # rdf:langString) in a CONSTRUCT): the query's doing, said to its author.
        raise UnsupportedAnswer(
            f"The answer holds a term that cannot be read back ({exc}); change the query "
            "so that it makes valid RDF terms."
        ) from exc
