"""A lower CPU priority for one query, so that queries of unknown cost yield the cores.

SPARQL that users write themselves can cost anything, and the engine cannot stop
a query before its time limit: until then it holds a core. Run at a lower
priority it still runs, and uses every core nobody else wants, but the scheduler
gives the cores to the pages, the named queries and the writes first. Linux's
scheduler weighs a thread by its nice value: 1024 at the default 0, 335 at 5 (all
users' SPARQL, krbgraph.web.user_sparql) and 15 at 19, the lowest (the lane of
clients and texts that already ran into the time limit, krbgraph.web.admission).

On Linux the nice value belongs to a thread, not to a process, which is what
makes this precise:

- **Embedded store**: such a query runs in a worker thread of its own, which
  lowers its own priority before it starts and ends with the query.
- **Supervised engine** (`oxigraph serve`): the engine serves each HTTP
  connection on a thread of its own, named after the client's address and
  port. Queries of one priority share a pool of connections of their own, and
  as each connection opens, the engine's thread with that name gets that
  priority. Only queries of that priority ever use it, so the priority cannot
  stick to anyone else's request (an unprivileged process may lower a thread's
  priority but never raise it back); the thread ends when the connection closes.

Where this cannot be done (another operating system, an engine that names its
threads otherwise, a remote SPARQL server) the query runs at normal priority,
as before; the time limit and the lane still bound it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

__all__ = ["LOWEST", "lower_connection_thread", "lower_this_thread"]

logger = logging.getLogger(__name__)

LOWEST = 19
"""The nice value given: the lowest priority Linux has."""

FIND_THREAD_S = 0.2
"""How long to look for the engine's thread of a new connection: the engine names
it right after it accepted the connection, a moment after the client's connect
has returned."""

_COMM_LENGTH = 15
"""Linux keeps a thread's name in 16 bytes, the last one a NUL."""

GIVE_UP_AFTER = 3
"""Connections in a row whose thread was not found, after which a process is no longer
searched: an engine that names its threads otherwise would cost every query the wait."""

_misses: dict[int, int] = {}
_misses_lock = threading.Lock()


def lower_this_thread(nice: int) -> bool:
    """Give the calling thread the nice value ``nice`` (1 to 19); whether that worked."""
    _check(nice)
    if not hasattr(os, "setpriority"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError as exc:  # a sandbox that forbids it: run at normal priority
        logger.debug("could not lower a query thread's priority: %s", exc)
        return False
    return True


def lower_connection_thread(pid: int, client: tuple[str, int], *, nice: int) -> int | None:
    """Give the thread of process ``pid`` that serves the connection from ``client``
    (host, port) the nice value ``nice`` (1 to 19); its thread id, or None when it was
    not found."""
    _check(nice)
    tasks = Path(f"/proc/{pid}/task")
    if not hasattr(os, "setpriority") or not tasks.is_dir():
        return None
    with _misses_lock:
        if _misses.get(pid, 0) >= GIVE_UP_AFTER:
            return None
    host, port = client
    name = f"{host}:{port}"[:_COMM_LENGTH]
    deadline = time.monotonic() + FIND_THREAD_S
    while True:
        tid = _thread_named(tasks, name)
        if tid is not None:
            with _misses_lock:
                _misses.pop(pid, None)
            try:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            except OSError as exc:  # it ended meanwhile, or it is not ours to change
                logger.debug("could not lower the priority of engine thread %s: %s", tid, exc)
                return None
            return tid
        if time.monotonic() >= deadline:
            with _misses_lock:
                _misses[pid] = missed = _misses.get(pid, 0) + 1
            if missed == GIVE_UP_AFTER:
                logger.warning(
                    "the engine (pid %s) has no thread named after its clients' addresses: "
                    "users' SPARQL runs at normal priority",
                    pid,
                )
            return None
        time.sleep(0.002)


def _check(nice: int) -> None:
    if not 1 <= nice <= LOWEST:
        raise ValueError(f"nice value {nice} is not between 1 and {LOWEST}")


def _thread_named(tasks: Path, name: str) -> int | None:
    try:
        entries = list(tasks.iterdir())
    except OSError:  # the process ended
        return None
    for entry in entries:
        try:
            if (entry / "comm").read_text().rstrip("\n") == name:
                return int(entry.name)
        except (OSError, ValueError):  # a thread that ended while we looked
            continue
    return None
