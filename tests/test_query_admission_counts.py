"""The counting behind per-client and service-wide admission of user SPARQL
(krbgraph.web.admission), without a server: which limit refuses, and that every
released slot is counted back exactly once."""

from __future__ import annotations

import threading

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
