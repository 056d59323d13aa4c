"""Bounded uploads against a running `krb serve` (issue item 7 and the upload hygiene).

Each hostile upload the issue describes is sent to a real service, which must
refuse it at once, in bounded memory, say what and where, write nothing,
and keep answering: a body larger than the limit (declared, or chunked
without end), a workbook of two million compressible rows, a shared-strings
bomb, a 300k-row workbook, a workbook with thousands of problems, and an
import that holds the write lock while other writers wait. Memory is the
resident size of the service process, read from /proc (Linux).

The service here has its own limits (KRB_MAX_UPLOAD_MB=8, KRB_WRITE_WAIT_S=2)
so the tests stay small; rows and unpacked size keep their defaults.
"""

from __future__ import annotations

import io
import os
import select
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from reliability_support import AUTH, BASE, TIMEOUT, Server, krb_serve
from test_excel_limits import (
    norm_rows,
    raw_workbook,
    row_bomb,
    shared_strings_bomb,
    table_rows,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the service's memory from /proc (Linux)"
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_MB = 8
WRITE_WAIT_S = 2
RSS_MARGIN_MB = 150
"""How much the service may grow while refusing a bomb (it grew by gigabytes before)."""
INTERNALS = ("0x", "BytesIO", "SpooledTemporaryFile", "Traceback", "/tmp", "/srv")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A service of its own: small upload limit and write wait, set before it starts."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KRB_MAX_UPLOAD_MB", str(UPLOAD_MB))
        env.setenv("KRB_WRITE_WAIT_S", str(WRITE_WAIT_S))
        env.delenv("KRB_MAX_WORKBOOK_ROWS", raising=False)
        env.delenv("KRB_MAX_WORKBOOK_UNCOMPRESSED_MB", raising=False)
        with krb_serve(tmp_path_factory.mktemp("krb-serve-uploads")) as started:
            env.undo()
            yield started


def rss_mb(server: Server) -> float:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def upload(server: Server, content: bytes, name: str, timeout: float = TIMEOUT) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/import/excel",
        files={"file": (name, content, XLSX)},
        headers=AUTH,
        timeout=timeout,
    )


def graph_exists(server: Server, name: str) -> bool:
    iri = f"{BASE}/graph/excel/{name}"
    answer = httpx.get(f"{server.url}/store", params={"graph": iri}, timeout=TIMEOUT)
    return answer.status_code == 200


def assert_clean(detail: str) -> None:
    for internal in INTERNALS:
        assert internal not in detail, detail


# -- the raw body ------------------------------------------------------------------


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _response_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        got = sock.recv(65536)
        if not got:
            break
        data += got
    return data


UPLOAD_HEAD = (
    b"POST /api/import/excel HTTP/1.1\r\nHost: krb\r\nAuthorization: Bearer secret\r\n"
    b"Content-Type: multipart/form-data; boundary=grens\r\n"
)
PART_HEAD = (
    b'--grens\r\nContent-Disposition: form-data; name="file"; filename="groot.xlsx"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
)


def test_reliability_a_declared_length_over_the_limit_is_refused_before_the_body(
    server: Server,
) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(UPLOAD_HEAD + b"Content-Length: 104857600\r\n\r\n" + PART_HEAD)
        head = _response_head(sock)  # 100 MB announced, a few bytes sent
        assert time.monotonic() - started < 5.0  # never waits for the 100 MB
    assert head.startswith(b"HTTP/1.1 413"), head
    server.assert_alive()


def test_reliability_a_chunked_body_is_refused_the_moment_it_passes_the_limit(
    server: Server,
) -> None:
    """The body never ends (no last chunk): only a server that counts while it reads answers."""
    piece = os.urandom(64 * 1024)
    cap = 6 * UPLOAD_MB * 1024 * 1024
    sent, answered = 0, False
    with _connect(server) as sock:
        sock.sendall(UPLOAD_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
        data = PART_HEAD
        while sent < cap:
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            except OSError:  # the service closed the connection after its answer
                answered = True
                break
            sent += len(data)
            data = piece
            if select.select([sock], [], [], 0)[0]:
                answered = True
                break
        head = _response_head(sock)
    assert answered, f"no answer after {sent} bytes of a {UPLOAD_MB} MB limit"
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"8 MB" in head or b"413" in head
    server.assert_alive()


# -- what the workbook unpacks to ----------------------------------------------------


def test_reliability_a_row_bomb_is_refused_at_once_in_bounded_memory(
    server: Server, tmp_path: Path
) -> None:
    path = tmp_path / "rijen.xlsx"
    row_bomb(path)  # two million rows, under a megabyte
    before = rss_mb(server)
    started = time.monotonic()
    response = upload(server, path.read_bytes(), "rijen.xlsx")
    assert time.monotonic() - started < 5.0
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert "rijen.xlsx" in detail and "xl/worksheets/sheet1.xml" in detail
    assert_clean(detail)
    assert rss_mb(server) < before + RSS_MARGIN_MB
    assert not graph_exists(server, "rijen")
    server.assert_alive()


def test_reliability_a_shared_strings_bomb_is_refused_at_once_in_bounded_memory(
    server: Server, tmp_path: Path
) -> None:
    path = tmp_path / "teksten.xlsx"
    shared_strings_bomb(path)  # 700 MB of text in about 3 MB
    assert path.stat().st_size < UPLOAD_MB * 1024 * 1024
    before = rss_mb(server)
    started = time.monotonic()
    response = upload(server, path.read_bytes(), "teksten.xlsx")
    assert time.monotonic() - started < 5.0
    assert response.status_code == 413, response.text
    assert "xl/sharedStrings.xml" in response.json()["detail"]
    assert rss_mb(server) < before + RSS_MARGIN_MB
    assert not graph_exists(server, "teksten")
    server.assert_alive()


# -- rows and problems ---------------------------------------------------------------


def test_reliability_a_300k_row_workbook_is_refused_at_the_row_limit_with_a_small_body(
    server: Server,
) -> None:
    buffer = io.BytesIO()
    codes = ([f"N{number}"] for number in range(300_000))
    raw_workbook(buffer, {"beleidsnorm": table_rows(["code"], codes)})
    before = rss_mb(server)
    response = upload(server, buffer.getvalue(), "driehonderdduizend.xlsx")
    assert response.status_code == 413, response.text[:500]
    assert len(response.content) < 2_000
    detail = response.json()["detail"]
    assert "beleidsnorm" in detail and "100000" in detail and "row 100001" in detail
    assert rss_mb(server) < before + RSS_MARGIN_MB
    assert not graph_exists(server, "driehonderdduizend")
    server.assert_alive()


def test_reliability_a_workbook_full_of_problems_answers_the_first_thousand_and_the_total(
    server: Server,
) -> None:
    buffer = io.BytesIO()
    raw_workbook(buffer, {"beleidsnorm": norm_rows(1_500)})
    response = upload(server, buffer.getvalue(), "kapot.xlsx")
    assert response.status_code == 422
    assert len(response.content) < 1_000_000
    answer = response.json()
    assert len(answer["problems"]) == 1_000
    assert answer["problems_total"] >= 1_500
    assert answer["problems_truncated"] is True
    assert all(p["severity"] == "fout" for p in answer["problems"])  # errors come first
    assert not graph_exists(server, "kapot")


def test_reliability_an_unreadable_upload_is_named_by_its_file_name(server: Server) -> None:
    response = upload(server, b"code;naam\nGEL;Geluid\n", "beleid.xlsx")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("beleid.xlsx: ")
    assert_clean(detail)


# -- the write lock ------------------------------------------------------------------


def _without_measurements(content: bytes) -> bytes:
    """A workbook without its sheet metingen: imported under another file name, its
    measurements are refused as held by the first workbook's graph (one measurement per
    indicator, area and period), before the write lock is asked for."""
    book = load_workbook(io.BytesIO(content))
    if "metingen" in book.sheetnames:
        del book["metingen"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _long_workbook(server: Server, copies: int) -> bytes:
    """The registry's own export with its norms repeated under new codes: slow to validate."""
    exported = httpx.get(f"{server.url}/api/export/excel", timeout=TIMEOUT)
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(_without_measurements(exported.content)))
    sheet = book["beleidsnorm"]
    norms = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    for copy in range(copies):
        for norm in norms:
            sheet.append([f"{norm[0]}-K{copy}", *norm[1:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _long_import_beside_others(
    server: Server, exported: bytes, copies: int
) -> tuple[httpx.Response, list[httpx.Response], float]:
    """A long import and, while it runs, other uploads one after another: the long
    import's answer, the others' refusals and the longest time one took to come."""
    long_one = _long_workbook(server, copies=copies)
    outcome: dict[str, httpx.Response] = {}
    failed: list[BaseException] = []

    def long_import() -> None:
        # Read outside the lock, the long workbook may find a short import holding it:
        # like any client it tries again after Retry-After. Its own duration is not what
        # is tested (the others' waits are), so it may take long on a busy machine.
        try:
            for _ in range(10):
                outcome["long"] = upload(server, long_one, "lang.xlsx", timeout=10 * TIMEOUT)
                if outcome["long"].status_code != 503:
                    return
                time.sleep(int(outcome["long"].headers["retry-after"]))
        except BaseException as exc:  # noqa: BLE001 -- raised again below, in the test
            failed.append(exc)

    writer = threading.Thread(target=long_import)
    writer.start()
    busy: list[httpx.Response] = []
    slowest_refusal = 0.0
    time.sleep(1.0)  # let it read its workbook and take the lock
    while writer.is_alive():
        started = time.monotonic()
        other = upload(server, exported, "ander.xlsx")
        if other.status_code == 503:
            # Only a refusal measures the wait: an upload that got the lock also spent
            # its own import time, which the write wait does not bound.
            slowest_refusal = max(slowest_refusal, time.monotonic() - started)
            busy.append(other)
    writer.join()
    if failed:
        raise AssertionError(f"the long import failed: {failed[0]!r}") from failed[0]
    return outcome["long"], busy, slowest_refusal


def test_reliability_a_long_import_makes_other_writers_wait_at_most_the_stated_time(
    server: Server,
) -> None:
    """While one import validates (holding the write lock), others get 503 + Retry-After
    after KRB_WRITE_WAIT_S instead of hanging; the long import itself completes."""
    exported = _without_measurements(
        httpx.get(f"{server.url}/api/export/excel", timeout=TIMEOUT).content
    )
    # Long enough to hold the lock past the write wait: 250 copies of the demo's norms
    # do on two cores (about 10 s); a faster machine gets four times as many.
    for copies in (250, 1_000):
        long_answer, busy, slowest_refusal = _long_import_beside_others(server, exported, copies)
        if busy:
            break
    assert long_answer.status_code in (200, 422), long_answer.text[:500]
    assert busy, "the long import never held the lock while another writer asked"
    for answer in busy:
        assert int(answer.headers["retry-after"]) >= 1
        assert "in progress" in answer.json()["detail"]
    assert slowest_refusal < WRITE_WAIT_S + 5.0
    server.assert_alive()
