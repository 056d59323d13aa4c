"""Validated writes over HTTP: a change is committed only if the registry still conforms.

Every write first computes the state the registry would be in and validates
that, so an invalid change never reaches the store:

- SPARQL Update: the update runs once, on an in-memory pyoxigraph copy of the
  whole store. The change is the difference between the copy before and
  after: quads added and quads removed. If no model graph is among them and
  the registry data of the copy conforms, exactly that change is committed
  in one update. Running the update a second time on the store instead
  would not do: RAND(), NOW(), UUID(), STRUUID() and blank nodes give other
  values on each run, so the store could end up in a state nobody validated.
- Graph Store Protocol: the new content of the target graph is validated
  together with all other data graphs, then written in one store call.

Writes are serialised by one lock per application (``app.state.write_lock``,
made by create_app), so the state that was validated is the state the write
is applied to (as long as this service is the only writer of the store, which
an embedded store guarantees).

The store keeps only graphs that hold triples (the copy is made from a dump,
and the change drops a graph it empties), so an empty named graph never
exists: a Graph Store request that would leave one is refused.

A write that was committed is answered as done, whatever fails after the commit (the
derived graph replaced, the copy checked against the store, the turn withdrawn: a
server gone just then): sent again as a refusal would advise, a blank-node insert
was stored twice. What that work did not do is left to be done again
(``_after_commit``).
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

import pyoxigraph as ox
from fastapi import Response
from fastapi.responses import JSONResponse
from rdflib import Graph

from ..audit import insert_data, refuse_audit_facts
from ..commit import commit_change
from ..derived import replace as replace_derived
from ..derived import stale_during
from ..derived_change import DerivedChange
from ..graph_change import content_quads, graphs_change
from ..model import model_graph, shapes_graph
from ..rdfio import unsupported_term
from ..registry import (
    GraphContent,
    GraphNameRefused,
    GraphNotAllowed,
    GraphRefused,
    audit_record,
    checked_change,
    refuse_managed_in_update,
    refuse_new_graph_names,
    refuse_unpermitted,
)
from ..replica import Change, ValidationReplica
from ..replica_slot import ReplicaSlot
from ..store import QuerySyntaxError, Store, StoreError
from ..store.terms import graph_ref
from ..store.write_claim import turn_for
from ..tokens import Writer
from ..update_region import graphs_named
from ..validation import ValidationFailed, validate_graph
from ..write_scope import refuse_foreign_things
from . import negotiation, results
from .preconditions import Precondition

logger = logging.getLogger(__name__)


class UpdateFailed(Exception):
    """The update is valid SPARQL but fails on the store's data (e.g. DROP of a missing graph).

    The message is the engine's, about the client's update only.
    """


class EmptyGraphRefused(Exception):
    """A Graph Store write would leave a named graph without triples, which cannot exist here."""


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
    change anything; an update that is valid but fails there (DROP GRAPH of
    a graph the empty store lacks) has passed the parser, which is all this
    checks. Callers refuse LOAD and SERVICE before this point, so nothing is
    fetched from the network.
    """
    try:
        ox.Store().update(update, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_message(str(exc)) from exc
    except RuntimeError:
        pass


def apply_update(
    store: Store,
    update: str,
    *,
    base_iri: str,
    lock: AbstractContextManager,
    replicas: ReplicaSlot,
    writer: Writer | None = None,
    timeout_s: float | None = None,
) -> None:
    """Run a SPARQL update if, and only if, the registry data conforms afterwards.

    Raises QuerySyntaxError, UpdateFailed (e.g. DROP of a missing graph
    without SILENT), ManagedGraphRefused (a model graph would change), GraphNameRefused
    (triples into a graph named with a dot segment),
    GraphNotAllowed (outside the ``writer``'s scope), ValidationFailed (with the
    validation result) or StoreError. ``base_iri``
    resolves relative IRIs in the update (the service uses its endpoint URL).
    The update runs as given: callers that take updates from clients refuse
    LOAD and SERVICE first, which would reach the network. ``timeout_s`` bounds the
    update's run on the validation copy (UpdateTimeout, UpdateStillStopping: see
    ReplicaSlot.run_update).
    """
    refuse_managed_in_update(graphs_named(update, base_iri))
    # On a shared server the turn comes first: the copy is then made current and the
    # change validated and committed while no other writer can write (write_claim).
    with lock, turn_for(store):
        try:
            replica, change = replicas.run_update(
                store, update, base_iri=base_iri, timeout_s=timeout_s
            )
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc
        except RuntimeError as exc:
            raise UpdateFailed(f"The update failed: {exc}.") from exc
        except OSError as exc:
            raise StoreError("the update failed on the validation copy") from exc
        if not change:
            return
        try:
            problem = unsupported_term(change.added)
            if problem is not None:
                raise UpdateFailed(f"The update is refused: {problem}.")
            refuse_unpermitted(change.graphs(), writer)
            refuse_new_graph_names(change.filled())
            refuse_foreign_things(replica, change.added, writer)
            refuse_audit_facts(store, change.added)
            derived = _require_conforming_change(store, replica, change)
            record = audit_record(writer, change, update)
            with stale_during(store, needed=derived.replacement is not None):
                commit_change(store, replica, change, record, derived.update)
        except BaseException:
            replica.apply(change.removed, change.added)  # the copy follows the store back
            raise
        _after_commit(store, replicas, derived)


def graph_exists(store: Store, graph: str | None) -> bool:
    """Whether the Graph Store has ``graph``; the default graph always exists."""
    return graph is None or any(info.iri == graph for info in store.graphs())


def store_graph(
    store: Store,
    graph: str | None,
    data: GraphContent,
    *,
    replace: bool,
    lock: AbstractContextManager,
    replicas: ReplicaSlot,
    writer: Writer | None = None,
    source: str = "",
    precondition: Precondition | None = None,
) -> bool:
    """Replace a graph's content (``replace``: PUT) or add to it (POST); None is the
    default graph. Returns True when the graph was created.

    Raises ManagedGraphRefused for a model graph, GraphNameRefused for a graph named
    with a dot segment, ValidationFailed when the registry
    would not conform, EmptyGraphRefused for a named graph left without triples and
    PreconditionFailed when ``precondition`` refuses the graph as the write finds it.
    """
    refuse_unpermitted([graph], writer)
    refuse_new_graph_names([graph])
    with lock, turn_for(store):
        replica = replicas.get(store)
        created = graph is not None and not replica.has_quads(graph)
        if precondition is not None:
            precondition(not created)
        if graph is not None and len(data) == 0 and (replace or created):
            raise EmptyGraphRefused(
                f"<{graph}> would have no triples, and this store keeps no empty graphs: it "
                "would not exist afterwards. Send triples, or DELETE to remove a graph."
            )
        # registry.write_graph's steps, so that what follows the commit is known to
        # follow one (_after_commit).
        change = graphs_change(replica, {graph: content_quads(data, graph)}, replace=replace)
        refuse_foreign_things(replica, change.added, writer)
        refuse_audit_facts(store, change.added)
        with replica.trial(change.added, change.removed):
            derived = _require_conforming_change(store, replica, change)
            if not change:  # nothing changes: nothing written, nothing recorded
                return created
            record = audit_record(
                writer, change, source or f"Graph Store {'PUT' if replace else 'POST'}"
            )
            with stale_during(store, needed=derived.replacement is not None):
                commit_change(store, replica, change, record, derived.update)
        _after_commit(store, replicas, derived)
        return created


def delete_graph(
    store: Store,
    graph: str | None,
    *,
    lock: AbstractContextManager,
    replicas: ReplicaSlot,
    writer: Writer | None = None,
    precondition: Precondition | None = None,
) -> None:
    """Remove a named graph (or empty the default graph); KeyError when there is no such
    graph, PreconditionFailed when ``precondition`` refuses the graph as found."""
    refuse_unpermitted([graph], writer)
    with lock, turn_for(store):
        replica = replicas.get(store)
        exists = graph is None or replica.has_quads(graph)
        if precondition is not None:
            precondition(exists)
        if not exists:
            raise KeyError(graph)
        change = Change(frozenset(), frozenset(replica.graph_quads(graph)))
        if not change.removed:  # an empty default graph: nothing to write or record
            return
        with replica.trial(change.added, change.removed):
            derived = _require_conforming_change(store, replica, change)
            record = audit_record(writer, change, "Graph Store DELETE")
            drop = (
                "CLEAR SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH {graph_ref(graph)}"
            )
            # The audit record names its change by a fresh IRI, not a blank node.
            parts = [drop, insert_data(record) if record else "", derived.update]
            with stale_during(store, needed=derived.replacement is not None):
                store.update(" ;\n".join(p for p in parts if p), repeatable=True)
        _after_commit(store, replicas, derived)


# -- helpers -----------------------------------------------------------------


def _after_commit(store: Store, replicas: ReplicaSlot, derived: DerivedChange) -> None:
    """What follows a committed write: the derived graph replaced when the change did not
    bring it along, and the copy checked against the store. A StoreError here (the server
    gone just after the commit) leaves the write committed, and it is answered so:
    a derived graph not replaced keeps the mark stale_during set, so the next write
    derives it again (krbgraph.web.write_gate), and the copy is dropped, made again
    from the store by the next write. The error is logged."""
    stale = derived.replacement is not None
    try:
        if derived.replacement is not None:
            replace_derived(store, derived.replacement)
            stale = False
        replicas.synced(store)
    except StoreError as exc:
        replicas.forget()
        logger.warning(
            "a write was committed, but what follows it failed (%s): the copy of the store "
            "is made again by the next write%s",
            exc,
            ", which derives the derived graph again (marked stale)" if stale else "",
        )


def _require_conforming_change(
    store: Store, replica: ValidationReplica, change: Change
) -> DerivedChange:
    """Validate the change on the replica (which holds it); ValidationFailed if it breaks
    a rule. Returns what the change does to the derived graph, computed meanwhile. (The
    answers of these writes show no warnings, so a conforming change's are not worded.)"""
    result, derived = checked_change(replica, change, store, quiet=True)
    if not result.conforms:
        raise ValidationFailed(result)
    return derived


def refusal_response(
    exc: ValidationFailed | GraphRefused | GraphNotAllowed, accept: str | None
) -> Response:
    """The HTTP answer to a refused write: 422 with the findings, 403 with the reason
    (a graph the service keeps, or outside the token's scope), or 400 (a graph name no
    client can ask for).

    The findings come as JSON (nl and en messages per object) or, when the
    client asks for RDF, as the SHACL validation report.
    """
    if isinstance(exc, GraphNameRefused):
        return JSONResponse({"detail": str(exc)}, status_code=400)
    if isinstance(exc, GraphRefused | GraphNotAllowed):
        return JSONResponse({"detail": str(exc)}, status_code=403)
    try:
        chosen = negotiation.choose_format(accept, negotiation.REPORT_FORMATS)
    except negotiation.AcceptHeaderError:
        chosen = None
    fmt, media_type = chosen or ("findings", "application/json")
    body = results.validation_report(exc.result, str(exc), fmt)
    return Response(body, status_code=422, media_type=results.content_type(media_type))
