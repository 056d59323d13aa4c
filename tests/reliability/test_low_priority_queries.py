"""A query run at low priority yields its core; no other query's priority changes.

Queries of the lane of marked clients and texts (krbgraph.web.admission) are
likely runaways: until their time limit they run on the engine thread the
scheduler serves last (nice 19), so the pages and everyone else's queries get
the cores first. Checked on both embedded backends by reading the threads'
nice values from /proc while such a query runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from krbgraph.store import QueryTimeout
from krbgraph.store.embedded import EmbeddedStore
from krbgraph.store.priority import LOWEST
from krbgraph.store.supervised import SupervisedStore

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are a Linux feature"
)

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
"""Sorts a three-way cross join: never done within the time limit."""
SMALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
T = TypeVar("T")


def numbers(count: int) -> str:
    return "INSERT DATA { " + " ".join(f"<urn:n{i}> <urn:v> {i} ." for i in range(count)) + " }"


def threads(pid: int) -> dict[int, tuple[str, int]]:
    """Thread id -> (name, nice value) of process ``pid``."""
    found: dict[int, tuple[str, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        found[int(task.name)] = (name, int(fields[16]))  # field 19 of stat: nice
    return found


def while_running(query: Callable[[], object], look: Callable[[], T]) -> T:
    """``look()`` half a second into ``query()``, which must run into its time limit."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            query()
        except BaseException as exc:  # noqa: BLE001 - handed to the assertion below
            outcome.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(0.5)
    seen = look()
    runner.join()
    assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout), outcome
    return seen


def test_supervised_engine_runs_a_low_priority_query_on_a_thread_of_lowest_priority(
    tmp_path: Path,
) -> None:
    with SupervisedStore(tmp_path / "store", default_timeout_s=10) as store:
        store.update(numbers(300))
        pid = store.engine_pid
        assert pid is not None
        seen = while_running(
            lambda: store.query(RUNAWAY, timeout_s=1.5, nice=LOWEST),
            lambda: (threads(pid), store.query(SMALL).rows),
        )
        during, answer = seen
        connections = {name: nice for name, nice in during.values() if name.startswith("127.")}
        assert sorted(connections.values()) == [0] * (len(connections) - 1) + [LOWEST], during
        assert answer[0][0].toPython() == 300  # answered meanwhile, at normal priority
        # The overrun restarted the engine; on the new one an ordinary query's thread
        # has the default priority, and no thread is left at the lowest.
        store.query(SMALL)
        pid = store.engine_pid
        assert pid is not None
        assert all(nice == 0 for _name, nice in threads(pid).values()), threads(pid)


def test_supervised_engine_without_low_priority_changes_no_thread(tmp_path: Path) -> None:
    with SupervisedStore(tmp_path / "store", default_timeout_s=10) as store:
        store.update(numbers(300))
        pid = store.engine_pid
        assert pid is not None
        during = while_running(lambda: store.query(RUNAWAY, timeout_s=1.5), lambda: threads(pid))
        assert all(nice == 0 for _name, nice in during.values()), during


def test_embedded_store_runs_a_low_priority_query_in_a_worker_of_lowest_priority(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path / "store", default_timeout_s=10)
    try:
        store.update(numbers(300))
        # A solution every few milliseconds: the worker, cancelled at the time limit,
        # stops at its next one (a query without any would run on to its end).
        runaway = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER (?c + ?f + ?i = 300) }"
        me = threading.get_native_id()
        during = while_running(
            lambda: store.query(runaway, timeout_s=1.0, nice=LOWEST),
            lambda: threads(os.getpid()),
        )
        lowest = [tid for tid, (_name, nice) in during.items() if nice == LOWEST]
        assert len(lowest) == 1 and lowest[0] != me, during
        assert during[me][1] == 0  # the caller keeps its priority
        # Without a time limit it still runs in a worker of its own.
        assert store.query(SMALL, timeout_s=None, nice=LOWEST).rows[0][0].toPython() == 300
        # The workers end with their queries (the cancelled one at its next
        # solution); no thread of this process keeps the lowest priority.
        deadline = time.monotonic() + 5
        while any(nice for _name, nice in threads(os.getpid()).values()):
            assert time.monotonic() < deadline, threads(os.getpid())
            time.sleep(0.05)
    finally:
        store.close()


def test_an_engine_that_names_no_thread_after_its_clients_is_not_searched_for_ever() -> None:
    """Each search waits a moment for the engine's new thread; after GIVE_UP_AFTER
    misses in a row the process is no longer searched, so users' queries do not
    each pay that wait on an engine that names its threads otherwise."""
    from krbgraph.store import priority

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for _ in range(priority.GIVE_UP_AFTER):
            started = time.monotonic()
            assert priority.lower_connection_thread(child.pid, ("127.0.0.1", 1), nice=5) is None
            assert time.monotonic() - started >= priority.FIND_THREAD_S
        started = time.monotonic()
        assert priority.lower_connection_thread(child.pid, ("127.0.0.1", 1), nice=5) is None
        assert time.monotonic() - started < priority.FIND_THREAD_S / 2
    finally:
        child.kill()
        child.wait()
    with pytest.raises(ValueError, match="between 1 and 19"):
        priority.lower_this_thread(20)
