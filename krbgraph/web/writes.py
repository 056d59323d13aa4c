"""Validated writes over HTTP: a change is committed only if the registry still conforms.

Every write first computes the state the registry would be in and validates
that, so an invalid change never reaches the store:

- SPARQL Update: the update runs on an in-memory pyoxigraph copy of the whole
  store; if the registry data of the copy conforms (and no model graph was
  touched), the same update runs on the real store, which applies it as one
  transaction.
- Graph Store Protocol: the new content of the target graph is validated
  together with all other data graphs, then written in one store call.

Writes are serialised by one lock per application (``app.state.write_lock``,
made by create_app), so the state that was validated is the state the write
is applied to (as long as this service is the only writer of the store, which
an embedded store guarantees).

Limits, stated honestly: an update using RAND(), UUID(), STRUUID(), NOW() or
creating blank nodes runs twice (copy, then store), so the stored values
differ from the validated ones in those generated values only.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from fastapi import Response
from fastapi.responses import JSONResponse
from rdflib import Graph

from ..loading import ValidationFailed
from ..model import model_graph, shapes_graph
from ..store import QuerySyntaxError, Store, StoreError, model_graph_iris
from ..store.terms import rdflib_graph
from ..validation import validate_graph
from . import negotiation, results


class WriteRefused(Exception):
    """The write touches something the service does not let clients change."""


def prepare_validation() -> None:
    """Parse the model and the shapes and run the validator once, before the first write.

    They are cached for the life of the process; without this the first
    write of a service pays for parsing them while its client waits.
    """
    model_graph()
    shapes_graph()
    validate_graph(Graph())


def check_update_syntax(update: str, *, base_iri: str) -> None:
    """Raise QuerySyntaxError (with line and column) when ``update`` is not SPARQL Update.

    The check runs the update on an empty in-memory store, where it cannot
    change anything; callers refuse LOAD and SERVICE before this point, so
    nothing is fetched from the network.
    """
    try:
        ox.Store().update(update, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_message(str(exc)) from exc


def apply_update(store: Store, update: str, *, base_iri: str, lock: threading.Lock) -> None:
    """Run a SPARQL update if, and only if, the registry data conforms afterwards.

    Raises QuerySyntaxError, WriteRefused (a model graph would change),
    ValidationFailed (with the validation result) or StoreError. ``base_iri``
    resolves relative IRIs in the update (the service uses its endpoint URL).
    The update runs as given: callers that take updates from clients refuse
    LOAD and SERVICE first, which would reach the network.
    """
    model = model_graph_iris()
    with lock:
        copy = _snapshot(store)
        before_model = _quads(copy, model, inside=True)
        before_data = _quads(copy, model, inside=False)
        try:
            copy.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"the update failed: {exc}") from exc
        after_model = _quads(copy, model, inside=True)
        if after_model != before_model:
            changed = sorted(
                {q.graph_name.value for q in after_model ^ before_model}  # type: ignore[union-attr]
            )
            raise WriteRefused(
                "The update changes the model graph(s) "
                + ", ".join(f"<{iri}>" for iri in changed)
                + ", which the service maintains from the product's source files. "
                "Only registry data graphs can be changed."
            )
        after_data = _quads(copy, model, inside=False)
        if after_data != before_data:
            _require_conforming(rdflib_graph(after_data))
        store.update(update, base_iri=base_iri)


def graph_exists(store: Store, graph: str | None) -> bool:
    """Whether the Graph Store has ``graph``; the default graph always exists."""
    return graph is None or any(info.iri == graph for info in store.graphs())


def put_graph(store: Store, graph: str | None, data: Graph, *, lock: threading.Lock) -> bool:
    """Replace a graph's content (None: the default graph); returns True when it was created.

    Raises WriteRefused for a model graph and ValidationFailed when the registry
    would not conform.
    """
    return _write_graph(store, graph, data, lock=lock, replace=True)


def post_graph(store: Store, graph: str | None, data: Graph, *, lock: threading.Lock) -> bool:
    """Add triples to a graph (None: the default graph); returns True when it was created."""
    return _write_graph(store, graph, data, lock=lock, replace=False)


def _write_graph(
    store: Store, graph: str | None, data: Graph, *, lock: threading.Lock, replace: bool
) -> bool:
    _refuse_model_graph(graph)
    with lock:
        created = not graph_exists(store, graph)
        _require_conforming(_registry_with(store, graph, data, keep_old=not replace))
        store.write_graphs({graph: data}, replace=replace)
        return created


def delete_graph(store: Store, graph: str | None, *, lock: threading.Lock) -> None:
    """Remove a named graph (or empty the default graph); KeyError when there is no such graph."""
    _refuse_model_graph(graph)
    with lock:
        if not graph_exists(store, graph):
            raise KeyError(graph)
        _require_conforming(_registry_with(store, graph, Graph(), keep_old=False))
        if graph is None:
            store.replace_graph(None, Graph())
        else:
            store.drop_graph(graph)


# -- helpers -----------------------------------------------------------------


def _refuse_model_graph(graph: str | None) -> None:
    if graph is not None and graph in model_graph_iris():
        raise WriteRefused(
            f"<{graph}> is a model graph, maintained by the service from the product's "
            "source files; it cannot be changed over HTTP."
        )


def _require_conforming(data: Graph) -> None:
    result = validate_graph(data)
    if not result.conforms:
        raise ValidationFailed(result)


def _registry_with(store: Store, graph: str | None, data: Graph, *, keep_old: bool) -> Graph:
    """All registry data as it would be after writing ``data`` into ``graph``."""
    model = model_graph_iris()
    combined = Graph()
    targets: list[str | None] = [None] + [
        info.iri for info in store.graphs() if info.iri not in model
    ]
    for name in targets:
        if name == graph and not keep_old:
            continue
        for triple in store.read_graph(name):
            combined.add(triple)
    for triple in data:
        combined.add(triple)
    return combined


def _snapshot(store: Store) -> ox.Store:
    """An in-memory copy of every quad of ``store``."""
    with tempfile.TemporaryDirectory(prefix="krb-update-") as folder:
        path = Path(folder) / "snapshot.nq"
        store.dump(path)
        copy = ox.Store()
        copy.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return copy


def _quads(copy: ox.Store, model: frozenset[str], *, inside: bool) -> set[ox.Quad]:
    """The quads inside the model graphs (``inside``) or outside them."""
    return {
        quad
        for quad in copy
        if (isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value in model) is inside
    }


def refusal_response(exc: ValidationFailed | WriteRefused, accept: str | None) -> Response:
    """The HTTP answer to a refused write: 422 with the findings, or 403 with the reason.

    The findings come as JSON (nl and en messages per object) or, when the
    client asks for RDF, as the SHACL validation report.
    """
    if isinstance(exc, WriteRefused):
        return JSONResponse({"detail": str(exc)}, status_code=403)
    try:
        chosen = negotiation.choose_format(accept, negotiation.REPORT_FORMATS)
    except negotiation.AcceptHeaderError:
        chosen = None
    fmt, media_type = chosen or ("findings", "application/json")
    body = results.validation_report(exc.result, str(exc), fmt)
    return Response(body, status_code=422, media_type=results.content_type(media_type))
