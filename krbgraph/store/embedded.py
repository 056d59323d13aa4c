"""The embedded backend: an Oxigraph (RocksDB) store in a folder, no server needed.

Atomicity: pyoxigraph 0.5 offers no transaction object, but ``Store.update``
and ``Store.extend`` each commit all-or-nothing. A write of whole graphs is
therefore one of them, built from data that was parsed completely beforehand
(krbgraph.store.graph_writes: only the difference with what the graphs
hold): readers see the old graphs or the new ones, never a mix, and a
failure changes nothing.

Files loaded into graphs that hold no triples yet (a first load, a new
registry file, the model in a new store) take the fast path instead:
``Store.bulk_load`` reads each file natively, straight into its graph, about
four times faster than parsing into Python and writing in one transaction,
and it leaves a compact store; small files go through ``Store.load`` (one
transaction, no bulk loader's fixed cost per file). Both write a file only once it
has been read to the end, so a syntax error writes nothing; anything that fails after
an earlier file (or part of a cut file) of the same load was written removes the
load's graphs again (they held nothing before). A crash cannot run that clean-up, so
a load's graphs are listed in ``krb-pending-load.json`` while it runs; opening the
store removes them. A graph that already holds triples is never bulk-loaded: a
replace stays the one transaction above (deleting the old triples is a transaction
either way, and moving a bulk-loaded graph into place costs more than that update).

Limits: pyoxigraph evaluates lazily, one solution per step of its iterator,
and cannot be interrupted inside a step. A query with a timeout therefore
runs in a daemon worker thread (pyoxigraph releases the GIL meanwhile) that checks
the deadline, the row limit and the caller's cancellation between solutions: when
time is up the caller gets QueryTimeout
at once and the worker stops at its next solution, dropping what it read. A
step that computes a lot before its first solution (an aggregate such as
COUNT over a huge join, ORDER BY) cannot be stopped and ends in the
background; isolation that stops those too needs a separate process.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from ..rdfio import RdfInputError, check_for_bulk_load, file_format, parse_quads
from . import graph_writes, line_parts
from .answers import AnswerLimits, collect
from .backend import StoreBackend, TripleData
from .base import QueryResult, QuerySyntaxError, StoreError
from .dumps import copy_natively, dump_format, read_dump, write_dump
from .graph_writes import graph_name as _graph_name
from .pending_load import PENDING_LOAD_FILE, PendingLoad
from .priority import lower_this_thread
from .rdffiles import parse_triples
from .store_folder import refuse_other_folder
from .terms import bind_values, joined_update, named_node, rdflib_graph

_DATASET_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD)
"""Formats that can hold named graphs, which a file loaded into one graph may not."""

SMALL_FILE_BYTES = 512 * 1024
"""Smaller files are written with Store.load, one transaction: the bulk loader costs about
50 ms per file however small, which would add up over the two dozen model files."""

BULK_MIN_QUADS = 20_000
"""New graphs of at least this many quads are written with the bulk writer (see
_bulk_extend); smaller ones in one transaction, which has no fixed cost."""

SNAPSHOT_PREFIX = "krb-snapshot-"
"""Folder in the store folder of a copy a command-line write is validated on (snapshot)."""

_GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
"""Triples in graph ?g (substituted); no row for an empty graph."""


class EmbeddedStore(StoreBackend):
    """A Store on an Oxigraph database folder; one process at a time may open it."""

    def __init__(self, path: Path, *, default_timeout_s: float | None = None):
        self.path = Path(path)
        self.default_timeout_s = default_timeout_s
        self._store: ox.Store | None = _open(self.path)
        try:
            self._undo_unfinished_load()
        except BaseException:
            self._store = None  # the caller gets no store, so release the folder's lock
            raise

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

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
        options = dataset_options(default_graph_uris, named_graph_uris, base_iri)
        text = bind_values(sparql, bindings)
        timeout = timeout_s if timeout_s is not None else self.default_timeout_s
        limits = AnswerLimits(max_rows=max_rows, max_bytes=max_bytes, timeout_s=timeout)

        def run() -> QueryResult:
            if nice:
                lower_this_thread(nice)  # a worker thread of its own, which ends with the query
            try:
                return collect(self._live().query(text, **options), limits)  # type: ignore[arg-type]
            except SyntaxError as exc:
                raise QuerySyntaxError.from_message(str(exc)) from exc
            except OSError as exc:
                raise StoreError(f"query failed in store {self.path}: {exc}") from exc

        return run() if timeout is None and not nice else _in_worker(run, limits)

    def read_graph(self, graph: str | None) -> rdflib.Graph:
        return rdflib_graph(self._live().quads_for_pattern(None, None, None, _graph_name(graph)))

    # -- writing ---------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None, repeatable: bool = False) -> None:
        del repeatable  # in this process: the update ran, or raised
        base = None if base_iri is None else named_node(base_iri, "base IRI").value
        try:
            self._live().update(sparql, base_iri=base)
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"update failed in store {self.path}: {exc}") from exc

    def drop_graph(self, graph: str) -> None:
        name = named_node(graph)
        if not self._live().contains_named_graph(name):
            raise KeyError(f"the store has no graph <{graph}>")
        try:
            self._live().remove_graph(name)
        except OSError as exc:
            raise StoreError(f"could not drop graph <{graph}>: {exc}") from exc

    def _write_triples(self, graphs: TripleData, replace: bool, then: str = "") -> None:
        """One transaction that writes only what changes (krbgraph.store.graph_writes)."""
        live = self._live()
        write = graph_writes.plan(
            graphs, replace, lambda name: live.quads_for_pattern(None, None, None, name)
        )
        try:
            if then or isinstance(write, str):  # ``then`` commits with it: one update
                self.update(joined_update(write, then))
            elif len(write) >= BULK_MIN_QUADS and self._all_new(graphs):
                self._bulk_extend(write)
            elif write:
                live.extend(write)
        except OSError as exc:
            raise StoreError(f"could not write to store {self.path}: {exc}") from exc

    def _all_new(self, graphs: TripleData) -> bool:
        """Every graph is a named graph that holds nothing yet."""
        return all(iri is not None and not self._holds_triples(named_node(iri)) for iri in graphs)

    def _bulk_extend(self, quads: list[ox.Quad]) -> None:
        """New graphs written by the bulk writer (about twice as fast as a transaction:
        a workbook of 10,000 norms is 175,000 triples), with the guard of a bulk load:
        the graphs are listed while it runs and removed again if it fails or the process
        dies (they held nothing before)."""
        names = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        pending = PendingLoad(self.path / PENDING_LOAD_FILE)
        pending.start(name.value for name in names)
        try:
            self._live().bulk_extend(quads)
        except BaseException:
            self._remove_graphs(names)
            pending.finish()
            raise
        pending.finish()

    def load_files(self, files: Mapping[str, Sequence[Path]], *, replace: bool) -> dict[str, int]:
        """Bulk-load when every target graph is empty; otherwise one transaction (see module)."""
        targets = {iri: named_node(iri) for iri in files}
        if any(self._holds_triples(graph) for graph in targets.values()):
            return super().load_files(files, replace=replace)
        self._bulk_load_new(files, lambda: True)
        return {iri: self._size(graph) for iri, graph in targets.items()}

    def load_new_files(
        self, files: Mapping[str, Sequence[Path]], *, keep: Callable[[], bool]
    ) -> bool:
        """Bulk-load files into graphs that hold nothing, kept only if ``keep()`` says so
        once they are in: a validated load writes while it validates (the two took
        one after the other 24-26 s at a million triples, side by side 20-21 s) and
        decides at the end. Until then the graphs are listed as an unfinished load, so a
        crash in between removes them when the store is opened again. Returns whether
        they were kept: not when ``keep()`` was false (the graphs were removed again);
        when it raised, that is re-raised after removing them. Raises StoreError when a
        target graph holds triples, and what load_files raises. (The caller counts the
        triples: its validation read them; counting a million in the store takes 0.5 s.)"""
        for iri in files:
            if self._holds_triples(named_node(iri)):
                raise StoreError(f"<{iri}> holds triples: only new graphs are loaded this way")
        return self._bulk_load_new(files, keep)

    def _bulk_load_new(self, files: Mapping[str, Sequence[Path]], keep: Callable[[], bool]) -> bool:
        targets = {iri: named_node(iri) for iri in files}
        in_memory: set[Path] = set()  # a byte order mark first, which bulk_load refuses
        for path in (path for paths in files.values() for path in paths):
            if file_format(path) in _DATASET_FORMATS:
                parse_triples(path)  # refuses named graphs, which bulk_load would write
            if check_for_bulk_load(path):
                in_memory.add(path)
        pending = PendingLoad(self.path / PENDING_LOAD_FILE)
        pending.start(files)
        try:
            for iri, paths in files.items():
                for path in paths:
                    self._bulk_load(path, targets[iri], in_memory=path in in_memory)
            kept = keep()
        except BaseException:
            self._remove_graphs(targets.values())  # empty before, so this undoes it
            pending.finish()
            raise
        if not kept:
            self._remove_graphs(targets.values())
        pending.finish()
        return kept

    def _bulk_load(self, path: Path, graph: ox.NamedNode, *, in_memory: bool = False) -> None:
        fmt = file_format(path)
        try:
            if in_memory or path.stat().st_size < SMALL_FILE_BYTES:  # one transaction
                self._live().load(_read(path), format=fmt, to_graph=graph)
            elif path.name.lower().endswith(".gz"):
                with gzip.open(path, "rb") as stream:
                    # pyoxigraph reads any binary file object; its stub names only IO[bytes].
                    self._live().bulk_load(input=stream, format=fmt, to_graph=graph)  # type: ignore[arg-type]
            else:
                with line_parts.line_parts(path, fmt, self.path, line_parts.cores()) as parts:
                    self._bulk_load_parts(parts, fmt, graph)
        except (SyntaxError, OSError, EOFError, zlib.error) as exc:
            raise self._load_error(path, exc) from exc

    def _bulk_load_parts(self, parts: list[Path], fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        """Load the parts side by side: bulk_load releases the GIL and uses about one core."""
        if len(parts) == 1:
            self._live().bulk_load(path=str(parts[0]), format=fmt, to_graph=graph)
            return
        failures: list[BaseException] = []

        def load(part: Path) -> None:
            try:
                self._live().bulk_load(path=str(part), format=fmt, to_graph=graph)
            except BaseException as exc:  # re-raised below in the calling thread
                failures.append(exc)

        workers = [threading.Thread(target=load, args=(part,), name="krb-load") for part in parts]
        for worker in workers:
            worker.start()
        try:
            for worker in workers:
                worker.join()
        except BaseException:
            _outlast(workers)
            raise
        if failures:
            raise failures[0]

    def _load_error(self, path: Path, exc: BaseException) -> Exception:
        """What to report when bulk_load failed on ``path``.

        Reading the file once more with parse_quads gives the input error in
        the same ``file:line:column`` form as every other path; when the file
        reads fine, the store itself failed.
        """
        try:
            parse_quads(path)
        except RdfInputError as error:
            return error
        return StoreError(f"could not load {path} into store {self.path}: {exc}")

    def _remove_graphs(self, graphs: Iterable[ox.NamedNode]) -> None:
        """Remove the graphs of a load that did not finish; the marker stays if this fails."""
        for graph in graphs:
            try:
                if self._live().contains_named_graph(graph):
                    self._live().remove_graph(graph)
            except OSError as exc:
                raise StoreError(
                    f"could not remove the partly loaded graph {graph} from store {self.path}: "
                    f"{exc}; it is removed when the store is opened again"
                ) from exc

    def _undo_unfinished_load(self) -> None:
        """Remove the graphs of a bulk load that a crash left unfinished (see module)."""
        pending = PendingLoad(self.path / PENDING_LOAD_FILE)
        unfinished = pending.graphs()
        if unfinished:
            self._remove_graphs([named_node(iri) for iri in unfinished])
            pending.undone(unfinished)
        for prefix in (line_parts.SPLIT_PREFIX, SNAPSHOT_PREFIX):
            for leftover in self.path.glob(f"{prefix}*"):
                shutil.rmtree(leftover, ignore_errors=True)

    def _holds_triples(self, graph: ox.NamedNode) -> bool:
        return next(iter(self._live().quads_for_pattern(None, None, None, graph)), None) is not None

    def _size(self, graph: ox.NamedNode) -> int:
        solutions = self._live().query(_GRAPH_SIZE, substitutions={ox.Variable("g"): graph})
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
        row = next(iter(solutions), None)
        return 0 if row is None else int(row["n"].value)

    # -- whole store -----------------------------------------------------

    def dump(self, path: Path) -> int:
        dump_format(path)
        try:
            return write_dump(path, iter(self._live()))
        except OSError as exc:
            raise StoreError(f"could not write dump {path}: {exc}") from exc

    def copy_data(self, into: ox.Store, *, leave_out: Collection[str]) -> None:
        copy_natively(self._live(), into, leave_out)

    @contextmanager
    def snapshot(self) -> Iterator[ox.Store]:
        """A writable copy of the store as it is now, for the length of the block: a
        RocksDB checkpoint (hard links to the store's files: instant at any size, where
        copying a million triples into memory takes 20 s), in a folder of the store
        folder, removed afterwards, or when the store is opened after a crash."""
        folder = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX, dir=self.path))
        try:
            folder.rmdir()  # the checkpoint makes its own folder
            self._live().backup(str(folder))
            yield ox.Store(str(folder))
        except OSError as exc:
            raise StoreError(f"could not copy store {self.path}: {exc}") from exc
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def restore(self, path: Path, *, unchecked: bool = False) -> int:
        dump_format(path)
        if not self._is_empty():
            raise StoreError(
                f"store {self.path} is not empty; restore only into a new or empty folder "
                f"(`krb graphs --store {self.path}` lists what it holds)"
            )
        quads = read_dump(path, unchecked=unchecked)
        try:
            self._live().extend(quads)
        except OSError as exc:
            raise StoreError(f"could not restore into store {self.path}: {exc}") from exc
        return len(quads)

    def close(self) -> None:
        if self._store is not None:
            try:
                self._store.flush()
            except OSError as exc:  # a full disk: said in one line like any store error
                raise StoreError(f"the store could not be written to disk: {exc}") from exc
            finally:
                self._store = None

    def _is_empty(self) -> bool:
        """No quad and no (even empty) named graph; O(1), unlike len()."""
        return (
            next(iter(self._live()), None) is None
            and next(iter(self._live().named_graphs()), None) is None
        )

    def _live(self) -> ox.Store:
        """The open store, fetched per use and never kept in a local variable.

        A traceback holding such a frame would keep the database (and its
        lock) alive after close().
        """
        if self._store is None:
            raise StoreError(f"store {self.path} is closed")
        return self._store


def _read(path: Path) -> bytes:
    """A small file's bytes, unpacked when it ends in .gz, without a byte order mark."""
    data = path.read_bytes()
    data = gzip.decompress(data) if path.name.lower().endswith(".gz") else data
    return data.removeprefix(b"\xef\xbb\xbf")


def dataset_options(
    default_graph_uris: Sequence[str], named_graph_uris: Sequence[str], base_iri: str | None
) -> dict[str, object]:
    """pyoxigraph's query options for the Store protocol's dataset arguments: when either
    is given, exactly that dataset (SPARQL 1.1 Protocol 2.1.4: only named graphs leave
    the default graph empty, only default graphs leave no named graphs; the union and
    every graph were read instead), else the union of all graphs."""
    options: dict[str, object] = {}
    if default_graph_uris or named_graph_uris:
        options["default_graph"] = [named_node(iri) for iri in default_graph_uris]
        options["named_graphs"] = [named_node(iri) for iri in named_graph_uris]
    else:
        options["use_default_graph_as_union"] = True
    if base_iri is not None:
        options["base_iri"] = named_node(base_iri, "base IRI").value
    return options


def _open(path: Path) -> ox.Store:
    if path.exists() and not path.is_dir():
        raise StoreError(f"store location {path} is a file; it must be a folder")
    refuse_other_folder(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB's "Corruption: ..."
        if "lock" in str(exc).lower():
            raise StoreError(
                f"store {path} is in use by another process; an embedded store can be "
                "opened by one process at a time (stop it, or run a SPARQL server)"
            ) from exc
        damaged = "" if isinstance(exc, OSError) else " (it is damaged: `krb restore` a dump)"
        raise StoreError(f"cannot open store {path}: {exc}{damaged}") from exc


def _in_worker(run: Callable[[], QueryResult], limits: AnswerLimits) -> QueryResult:
    """Run ``run`` in a worker thread and wait for it no longer than the time limit (if any).

    The worker checks ``limits`` between solutions; on time-out it is
    cancelled, so it stops at its next solution rather than reading on.
    """
    outcome: list[QueryResult | BaseException] = []

    def work() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # handed to the caller below, never swallowed
            outcome.append(exc)

    worker = threading.Thread(target=work, name="krb-query", daemon=True)
    worker.start()
    if limits.timeout_s is None:
        worker.join()
    else:
        worker.join(max(limits.timeout_s - (time.monotonic() - limits.started), 0.0))
    if not outcome:
        limits.cancel()
        raise limits.timeout()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _outlast(workers: list[threading.Thread]) -> None:
    """Wait for loaders that cannot be stopped (bulk_load runs in the engine, without
    the GIL) once Ctrl-C reached the thread waiting for them: the caller then removes
    the load's graphs, and a part still loading would write into the removed graph
    after that (half a graph kept, the marker gone). Another Ctrl-C does not cut the
    wait short."""
    while any(worker.is_alive() for worker in workers):
        try:
            for worker in workers:
                worker.join()
        except KeyboardInterrupt:
            continue
