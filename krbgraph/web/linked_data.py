"""Dereferencing: every IRI of the registry and the model answers on this server.

The configured base IRI maps onto the server's own paths, so
``GET /id/beleidsnorm/GEL-N01`` describes ``{base}/id/beleidsnorm/GEL-N01``
whether the service runs on a laptop or on the registry's own domain. Model
terms are served under /def/krb (the ontology page, one anchor per term),
product value lists under /begrip/..., the registry's graphs under /graph/..., and
any other IRI in the store (IMBOR classes, units, schemes, the product's other graphs)
through /resource?iri=. Browsers get HTML; RDF clients get Turtle, JSON-LD, N-Triples
or RDF/XML by Accept or ?format=. The name of a graph is described as a graph
(krbgraph.web.graph_description), on every path that reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ..namespaces import ONTOLOGY_IRI
from ..settings import Settings
from ..store import Store
from ..store.modelgraphs import META_GRAPH
from . import negotiation, results
from .deps import get_settings, get_store, reader_languages, single_parameters
from .describe import (
    MODEL_DOCUMENTS,
    ONTOLOGY_PAGES,
    ResourceView,
    local_href,
    query_text,
    requested_iri,
    shown_value,
    valid_iri,
)
from .graph_description import NamedGraph, description, graph_page, named_graph
from .openapi_protocols import linked_data_operation
from .pages.ontology import ontology_page
from .resource_page import describe_resource
from .routes import per_method
from .row_cap import RowsParam, all_rows_href, rows_shown
from .templating import error_page, render

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

FORMAT_PARAMETER = {"ttl": "turtle", "jsonld": "jsonld", "nt": "ntriples", "rdf": "rdfxml"}
"""Values of ?format= and the serialisation each stands for (html: the page)."""

HTML = "text/html"
OFFERS = [HTML, *negotiation.GRAPH_FORMATS]
"""HTML first, so browsers and clients that accept anything get the page. No XHTML: the
pages are text/html, and offered as XHTML they were sent to clients that refused HTML
(``text/html;q=0, */*``, ``application/*``)."""

FormatParam = Annotated[
    str | None,
    Query(pattern="^(html|ttl|jsonld|nt|rdf)$", description="html, ttl, jsonld, nt or rdf"),
]
router = APIRouter(
    tags=["linked data"], dependencies=[Depends(reader_languages), Depends(single_parameters)]
)

READ = ["GET", "HEAD"]
"""Linked-data pages answer HEAD like GET (same status and Content-Type, no body)."""


@dataclass(frozen=True)
class PageOptions:
    """The query parameters every resource page takes."""

    format: FormatParam = None
    rijen: RowsParam = None

    def query(self) -> str:
        """As a query string ("" for none): ``?format=ttl&rijen=alle``."""
        asked = urlencode({k: v for k, v in (("format", self.format), ("rijen", self.rijen)) if v})
        return f"?{asked}" if asked else ""


PageDep = Annotated[PageOptions, Depends()]


@per_method(
    router,
    "/id/{path:path}",
    READ,
    summary="A thing of the registry ({base}/id/...)",
    **linked_data_operation(),
)
def thing(
    request: Request, path: str, store: StoreDep, settings: SettingsDep, page: PageDep
) -> Response:
    iri = requested_iri(store, "id", path, _raw_path(request), settings.base_iri)
    return dereference(request, iri, store, settings, page)


@per_method(
    router,
    "/begrip/{path:path}",
    READ,
    summary="A concept of a product value list",
    **linked_data_operation(),
)
def begrip(
    request: Request, path: str, store: StoreDep, settings: SettingsDep, page: PageDep
) -> Response:
    iri = requested_iri(store, "begrip", path, _raw_path(request), settings.base_iri)
    return dereference(request, iri, store, settings, page)


@per_method(
    router,
    "/graph/{path:path}",
    READ,
    summary="A graph of the registry ({base}/graph/...): its description",
    **linked_data_operation(),
)
def registry_graph(
    request: Request, path: str, store: StoreDep, settings: SettingsDep, page: PageDep
) -> Response:
    iri = requested_iri(store, "graph", path, _raw_path(request), settings.base_iri)
    return dereference(request, iri, store, settings, page, graphs=True)


def _raw_path(request: Request) -> bytes:
    """The path as the client sent it, percent escapes kept (ASGI ``raw_path``)."""
    raw = request.scope.get("raw_path")
    return raw if isinstance(raw, bytes) else request.url.path.encode()


MAX_IRI = 8_000
"""Longest IRI /resource looks up: WFS and ArcGIS query URLs used as IRIs run past 2,000
characters (a page linked one and the link answered 422); a request line stays well
within what the HTTP server reads."""


@per_method(
    router,
    "/resource",
    READ,
    summary="Any IRI in the store (IMBOR classes, units, schemes, ...)",
    **linked_data_operation(redirects=True),
)
def any_resource(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    iri: Annotated[str, Query(min_length=1, max_length=MAX_IRI)],
    page: PageDep,
) -> Response:
    local = local_href(iri, settings.base_iri)
    if not local.startswith("/resource?") and "#" not in local:
        # The IRI has a nicer page of its own; keep one address per resource.
        return RedirectResponse(local + page.query(), status_code=303)
    return dereference(request, iri, store, settings, page, graphs=True)


@per_method(
    router,
    "/def/krb",
    READ,
    summary="The KRB ontology (HTML page with one anchor per term, or RDF)",
    **linked_data_operation(),
)
def ontology(
    request: Request, store: StoreDep, settings: SettingsDep, format: FormatParam = None
) -> Response:
    chosen = choose(request, format)
    if chosen is None:
        return not_acceptable()
    if chosen == "html":
        return varies_by_accept(ontology_page(request, store, settings))
    return rdf_response(store.read_graph(ONTOLOGY_IRI), chosen)


def _model_document(path: str) -> Callable[..., Response]:
    page_iri, graph = MODEL_DOCUMENTS[path]

    def document(
        request: Request, store: StoreDep, settings: SettingsDep, page: PageDep
    ) -> Response:
        chosen = choose(request, page.format)
        if chosen is None:
            return not_acceptable()
        if chosen == "html":  # the document's own description, with links to its RDF
            return dereference(request, page_iri, store, settings, page, document_of=graph)
        media = negotiation.CANONICAL_TYPES[chosen]
        return Response(
            _document_bytes(store, graph, chosen),
            media_type=results.content_type(media),
            headers={"Vary": "Accept"},
        )

    document.__name__ = "model_document_" + path.strip("/").replace("/", "_").replace("-", "_")
    document.__doc__ = f"The model document <{page_iri}>: its page, or all its triples as RDF."
    return document


_DOCUMENTS: dict[tuple[str, str, str], bytes] = {}
"""Serialised model documents by (graph, format, the hash of the files it was loaded
from): the IMBOR extract takes seconds of CPU to write out, the same for every reader
until the model changes. At most one entry per graph and format."""

_LOADED_FROM = f"""
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?hash WHERE {{ GRAPH <{META_GRAPH}> {{ ?d sd:name ?graph ; dct:identifier ?hash }} }}
"""


def _document_bytes(store: Store, graph: str, fmt: str) -> bytes:
    rows = store.query(_LOADED_FROM, bindings={"graph": URIRef(graph)}).rows
    stamp = str(rows[0][0]) if len(rows) == 1 and rows[0][0] is not None else None
    if stamp is not None and (graph, fmt, stamp) in _DOCUMENTS:
        return _DOCUMENTS[(graph, fmt, stamp)]
    data = results.serialize_graph(store.read_graph(graph), fmt)
    if stamp is not None:
        for key in [k for k in _DOCUMENTS if k[:2] == (graph, fmt)]:
            del _DOCUMENTS[key]
        _DOCUMENTS[(graph, fmt, stamp)] = data
    return data


for _path in MODEL_DOCUMENTS:  # before /def/krb/{term}, which would take /def/krb/shapes
    per_method(
        router,
        _path,
        READ,
        summary="A model document (shapes, IMBOR or QUDT extract)",
        **linked_data_operation(),
    )(_model_document(_path))


_HAS_TERM = "ASK WHERE { GRAPH ?ontology { ?iri ?p ?o } }"
_IS_VERSION = (
    "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    "ASK WHERE { GRAPH ?ontology { ?ontology owl:versionIRI ?iri } }"
)


@per_method(router, "/def/krb/{term}", READ, include_in_schema=False)
def ontology_term(
    request: Request, term: str, store: StoreDep, settings: SettingsDep, page: PageDep
) -> Response:
    """A term asked for with a slash instead of '#' goes to its anchor, the version IRI
    (/def/krb/0.1.0) to the ontology, the product's graphs /def/krb/afgeleid and
    /def/krb/meta are described (describe.ONTOLOGY_PAGES: never anything registry data
    says of another IRI here), and a term the ontology lacks is a 404, not an anchor
    nothing on the page carries."""
    term_iri = valid_iri(f"{ONTOLOGY_IRI}#{term}")
    query = request.url.query
    asked = f"?{query}" if query else ""  # ?format=nt goes along: Turtle asked, Turtle given
    slash_iri = valid_iri(f"{ONTOLOGY_IRI}/{term}")
    ontology = URIRef(ONTOLOGY_IRI)
    if (
        term_iri is not None
        and store.query(_HAS_TERM, bindings={"ontology": ontology, "iri": term_iri}).boolean
    ):
        return RedirectResponse(f"/def/krb{asked}#{quote(term, safe='')}", status_code=303)
    if (
        slash_iri is not None
        and store.query(_IS_VERSION, bindings={"ontology": ontology, "iri": slash_iri}).boolean
    ):
        return RedirectResponse(f"/def/krb{asked}", status_code=303)
    if slash_iri is not None and str(slash_iri) in ONTOLOGY_PAGES:
        return dereference(request, str(slash_iri), store, settings, page, graphs=True)
    chosen = choose(request, None) or "html"
    return _not_found(
        request, chosen, f"{ONTOLOGY_IRI}#{term}", "Deze term staat niet in de KRB-ontologie."
    )


def dereference(
    request: Request,
    iri: str,
    store: Store,
    settings: Settings,
    page: PageOptions,
    *,
    document_of: str | None = None,
    graphs: bool = False,
    missing: str = "Deze resource staat niet in het register.",
) -> Response:
    """The resource as HTML or RDF; 404 (saying ``missing``) when no triple in the store
    has it as subject and no graph has it as name. A graph's name gets the graph's
    description (krbgraph.web.graph_description): asked first where the route names
    graphs (``graphs``: /graph, /resource, /def/krb/...), elsewhere only for an IRI the
    store has no facts of (a graph named under {base}/id/), as every question is a
    round trip to a remote store. ``document_of``: the page of a model document, whose
    RDF is that graph; the page shows the graph's facts.
    The page's tables show row_cap.ROWS_SHOWN rows each, every row with ``?rijen=alle``.
    Every answer varies by Accept, the HTML one too: a shared cache that kept the page
    without it handed HTML to the next client asking for Turtle."""

    def named(facts: bool) -> NamedGraph | None:
        asked = graphs or document_of is not None or not facts
        return named_graph(store, document_of or iri) if asked else None

    described = document_of is None  # a model document's page shows the graph's facts
    return varies_by_accept(
        _dereference(request, iri, store, settings, page, named, described, missing)
    )


def varies_by_accept(response: Response) -> Response:
    """``response`` with Accept among the request headers it varies by."""
    vary = response.headers.get("Vary", "")
    if "accept" not in {part.strip().lower() for part in vary.split(",")}:
        response.headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
    return response


def _dereference(
    request: Request,
    iri: str,
    store: Store,
    settings: Settings,
    page: PageOptions,
    named_if: Callable[[bool], NamedGraph | None],
    described: bool,
    missing: str,
) -> Response:
    """``named_if(facts)``: the graph ``iri`` names, if asked (whether it has facts)."""
    chosen = choose(request, page.format)
    if chosen is None:
        return not_acceptable()
    resource = valid_iri(iri)
    if resource is None:
        return _not_found(request, chosen, iri, f"{shown_value(iri)} is geen geldige IRI.")
    service = str(request.base_url)
    if chosen == "html":
        shown, after = rows_shown(page.rijen), request.query_params.get("na")
        view: ResourceView | None = describe_resource(
            store, iri, settings.base_iri, shown=shown, after=after
        )
        named = named_if(view is not None)
        if named is not None:
            view = graph_page(
                store,
                view,
                named,
                base_iri=settings.base_iri,
                service=service,
                shown=shown,
                after=after,
                described=described,
            )
        if view is None:
            return _not_found(request, chosen, iri, missing)
        context = {
            "title": view.label,
            "view": view,
            "formats": {key: _format_href(iri, settings, key) for key in FORMAT_PARAMETER},
            "tree_href": _tree_href(view),
            "rows_shown": rows_shown(page.rijen),
            "all_rows_href": all_rows_href(request),
        }
        return render(request, "resource.html", context)
    graph = resource_graph(store, resource)
    if (named := named_if(len(graph) > 0)) is not None:
        graph += description(named, service)
    if len(graph) == 0:
        return _not_found(request, chosen, iri, missing)
    return rdf_response(graph, chosen)


def resource_graph(store: Store, resource: URIRef) -> Graph:
    """The concise bounded description: outgoing triples plus those of blank-node values."""
    result = store.query(query_text("web-resource-beschrijving"), bindings={"resource": resource})
    return result.graph if result.graph is not None else Graph()


def choose(request: Request, format: str | None) -> str | None:
    """'html' or a graph format; ?format= wins over Accept. None means 406; a malformed
    Accept header is a 400 saying what is wrong, as /sparql and /store answer it."""
    if format:
        return "html" if format == "html" else FORMAT_PARAMETER[format]
    try:
        offer = negotiation.best_match(request.headers.get("accept"), OFFERS)
    except negotiation.AcceptHeaderError as exc:
        raise HTTPException(400, str(exc), headers={"Vary": "Accept"}) from None
    if offer is None:
        return None
    return "html" if offer == HTML else negotiation.GRAPH_FORMATS[offer]


def rdf_response(graph: Graph, fmt: str) -> Response:
    media = negotiation.CANONICAL_TYPES[fmt]
    return Response(
        results.serialize_graph(graph, fmt),
        media_type=results.content_type(media),
        headers={"Vary": "Accept"},
    )


def not_acceptable() -> Response:
    offered = ", ".join([HTML, negotiation.describe_offers(negotiation.GRAPH_FORMATS)])
    return Response(
        f"None of the requested media types can be produced; available: {offered}",
        status_code=406,
        media_type="text/plain",
        headers={"Vary": "Accept"},
    )


def _not_found(request: Request, chosen: str, iri: str, message: str) -> Response:
    if chosen == "html":
        page = error_page(request, 404, "Niet gevonden", message, iri)
        page.headers["Vary"] = "Accept"  # the body depends on it; a 404 may be cached
        return page
    return Response(
        f"Not found: <{iri}> is not in the registry",
        404,
        media_type="text/plain",
        headers={"Vary": "Accept"},
    )


def _format_href(iri: str, settings: Settings, key: str) -> str:
    local = local_href(iri, settings.base_iri)
    if "#" in local:
        return "/resource?" + urlencode({"iri": iri, "format": key})
    return f"{local}{'&' if '?' in local else '?'}format={key}"


def _tree_href(view: ResourceView) -> str | None:
    """Concept schemes also browse as a tree."""
    if any(link.iri == str(SKOS.ConceptScheme) for link in view.types):
        return "/begrippen?" + urlencode({"schema": view.iri})
    return None
