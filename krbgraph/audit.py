"""The audit trail: who changed what, kept as PROV-O in a graph of its own.

Every accepted write over HTTP adds one ``krb:Wijziging`` (a prov:Activity)
to AUDIT_GRAPH: the name of the token that wrote (prov:wasAssociatedWith a
prov:Agent labelled with that name; the token itself is never stored), when
(prov:startedAtTime), which graphs it touched, how many triples it added and
removed, and its source (the update text, cut to SOURCE_LIMIT characters, or
the file name). The terms are defined in ontology/krb.ttl, section "Audit
trail", which says why graphs are not linked with prov:used/prov:generated.

The records are written by the write paths in the same store transaction
as the change they describe (audit_quads only builds them), so a change is
never stored without its record. AUDIT_GRAPH is managed by the service: no
client may write it over HTTP (is_audit_graph). It is a graph of the store
like any other, so whoever may query the store can read it.

``history`` reads it back, newest first, through the internal named query
sparql/geschiedenis.rq, which looks only inside the audit graph: data in
other graphs cannot forge a name or a record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, Literal, URIRef

from .model import AUDIT_GRAPH
from .namespaces import KRB, PROV
from .queries import run_with_terms, shipped_catalogue
from .store import Store
from .tokens import NAME_PATTERN, GraphNotAllowed

__all__ = [
    "AUDIT_GRAPH",
    "AUDIT_GRAPH_REFUSAL",
    "DEFAULT_GRAPH",
    "HistoryEntry",
    "MAX_HISTORY",
    "SOURCE_LIMIT",
    "agent_iri",
    "audit_quads",
    "history",
    "insert_data",
    "is_audit_graph",
    "record",
    "refuse_audit_facts",
]


AUDIT_GRAPH_REFUSAL = (
    f"<{AUDIT_GRAPH}> is de auditgraaf: de service houdt die zelf bij en niemand kan hem "
    f"over HTTP wijzigen. / <{AUDIT_GRAPH}> is the audit graph: the service keeps it itself "
    "and it cannot be changed over HTTP."
)
"""The reason a write to the audit graph is refused (Dutch and English)."""

DEFAULT_GRAPH = str(KRB.standaardgraaf)
"""Stands for the default graph among the graphs a change touched (it has no IRI)."""

AGENT_BASE = "https://data.krb.nl/id/schrijver/"
"""Agents are ``{AGENT_BASE}{token name}``."""

SOURCE_LIMIT = 4000
"""Characters of an update's text kept in a record; longer ones are cut and marked."""

MAX_HISTORY = 1000
"""The most records one call of `history` returns (the query's own LIMIT)."""

HISTORY_QUERY = "geschiedenis"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def is_audit_graph(iri: str | None) -> bool:
    """Whether ``iri`` is the audit graph, which no client may write."""
    return iri == AUDIT_GRAPH


def refuse_audit_facts(store: Store, added: Iterable[ox.Quad]) -> None:
    """GraphNotAllowed when a write states a fact about a record of the audit trail or
    its writer (a subject the audit graph describes, or an IRI under AGENT_BASE), from
    any graph and for any token: a write token's triple in its own graph about a real
    record ("aantal verwijderd 5000", another writer) showed on the record's page and
    the graph pages as part of the trail, which only the service writes."""
    subjects = sorted({q.subject.value for q in added if isinstance(q.subject, ox.NamedNode)})
    hit = next((s for s in subjects if s.startswith(AGENT_BASE)), None)
    for start in range(0, len(subjects), 500):
        if hit is not None:
            break
        batch = " ".join(str(ox.NamedNode(s)) for s in subjects[start : start + 500])
        rows = store.query(
            f"SELECT ?s WHERE {{ VALUES ?s {{ {batch} }} GRAPH <{AUDIT_GRAPH}> {{ ?s ?p ?o }} }} "
            "LIMIT 1"
        ).rows
        hit = str(rows[0][0]) if rows else None
    if hit is not None:
        raise GraphNotAllowed(
            f"<{hit}> hoort bij de audittrail: alleen de service legt er iets over vast; "
            f"niets geschreven. / <{hit}> belongs to the audit trail, which only the "
            "service writes; nothing was written"
        )


def agent_iri(writer_name: str) -> str:
    """The prov:Agent of a token name; raises ValueError for a name tokens cannot have."""
    if not NAME_PATTERN.fullmatch(writer_name):
        raise ValueError(f"{writer_name!r} is not a token name")
    return AGENT_BASE + writer_name


def audit_quads(
    writer_name: str,
    at: datetime,
    graphs: Sequence[str | None],
    added: int,
    removed: int,
    source: str,
) -> list[ox.Quad]:
    """The record of one accepted write, as quads in AUDIT_GRAPH (no blank nodes).

    ``at`` must carry a time zone (it is stored in UTC); ``graphs`` are the
    graphs the write touched, None for the default graph. Raises ValueError
    for a naive time, a negative count or a name no token can have.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time of a change needs a time zone")
    if added < 0 or removed < 0:
        raise ValueError(f"counts cannot be negative: added {added}, removed {removed}")
    graph = ox.NamedNode(AUDIT_GRAPH)
    change = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
    agent = ox.NamedNode(agent_iri(writer_name))

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(_XSD + datatype))

    prov = str(PROV)
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (change, _RDF_TYPE, ox.NamedNode(prov + "Activity")),
        (change, _RDF_TYPE, ox.NamedNode(str(KRB.Wijziging))),
        (change, ox.NamedNode(prov + "wasAssociatedWith"), agent),
        (change, ox.NamedNode(prov + "startedAtTime"), typed(_utc_text(at), "dateTime")),
        (change, ox.NamedNode(str(KRB.aantalToegevoegd)), typed(str(added), "integer")),
        (change, ox.NamedNode(str(KRB.aantalVerwijderd)), typed(str(removed), "integer")),
        (change, ox.NamedNode(str(KRB.bron)), ox.Literal(_cut(source))),
        (agent, _RDF_TYPE, ox.NamedNode(prov + "Agent")),
        (agent, _RDFS_LABEL, ox.Literal(writer_name)),
    ]
    for touched in dict.fromkeys(graphs):  # once each, in the order given
        target = DEFAULT_GRAPH if touched is None else touched
        triples.append((change, ox.NamedNode(str(KRB.wijzigdeGraaf)), ox.NamedNode(target)))
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]


def insert_data(quads: Sequence[ox.Quad]) -> str:
    """One ``INSERT DATA`` operation adding ``quads`` (of audit_quads) to the audit graph.

    A write path appends it to its own update (joined with " ;\n") so the
    change and its record commit in one transaction. Terms are written by
    pyoxigraph's N-Triples serialiser; no text is pasted.
    """
    if any(q.graph_name != ox.NamedNode(AUDIT_GRAPH) for q in quads):
        raise ValueError("insert_data takes the quads of audit_quads only")
    data = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # without an output, serialize returns the bytes
    text = data.decode("utf-8")
    return f"INSERT DATA {{ GRAPH <{AUDIT_GRAPH}> {{\n{text}}} }}"


def record(store: Store, quads: Sequence[ox.Quad]) -> None:
    """Add a record to the store in a transaction of its own (for writes that cannot
    join it to their own; raises StoreError)."""
    store.update(insert_data(quads), repeatable=True)  # named by fresh IRIs, no blank nodes


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change, as `krb history` and ``/api/history`` show it."""

    change: str
    """The IRI of the record (a krb:Wijziging)."""
    at: datetime
    writer: str
    """The name of the token that wrote."""
    graphs: tuple[str | None, ...]
    """The graphs touched; None is the default graph."""
    added: int
    removed: int
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "at": _utc_text(self.at),
            "writer": self.writer,
            "graphs": list(self.graphs),
            "added": self.added,
            "removed": self.removed,
            "source": self.source,
        }


def history(
    store: Store,
    *,
    limit: int = 50,
    graph: str | None = None,
    before: datetime | None = None,
    before_change: str | None = None,
    timeout_s: float | None = None,
) -> list[HistoryEntry]:
    """The recorded changes, newest first: at most ``limit`` (1 to MAX_HISTORY).

    ``graph`` keeps the changes that touched that graph (DEFAULT_GRAPH for the
    default graph); ``before`` (with a time zone) the ones that started
    earlier. ``before_change`` (the IRI of the oldest entry of the previous
    answer) pages back without a gap: records of the very same time come in
    the same order on every page, so a time alone as the cursor skipped those
    beside the last one shown (two writes within a clock tick, a clock set back).
    Raises ValueError for a bad limit, graph IRI, naive time, both cursors or a
    change that is not recorded, and StoreError (QueryTimeout) like any store query.
    """
    if not 1 <= limit <= MAX_HISTORY:
        raise ValueError(f"limit {limit} is not between 1 and {MAX_HISTORY}")
    bindings: dict[str, URIRef | Literal | None] = {"auditgraaf": URIRef(AUDIT_GRAPH)}
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            raise ValueError(f"graph {graph!r} is not an IRI: {exc}") from None
        bindings["graaf"] = URIRef(graph)
    if before is not None:
        if before.tzinfo is None or before.utcoffset() is None:
            raise ValueError("'before' needs a time zone")
        bindings["voor"] = Literal(_utc_text(before), datatype=XSD.dateTime)
    if before_change is not None:
        if before is not None:
            raise ValueError("give 'before' or 'before_change', not both")
        bindings["voor"] = _recorded_time(store, before_change, timeout_s)
        bindings["voorwijziging"] = URIRef(before_change)
    query = shipped_catalogue()[HISTORY_QUERY]
    result = run_with_terms(store, query, bindings, timeout_s=timeout_s)
    entries = []
    for row in result.dicts()[:limit]:
        touched = sorted(set(str(row.get("graven", "")).split()))
        entries.append(
            HistoryEntry(
                change=str(row["wijziging"]),
                at=datetime.fromisoformat(str(row["tijd"])),
                writer=str(row["schrijver"]),
                graphs=tuple(None if iri == DEFAULT_GRAPH else iri for iri in touched),
                added=int(str(row["toegevoegd"])),
                removed=int(str(row["verwijderd"])),
                source=str(row["bron"]),
            )
        )
    return entries


def _recorded_time(store: Store, change: str, timeout_s: float | None) -> Literal:
    """The start time of a recorded change, as stored (the cursor compares it exactly)."""
    try:
        node = ox.NamedNode(change)
    except ValueError as exc:
        raise ValueError(f"change {change!r} is not an IRI: {exc}") from None
    rows = store.query(
        f"SELECT ?tijd WHERE {{ GRAPH <{AUDIT_GRAPH}> {{ {node} a <{KRB}Wijziging> ; "
        f"<{PROV}startedAtTime> ?tijd }} }} LIMIT 1",
        timeout_s=timeout_s,
    ).rows
    if not rows:
        raise ValueError(f"<{change}> is no recorded change")
    time = rows[0][0]
    assert isinstance(time, Literal)
    return time


def _utc_text(at: datetime) -> str:
    """An aware time as xsd:dateTime text in UTC, to the microsecond (...T21:00:00.000001Z)."""
    text = at.astimezone(UTC).isoformat(timespec="microseconds")
    return text.removesuffix("+00:00") + "Z"


def _cut(source: str) -> str:
    if len(source) <= SOURCE_LIMIT:
        return source
    left_out = len(source) - SOURCE_LIMIT
    return (
        source[:SOURCE_LIMIT]
        + f"\n[... {left_out} tekens weggelaten / {left_out} characters left out]"
    )
