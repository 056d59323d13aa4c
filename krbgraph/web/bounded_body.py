"""Request bodies with a size limit that holds before the body is read, not after.

A route that declares a body parameter (``file: UploadFile``) gets it only
after the framework has read the whole body, so a limit checked there comes
too late: a 2 GB upload has already been received and spooled to disk. The
routes that take uploads therefore read the body themselves through these
functions:

- a declared ``Content-Length`` over the limit is refused with 413 before a
  byte of the body is read;
- a body without one (chunked transfer) is counted while it streams in and
  refused with 413 the moment it passes the limit.

A client that hangs up before its body has arrived gets ClientHungUp: nothing
was written, no one reads the answer, and the log says so in one line instead
of an application error with a traceback.
"""

from __future__ import annotations

import logging

from fastapi import HTTPException, Request, status
from starlette.datastructures import FormData
from starlette.requests import ClientDisconnect
from starlette.types import Message

MB = 1024 * 1024

logger = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    """The request body passes the limit (413); raised before or while it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The request body is larger than {_size(limit)}, the most this service accepts "
            "in one request.",
        )
        self.limit = limit


class ClientHungUp(HTTPException):
    """The client went away before its whole body arrived (400, logged in one line)."""

    def __init__(self, request: Request) -> None:
        super().__init__(status.HTTP_400_BAD_REQUEST, "The request body did not arrive whole.")
        logger.info(
            "%s %s: the client hung up before its body arrived", request.method, request.url.path
        )


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse a request whose Content-Length passes ``limit`` (BodyTooLarge) or is no number."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Content-Length is not a number.")
    if int(declared) > limit:
        raise BodyTooLarge(limit)


async def read_bounded_body(request: Request, limit: int) -> bytes:
    """The whole request body, refused with BodyTooLarge as soon as it passes ``limit`` bytes."""
    check_declared_length(request, limit)
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientHungUp(request) from None
    return b"".join(chunks)


async def read_bounded_form(request: Request, limit: int) -> FormData:
    """The request's form (multipart/form-data or urlencoded), its body limited to ``limit``.

    File parts are spooled to temporary files as usual; the caller closes
    the form (``await form.close()``). Raises BodyTooLarge, or HTTPException
    400 for a malformed form.
    """
    check_declared_length(request, limit)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    counted = Request(request.scope, receive)
    try:
        return await counted.form()
    except ClientDisconnect:
        raise ClientHungUp(request) from None


def _size(limit: int) -> str:
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit} bytes"
