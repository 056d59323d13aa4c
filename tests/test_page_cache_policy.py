"""Which answers the page cache keeps when it is full (krbgraph.web.aggregates).

The service keeps whole-registry answers per store version, bounded in entries and
rows. Readers differ: officers come back to the monitoring page and theme pages all
day; a researcher (or a crawler) walks ``?datum=`` over hundreds of days, each answer
read once. What a municipality expects: the walker does not make everybody else wait
for the whole registry again, a new large answer is kept for the next reader, and at
midnight yesterday's answers make room for today's.

A real embedded store; the answers are tuples of the size a whole-registry answer has
(rows), computed by counting calls, so what is asserted is how often a reader waits.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from krbgraph.store.embedded import EmbeddedStore
from krbgraph.web import aggregates
from krbgraph.web.aggregates import Today, cached, rewarm, today_in_key


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(tmp_path / "store")
    yield opened
    opened.close()


class Answers:
    """Answers of a given size per key, counting how often each was computed."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.computed: Counter[object] = Counter()

    def read(self, key: object, rows: int) -> tuple[int, ...]:
        def compute() -> tuple[int, ...]:
            self.computed[key] += 1
            return tuple(range(rows))

        answer = cached(self.store, key, compute, len)
        assert len(answer) == rows
        return answer


def _write(store: EmbeddedStore) -> None:
    store.update("INSERT DATA { GRAPH <urn:krb:test> { <urn:x> <urn:p> 1 } }")


def test_a_reader_walking_dates_does_not_push_out_what_others_come_back_to(store) -> None:
    answers = Answers(store)
    for _ in range(2):  # the monitoring page and theme pages, read by two officers
        answers.read("normtoets", 24_000)
        answers.read("normgat", 24_000)
        for theme in range(20):
            answers.read(("thema", theme), 300)
    for day in range(1_000):  # a researcher walks the dwarsverbanden over the years
        answers.read(("dwarsverbanden", day), 200)
    answers.computed.clear()
    answers.read("normtoets", 24_000)
    answers.read("normgat", 24_000)
    for theme in range(20):
        answers.read(("thema", theme), 300)
    assert sum(answers.computed.values()) == 0, answers.computed


def test_a_new_large_answer_is_kept_beside_a_full_protected_segment(store) -> None:
    answers = Answers(store)
    for _ in range(2):
        answers.read("normgat", 24_000)
        answers.read("effectevaluatie", 18_000)
        for theme in range(40):
            answers.read(("thema", theme), 300)
    for _ in range(5):  # five officers open today's normtoets
        answers.read("normtoets", 24_000)
    assert answers.computed["normtoets"] == 1
    held = aggregates._CACHES[store]
    assert held.weight <= aggregates.MAX_ROWS


def test_what_is_read_again_after_a_write_stays_protected(store) -> None:
    """rewarm computes the read-again answers for the new version; a date walker right
    after the write must not push them out before their readers come back."""
    answers = Answers(store)
    for _ in range(2):
        answers.read("normtoets", 24_000)
        answers.read(("thema", 1), 300)
    _write(store)
    assert rewarm(store) == 2
    for day in range(1_000):
        answers.read(("dwarsverbanden", day), 200)
    answers.computed.clear()
    answers.read("normtoets", 24_000)
    answers.read(("thema", 1), 300)
    assert sum(answers.computed.values()) == 0, answers.computed


def test_at_midnight_yesterdays_answers_make_room_for_todays(store, monkeypatch) -> None:
    """Keys that name the day (a date left out is today) are never read again the day
    after, whatever segment they were in, and must not keep today's out; what does not
    depend on the day (the list of areas, a graph's size) stays: at 00:00 every reader
    at once would compute it again."""
    answers = Answers(store)
    for day in (date(2026, 12, 7), date(2026, 12, 8)):
        monkeypatch.setattr(aggregates, "registry_today", lambda day=day: day)
        for _ in range(20):
            answers.read(("normtoets", today_in_key()), 24_000)
            answers.read(("normgat", today_in_key()), 24_000)
            answers.read(("effectevaluatie", today_in_key()), 18_000)
            answers.read(("area-choices",), 2_000)
        today = Today(day.isoformat())
        assert answers.computed[("normtoets", today)] == 1
        assert answers.computed[("normgat", today)] == 1
        held = aggregates._CACHES[store]
        assert {key[1] for key in held.entries if len(key) > 1} == {today}  # type: ignore[index]
    assert answers.computed[("area-choices",)] == 1


def test_a_write_on_a_later_day_does_not_compute_yesterdays_answers_again(
    store, monkeypatch
) -> None:
    answers = Answers(store)
    monkeypatch.setattr(aggregates, "registry_today", lambda: date(2026, 12, 7))
    yesterday = today_in_key()
    for _ in range(2):
        answers.read(("normtoets", yesterday), 24_000)
        answers.read(("area-choices",), 2_000)
    monkeypatch.setattr(aggregates, "registry_today", lambda: date(2026, 12, 8))
    _write(store)
    assert rewarm(store) == 1  # the areas, not yesterday's normtoets
    assert answers.computed[("normtoets", yesterday)] == 1
    assert answers.computed[("area-choices",)] == 2


def test_readers_coming_back_later_than_probation_holds_are_kept_after_one_miss(
    store,
) -> None:
    """Pages read twice in the morning fill the protected segment and are never read
    again; in the afternoon readers come back to pages after more requests than
    probation holds. Each such page is computed once more, then kept (it was asked
    again after it was dropped), not computed on every visit."""
    answers = Answers(store)
    for _ in range(2):
        for page in range(220):
            answers.read(("morning", page), 1)
    afternoon = [("afternoon", page) for page in range(100)]
    for _ in range(4):
        for key in afternoon:
            answers.read(key, 1)
    assert all(answers.computed[key] <= 2 for key in afternoon), answers.computed


def test_on_a_store_others_write_expired_entries_go_first(monkeypatch) -> None:
    """A remote SPARQL server's entries live SHARED_STORE_MAX_AGE_S: protected ones past
    that age must not crowd out fresh answers."""
    from krbgraph.settings import Settings
    from krbgraph.store.remote import RemoteStore

    store = RemoteStore.from_settings(Settings(store="http://127.0.0.1:9/sparql"))
    clock = [1000.0]
    monkeypatch.setattr(aggregates.time, "monotonic", lambda: clock[0])
    computed: Counter[object] = Counter()

    def read(key: object) -> None:
        def compute() -> int:
            computed[key] += 1
            return 1

        cached(store, key, compute)

    for _ in range(2):
        for page in range(220):
            read(("old", page))
    clock[0] += 2 * aggregates.SHARED_STORE_MAX_AGE_S
    for _ in range(2):
        for page in range(100):
            read(("new", page))
    assert all(computed[("new", page)] == 1 for page in range(100))


def test_the_bounds_hold_and_the_entry_being_added_is_kept(store, monkeypatch) -> None:
    """Random reads of random sizes, writes and failing computations: the cache never
    holds more than its bounds, its weights add up, and an answer that fits the bound
    is there right after it was computed."""
    monkeypatch.setattr(aggregates, "MAX_ENTRIES", 40)
    monkeypatch.setattr(aggregates, "MAX_ROWS", 2_000)
    rnd = random.Random(20261207)
    for _ in range(5_000):
        key = rnd.randrange(120)
        size = rnd.choice([1, 5, 30, 300, 900, 1_900, 2_500])
        roll = rnd.random()
        if roll < 0.9:
            cached(store, key, lambda size=size: tuple(range(size)), len)
            held = aggregates._CACHES[store]
            assert key in held.entries or size > aggregates.MAX_ROWS
        elif roll < 0.97:
            _write(store)
            rewarm(store, limit=8)
        else:
            with pytest.raises(ZeroDivisionError):
                cached(store, ("fails", key), lambda: 1 // 0)
        held = aggregates._CACHES[store]
        assert not set(held.protected) & set(held.probation)
        assert len(held.entries) <= aggregates.MAX_ENTRIES
        assert held.weight == sum(e.weight for e in held.entries.values()) <= 2_000
        assert held.protected_weight == sum(e.weight for e in held.protected.values())


def _one_then_others(
    reader: Callable[[], None], started: threading.Event, release: threading.Event, others: int
) -> None:
    """``reader`` in a thread until its computation has started, then ``others`` more
    readers, given time to find it under way; then the computation is let go and all
    are waited for."""
    first = threading.Thread(target=reader)
    first.start()
    assert started.wait(10)
    rest = [threading.Thread(target=reader) for _ in range(others)]
    for thread in rest:
        thread.start()
    time.sleep(0.2)  # they wait for the first, not compute
    release.set()
    for thread in [first, *rest]:
        thread.join(10)


def test_readers_asking_at_once_wait_for_one_computation(store) -> None:
    """Ten officers open the monitoring page at nine: one whole-registry read, not ten
    side by side; each gets the answer."""
    started = threading.Event()
    release = threading.Event()
    computed: list[int] = []

    def compute() -> tuple[int, ...]:
        computed.append(1)
        started.set()
        release.wait(10)
        return tuple(range(24_000))

    answers: list[int] = []

    def officer() -> None:
        answers.append(len(cached(store, "normtoets", compute, len)))

    _one_then_others(officer, started, release, 9)
    assert answers == [24_000] * 10 and len(computed) == 1


def test_the_waiters_get_the_computations_error_not_a_second_wait(store) -> None:
    """A computation that runs out of time would do so for each waiter too: they get its
    error when it comes, not a computation of their own after it (twice the limit)."""
    started = threading.Event()
    release = threading.Event()
    calls: list[str] = []

    def failing() -> int:
        calls.append("computed")
        started.set()
        release.wait(10)
        raise TimeoutError("the query ran out of time")

    errors: list[BaseException] = []

    def reader() -> None:
        try:
            cached(store, "answer", failing)
        except TimeoutError as exc:
            errors.append(exc)

    _one_then_others(reader, started, release, 3)
    assert calls == ["computed"] and len(errors) == 4
    assert all(str(error) == "the query ran out of time" for error in errors)


def test_a_value_the_cache_does_not_keep_is_not_handed_to_waiters(store, monkeypatch) -> None:
    """An answer too large to keep (a spooled file each reader sends and closes) is the
    first reader's own: each waiter computes its own."""
    monkeypatch.setattr(aggregates, "MAX_ROWS", 10)
    started = threading.Event()
    release = threading.Event()
    made: list[object] = []

    def large() -> list[int]:
        value = list(range(20))
        made.append(value)
        started.set()
        release.wait(10)
        return value

    got: list[object] = []
    _one_then_others(lambda: got.append(cached(store, "large", large, len)), started, release, 1)
    assert len(made) == 2 and len(got) == 2 and got[0] is not got[1]


def test_a_computation_asking_for_its_own_key_does_not_wait_for_itself(store) -> None:
    def outer() -> int:
        return cached(store, "same", lambda: 1) + 1

    assert cached(store, "same", outer) == 2


def test_waiters_are_let_go_when_weighing_the_answer_fails(store) -> None:
    """Past the computation, keeping the answer can fail too (its measure); the waiters
    must not wait the whole FLIGHT_WAIT_S for a flight that never lands."""
    started = threading.Event()
    release = threading.Event()

    def compute() -> int:
        started.set()
        release.wait(10)
        return 1

    def broken_measure(value: int) -> int:
        raise ValueError("cannot weigh")

    failures: list[BaseException] = []

    def reader() -> None:
        try:
            cached(store, "weighed", compute, broken_measure)
        except ValueError as exc:
            failures.append(exc)

    began = time.monotonic()
    _one_then_others(reader, started, release, 2)
    assert len(failures) == 3 and time.monotonic() - began < 10
