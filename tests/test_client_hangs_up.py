"""A client that hangs up while it sends a body: nothing written, one line in the log.

Seen under load: every Graph Store or workbook upload cut off by the network logged
"Exception in ASGI application" with a traceback of sixty lines, which monitoring that
alerts on errors reports as a fault of the service. Checked here on the request readers
themselves, and on a real server in tests/test_gsp_store.py.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi import Request

from krbgraph.web.bounded_body import ClientHungUp, read_bounded_body, read_bounded_form


def _request_that_hangs_up(content_type: str) -> Request:
    start = b'--x\r\nContent-Disposition: form-data; name="f"; filename="a.ttl"\r\n\r\n'
    messages = [
        {"type": "http.request", "body": start + b"<a> <b> ", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/store",
        "headers": [(b"content-type", content_type.encode())],
        "query_string": b"",
    }
    return Request(scope, receive)


@pytest.mark.parametrize("form", [False, True])
def test_a_body_cut_off_is_a_short_refusal_logged_in_one_line(
    form: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if form:
        request = _request_that_hangs_up("multipart/form-data; boundary=x")
        reading = read_bounded_form(request, 1_000_000)
    else:
        request = _request_that_hangs_up("text/turtle")
        reading = read_bounded_body(request, 1_000_000)
    with caplog.at_level(logging.INFO), pytest.raises(ClientHungUp) as hung_up:
        asyncio.run(reading)  # type: ignore[arg-type]
    assert hung_up.value.status_code == 400
    (record,) = [r for r in caplog.records if "hung up" in r.getMessage()]
    assert record.levelno == logging.INFO and "PUT /store" in record.getMessage()
