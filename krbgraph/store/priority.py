"""The lowest CPU priority for one query: it gets a core only when nobody else needs it.

A query that already ran into the time limit once (the lane of marked clients
and texts, krbgraph.web.admission) is likely to do so again. The engine cannot
stop it before its limit, so until then it holds a core; at the lowest priority
it still runs, but the scheduler gives that core to every other query, page and
write first (a nice value of 19 weighs 15 against 1024 for the default 0 in
Linux's scheduler).

On Linux the nice value belongs to a thread, not to a process, which is what
makes this precise:

- **Embedded store**: each query runs in a worker thread of its own, which
  lowers its own priority before it starts and ends with the query.
- **Supervised engine** (`oxigraph serve`): the engine serves each HTTP
  connection on a thread of its own, named after the client's address and
  port. The query is sent over a connection of its own, and once it is open
  the engine's thread with that name gets the lowest priority. The
  connection is closed after the one query, and the thread with it, so the
  priority cannot stick to anyone else's request: an unprivileged process may
  lower a thread's priority but never raise it back.

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


def lower_this_thread() -> bool:
    """Give the calling thread the lowest priority; whether that worked."""
    if not hasattr(os, "setpriority"):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST)
    except OSError as exc:  # a sandbox that forbids it: run at normal priority
        logger.debug("could not lower a query thread's priority: %s", exc)
        return False
    return True


def lower_connection_thread(pid: int, client: tuple[str, int]) -> int | None:
    """Give the thread of process ``pid`` that serves the connection from ``client``
    (host, port) the lowest priority; its thread id, or None when it was not found."""
    tasks = Path(f"/proc/{pid}/task")
    if not hasattr(os, "setpriority") or not tasks.is_dir():
        return None
    host, port = client
    name = f"{host}:{port}"[:_COMM_LENGTH]
    deadline = time.monotonic() + FIND_THREAD_S
    while True:
        tid = _thread_named(tasks, name)
        if tid is not None:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, LOWEST)
            except OSError as exc:  # it ended meanwhile, or it is not ours to change
                logger.debug("could not lower the priority of engine thread %s: %s", tid, exc)
                return None
            return tid
        if time.monotonic() >= deadline:
            logger.debug("no engine thread named %r: the query runs at normal priority", name)
            return None
        time.sleep(0.002)


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
