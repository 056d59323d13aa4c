"""The supervised backend: the store folder served by one `oxigraph serve` child process.

pyoxigraph cannot cancel a query: a worker thread that sorts or counts a huge
join keeps its core and its memory until it is done, however long that
takes, and a crash in it ends the whole service. Here the engine is a child
process that krbgraph can stop, so every query runs where it can be stopped.
There is exactly one such process per store folder: Oxigraph documents
opening a store while another process writes it as undefined behaviour, so
per-query worker processes on one folder are not an option.

- **Requests.** The child is ``oxigraph serve --location FOLDER --bind
  127.0.0.1:PORT --union-default-graph`` on a free port; queries, updates
  and graph reads go to it through a RemoteStore (one per run of the engine,
  all sharing one HTTP client), with the same limits, errors and answers as
  any remote store.
- **Overruns.** When a query passes its time limit (the HTTP client gives up
  waiting or reading), the engine is stopped (SIGTERM, SIGKILL after
  ``STOP_GRACE_S``) and started again: the kernel takes its CPU and memory
  back at once, and a restart on a small store takes about 0.1 s. Other
  queries that were running on it are run again on the new engine within
  the time they have left (queries change nothing, so this is safe); when
  none is left they get QueryTimeout. Requests that arrive while it
  restarts wait for it, at most until their own time limit (or
  ``start_timeout_s``).
- **Memory.** The engine runs with RLIMIT_AS at ``memory_mb`` (address
  space, not resident memory: an idle engine reserves about 0.2 GB) and
  with ``MALLOC_ARENA_MAX=2`` (unless set), since glibc reserves 64 MB of
  address space per malloc arena and per thread otherwise, which would eat
  the limit. An allocation past the limit aborts the engine only; the
  supervisor sees it die (a crash or segfault alike), logs its last output
  and starts it again. A query that was running on it is run once more
  (it may have been a bystander); if the engine stops under it again, it
  gets EngineStopped (a QueryTimeout, so 503 over HTTP). A write that was
  running is sent once more only when it is repeatable (Store.update: the
  service's own commits of a computed change are) or the engine refused the
  connection (it was gone before the write reached it); any other gets
  EngineStopped at once.
- **Writes.** Updates and graph writes are serialised by a lock and never
  killed for another request's overrun: a stop waits until the write in
  progress has finished. Writes have their own time limit (the remote
  backend's ``WRITE_TIMEOUT_S``, 10 minutes); a write past it is reported as
  failed and the engine is then restarted, which makes the outcome
  definite: Oxigraph runs an update as one RocksDB transaction, and an
  uncommitted transaction is gone after a kill, while a committed one
  (acknowledged to the caller) survives it.
- **Priority and exports.** A query with a nice value goes over a pool of
  connections of that priority, each one's engine thread set to it as it opens
  (krbgraph.store.priority);
  ``solutions`` hands out an answer as the engine sends it, for exports, and is
  never run again (its rows may already be written).
- **Loads.** ``load_files`` and ``restore`` stop the engine, run the
  embedded store's loader in this process (the bulk-load fast path, the
  crash marker and its clean-up: see embedded.py) and start the engine
  again; requests wait meanwhile, at most until their time limit.
- **No orphans.** The engine is started from one long-lived supervisor
  thread with ``PR_SET_PDEATHSIG`` (Linux), so the kernel kills it when
  this process dies, also by SIGKILL; it runs in its own session, so a
  Ctrl+C in the terminal reaches krbgraph, which stops it in ``close()``.

One module of some 890 lines on purpose: it is one state machine (starting,
serving, restarting after an overrun or a crash, stopping) and every Store
method must pass through it; split, the states and their locks would be read
in several places.
"""

from __future__ import annotations

import ctypes
import enum
import functools
import importlib.metadata
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import httpx
import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from ..settings import Settings
from .backend import StoreBackend, TripleData
from .base import QueryResult, QueryTimeout, StoreError
from .embedded import EmbeddedStore
from .pending_load import PENDING_LOAD_FILE
from .priority import lower_connection_thread
from .remote import WRITE_TIMEOUT_S, Endpoints, RemoteStore
from .store_folder import refuse_other_folder
from .terms import joined_update, write_update

logger = logging.getLogger(__name__)

T = TypeVar("T")

START_TIMEOUT_S = 30.0
"""How long the engine may take to answer after a start, and the longest a request waits for it."""
STOP_GRACE_S = 0.5
"""Between SIGTERM and SIGKILL when the engine is stopped."""
LOST_CONNECTION_WAIT_S = 0.5
"""How long to wait for the engine to exit after it dropped a connection, to tell a crash."""
RUNS_PER_QUERY = 3
"""A query interrupted by restarts runs at most this often (within its own time limit)."""
ENGINE_CONNECTIONS = 100
"""Connections to the engine at most at once (httpx's default); each is a thread in it."""
RESTART_BACKOFF_S = (1.0, 30.0)
"""First and longest wait before starting an engine again that failed to start."""
MALLOC_ARENAS = "2"
"""MALLOC_ARENA_MAX of the engine: each glibc arena reserves 64 MB of the memory limit."""
_PR_SET_PDEATHSIG = 1


def _again(timeout: float | None, latest: float | None) -> float | None:
    """The deadline of a query run again after a restart: its whole limit once more, not
    past ``latest`` (twice the limit from its first start)."""
    if timeout is None or latest is None:
        return None
    return min(time.monotonic() + timeout, latest)


class EngineStopped(QueryTimeout):
    """The engine stopped before the request finished (a crash, or its memory limit).

    A QueryTimeout, so the HTTP service answers 503 as for a query past its
    time limit: the request could not finish within the service's limits,
    and the engine is running again for the next one. For a write the
    outcome is unknown (it may have been committed just before).
    """


class _State(enum.Enum):
    STARTING = "starting"
    READY = "ready"
    STOPPING = "stopping"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(eq=False)
class _Engine:
    """One run of the engine process and the RemoteStore that talks to it."""

    process: subprocess.Popen[bytes]
    remote: RemoteStore
    writer: RemoteStore
    """For writes: a new connection per request, so a refused one proves nothing was sent."""
    output: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    stopping: bool = False
    """Set (under the supervisor's lock) before the supervisor stops this run on purpose."""

    def ended_under(self, exc: BaseException) -> str | None:
        """Why a request failed with ``exc``: "restarted", "crashed", or None (the engine runs)."""
        if self.stopping:
            return "restarted"
        if self.process.poll() is None:
            if not _lost_connection(exc):
                return None
            try:  # the socket closes a moment before the process can be reaped
                self.process.wait(LOST_CONNECTION_WAIT_S)
            except subprocess.TimeoutExpired:
                return "restarted" if self.stopping else None
        return "restarted" if self.stopping else "crashed"

    def end(self) -> str:
        """How the process ended, with its last output line, for messages and the log."""
        code = self.process.returncode
        if code is None:
            how = "still running"
        elif code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        last = self.last_words()
        return f"{how}: {last}" if last else how

    def last_words(self) -> str:
        """The output line that says most about an end: an allocation failure, a panic, an error."""
        lines = list(self.output)
        for marker in ("memory allocation", "panicked", "error"):
            telling = [line for line in lines if marker in line.lower()]
            if telling:
                return telling[-1]
        return lines[-1] if lines else ""


@dataclass(eq=False)
class _Job(Generic[T]):
    """Work the supervisor runs while the engine is stopped (a load into the folder)."""

    work: Callable[[], T]
    finished: bool = False
    result: T | None = None
    error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # handed to the caller's thread by outcome()
            self.error = exc

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class SupervisedStore(StoreBackend):
    """A Store on an Oxigraph folder, served by one child process that is restarted on overruns."""

    def __init__(
        self,
        path: Path,
        *,
        default_timeout_s: float | None = None,
        memory_mb: int | None = None,
        binary: str | None = None,
        start_timeout_s: float = START_TIMEOUT_S,
    ):
        """Start the engine and wait until it answers; raises StoreError when it does not.

        ``memory_mb`` limits the engine's address space (None or 0: no limit);
        ``binary`` is the ``oxigraph`` program (default: ``engine_binary()``).
        """
        self.path = Path(path)
        self.default_timeout_s = default_timeout_s
        self.memory_mb = memory_mb or None
        self.start_timeout_s = start_timeout_s
        self._binary = binary or engine_binary()
        _prepare_folder(self.path)
        # Every connection kept open when it goes back to the pool: with more readers
        # than httpx's default of 20 idle connections, the pool closed the rest as they
        # came back, churn under which a request once lost its connection mid-read.
        self._client = httpx.Client(
            headers={"User-Agent": "krbgraph"},
            limits=httpx.Limits(max_connections=ENGINE_CONNECTIONS, max_keepalive_connections=None),
        )
        self._write_client = httpx.Client(
            headers={"User-Agent": "krbgraph"}, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._niced_clients: dict[int, httpx.Client] = {}
        """Per nice value, a pool whose every connection has an engine thread of that
        priority: it is set when the connection opens, so reusing one is safe."""
        self._niced_lock = threading.Lock()
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._state = _State.STARTING
        self._engine: _Engine | None = None
        self._failure = ""
        self._restart_for: tuple[_Engine, str] | None = None
        self._job: _Job[object] | None = None
        self._writing = False
        self._closing = False
        self._retry_at = 0.0
        self._backoff_s = RESTART_BACKOFF_S[0]
        self._thread = threading.Thread(target=self._supervise, name="krb-engine", daemon=True)
        self._thread.start()
        with self._cond:
            self._cond.wait_for(lambda: self._state is not _State.STARTING)
            failure = self._failure if self._state is not _State.READY else ""
        if failure:
            self.close()
            raise StoreError(failure)

    @classmethod
    def from_settings(cls, settings: Settings) -> SupervisedStore:
        return cls(
            Path(settings.store),
            default_timeout_s=settings.query_timeout_s,
            memory_mb=settings.engine_memory_mb,
        )

    def __repr__(self) -> str:
        return f"SupervisedStore({str(self.path)!r})"

    @property
    def engine_pid(self) -> int | None:
        """The process id of the running engine (for operators and tests)."""
        with self._cond:
            return self._engine.process.pid if self._engine is not None else None

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
        def run(engine: _Engine, remaining: float | None) -> QueryResult:
            remote = engine.remote if not nice else self._niced(engine, nice)
            return remote.query(
                sparql,
                bindings=bindings,
                default_graph_uris=default_graph_uris,
                named_graph_uris=named_graph_uris,
                timeout_s=remaining,
                max_rows=max_rows,
                max_bytes=max_bytes,
                base_iri=base_iri,
            )

        return self._read(run, timeout_s if timeout_s is not None else self.default_timeout_s)

    @contextmanager
    def solutions(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        timeout_s: float | None = None,
    ) -> Iterator[ox.QuerySolutions]:
        """The solutions of a SELECT, read from the engine as it sends them (see
        RemoteStore.solutions). Unlike ``query`` it is never run again: rows already
        handed out cannot be taken back, so a restart under it is an EngineStopped."""
        timeout = timeout_s if timeout_s is not None else self.default_timeout_s
        deadline = None if timeout is None else time.monotonic() + timeout
        engine = self._usable_engine(deadline)
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.001)
        try:
            with engine.remote.solutions(sparql, bindings=bindings, timeout_s=remaining) as answer:
                yield answer
        except QueryTimeout as exc:
            if engine.ended_under(exc) is None:  # it still works on the query
                self._restart(engine, f"a request ran past its time limit ({timeout} s)")
            raise
        except (StoreError, httpx.HTTPError, OSError) as exc:
            if engine.ended_under(exc) is None:
                raise
            raise EngineStopped(
                f"the query engine stopped while the answer was read ({engine.end()})"
            ) from exc

    def read_graph(self, graph: str | None) -> rdflib.Graph:
        return self._read(lambda engine, _remaining: engine.remote.read_graph(graph), None)

    def read_through(self, call: Callable[[RemoteStore], T]) -> T:
        """``call`` with the engine's RemoteStore, as ``read_graph`` reads: without a query's
        time limit, and run again from the start when the engine restarted under it (so
        ``call`` must begin by undoing what an interrupted run wrote). For a whole graph
        passed on as the engine sends it (krbgraph.store.streaming.write_graph)."""
        return self._read(lambda engine, _remaining: call(engine.remote), None)

    def dump(self, path: Path) -> int:
        return self._read(lambda engine, _remaining: engine.remote.dump(path), None)

    def copy_data(self, into: ox.Store, *, leave_out: Collection[str]) -> None:
        self._read(
            lambda engine, _remaining: engine.remote.copy_data(into, leave_out=leave_out), None
        )

    # -- writing ---------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None, repeatable: bool = False) -> None:
        self._write(lambda remote: remote.update(sparql, base_iri=base_iri), repeatable)

    def _write_triples(self, graphs: TripleData, replace: bool, then: str = "") -> None:
        written = write_update(graphs, replace=replace)
        text = joined_update(written, then)
        # Dropping each graph first makes even fresh blank nodes land as once.
        self._write(lambda remote: remote.update(text), replace or "_:" not in written)

    def drop_graph(self, graph: str) -> None:
        self._write(lambda remote: remote.drop_graph(graph))

    def load_files(self, files: Mapping[str, Sequence[Path]], *, replace: bool) -> dict[str, int]:
        """The embedded loader, run in this process while the engine is stopped (see module)."""

        def load() -> dict[str, int]:
            with EmbeddedStore(self.path) as store:
                return store.load_files(files, replace=replace)

        return self._offline(load)

    def restore(self, path: Path, *, unchecked: bool = False) -> int:
        def restore() -> int:
            with EmbeddedStore(self.path) as store:
                return store.restore(path, unchecked=unchecked)

        return self._offline(restore)

    def close(self) -> None:
        """Stop the engine (after a write in progress) and the supervisor; idempotent."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
        self._client.close()
        self._write_client.close()
        with self._niced_lock:
            for client in self._niced_clients.values():
                client.close()

    # -- requests on the engine -----------------------------------------

    def _niced(self, engine: _Engine, nice: int) -> RemoteStore:
        """The engine reached over the connections of priority ``nice``: each new one's
        thread in the engine gets that priority as it opens (krbgraph.store.priority),
        and only requests of that priority use it afterwards."""
        with self._niced_lock:
            client = self._niced_clients.get(nice)
            if client is None:
                client = self._niced_clients[nice] = httpx.Client(
                    headers={"User-Agent": "krbgraph"},
                    limits=httpx.Limits(
                        max_connections=ENGINE_CONNECTIONS, max_keepalive_connections=None
                    ),
                )
        return RemoteStore(
            engine.remote.endpoints,
            client=client,
            on_connect=functools.partial(lower_connection_thread, engine.process.pid, nice=nice),
        )

    def _read(self, call: Callable[[_Engine, float | None], T], timeout: float | None) -> T:
        """``call`` on the engine; stop the engine when it overruns, run it again when the
        engine was restarted under it (or crashed, once: it may have been a bystander).

        A query run again gets its whole time limit again, up to twice the limit in all:
        one client's runaway every few seconds stopped everyone else's queries, which,
        run again in the time they had left, overran in turn, got 503 and were marked as
        runaways themselves. Twice at most, so a runaway that was a bystander first is
        still stopped soon after its own limit (with a fresh limit per run, three runs
        held the engine three times as long)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        latest = None if timeout is None else time.monotonic() + 2 * timeout
        crashes = dropped = 0
        for run in range(1, RUNS_PER_QUERY + 1):
            engine = self._usable_engine(deadline)
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise QueryTimeout(f"query did not finish within {timeout:g} s")
            try:
                return call(engine, remaining)
            except QueryTimeout as exc:
                cause = engine.ended_under(exc)
                if cause is None:  # it still works on the query: only a stop ends that
                    self._restart(engine, f"a request ran past its time limit ({timeout} s)")
                    raise
                if cause == "crashed":
                    raise EngineStopped(f"the query engine stopped: {engine.end()}") from exc
                if run == RUNS_PER_QUERY:
                    raise
                logger.info("query stopped by an engine restart; running it again")
                deadline = _again(timeout, latest)
                continue
            except (StoreError, httpx.HTTPError, OSError) as exc:
                cause = engine.ended_under(exc)
                if cause is None:
                    # A connection lost while the engine runs on: the HTTP client's pool
                    # dropped it under the request (seen with 32 concurrent readers as
                    # "Bad file descriptor"). A query changes nothing: sent once more.
                    if _lost_connection(exc) and not dropped and run < RUNS_PER_QUERY:
                        dropped += 1
                        logger.info("query lost its connection to the engine (%s); sent again", exc)
                        continue
                    raise
                crashes += cause == "crashed"
                if run == RUNS_PER_QUERY or crashes > 1:
                    raise EngineStopped(
                        f"the query engine stopped while the query ran ({engine.end()}); "
                        "it is being restarted"
                    ) from exc
                logger.info("query interrupted by an engine restart (%s); running it again", cause)
                deadline = _again(timeout, latest)
        raise AssertionError("unreachable")  # the last run returns or raises

    def _write(self, call: Callable[[RemoteStore], T], repeatable: bool = False) -> T:
        """``call`` on the engine, one write at a time, never interrupted by a restart.

        Sent again, once, when the engine was gone before the request reached it
        (connection refused), or when it stopped under a ``repeatable`` write
        (see Store.update): the second run leaves the state one run leaves,
        whether the first was committed or not. Any other write that reached
        the engine is never repeated.
        """
        with self._write_lock:
            for attempt in (1, 2):
                engine = self._usable_engine(None, writing=True)
                overran = False
                try:
                    return call(engine.writer)
                except QueryTimeout:
                    overran = True
                    raise
                except (StoreError, httpx.HTTPError, OSError) as exc:
                    if engine.ended_under(exc) is None:
                        raise
                    if attempt == 1 and (repeatable or _never_sent(exc)):
                        why = engine.end()
                        logger.info("write interrupted by an engine stop (%s); sent again", why)
                        continue
                    raise EngineStopped(
                        f"the query engine stopped during a write ({engine.end()}); the write "
                        "was not confirmed and may not have been applied"
                    ) from exc
                finally:
                    with self._cond:
                        self._writing = False
                        if overran:
                            self._ask_restart(engine, "a write ran past its time limit")
                        self._cond.notify_all()
        raise AssertionError("unreachable")  # the second attempt returns or raises

    def _offline(self, work: Callable[[], T]) -> T:
        """Run ``work`` in the supervisor while the engine is stopped; wait for the restart."""
        job: _Job[T] = _Job(work)
        with self._write_lock, self._cond:
            if self._closing:
                raise StoreError(f"store {self.path} is closed")
            self._writing = True
            self._job = job  # type: ignore[assignment]
            self._cond.notify_all()
            try:
                self._cond.wait_for(lambda: job.finished)
            finally:
                self._writing = False
                self._cond.notify_all()
        return job.outcome()

    def _usable_engine(self, deadline: float | None, *, writing: bool = False) -> _Engine:
        """The running engine, waiting for a start in progress until ``deadline`` at most.

        New requests also wait for a restart that has been asked for, unless a
        write delays it (then reads still go to the old engine, and are run
        again if the restart interrupts them). With ``writing`` the caller
        holds the write lock; the engine is then marked as writing, so it is
        not stopped until the caller is done.
        """
        limit = time.monotonic() + self.start_timeout_s
        if deadline is not None:
            limit = min(limit, deadline)
        with self._cond:
            while True:
                engine = self._engine
                if self._closing or self._state is _State.CLOSED:
                    raise StoreError(f"store {self.path} is closed")
                if (
                    self._state is _State.READY
                    and engine is not None
                    and not engine.stopping
                    and engine.process.poll() is None
                    and (self._restart_for is None or (self._writing and not writing))
                ):
                    self._writing = self._writing or writing
                    return engine
                if self._state is _State.FAILED:
                    raise StoreError(self._failure)
                left = limit - time.monotonic()
                if left <= 0:
                    raise QueryTimeout(
                        f"the query engine of store {self.path} was restarting and not back in time"
                    )
                self._cond.wait(left)

    def _restart(self, engine: _Engine, reason: str) -> None:
        with self._cond:
            self._ask_restart(engine, reason)

    def _ask_restart(self, engine: _Engine, reason: str) -> None:
        """Have the supervisor restart ``engine`` unless it already is; hold ``_cond``."""
        if self._engine is engine and not engine.stopping and self._restart_for is None:
            self._restart_for = (engine, reason)
            self._cond.notify_all()

    # -- the supervisor thread ---------------------------------------------

    def _supervise(self) -> None:
        """The supervisor thread; should it fail, requests get its error instead of waiting.

        The engine dies with this thread (PR_SET_PDEATHSIG names the thread
        that started it), so a failed supervisor leaves no engine behind.
        """
        try:
            self._supervision()
        except BaseException as exc:
            logger.exception("the supervisor of the query engine of store %s failed", self.path)
            with self._cond:
                self._engine = None
                self._state = _State.FAILED
                self._failure = (
                    f"the supervisor of the query engine of store {self.path} failed: {exc}"
                )
                if self._job is not None:
                    self._job.error = StoreError(self._failure)
                self._finish(self._job)

    def _supervision(self) -> None:
        """Start the engine, restart it when asked or when it dies, run offline jobs, stop it."""
        while True:
            with self._cond:
                step = self._next_step()
                while step is None:
                    wait = self._retry_at - time.monotonic() if self._engine is None else None
                    self._cond.wait(wait)
                    step = self._next_step()
                old, reason, job = self._engine, self._why(step), self._job
                if old is not None and step != "crashed":
                    old.stopping = True
                self._restart_for = None
                if self._state is not _State.STARTING:
                    self._state = _State.STOPPING
            began = time.monotonic()
            if old is not None:
                _stop(old.process)
                if step == "crashed":
                    logger.error(
                        "query engine (pid %d) of store %s stopped: %s%s; restarting",
                        old.process.pid,
                        self.path,
                        old.end(),
                        self._memory_hint(old),
                    )
            if step == "close":
                with self._cond:
                    self._engine = None
                    self._state = _State.CLOSED
                    self._cond.notify_all()
                return
            if job is not None and step == "job":
                job.run()
            self._start(old, reason, began, job if step == "job" else None)

    def _next_step(self) -> str | None:
        """What the supervisor must do now; hold ``_cond``."""
        engine = self._engine
        if self._closing and not self._writing:
            return "close"
        if self._job is not None:
            return "job"  # asked by the writer, so it does not wait for the write to end
        if engine is None:
            return "start" if time.monotonic() >= self._retry_at else None
        if engine.process.poll() is not None:
            return "crashed"
        if self._restart_for is not None and not self._writing:
            return "restart"
        return None

    def _why(self, step: str) -> str:
        if step == "restart" and self._restart_for is not None:
            return self._restart_for[1]
        return {"job": "a load into the store folder", "crashed": "the engine stopped"}.get(
            step, step
        )

    def _start(
        self, old: _Engine | None, reason: str, began: float, job: _Job[object] | None
    ) -> None:
        """Start a new engine run and publish it (or the failure) to the waiting requests."""
        try:
            engine = self._spawn()
        except StoreError as exc:
            with self._cond:
                self._engine = None
                self._state = _State.FAILED
                self._failure = str(exc)
                self._retry_at = time.monotonic() + self._backoff_s
                self._backoff_s = min(self._backoff_s * 2, RESTART_BACKOFF_S[1])
                self._finish(job)
            logger.error("%s", exc)
            return
        with self._cond:
            self._engine = engine
            self._state = _State.READY
            self._failure = ""
            self._backoff_s = RESTART_BACKOFF_S[0]
            self._finish(job)
        if old is not None:
            logger.warning(
                "query engine of store %s restarted in %.2f s (pid %d -> %d): %s",
                self.path,
                time.monotonic() - began,
                old.process.pid,
                engine.process.pid,
                reason,
            )

    def _finish(self, job: _Job[object] | None) -> None:
        """Mark an offline job done and wake everyone waiting; hold ``_cond``."""
        if job is not None:
            job.finished = True
            self._job = None
        self._cond.notify_all()

    def _spawn(self) -> _Engine:
        """A new engine process that answers queries; raises StoreError when it does not start."""
        last_words = ""
        for _attempt in range(3):  # another process may take the free port before the engine
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            try:
                process = subprocess.Popen(
                    [
                        self._binary,
                        "serve",
                        "--location",
                        str(self.path),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--union-default-graph",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    env=_engine_environment(),
                    preexec_fn=_child_setup(self.memory_mb),
                    start_new_session=True,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise StoreError(f"cannot start the query engine {self._binary}: {exc}") from exc
            endpoints = Endpoints(f"{url}/query", f"{url}/update", f"{url}/store")
            engine = _Engine(
                process,
                RemoteStore(endpoints, client=self._client),
                RemoteStore(
                    endpoints, client=self._write_client, default_timeout_s=WRITE_TIMEOUT_S
                ),
            )
            threading.Thread(
                target=self._follow, args=(engine,), name=f"krb-engine-{process.pid}", daemon=True
            ).start()
            if self._answers(engine):
                return engine
            _stop(process)
            last_words = " / ".join(engine.output) or engine.end()
            if "address already in use" not in last_words.lower():
                break
        if "lock" in last_words.lower():
            raise StoreError(
                f"store {self.path} is in use by another process; an embedded store can be "
                "opened by one process at a time (stop it, or run a SPARQL server)"
            )
        raise StoreError(f"the query engine for store {self.path} did not start: {last_words}")

    def _answers(self, engine: _Engine) -> bool:
        deadline = time.monotonic() + self.start_timeout_s
        probe = engine.remote.endpoints.query
        while time.monotonic() < deadline and engine.process.poll() is None:
            try:
                if self._client.get(probe, params={"query": "ASK {}"}, timeout=2.0).is_success:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        return False

    def _follow(self, engine: _Engine) -> None:
        """Keep the engine's last output lines, log them, and report its exit at once."""
        stream = engine.process.stdout
        assert stream is not None
        for raw in stream:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                engine.output.append(line)
                logger.info("engine %d: %s", engine.process.pid, line)
        stream.close()
        engine.process.wait()
        with self._cond:
            self._cond.notify_all()

    def _memory_hint(self, engine: _Engine) -> str:
        if self.memory_mb and any("memory allocation" in line for line in engine.output):
            return f" (it reached its memory limit of {self.memory_mb} MB, KRB_ENGINE_MEMORY_MB)"
        return ""


def engine_binary() -> str:
    """The ``oxigraph`` server program: beside this Python, where the ``oxigraph`` package
    put it, or on PATH. Raises StoreError when there is none."""
    candidates = [Path(sys.executable).parent / "oxigraph"]
    try:
        package = importlib.metadata.distribution("oxigraph")
        candidates += [
            Path(str(package.locate_file(entry)))
            for entry in package.files or ()
            if entry.name == "oxigraph"
        ]
    except importlib.metadata.PackageNotFoundError:
        pass
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate.resolve())
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError(
            "the oxigraph server program is not installed (pip install oxigraph); "
            "or run the store in this process with KRB_ENGINE=embedded"
        )
    return found


def _prepare_folder(path: Path) -> None:
    """Create the folder; finish the clean-up of a load that a crash left (see embedded.py)."""
    if path.exists() and not path.is_dir():
        raise StoreError(f"store location {path} is a file; it must be a folder")
    refuse_other_folder(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create store folder {path}: {exc}") from exc
    if (path / PENDING_LOAD_FILE).exists():
        EmbeddedStore(path).close()  # opening removes the graphs of the unfinished load


def _engine_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    return env


def _child_setup(memory_mb: int | None) -> Callable[[], None]:
    """What the child runs between fork and exec: the memory limit and the parent-death signal.

    Everything it needs is looked up before the fork, so the child only makes
    two system calls (the preexec_fn caveat about threads is about work that
    takes locks, such as imports and allocation).
    """
    limit = None if not memory_mb else memory_mb * 1024 * 1024
    if limit is not None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if limit >= 2**63:  # more than the kernel can hold: no limit (setrlimit overflowed)
            limit = None
    prctl = _prctl()
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def setup() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)

    return setup


def _prctl() -> Callable[..., int] | None:
    """libc's prctl on Linux; None elsewhere (there close() alone stops the engine)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after STOP_GRACE_S; returns once the process is gone."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _never_sent(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a connection the engine refused: the request did nothing."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.ConnectError | ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _lost_connection(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a dropped connection or a cut-off answer.

    A time-out is neither: the engine is still working on the request then.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, httpx.TimeoutException):
            return False
        if isinstance(seen, httpx.TransportError | ConnectionError | SyntaxError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
