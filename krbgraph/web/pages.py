"""The web front: server-rendered HTML pages that work without JavaScript.

Home, search, the query page, the dwarsverbanden network, the concept-scheme
trees, class listings and the ontology page. Each route gathers plain data
(mostly through named queries) and hands it to a Jinja2 template; routes are
sync functions, so FastAPI runs the blocking store calls in its thread pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Identifier

from ..namespaces import KRB, ONTOLOGY_IRI, ORG, PREFIXES
from ..queries import (
    Catalogue,
    ParameterError,
    UnknownQueryError,
    load_catalogue,
    prepare_query,
)
from ..settings import Settings
from ..sparql_text import SparqlRefused
from ..store import QueryResult, QuerySyntaxError, QueryTimeout, ResultTooLarge, Store, StoreError
from . import results as result_formats
from .deps import get_settings, get_store, reader_languages
from .describe import (
    Labeller,
    Link,
    amount_text,
    local_href,
    pick_label,
    run_query,
    short_name,
)
from .negotiation import CANONICAL_TYPES
from .network_svg import ThemeEdge, ThemeNode, theme_network_svg
from .search import IMBOR_OBJECTTYPE, LabelIndex, normalise
from .user_sparql import LimitsDep, user_query

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTML_ROWS = 1000
"""Rows the query page shows; the downloads carry the whole result."""

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

router = APIRouter(tags=["web"], include_in_schema=False, dependencies=[Depends(reader_languages)])

T = TypeVar("T")


# --- Shared per-app state (created on first use, never at import) ---------


def _per_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """The value kept on app.state under ``name``, made by ``make`` on first use."""
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = make()
        setattr(state, name, found)
    return found


def templates(request: Request) -> Jinja2Templates:
    """The app's template environment."""
    return _per_app(request, "krb_templates", _make_templates)


def _make_templates() -> Jinja2Templates:
    made = Jinja2Templates(directory=str(TEMPLATES))
    made.env.trim_blocks = True
    made.env.lstrip_blocks = True
    return made


def label_index(request: Request) -> LabelIndex:
    """The app's label index; built lazily from the store, see krbgraph.web.search."""
    return _per_app(request, "krb_label_index", LabelIndex)


def catalogue(request: Request) -> Catalogue:
    """The named-query catalogue, read once per app (the .rq files ship with the product)."""
    return _per_app(request, "krb_catalogue", load_catalogue)


def render(
    request: Request, name: str, context: dict[str, object], *, status_code: int = 200
) -> HTMLResponse:
    return templates(request).TemplateResponse(request, name, context, status_code=status_code)


def error_page(
    request: Request, status_code: int, title: str, message: str, iri: str | None = None
) -> HTMLResponse:
    context = {"title": title, "message": message, "iri": iri}
    return render(request, "error.html", context, status_code=status_code)


# --- Home --------------------------------------------------------------------

_COUNTED_CLASSES = {
    str(KRB.Beleidsdossier): "Beleidsdossiers",
    str(KRB.Besluitdocument): "Besluitdocumenten",
    str(KRB.Besluitproces): "Besluitprocessen",
    str(KRB.Beleidsthema): "Beleidsthema's",
    str(KRB.Beleidsaspect): "Beleidsaspecten",
    str(KRB.Beleidsindicator): "Beleidsindicatoren",
    str(KRB.Beleidsnorm): "Beleidsnormen",
    str(KRB.Beleidsregel): "Beleidsregels",
    str(KRB.Beleidsmaatregel): "Beleidsmaatregelen",
    str(KRB.MerMaatregel): "waarvan MER-maatregelen",
    str(KRB.BeoogdEffect): "Beoogde effecten",
    str(KRB.BeoogdeUitvoering): "Beoogde uitvoeringen",
    str(KRB.Werkingsgebied): "Werkingsgebieden",
    str(KRB.LokaalObjecttype): "Lokale objecttypen",
    str(ORG.OrganizationalUnit): "Afdelingen",
}


@dataclass(frozen=True)
class Count:
    label: str
    aantal: int
    href: str


@dataclass(frozen=True)
class ThemeSummary:
    link: Link
    indicatoren: int
    normen: int
    maatregelen: int


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    found = {str(r["klasse"]): int(r["aantal"]) for r in run_query(store, "web-aantallen").dicts()}
    counts = [
        Count(label, found.get(iri, 0), "/lijst?" + urlencode({"klasse": iri}))
        for iri, label in _COUNTED_CLASSES.items()
    ]
    labeller = Labeller(settings.base_iri)
    themes = [
        ThemeSummary(
            labeller.link(r["thema"], _text(r.get("thema_label"))),
            int(r.get("indicatoren", 0)),
            int(r.get("normen", 0)),
            int(r.get("maatregelen", 0)),
        )
        for r in run_query(store, "dwarsverbanden-themas").dicts()
    ]
    context = {
        "title": "Start",
        "counts": counts,
        "themes": themes,
        "klassen": {short_name(iri): iri for iri in _COUNTED_CLASSES},
        "theme_scheme": f"{settings.base_iri.rstrip('/')}/id/conceptschema/beleidsthemas",
        "leefomgeving_scheme": "https://data.krb.nl/id/conceptschema/leefomgeving",
    }
    return render(request, "home.html", context)


@router.get("/lijst", response_class=HTMLResponse)
def class_list(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    klasse: Annotated[str, Query(description="IRI of the class")],
) -> HTMLResponse:
    """Everything of one class, linked; the entry from the counts on the home page."""
    rows = run_query(store, "web-instanties", klasse=URIRef(klasse)).dicts()
    items = [
        {
            "label": _text(r.get("label")) or short_name(str(r["ding"])),
            "code": _text(r.get("code")),
            "href": local_href(str(r["ding"]), settings.base_iri),
        }
        for r in rows
    ]
    title = _COUNTED_CLASSES.get(klasse, short_name(klasse))
    context = {
        "title": title,
        "items": items,
        "class_href": local_href(klasse, settings.base_iri),
    }
    return render(request, "lijst.html", context)


# --- Search ------------------------------------------------------------------


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    index = label_index(request)
    groups = index.search(store, q)
    type_names = _type_names(index, store)
    shown = [
        {
            "name": type_names.get(group.type_iri or "", "Overig"),
            "total": group.total,
            "hits": [
                {
                    "label": hit.entry.label,
                    "href": local_href(hit.entry.iri, settings.base_iri),
                    "matched": None if hit.matched == normalise(hit.entry.label) else hit.matched,
                }
                for hit in group.hits
            ],
        }
        for group in groups
    ]
    context = {
        "title": f"Zoeken: {q}" if q else "Zoeken",
        "q": q,
        "groups": shown,
        "total": sum(group.total for group in groups),
    }
    return render(request, "search.html", context)


def _type_names(index: LabelIndex, store: Store) -> dict[str, str]:
    """Dutch names of the result groups, taken from the labels in the index."""
    names = {entry.iri: entry.label for entry in index.entries(store)}
    names[IMBOR_OBJECTTYPE] = "IMBOR-objecttypen"
    names[str(OWL.Class)] = "Klassen (bovenliggend in IMBOR, NEN 3610, ...)"
    names[str(SKOS.Concept)] = "Begrippen"
    names[str(ORG.OrganizationalUnit)] = "Afdelingen"
    names[str(SKOS.ConceptScheme)] = "Begrippenkaders"
    names[str(OWL.ObjectProperty)] = "Eigenschappen (objecten)"
    names[str(OWL.DatatypeProperty)] = "Eigenschappen (waarden)"
    names[str(OWL.AnnotationProperty)] = "Eigenschappen (annotaties)"
    return names


# --- Query page ----------------------------------------------------------------


@dataclass(frozen=True)
class ShownValue:
    text: str
    href: str | None
    iri: str | None = None


@dataclass(frozen=True)
class ShownResult:
    kind: str
    variables: tuple[str, ...]
    rows: list[list[ShownValue | None]]
    count: int
    truncated: bool
    boolean: bool | None


def _example_text(store: Store, queries: Catalogue, name: str, timeout_s: float) -> str:
    """The example's text with its defaults bound (``datum`` = today), so running it
    as shown answers what the named query answers; a query with required parameters
    is shown as written, for the reader to fill in."""
    try:
        return prepare_query(store, queries, name, {}, timeout_s=timeout_s)
    except ParameterError:
        return queries[name].sparql


@router.get("/query", response_class=HTMLResponse)
def query_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limits: LimitsDep,
    query: Annotated[str, Query(max_length=100_000)] = "",
    voorbeeld: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Editor, examples and results; submitting the form (GET) runs the query."""
    queries = catalogue(request)
    examples = queries.public()
    text = query
    status = 200
    if voorbeeld and not query:
        try:
            text = _example_text(store, queries, voorbeeld, settings.query_timeout_s)
        except UnknownQueryError as exc:
            return error_page(request, 404, "Onbekende voorbeeldquery", str(exc))
    shown: ShownResult | None = None
    error: str | None = None
    if query.strip():
        try:
            result = user_query(query, limits).run(store, settings)
            shown = _shown_result(result, settings.base_iri)
        except (SparqlRefused, StoreError) as exc:
            error, status = _query_error(exc, settings)
    downloads = {
        fmt: "/query/download?" + urlencode({"query": text, "format": fmt})
        for fmt in ("csv", "json", "tsv")
    }
    context = {
        "title": "Query",
        "query": text,
        "voorbeeld": voorbeeld,
        "examples": examples,
        "result": shown,
        "error": error,
        "downloads": downloads,
    }
    return render(request, "query.html", context, status_code=status)


def _query_error(exc: SparqlRefused | StoreError, settings: Settings) -> tuple[str, int]:
    """The Dutch message and status for a query of the editor that did not run.

    The statuses are those of the app's exception handlers; a store's own
    message may name its folder or server, so it goes to the log instead.
    """
    if isinstance(exc, SparqlRefused):
        return exc.nl, 400
    if isinstance(exc, QuerySyntaxError):
        return _syntax_message(exc), 400
    if isinstance(exc, QueryTimeout):
        limit = f"{settings.query_timeout_s:g}"
        return f"De query duurde langer dan {limit} seconden, de tijdslimiet van deze dienst.", 503
    if isinstance(exc, ResultTooLarge):
        unit = {"rows": "rijen"}.get(exc.unit, exc.unit)
        return (
            f"Het antwoord heeft meer dan {exc.limit} {unit}, het maximum van deze dienst; "
            "gebruik LIMIT en OFFSET om het in delen op te halen.",
            422,
        )
    logging.getLogger(__name__).error("store error in the query editor", exc_info=exc)
    return "De opslag kon de query niet uitvoeren; de fout is vastgelegd in het log.", 500


def _syntax_message(exc: QuerySyntaxError) -> str:
    where = f" (regel {exc.line}, kolom {exc.column})" if exc.line is not None else ""
    return f"Syntaxfout{where}: {exc}"


def _shown_result(result: QueryResult, base_iri: str) -> ShownResult:
    if result.kind == "ask":
        return ShownResult("ask", (), [], 0, False, bool(result.boolean))
    if result.kind == "graph":
        graph = result.graph if result.graph is not None else Graph()
        variables: tuple[str, ...] = ("subject", "predicate", "object")
        rows: list[tuple[Identifier | None, ...]] = sorted(graph, key=lambda t: tuple(map(str, t)))
    else:
        variables, rows = result.variables, list(result.rows)
    shown = [[_shown_value(term, base_iri) for term in row] for row in rows[:MAX_HTML_ROWS]]
    return ShownResult(result.kind, variables, shown, len(rows), len(rows) > MAX_HTML_ROWS, None)


def _shown_value(term: Identifier | None, base_iri: str) -> ShownValue | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        iri = str(term)
        return ShownValue(compact_iri(iri, base_iri), local_href(iri, base_iri), iri)
    return ShownValue(str(term), None)


def compact_iri(iri: str, base_iri: str) -> str:
    """A readable short form for tables: the registry's own IRIs as id:..., else a prefix."""
    base = base_iri.rstrip("/") + "/id/"
    if iri.startswith(base):
        return "id:" + iri[len(base) :]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


_GRAPH_DOWNLOADS = {"csv": "turtle", "tsv": "ntriples", "json": "jsonld", "xml": "rdfxml"}


@router.get("/query/download")
def query_download(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limits: LimitsDep,
    query: Annotated[str, Query(max_length=100_000)],
    format: Annotated[str, Query(pattern="^(csv|tsv|json|xml)$")] = "csv",
) -> Response:
    """The whole result of the editor's query as a file (graphs as RDF instead)."""
    try:
        result = user_query(query, limits).run(store, settings)
    except (SparqlRefused, StoreError) as exc:
        message, status = _query_error(exc, settings)
        return Response(message, status_code=status, media_type="text/plain")
    if result.kind == "graph":
        fmt = _GRAPH_DOWNLOADS[format]
        body = result_formats.serialize_graph(result.graph or Graph(), fmt)
        media = CANONICAL_TYPES[fmt]
        extension = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}[fmt]
    else:
        if result.kind == "ask" and format in ("csv", "tsv"):
            format = "json"
        body = result_formats.serialize_result(result, format)
        media, extension = CANONICAL_TYPES[format], format
    return Response(
        body,
        media_type=result_formats.content_type(media),
        headers={"Content-Disposition": f'attachment; filename="resultaat.{extension}"'},
    )


# --- Dwarsverbanden ------------------------------------------------------------


def theme_network(store: Store) -> tuple[list[ThemeNode], list[ThemeEdge], dict[str, str]]:
    """Nodes (themes with indicator counts) and edges (cross-links) of the whole registry."""
    labels: dict[str, str] = {}
    nodes = []
    for r in run_query(store, "dwarsverbanden-themas").dicts():
        iri = str(r["thema"])
        labels[iri] = _text(r.get("thema_label")) or short_name(iri)
        nodes.append(ThemeNode(iri, labels[iri], int(r.get("indicatoren", 0))))
    edges = []
    for r in run_query(store, "dwarsverbanden-netwerk").dicts():
        source, target = str(r["bron"]), str(r["doel"])
        labels.setdefault(source, _text(r.get("bron_label")) or short_name(source))
        labels.setdefault(target, _text(r.get("doel_label")) or short_name(target))
        edges.append(ThemeEdge(source, target, int(r["maatregelen"]), int(r["koppelingen"])))
    return nodes, edges, labels


def _edge_href(edge: ThemeEdge) -> str:
    return "/dwarsverbanden/maatregelen?" + urlencode({"bron": edge.source, "doel": edge.target})


def _node_href(node: ThemeNode) -> str:
    return "/dwarsverbanden/maatregelen?" + urlencode({"thema": node.iri})


@router.get("/dwarsverbanden", response_class=HTMLResponse)
def dwarsverbanden_page(request: Request, store: StoreDep) -> HTMLResponse:
    nodes, edges, labels = theme_network(store)
    svg = theme_network_svg(nodes, edges, node_href=_node_href, edge_href=_edge_href)
    rows = [
        {
            "source_label": labels[edge.source],
            "target_label": labels[edge.target],
            "measures": edge.measures,
            "effects": edge.effects,
            "href": _edge_href(edge),
        }
        for edge in edges
    ]
    context = {"title": "Dwarsverbanden", "svg": svg, "edges": rows}
    return render(request, "dwarsverbanden.html", context)


@router.get("/dwarsverbanden/maatregelen", response_class=HTMLResponse)
def dwarsverband_measures(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    bron: str | None = None,
    doel: str | None = None,
    thema: str | None = None,
) -> HTMLResponse:
    """The measures behind one edge (bron and doel) or around one theme (thema)."""
    terms = {}
    for name, value in (("bron", bron), ("doel", doel), ("thema", thema)):
        if value:
            if not value.startswith(("http://", "https://")):
                return error_page(
                    request, 400, "Ongeldig thema", f"{name}={value!r} is geen IRI van een thema."
                )
            terms[name] = URIRef(value)
    labeller = Labeller(settings.base_iri)
    rows = []
    for r in run_query(store, "web-dwarsverband-maatregelen", **terms).dicts():
        for key in ("bron", "doel"):
            labeller.labels[str(r[key])] = _text(r.get(f"{key}_label")) or short_name(str(r[key]))
        rows.append(
            (
                labeller.cell(r["maatregel"], r.get("maatregel_label")),
                labeller.cell(r["bron"]),
                labeller.cell(r["koppeling"], r.get("koppeling_label")),
                _text(r.get("soort")),
                amount_text(r.get("waarde"), r.get("eenheid_symbool")),
                labeller.cell(r["doelobject"], r.get("doelobject_label")),
                labeller.cell(r["doel"]),
            )
        )
    if bron and doel:
        source, target = _label_of(labeller, bron), _label_of(labeller, doel)
        title = f"Maatregelen van {source} met effect op {target}"
    elif thema:
        title = f"Dwarsverbanden van en naar {_label_of(labeller, thema)}"
    else:
        title = "Alle maatregelen met dwarsverbanden"
    context = {"title": title, "rows": rows}
    return render(request, "dwarsverband_maatregelen.html", context)


def _label_of(labeller: Labeller, iri: str) -> str:
    return labeller.labels.get(iri, short_name(iri))


# --- Concept scheme trees ------------------------------------------------------

LARGE_SCHEME = 300
"""Schemes with more concepts than this show their top level and open one branch at a time."""


@dataclass
class TreeNode:
    link: Link | None
    """None for the group of concepts that hang nowhere (see build_tree)."""
    children: list[TreeNode]
    size: int = 0
    open: bool = False
    expanded: bool = True
    expand_href: str = ""
    name: str = ""


OTHERS = "overige"
"""The `open=` value of the group of concepts without a broader concept in a scheme with tops."""


@router.get("/begrippen", response_class=HTMLResponse)
def schemes_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    schema: str | None = None,
    open: Annotated[str | None, Query(alias="open")] = None,
) -> HTMLResponse:
    """All concept schemes, or one scheme as a tree of nested lists."""
    schemes = {
        str(r["schema"]): (
            _text(r.get("titel")) or short_name(str(r["schema"])),
            int(r.get("begrippen", 0)),
        )
        for r in run_query(store, "web-schemas").dicts()
    }
    if not schema:
        listing = [
            {"iri": iri, "title": title, "count": count}
            for iri, (title, count) in sorted(schemes.items(), key=lambda item: item[1][0].lower())
        ]
        return render(request, "begrippen.html", {"title": "Begrippenkaders", "schemes": listing})
    if schema not in schemes:
        message = "Dit begrippenkader staat niet in het register."
        return error_page(request, 404, "Onbekend begrippenkader", message, schema)
    rows = run_query(store, "web-schema-begrippen", schema=URIRef(schema)).dicts()
    roots, count, large = build_tree(rows, schema, open, settings.base_iri)
    context = {
        "title": schemes[schema][0],
        "roots": roots,
        "count": count,
        "large": large,
        "scheme_href": local_href(schema, settings.base_iri),
    }
    return render(request, "schema.html", context)


def build_tree(
    rows: list[dict[str, Identifier]], schema: str, open_iri: str | None, base_iri: str
) -> tuple[list[TreeNode], int, bool]:
    """Nested nodes from (begrip, label, boven, top) rows.

    A scheme that names its top concepts starts from them; concepts that hang
    nowhere else are grouped under "Overige begrippen". A large scheme (IMBOR)
    shows its top level only and opens one branch, named by `open_iri`.
    """
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    tops: set[str] = set()
    for r in rows:
        iri = str(r["begrip"])
        labels[iri] = _text(r.get("label")) or labels.get(iri) or short_name(iri)
        parents.setdefault(iri, [])
        if "boven" in r and str(r["boven"]) != iri:
            parents[iri].append(str(r["boven"]))
        if r.get("top") is not None and r["top"].toPython() is True:
            tops.add(iri)
    children: dict[str, list[str]] = {}
    for iri, uppers in parents.items():
        for upper in dict.fromkeys(uppers):
            if upper in parents and upper != iri:
                children.setdefault(upper, []).append(iri)
    loose = [i for i in parents if i not in tops and not any(p in parents for p in parents[i])]
    roots = sorted(tops or loose, key=lambda iri: labels[iri].lower())
    others = sorted(loose, key=lambda iri: labels[iri].lower()) if tops else []
    large = len(parents) > LARGE_SCHEME
    labeller = Labeller(base_iri, labels)

    def expand_href(key: str) -> str:
        return "/begrippen?" + urlencode({"schema": schema, "open": key})

    def node(iri: str, depth: int, seen: frozenset[str]) -> TreeNode:
        kids = sorted(children.get(iri, []), key=lambda k: labels[k].lower())
        if large and depth == 0 and iri != open_iri:
            return TreeNode(labeller.link(iri), [], len(kids), False, False, expand_href(iri))
        inner = [node(k, depth + 1, seen | {iri}) for k in kids if k not in seen]
        return TreeNode(labeller.link(iri), inner, len(kids), open=not large or iri == open_iri)

    tree = [node(iri, 0, frozenset()) for iri in roots]
    if others:
        name = "Overige begrippen (zonder bovenliggend begrip)"
        if large and open_iri != OTHERS:
            group = TreeNode(None, [], len(others), False, False, expand_href(OTHERS), name)
        else:
            inner = [node(iri, 1, frozenset()) for iri in others]
            group = TreeNode(None, inner, len(others), open=open_iri == OTHERS, name=name)
        tree.append(group)
    return tree, len(parents), large


# --- Ontology page -------------------------------------------------------------


@dataclass(frozen=True)
class TermDoc:
    iri: str
    anchor: str
    label_nl: str
    label_en: str
    definition_nl: str | None
    definition_en: str | None
    comments: tuple[str, ...]
    facts: tuple[tuple[str, object], ...]
    rdf_href: str


def ontology_page(request: Request, store: Store, settings: Settings) -> HTMLResponse:
    """Every class and property of the KRB ontology with labels, definitions and links."""
    graph = store.read_graph(ONTOLOGY_IRI)
    labeller = Labeller(settings.base_iri)
    for subject, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language == "nl":
            labeller.labels[str(subject)] = str(label)
    krb = str(KRB)

    def own_terms(kinds: tuple[URIRef, ...]) -> list[URIRef]:
        found = {s for kind in kinds for s in graph.subjects(RDF.type, kind)}
        terms = [s for s in found if isinstance(s, URIRef) and str(s).startswith(krb)]
        return sorted(terms, key=lambda s: labeller.labels.get(str(s), str(s)).lower())

    def doc(term: URIRef, facts: list[tuple[str, object]]) -> TermDoc:
        def text(predicate: URIRef, language: str) -> str | None:
            return next(
                (
                    str(o)
                    for o in graph.objects(term, predicate)
                    if isinstance(o, Literal) and o.language == language
                ),
                None,
            )

        local = str(term)[len(krb) :]
        return TermDoc(
            iri=str(term),
            anchor=local,
            label_nl=text(RDFS.label, "nl") or local,
            label_en=text(RDFS.label, "en") or "",
            definition_nl=text(SKOS.definition, "nl"),
            definition_en=text(SKOS.definition, "en"),
            comments=tuple(str(o) for o in graph.objects(term, RDFS.comment)),
            facts=tuple((name, value) for name, value in facts if value),
            rdf_href="/resource?" + urlencode({"iri": str(term), "format": "ttl"}),
        )

    def links(terms: Iterable[Identifier]) -> list[Link]:
        found = (labeller.link(t, known=(t, None, None) in graph) for t in terms)
        return sorted(found, key=lambda link: link.text.lower())

    classes = [
        doc(
            term,
            [
                ("Subklasse van", links(graph.objects(term, RDFS.subClassOf))),
                ("Subklassen", links(graph.subjects(RDFS.subClassOf, term))),
                ("Disjunct met", links(graph.objects(term, OWL.disjointWith))),
                ("Eigenschappen", links(graph.subjects(RDFS.domain, term))),
            ],
        )
        for term in own_terms((OWL.Class,))
    ]
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    properties = [
        doc(
            term,
            [
                ("Soort", links(k for k in graph.objects(term, RDF.type))),
                ("Domein", links(graph.objects(term, RDFS.domain))),
                ("Bereik", links(graph.objects(term, RDFS.range))),
                ("Subeigenschap van", links(graph.objects(term, RDFS.subPropertyOf))),
            ],
        )
        for term in own_terms(kinds)
    ]
    ontology = URIRef(ONTOLOGY_IRI)
    title = pick_label(graph.objects(ontology, RDFS.label)) or "KRB-ontologie"
    description = pick_label(
        graph.objects(ontology, URIRef("http://purl.org/dc/terms/description"))
    )
    context = {
        "title": title,
        "description": description or "",
        "iri": ONTOLOGY_IRI,
        "classes": classes,
        "properties": properties,
    }
    return render(request, "ontology.html", context)


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


# --- Static files --------------------------------------------------------------

STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The stylesheet and friends, shipped with the package: the front needs no CDN."""
    path = STATIC / name
    if (
        "/" in name
        or name.startswith(".")
        or path.suffix not in _STATIC_TYPES
        or not path.is_file()
    ):
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=f"{_STATIC_TYPES[path.suffix]}; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
