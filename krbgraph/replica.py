"""An in-memory copy of the store on which a write is tried before it is committed.

Validating "the registry as it would be" needs that state somewhere queries
can run. Copying the store for every write costs seconds at a million
triples; changing the store first and undoing a refused write would let
readers see, and a crash keep, a state nobody validated. The service
therefore keeps one copy in memory (pyoxigraph's in-memory store, about
0.5 GB per million triples), made once at the first write and kept equal to
the store by applying every committed change to it as well:

    with replica.trial(added, removed):   # the change applied to the copy only
        validate on replica.queries        # raises: the copy is restored
        commit to the store                # raises: the copy is restored too

The copy stays equal to the store only while this service is the store's
only writer, which the embedded store and the supervised engine guarantee. A
remote SPARQL server may be written by others too (another service, `krb load`
from elsewhere): there the copy is made again when the server's write version or
its graphs' sizes differ from what the service's own last write left
(krbgraph.replica_slot), and a change is committed in its turn, only while the
write version is the one the copy was made at (krbgraph.store.write_claim); else
nothing is written (StoreChangedElsewhere) and the copy is dropped, so the next
attempt is tried on what the server holds.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Identifier

from .model import AUDIT_GRAPH, DERIVED_GRAPH, SHAPES_GRAPH, WRITES_GRAPH, model_parts
from .rdfio import check_for_bulk_load, file_format, parse_quads
from .store import (
    META_GRAPH,
    QueryResult,
    QuerySyntaxError,
    Store,
    StoreError,
    model_graph_iris,
)
from .store.answers import AnswerLimits, collect
from .store.embedded import EmbeddedStore, dataset_options
from .store.rdffiles import parse_triples
from .store.terms import bind_values
from .store.write_claim import is_shared, read_version
from .update_region import update_region
from .update_steps import operations

_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_LOOKED_AT = 5_000
"""Changes up to this many quads are read for rdfs:subClassOf (hierarchy_version)."""

NOT_DATA = frozenset({AUDIT_GRAPH, DERIVED_GRAPH, META_GRAPH, SHAPES_GRAPH, WRITES_GRAPH})
"""Graphs the replica leaves out, as they are never part of what is validated: the
shapes themselves, the bookkeeping of model files and of writes, the audit trail, and the derived
graph (computed from the data after a write, so stale while one is tried). Without
them the replica's union of all graphs is exactly what validation reads, which the
engine answers several times faster than a default graph listed graph by graph. A
SPARQL Update therefore sees the registry and the model, not these graphs, and cannot
change them."""


class ValidationReplica:
    """An in-memory copy of every quad of a store, with the query method the SHACL
    engine needs (krbgraph.shacl.QueryStore) over the data and the model."""

    def __init__(self, copy: ox.Store, base_version: str | None = None) -> None:
        self._copy = copy
        self._hierarchy = 0
        self.base_version = base_version
        """A shared server's write version the copy holds the state of (read before the
        copy was made: a write landing meanwhile makes it older, never newer)."""

    @property
    def hierarchy_version(self) -> int:
        """Moves on whenever a quad with rdfs:subClassOf may have been added or removed:
        the SHACL engine keeps the class hierarchy it read per version
        (krbgraph.shacl.engine, Dialect.subclasses), which writes rarely change."""
        return self._hierarchy

    def _hierarchy_touched(self, *quads: Collection[ox.Quad]) -> None:
        # A large change (a workbook, a file) moves the version without a look: reading
        # every quad's predicate costs more than reading the hierarchy again (2 ms).
        if sum(len(group) for group in quads) > _LOOKED_AT or any(
            q.predicate == _SUBCLASS_OF for group in quads for q in group
        ):
            self._hierarchy += 1

    @classmethod
    def of(cls, store: Store) -> ValidationReplica:
        """Copy ``store`` but the graphs that are NOT_DATA (Store.copy_data)."""
        version = read_version(store) if is_shared(store) else None
        copy = ox.Store()
        store.copy_data(copy, leave_out=NOT_DATA)
        return cls(copy, version)

    @classmethod
    @contextmanager
    def for_one_write(cls, store: Store) -> Iterator[ValidationReplica]:
        """A copy of ``store`` to validate one write on, then dropped: a command-line
        write. An embedded store's is a checkpoint on disk (EmbeddedStore.snapshot),
        made in an instant where copying into memory takes 20 s at a million triples;
        its queries are slower, which the few of a change validated by what it changes
        (krbgraph.conformance) do not feel."""
        if not isinstance(store, EmbeddedStore):
            yield cls.of(store)
            return
        with store.snapshot() as copy:
            for name in NOT_DATA:
                copy.remove_graph(ox.NamedNode(name))
            yield cls(copy)

    @classmethod
    def of_model(cls) -> ValidationReplica:
        """An in-memory copy holding the model alone, each part in its graph as a store
        holds it: what `krb validate` reads registry files beside, without a store."""
        copy = ox.Store()
        for part in model_parts():
            for path in part.files:
                copy.bulk_load(
                    path=str(path), format=file_format(path), to_graph=ox.NamedNode(part.graph)
                )
        return cls(copy)

    def __len__(self) -> int:
        return len(self._copy)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph of the copy (the default graph left out)."""
        rows = self._copy.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]

    def contains(self, quad: ox.Quad) -> bool:
        return quad in self._copy

    def absent(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """Those of ``quads`` the copy does not hold."""
        held = self._copy
        return {quad for quad in quads if quad not in held}

    def graph_quads(self, graph: str | None) -> set[ox.Quad]:
        """Every quad of one graph (None: the default graph)."""
        return set(self.graph_iter(graph))

    def graph_iter(self, graph: str | None) -> Iterator[ox.Quad]:
        """The quads of one graph one by one (None: the default graph)."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        return self._copy.quads_for_pattern(None, None, None, name)

    def holds_graph(self, graph: str | None) -> bool:
        """Whether the graph holds any quad (None: the default graph)."""
        return next(self.graph_iter(graph), None) is not None

    def load_new(self, path: Path, graph: str) -> int:
        """Read an RDF file into ``graph`` of the copy with pyoxigraph's own parser (for a
        load into a graph that held nothing); returns how many triples it added.

        Raises RdfInputError (``file:line:column``) for a file that cannot be read or
        holds named graphs, as krbgraph.rdfio.parse_quads does; the copy may then hold
        part of the file and is to be dropped.
        """
        fmt = file_format(path)
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD):
            parse_triples(path)  # refuses named graphs, which load would write
        name = ox.NamedNode(graph)
        if check_for_bulk_load(path):  # a byte order mark, which bulk_load refuses
            quads = parse_quads(path)
            self._hierarchy += 1
            self._copy.extend(ox.Quad(q.subject, q.predicate, q.object, name) for q in quads)
            return len(quads)
        before = len(self._copy)
        self._hierarchy += 1  # the file may hold any class hierarchy
        # The bulk loader (no transaction: 25 % faster), as a failed read makes the caller
        # drop the copy anyway.
        try:
            if path.name.lower().endswith(".gz"):
                with gzip.open(path, "rb") as stream:
                    # pyoxigraph reads any binary file object; its stub names only IO[bytes].
                    self._copy.bulk_load(stream, format=fmt, to_graph=name)  # type: ignore[arg-type]
            else:
                self._copy.bulk_load(path=str(path), format=fmt, to_graph=name)
        except (SyntaxError, ValueError, OSError, EOFError, zlib.error, MemoryError):
            # A term over the parser's 16 MiB is a MemoryError too (rdfio.too_large).
            parse_quads(path)  # raises the error with file, line and column
            raise
        return len(self._copy) - before

    def apply(self, added: Collection[ox.Quad], removed: Collection[ox.Quad]) -> None:
        """Make the copy follow a committed change (removals first, as SPARQL does)."""
        self._hierarchy_touched(removed, added)
        for quad in removed:
            self._copy.remove(quad)
        self._copy.extend(added)
        self._forget_emptied(_graphs_of(removed))

    @contextmanager
    def trial(self, added: Collection[ox.Quad], removed: Collection[ox.Quad]) -> Iterator[None]:
        """The change applied to the copy for the block; undone when the block raises.

        Only quads that really change are undone, so a change that adds a quad
        the copy already holds does not remove it on the way back.
        """
        # Removals first, then additions, each only where it changes the copy: the store
        # keeps literals in canonical form ("2.0"^^xsd:decimal is "2"), so a quad added
        # can equal one removed, and the order decides whether it stays.
        gone = [q for q in removed if q in self._copy]
        for quad in gone:
            self._copy.remove(quad)
        new = [q for q in added if q not in self._copy]
        self._copy.extend(new)
        self._hierarchy_touched(gone, new)
        self._forget_emptied(_graphs_of(gone))
        try:
            yield
        except BaseException:
            for quad in new:
                self._copy.remove(quad)
            self._copy.extend(gone)
            self._hierarchy_touched(gone, new)
            self._forget_emptied(_graphs_of(new))
            raise

    # -- the engine's view: data and model, never the shapes or derived graphs --------

    def validation_graphs(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The default graph and every named graph except NOT_DATA."""
        names: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        names.extend(
            g
            for g in self._copy.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value not in NOT_DATA
        )
        return names

    def data_graphs(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The registry's own graphs: the default graph and every unmanaged named graph."""
        managed = model_graph_iris()
        return [g for g in self.validation_graphs() if getattr(g, "value", None) not in managed]

    def named_owners(self, node: ox.BlankNode, *, limit: int = 1000) -> set[ox.NamedNode] | None:
        """The IRIs that reach a blank node through blank nodes only (the norm whose
        period a blank node is); None when none does or more than ``limit`` nodes are seen."""
        found = self.blank_ancestry(node, limit=limit)
        return None if found is None or not found[0] else found[0]

    def blank_ancestry(
        self, node: ox.BlankNode, *, limit: int = 1000
    ) -> tuple[set[ox.NamedNode], set[ox.BlankNode]] | None:
        """The IRIs that reach a blank node through blank nodes only, and those blank
        nodes (the node itself among them); None when more than ``limit`` are seen."""
        owners: set[ox.NamedNode] = set()
        seen = {node}
        pending = [node]
        while pending:
            current = pending.pop()
            for quad in self._copy.quads_for_pattern(None, None, current, None):
                subject = quad.subject
                if isinstance(subject, ox.NamedNode):
                    owners.add(subject)
                elif isinstance(subject, ox.BlankNode) and subject not in seen:
                    seen.add(subject)
                    pending.append(subject)
            if len(seen) > limit:
                return None
        return owners, seen

    def query_on(
        self, sparql: str, graphs: Sequence[ox.NamedNode | ox.DefaultGraph]
    ) -> QueryResult:
        """A query whose default graph is the union of ``graphs`` (no time limit: the
        caller writes queries whose cost it knows)."""
        try:
            return collect(self._copy.query(sparql, default_graph=list(graphs)), AnswerLimits())
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
        nice: int = 0,
    ) -> QueryResult:
        """A query over the union of all graphs (or the graphs named), answered like a Store
        (the service's own validation queries: ``nice`` does not apply)."""
        del nice
        options = dataset_options(default_graph_uris, named_graph_uris, base_iri)
        limits = AnswerLimits(max_rows=max_rows, timeout_s=timeout_s)
        try:
            answer = self._copy.query(bind_values(sparql, bindings), **options)  # type: ignore[arg-type]
            return collect(answer, limits)
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc

    def run_update(self, update: str, *, base_iri: str | None = None) -> Change:
        """Run a SPARQL update on the copy and return what it changed; the copy keeps the
        change (``apply(change.removed, change.added)`` undoes it).

        Only the quads the update's templates can match are compared
        (krbgraph.update_region), not the whole copy.

        Raises SyntaxError, RuntimeError (an update that fails on the data, such as
        DROP of a missing graph) and OSError as pyoxigraph does; the copy is unchanged
        then (an update is one transaction).
        """
        whole = self._run_one(update, base_iri)
        steps = operations(update)
        if steps is None:
            return whole
        # Graphs come and go in it: run again one operation at a time (krbgraph.
        # update_steps), once the whole parsed and ran, so an error in the text is
        # reported where it is in the text.
        self.apply(whole.removed, whole.added)
        done: list[Change] = []
        try:
            for step in steps:
                done.append(self._run_one(step, base_iri))
        except BaseException:
            for change in reversed(done):
                self.apply(change.removed, change.added)
            raise
        return _net(done)

    def _run_one(self, update: str, base_iri: str | None) -> Change:
        region = update_region(update, base_iri)
        graphs_before = set(self._copy.named_graphs())
        if region is None:  # not told by the text: compare every quad
            before = set(self._copy)
            self._copy.update(update, base_iri=base_iri)
            after = set(self._copy)
        else:
            before = region.quads(self._copy)
            self._copy.update(update, base_iri=base_iri)
            after = region.quads(self._copy)
        change = Change(frozenset(after - before), frozenset(before - after))
        self._hierarchy_touched(change.added, change.removed)
        # A graph CREATEd and left empty, or emptied, is no graph after the update.
        touched = _graphs_of(change.removed)
        touched.update(g for g in self._copy.named_graphs() if g not in graphs_before)
        self._forget_emptied(touched)
        return change

    def _forget_emptied(self, graphs: Iterable[_GraphName]) -> None:
        """Remove the named graphs among ``graphs`` that hold no quad any more.

        The store holds only quads: a graph is there while it has one (the Graph Store
        answers 404 for an empty one, and a commit drops a graph it empties). The
        in-memory copy keeps a named graph after its last quad went, and the next update
        saw it: MOVE of an emptied graph "succeeded" and emptied its target, where the
        same MOVE of a graph that never held anything is refused."""
        for graph in graphs:
            if (
                isinstance(graph, ox.NamedNode)
                and next(iter(self._copy.quads_for_pattern(None, None, None, graph)), None) is None
            ):
                self._copy.remove_graph(graph)

    def quads_for(
        self, subject: ox.NamedNode, predicate: ox.NamedNode | None = None
    ) -> list[ox.Quad]:
        """The quads of one subject (and one predicate), in any graph."""
        return list(self._copy.quads_for_pattern(subject, predicate, None, None))

    def quads_matching(
        self,
        subject: object | None,
        predicate: ox.NamedNode | None,
        obj: object | None,
    ) -> list[ox.Quad]:
        """The quads matching a pattern (None: any), in any graph; unlike SPARQL, this
        can name the replica's own blank nodes, such as those of a change."""
        if subject is not None and not isinstance(subject, ox.NamedNode | ox.BlankNode):
            return []
        if obj is not None and not isinstance(obj, ox.NamedNode | ox.BlankNode | ox.Literal):
            return []
        return list(self._copy.quads_for_pattern(subject, predicate, obj, None))

    def quads_for_object(self, node: ox.NamedNode) -> list[ox.Quad]:
        """The quads with ``node`` as object, in any graph."""
        return list(self._copy.quads_for_pattern(None, None, node, None))

    def quads_with(self, node: ox.BlankNode) -> list[ox.Quad]:
        """Every quad with ``node`` as subject or object."""
        return [
            *self._copy.quads_for_pattern(node, None, None, None),
            *self._copy.quads_for_pattern(None, None, node, None),
        ]

    def has_quads(self, graph: str | None) -> bool:
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        return next(iter(self._copy.quads_for_pattern(None, None, None, name)), None) is not None

    def holds_blank_node_elsewhere(self, node: ox.BlankNode, besides: Collection[ox.Quad]) -> bool:
        """Whether a quad other than ``besides`` mentions ``node``."""
        for quad in self._copy.quads_for_pattern(node, None, None, None):
            if quad not in besides:
                return True
        return any(
            quad not in besides for quad in self._copy.quads_for_pattern(None, None, node, None)
        )


@dataclass(frozen=True)
class Change:
    """The quads a write adds and removes."""

    added: frozenset[ox.Quad]
    removed: frozenset[ox.Quad]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def graphs(self) -> set[str | None]:
        """The graphs the change touches (None: the default graph)."""
        return {graph_key(q) for q in self.added | self.removed}

    def filled(self) -> set[str | None]:
        """The graphs the change adds triples to."""
        return {graph_key(q) for q in self.added}


def graph_key(quad: ox.Quad) -> str | None:
    """The quad's graph IRI; None for the default graph."""
    name = quad.graph_name
    if isinstance(name, ox.NamedNode):
        return name.value
    if isinstance(name, ox.DefaultGraph):
        return None
    raise StoreError(f"graphs named by a blank node are not supported: {quad}")


_GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def _graphs_of(quads: Iterable[ox.Quad]) -> set[_GraphName]:
    return {quad.graph_name for quad in quads}


def _net(changes: Sequence[Change]) -> Change:
    """What a sequence of changes did in all: a quad added then removed is no change."""
    added: set[ox.Quad] = set()
    removed: set[ox.Quad] = set()
    for change in changes:
        for quad in change.removed:
            if quad in added:
                added.discard(quad)
            else:
                removed.add(quad)
        for quad in change.added:
            if quad in removed:
                removed.discard(quad)
            else:
                added.add(quad)
    return Change(frozenset(added), frozenset(removed))
