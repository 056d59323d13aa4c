"""The counting behind per-client and service-wide admission of user SPARQL
(krbgraph.web.admission), without a server: which limit refuses, and that every
released slot is counted back exactly once."""

from __future__ import annotations

import threading
import time

import pytest

from krbgraph.web.admission import ClientBusy, QueryAdmission


def test_the_client_limit_refuses_before_the_total_and_names_the_client() -> None:
    admission = QueryAdmission(2, 3, wait_s=0.05)
    held = [admission.take("a"), admission.take("a")]
    with pytest.raises(ClientBusy) as refused:
        admission.take("a")
    assert not refused.value.whole_service and refused.value.limit == 2
    held.append(admission.take("b"))  # the third of the service
    with pytest.raises(ClientBusy) as refused:
        admission.take("c")
    assert refused.value.whole_service and refused.value.limit == 3
    assert "already runs 3" in str(refused.value)
    held[0].release()
    held[0].release()  # a second release counts nothing
    assert admission.running("a") == 1
    held.append(admission.take("c"))
    with pytest.raises(ClientBusy):
        admission.take("d")


def test_a_waiting_query_gets_the_slot_another_client_gives_back() -> None:
    admission = QueryAdmission(0, 1, wait_s=5.0)
    first = admission.take("a")
    threading.Timer(0.1, first.release).start()
    second = admission.take("b")  # waits for a's release, not for its own limit
    assert second.held and admission.running("a") == 0 and admission.running("b") == 1


def test_zero_means_no_limit() -> None:
    admission = QueryAdmission(0, 0, wait_s=0.0)
    slots = [admission.take("a") for _ in range(50)]
    assert admission.running("a") == 50
    for slot in slots:
        slot.release()
    assert admission.running("a") == 0


def test_an_overrunning_client_and_text_run_one_at_a_time_without_waiting() -> None:
    admission = QueryAdmission(2, 10, wait_s=5.0, penalty_s=60.0)
    runaway, other = "SELECT * { ?a ?b ?c . ?d ?e ?f }", "ASK { ?s ?p ?o }"
    first = admission.take("a", runaway)
    assert not first.penalised
    first.overran()
    first.release()
    assert admission.marked("a") and admission.marked("z", runaway)
    assert not admission.marked("b", other)
    # The same text, differently spaced, from another client: in the lane.
    lane = admission.take("b", "SELECT *\n  { ?a ?b ?c .\t?d ?e ?f }")
    assert lane.penalised
    started = time.monotonic()
    with pytest.raises(ClientBusy) as refused:
        admission.take("c", runaway)  # the lane is taken: refused at once, no 5 s wait
    assert time.monotonic() - started < 3.0  # not the 5 s wait, on a busy runner too
    assert "ran into the time limit" in str(refused.value)
    assert "tijdslimiet" in refused.value.nl
    with pytest.raises(ClientBusy):
        admission.take("a", other)  # the marked client, whatever it sends
    unmarked = admission.take("c", other)  # everyone else keeps their slots
    assert not unmarked.penalised
    lane.release()
    again = admission.take("a", other)
    assert again.penalised


def test_marks_end_after_the_penalty_and_zero_means_none() -> None:
    admission = QueryAdmission(2, 10, penalty_s=0.2)
    slot = admission.take("a", "q")
    slot.overran()
    slot.release()
    assert admission.marked("a", "q")
    time.sleep(0.3)
    assert not admission.marked("a", "q")
    assert not admission.take("a", "q").penalised
    off = QueryAdmission(2, 10, penalty_s=0)
    slot = off.take("a", "q")
    slot.overran()
    assert not off.marked("a", "q")


def test_the_lane_rests_after_a_query_in_it_overran() -> None:
    admission = QueryAdmission(2, 10, penalty_s=60.0, rest_s=0.3)
    first = admission.take("a", "q")
    first.overran()  # not in the lane yet: marks only
    first.release()
    lane = admission.take("b", "q")
    assert lane.penalised
    lane.overran()
    lane.release()
    with pytest.raises(ClientBusy) as resting:
        admission.take("c", "q")
    assert resting.value.retry_after == 1
    assert not admission.take("d", "other").penalised  # the rest is the lane's only
    time.sleep(0.35)
    assert admission.take("c", "q").penalised
