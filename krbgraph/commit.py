"""Commit exactly a validated change to the store: the quads it adds and removes.

Every write path validates a change on the replica (krbgraph.replica) and then
writes that same change, so what is stored is what was validated: one SPARQL
update of DELETE DATA and INSERT DATA, with the audit record in the same
transaction. Sending a replaced graph's whole content instead would cost what
the graph holds (a municipality's registry of a million triples is some 150 MB
of update text, more than a SPARQL server takes in one body) however little
changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import pyoxigraph as ox
from rdflib import Graph

from .audit import insert_data
from .replica import Change, ValidationReplica, graph_key
from .store import Store
from .store.terms import graph_ref, rdflib_graph
from .store.write_claim import StoreChangedElsewhere, is_shared


def commit_change(
    store: Store,
    replica: ValidationReplica,
    change: Change,
    record: list[ox.Quad],
    derived: str = "",
) -> None:
    """Write exactly ``change`` to the store, in one transaction; ``replica`` holds the
    state after it. ``derived`` is the update that brings the derived graph along
    (krbgraph.derived_change), sent with the change.

    Usually one update: DROP SILENT for every graph the change empties,
    DELETE DATA for the other removed quads, INSERT for the added ones; the
    blank nodes the update created become fresh nodes there, shared as in
    the replica. SPARQL has no way to name a blank node the store already
    holds, so when the change removes a quad with such a node (from a graph
    it keeps) or adds one that refers to it, the graphs concerned are
    replaced instead: every graph holding one of those nodes, with its
    content from the replica, in one write. The result is the validated state
    up to the names of blank nodes. ``record`` (the audit quads) and ``derived``
    go in the same transaction in both cases: a change is never stored without
    its record, nor its derived facts a write behind.
    """
    added, removed = change.added, change.removed
    emptied = {g for g in {graph_key(q) for q in removed} if not replica.has_quads(g)}
    kept_removed = {q for q in removed if graph_key(q) not in emptied}
    _refuse_stale(store, kept_removed)  # an emptied graph is dropped whatever it holds
    new_nodes = _blank_nodes(added)
    removed_nodes = _blank_nodes(removed)  # once: per new node it made re-imports quadratic
    old_nodes = _blank_nodes(kept_removed) | {
        node
        for node in new_nodes
        if node in removed_nodes or replica.holds_blank_node_elsewhere(node, added)
    }
    if not old_nodes:
        text = _change_update(emptied, kept_removed, added | set(record))
        if derived:
            text = f"{text} ;\n{derived}" if text else derived
        # Concrete quads deleted and inserted: the same state if it runs twice. Fresh
        # blank nodes would be made twice, so such a change is not sent again.
        store.update(text, repeatable="_:" not in text)
        return
    graphs = {graph_key(q) for q in added | kept_removed}
    pending = set(old_nodes)
    seen: set[ox.BlankNode] = set()
    while pending:
        node = pending.pop()
        seen.add(node)
        for quad in replica.quads_with(node):
            graphs.add(graph_key(quad))
    while True:
        nodes = {n for g in graphs for n in _blank_nodes(replica.graph_quads(g))} - seen
        if not nodes:
            break
        seen |= nodes
        for node in nodes:
            graphs |= {graph_key(q) for q in replica.quads_with(node)}
    # Whole graphs from the copy: on a shared store they must be as the copy had them
    # before the change, or another writer's change in them would be overwritten.
    before = {
        g: set(replica.graph_quads(g)) - added | {q for q in removed if graph_key(q) == g}
        for g in graphs
    }
    _refuse_stale(store, [q for quads in before.values() for q in quads], sizes=before)
    contents: dict[str | None, Graph] = {graph: Graph() for graph in graphs | emptied}
    for graph in graphs:
        contents[graph] = rdflib_graph(replica.graph_quads(graph))
    follow = [text for text in (insert_data(record) if record else "", derived) if text]
    # an emptied graph is dropped there; the record and derived facts commit with it
    store.write_graphs(contents, replace=True, then=" ;\n".join(follow))


def _blank_nodes(quads: Iterable[ox.Quad]) -> set[ox.BlankNode]:
    nodes: set[ox.BlankNode] = set()
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.BlankNode):
                nodes.add(term)
    return nodes


def _change_update(
    emptied: set[str | None], removed: Collection[ox.Quad], added: Collection[ox.Quad]
) -> str:
    """One SPARQL update for a change whose removed quads hold no blank nodes.

    Terms are written by pyoxigraph's N-Triples serialiser and graph IRIs by
    graph_ref, so no text of the client's update is pasted.
    """
    parts = [
        "DROP SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH {graph_ref(graph)}"
        for graph in sorted(emptied, key=lambda g: g or "")
    ]
    if removed:
        parts.append(f"DELETE DATA {{\n{_quad_block(removed)}}}")
    if added:
        block = _quad_block(added)
        # Blank nodes are fresh in INSERT DATA too, but some servers refuse them there.
        parts.append(
            f"INSERT {{\n{block}}} WHERE {{}}" if "_:" in block else f"INSERT DATA {{\n{block}}}"
        )
    return " ;\n".join(parts)


def _quad_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the inside of a DATA block: default-graph triples, then GRAPH blocks."""
    by_graph: dict[str | None, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(graph_key(quad), []).append(quad.triple)
    out = []
    for graph, triples in sorted(by_graph.items(), key=lambda item: item[0] or ""):
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None  # without an output, serialize returns the bytes
        text = data.decode("utf-8")
        out.append(text if graph is None else f"GRAPH {graph_ref(graph)} {{\n{text}}}\n")
    return "".join(out)


_CHECKED_PER_QUERY = 200
"""Removed quads asked for at once on a shared store (a query of some 40 kB)."""


def _refuse_stale(
    store: Store,
    removed: Collection[ox.Quad],
    *,
    sizes: Mapping[str | None, Collection[ox.Quad]] | None = None,
) -> None:
    """StoreChangedElsewhere when a store others may write (a remote SPARQL server) no
    longer holds a quad the change removes: the service's copy was older than the server
    (another process replaced a name), and DELETE DATA of what is gone beside INSERT DATA
    of the new value left both the other process's name and the service's (and a value
    the write meant to replace). With ``sizes`` (graphs about to be written whole, with
    what the copy held of them) also when such a graph holds another number of quads.
    Quads with blank nodes, which no query can name, are not asked for."""
    if not is_shared(store):
        return
    if sizes:
        held = {info.iri: info.triples for info in store.graphs()}
        if any(held.get(graph or "", 0) != len(quads) for graph, quads in sizes.items() if graph):
            raise StoreChangedElsewhere(_CHANGED_ELSEWHERE)
    named = [
        q
        for q in removed
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    ]
    for start in range(0, len(named), _CHECKED_PER_QUERY):
        chunk = named[start : start + _CHECKED_PER_QUERY]
        in_graphs = " ".join(
            f"({q.subject} {q.predicate} {q.object} {q.graph_name})"
            for q in chunk
            if isinstance(q.graph_name, ox.NamedNode)
        )
        in_default = " ".join(
            f"({q.subject} {q.predicate} {q.object})"
            for q in chunk
            if not isinstance(q.graph_name, ox.NamedNode)
        )
        missing = []
        if in_graphs:
            missing.append(
                f"{{ VALUES (?s ?p ?o ?g) {{ {in_graphs} }} "
                "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
            )
        if in_default:
            missing.append(
                f"{{ VALUES (?s ?p ?o) {{ {in_default} }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"
            )
        if store.query(f"ASK {{ {' UNION '.join(missing)} }}").boolean:
            raise StoreChangedElsewhere(_CHANGED_ELSEWHERE)


_CHANGED_ELSEWHERE = (
    "The store was changed by another writer since this service last read it: what this "
    "write would change is no longer as it was. Nothing was written; send the write again "
    "(it is then tried on what the store holds now)."
)
