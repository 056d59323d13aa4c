"""The SPARQL 1.1 Graph Store HTTP Protocol at /store.

Graphs are named indirectly (``/store?graph=<iri>``, ``/store?default``) or
directly (``/store/some/path``: the graph IRI is that URL as the client sent it,
its escapes of characters outside ASCII read as those characters, RFC 3987 3.2;
``/store/x%2Fy`` is never the graph ``/store/x/y``). GET and HEAD are
open; PUT (replace), POST (add; multipart/form-data accepted) and DELETE need
the bearer token, and are validated before they commit (see writes.py). A
POST to /store itself creates a new graph ``{base}/graph/{uuid}`` and answers
201 with its IRI in ``Location``.

PUT, POST, DELETE, GET and HEAD evaluate If-Match and If-None-Match (412, or 304 for
a read): the store sends no entity tags, so ``*`` (the graph exists) is the only
condition that can hold (preconditions.py).

The default graph here is the store's own default graph, not the union of
all graphs that queries see: PUT, POST, GET and DELETE must address the same
graph.

A named graph exists while it holds triples (the store keeps no empty
graphs), so GET answers 404 for a graph without triples. A write that would
leave a named graph empty (PUT of no triples, POST of none to a new graph)
is refused with 400 rather than answered 201 or 204 for a graph that GET
would then not find; DELETE removes a graph. The default graph always
exists, empty or not.

A GET is written from the engine's own N-Triples of one state of the store into a
file before its answer starts (_graph_body), never as rdflib terms; like a read_graph,
and unlike a query, it is not held to KRB_QUERY_TIMEOUT_S.

Bodies are checked before a parser sees them (negotiation.check_rdf_body):
JSON-LD nested deeper than 100 levels crashes pyoxigraph, and RDF/XML with
a DOCTYPE can declare entities that expand without bound; both get 400.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from ..parse_errors import term_too_large
from ..rdfio import FORMATS as FILE_FORMATS
from ..rdfio import MAX_GRAPH_IRI, unsupported_term, without_bom
from ..registry import GraphNotAllowed, GraphRefused, refuse_unpermitted
from ..settings import Settings
from ..store import Store, StoreError, streaming
from ..store.streaming import released_on_error
from ..store.terms import graph_ref
from ..validation import ValidationFailed
from . import negotiation, results, writes
from .auth import require_write_access
from .bounded_body import MB, read_bounded_body, read_bounded_form
from .deps import get_settings, get_store
from .openapi_protocols import graph_store_operation
from .preconditions import Precondition, PreconditionFailed, graph_precondition
from .routes import per_method
from .spooled_export import IN_MEMORY, Spool, spooled_chunks
from .write_gate import hold_write_lock

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

router = APIRouter(tags=["Graph Store"])

_INPUT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


class _Root:
    """The request names no graph (POST creates one, other methods are an error)."""


_ROOT = _Root()
Target = str | None | _Root
"""A graph IRI, None for the store's default graph (``?default``), or _ROOT."""


@per_method(
    router,
    "/store",
    _METHODS,
    summary="Graph Store (indirect identification)",
    operation=lambda method: graph_store_operation(method, direct=False),
)
async def store_indirect(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    return await _handle(request, settings, store, _indirect_target(request))


@per_method(
    router,
    "/store/{path:path}",
    _METHODS,
    summary="Graph Store (direct identification)",
    operation=lambda method: graph_store_operation(method, direct=True),
)
async def store_direct(
    request: Request,
    path: str,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    if "graph" in request.query_params or "default" in request.query_params:
        raise _bad_request("Name a graph either by the URL path or by ?graph=/?default, not both.")
    return await _handle(request, settings, store, _graph_iri(_direct_iri(request)))


_ESCAPED_NON_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _direct_iri(request: Request) -> str:
    """The request's URL as an IRI: the path as sent (the server's own path is decoded:
    ``x%2Fy`` became ``x/y``, another graph, and ``a%20b`` a space no IRI may hold), with
    each escaped run of UTF-8 outside ASCII read as its characters (RFC 3987 3.2), as
    a client escapes the IRI ``.../caféplein`` to send it."""
    raw = request.scope.get("raw_path")
    if not raw:
        return str(request.url.replace(query=""))
    origin = str(request.url.replace(path="", query="", fragment="")).rstrip("/")
    path = raw.decode("utf-8", errors="replace").split("?", 1)[0]
    # Normalised as RFC 3986 (6.2.2) says: an escaped unreserved character is that
    # character (/store/x%7Eplan is /store/x~plan), the other escapes in upper case.
    path = _ESCAPE.sub(_normalised, path)
    return origin + _ESCAPED_NON_ASCII.sub(_as_characters, path)


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalised(escape: re.Match[str]) -> str:
    character = chr(int(escape.group(0)[1:], 16))
    return character if character in _UNRESERVED else escape.group(0).upper()


def _as_characters(run: re.Match[str]) -> str:
    escaped = run.group(0)
    try:
        return bytes.fromhex(escaped.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return escaped  # no UTF-8: the escapes are the IRI's own


def _bad_request(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def _graph_iri(value: str) -> str:
    if len(value) > MAX_GRAPH_IRI:
        raise _bad_request(
            f"The graph IRI has {len(value):,} characters; the most this service takes is "
            f"{MAX_GRAPH_IRI:,}."
        )
    try:
        graph_ref(value)
    except StoreError:
        raise _bad_request(f"graph={value!r} is not an absolute IRI.") from None
    return value


def _indirect_target(request: Request) -> Target:
    """The graph IRI, None for the default graph, or _ROOT when no graph is named."""
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    if len(graphs) > 1:
        raise _bad_request("Name one graph per request (graph= was given more than once).")
    if graphs and default:
        raise _bad_request("Use either ?graph=<iri> or ?default, not both.")
    if default:
        return None
    if graphs:
        return _graph_iri(graphs[0])
    return _ROOT


async def _handle(request: Request, settings: Settings, store: Store, target: Target) -> Response:
    method = request.method
    if method in ("GET", "HEAD"):
        if isinstance(target, _Root):
            raise _bad_request("Name a graph: /store?graph=<iri> or /store?default.")
        return await _read(request, store, target, head=method == "HEAD")
    writer = require_write_access(request, settings)
    gate = {
        "lock": hold_write_lock(request),
        "replicas": request.app.state.replicas,
        "writer": writer,
        "precondition": graph_precondition(request.headers),
    }
    try:
        if method == "DELETE":
            if isinstance(target, _Root):
                raise _bad_request("Name the graph to delete: /store?graph=<iri> or ?default.")
            try:
                await run_in_threadpool(writes.delete_graph, store, target, **gate)
            except KeyError:
                raise HTTPException(status.HTTP_404_NOT_FOUND, _no_graph(target)) from None
            return Response(status_code=status.HTTP_204_NO_CONTENT)
        location = None
        if isinstance(target, _Root):
            if method != "POST":
                raise _bad_request("Name the graph to write: /store?graph=<iri> or ?default.")
            # A token that may write some graphs only gets one of those (its prefix).
            home = writer.graph_prefix if writer is not None and writer.scoped else None
            home = home or f"{settings.base_iri.rstrip('/')}/graph/"
            target = location = f"{home}{uuid.uuid4()}"
        base = target if isinstance(target, str) else str(request.url.replace(query=""))
        precondition = gate["precondition"]
        if precondition is not None:
            # Before the body is read (RFC 9110 13.2.1): a false condition is 412 even when
            # the body is bad, and a large upload is not parsed for nothing; but after what
            # would refuse the write anyway (a model graph, a graph outside the token's
            # scope: 403, never 412). Checked again under the write lock, where it counts.
            refuse_unpermitted([target], writer)
            exists = await run_in_threadpool(writes.graph_exists, store, target)
            precondition(exists)
        data, files = await _read_body(request, base)
        created = await run_in_threadpool(
            partial(writes.store_graph, replace=method == "PUT"),
            store,
            target,
            data,
            source=f"Graph Store {method}{files}",
            **gate,
        )
    except (ValidationFailed, GraphRefused, GraphNotAllowed) as exc:
        return writes.refusal_response(exc, request.headers.get("accept"))
    except writes.EmptyGraphRefused as exc:
        raise _bad_request(str(exc)) from None
    except PreconditionFailed as exc:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, str(exc)) from None
    if created:
        headers = {"Location": location} if location else {}
        return Response(status_code=status.HTTP_201_CREATED, headers=headers)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _no_graph(target: str | None) -> str:
    return f"The store has no graph <{target}>."


async def _read(request: Request, store: Store, target: str | None, *, head: bool) -> Response:
    try:
        chosen = negotiation.choose_format(request.headers.get("accept"), negotiation.GRAPH_FORMATS)
    except negotiation.AcceptHeaderError as exc:
        raise _bad_request(str(exc)) from None
    if chosen is None:
        if head:
            return Response(status_code=status.HTTP_406_NOT_ACCEPTABLE)
        raise HTTPException(
            status.HTTP_406_NOT_ACCEPTABLE,
            "None of the accepted media types is available; available: "
            f"{negotiation.describe_offers(negotiation.GRAPH_FORMATS)}.",
        )
    fmt, media_type = chosen

    precondition = graph_precondition(request.headers)
    try:
        body = await run_in_threadpool(_graph_body, store, target, fmt, precondition)
    except PreconditionFailed as exc:
        # A read whose If-None-Match is false is answered "not modified" (RFC 9110 13.1.2).
        if exc.field == "If-None-Match":
            return Response(status_code=status.HTTP_304_NOT_MODIFIED)
        if head:
            return Response(status_code=status.HTTP_412_PRECONDITION_FAILED)
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED, str(exc)) from None
    if body is None:
        if head:
            return Response(status_code=status.HTTP_404_NOT_FOUND)
        raise HTTPException(status.HTTP_404_NOT_FOUND, _no_graph(target))
    headers = {"Vary": "Accept"}
    size = body.seek(0, io.SEEK_END)
    body.seek(0)
    if size <= WHOLE_BYTES:
        with body:
            data = body.read()
        return Response(data, media_type=results.content_type(media_type), headers=headers)
    headers["Content-Length"] = str(size)
    return StreamingResponse(
        spooled_chunks(body), media_type=results.content_type(media_type), headers=headers
    )


WHOLE_BYTES = 1 << 20
"""A graph up to this size is sent in one piece, as every graph was before: its
Content-Length stays also when the answer is compressed (GZip streams a body that comes
in pieces), which caches and HEAD rely on."""


@released_on_error()
def _graph_body(
    store: Store, target: str | None, fmt: str, precondition: Precondition | None
) -> Spool | None:
    """The graph in ``fmt`` in a spooled file (in memory up to IN_MEMORY, on disk past
    it) rewound for reading, or None when the store has no such graph. Written whole
    before the answer starts, as an export (spooled_export): a failure is an error
    status, never a cut-off graph. Everything comes from the engine's N-Triples of one
    state of the store (krbgraph.store.streaming.write_graph), which also tell whether
    the graph exists: the 404, the precondition and the triples cannot disagree, and no
    count of every graph runs first. Never as rdflib terms: 100,000 triples took 12 s
    and 400,000 over 30 s and a gigabyte that way."""
    with ExitStack() as on_failure:
        ntriples = on_failure.enter_context(tempfile.SpooledTemporaryFile(max_size=IN_MEMORY))
        exists = streaming.write_graph(store, target, ntriples) or target is None
        if precondition is not None:
            precondition(exists)
        if not exists:
            return None
        ntriples.seek(0)
        body = ntriples
        if fmt != "ntriples":
            body = on_failure.enter_context(tempfile.SpooledTemporaryFile(max_size=IN_MEMORY))
            with ntriples:  # no longer needed once written in ``fmt``
                results.write_graph(ntriples, fmt, body)
        body.seek(0)
        on_failure.pop_all()  # written: from here the response owns the file
    return body


# -- request bodies ----------------------------------------------------------


async def _read_body(request: Request, base: str) -> tuple[list[ox.Triple], str]:
    """The RDF in the request: one document, or every part of a multipart/form-data upload;
    and, for the audit trail's source, the files of an upload (" of a.ttl, b.ttl"), as a
    workbook's write is recorded by its file name.

    Kept as pyoxigraph triples to the store: a municipality's registry of a million
    triples turned into an rdflib graph and back cost more than validating it."""
    raw_type = request.headers.get("content-type")
    if not raw_type:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "The request has no Content-Type; send RDF (e.g. text/turtle).",
        )
    media_type, _ = negotiation.parse_media_type(raw_type)
    files = ""
    if media_type == "multipart/form-data":
        parts: list[tuple[str, ox.RdfFormat, bytes]] = []
        names: list[str] = []
        form = await read_bounded_form(request, _body_limit(request))
        try:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    # The file, when the part has one: an <input multiple> (or curl -F
                    # file=@a -F file=@b) sends every file as a part of the same name.
                    where = f"file '{value.filename}'" if value.filename else f"part '{name}'"
                    fmt = _part_format(where, value)
                    parts.append((where, fmt, await value.read()))
                    names.append(value.filename or name)
        finally:
            await form.close()
        if not parts:
            raise _bad_request("The multipart/form-data request holds no file parts.")
        files = " of " + ", ".join(names)
    else:
        body = await read_bounded_body(request, _body_limit(request))
        parts = [("request body", _input_format(media_type), body)]
    return await run_in_threadpool(_parse_parts, parts, base), files


def _body_limit(request: Request) -> int:
    """KRB_MAX_UPLOAD_MB in bytes: larger bodies are refused with 413 before they are read."""
    return int(request.app.state.settings.max_upload_mb * MB)


def _input_format(media_type: str) -> ox.RdfFormat:
    fmt = negotiation.RDF_INPUT_TYPES.get(media_type)
    if fmt is None:
        accepted = ", ".join(negotiation.RDF_INPUT_TYPES)
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {media_type} is not an RDF syntax this store reads; use one of "
            f"{accepted} or multipart/form-data.",
        )
    return _INPUT_FORMATS[fmt]


def _part_format(where: str, part: UploadFile) -> ox.RdfFormat:
    """A part's syntax from its Content-Type, else from its file name; ``where`` names
    the part in a refusal (its file, else its name)."""
    if part.content_type and part.content_type != "application/octet-stream":
        return _input_format(negotiation.parse_media_type(part.content_type)[0])
    suffix = Path(part.filename or "").suffix.lower()
    if suffix in FILE_FORMATS and suffix not in (".nq", ".trig"):
        return FILE_FORMATS[suffix]
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        f"The {where} has no RDF Content-Type and its file name does not tell the syntax.",
    )


_CHECKED_FORMATS = {
    ox.RdfFormat.JSON_LD: "jsonld",
    ox.RdfFormat.RDF_XML: "rdfxml",
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.N3: "n3",
}
"""Syntaxes whose bodies negotiation.check_rdf_body reads before the parser does."""


def _parse_parts(parts: list[tuple[str, ox.RdfFormat, bytes]], base: str) -> list[ox.Triple]:
    triples: list[ox.Triple] = []
    for where, fmt, data in parts:
        try:
            negotiation.check_rdf_body(_CHECKED_FORMATS.get(fmt, ""), data)
        except negotiation.UnsafeBody as exc:
            raise _bad_request(f"The RDF in the {where} is refused: {exc}") from None
        data = without_bom(data)  # Notepad's; `krb load` reads such a file too
        try:
            quads = list(ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=True))
        except SyntaxError as exc:
            raise _bad_request(f"The RDF in the {where} cannot be read: {exc.msg}") from None
        except ValueError as exc:
            raise _bad_request(f"The RDF in the {where} cannot be read: {exc}") from None
        except MemoryError as exc:
            line, message = term_too_large(exc, data)
            at = f" (line {line})" if line is not None else ""
            raise _bad_request(f"The RDF in the {where} cannot be read{at}: {message}") from None
        problem = unsupported_term(quads)
        if problem is not None:
            raise _bad_request(f"The RDF in the {where} is refused: {problem}.")
        if any(not isinstance(quad.graph_name, ox.DefaultGraph) for quad in quads):
            raise _bad_request(
                f"The RDF in the {where} holds named graphs; a Graph Store request writes "
                "triples into one graph."
            )
        triples.extend(quad.triple for quad in quads)
    return triples
