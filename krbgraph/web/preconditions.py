"""If-Match and If-None-Match on the Graph Store (RFC 9110, section 13).

A server that receives these fields must evaluate them and, when one is false,
not perform the method (412, or 304 for a read). Clients use them against lost
updates: ``If-None-Match: *`` creates a graph only if none is there, ``If-Match``
changes it only as it was last seen. The store sends no entity tags, so no
listed tag ever matches a current graph; ``*`` asks whether the graph exists.
The condition is checked inside the write turn, against the graph as the write
finds it, so a graph created by another writer a moment before counts.
If-Modified-Since and If-Unmodified-Since are ignored: graphs have no date of
change (RFC 9110 lets a server without one ignore them).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers

__all__ = ["PreconditionFailed", "graph_precondition"]

Precondition = Callable[[bool], None]
"""Called with whether the graph exists; raises PreconditionFailed when it must not go on."""


class PreconditionFailed(Exception):
    """A conditional request's condition is false; the message says which and why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
        """The false one: If-Match, or If-None-Match (a read then answers 304)."""


def graph_precondition(headers: Headers) -> Precondition | None:
    """The check the request's conditional fields ask for, or None when it has none."""
    if_match = _tags(headers.getlist("if-match"))
    if_none_match = _tags(headers.getlist("if-none-match"))
    if if_match is None and if_none_match is None:
        return None

    def check(exists: bool) -> None:
        if if_match is not None:
            if "*" not in if_match:
                raise PreconditionFailed(
                    "If-Match names entity tags, and this store sends none: no version of "
                    "the graph can match. Use If-Match: * to require that the graph exists.",
                    field="If-Match",
                )
            if not exists:
                raise PreconditionFailed(
                    "If-Match: * and the graph does not exist.", field="If-Match"
                )
        if if_none_match is not None and "*" in if_none_match and exists:
            raise PreconditionFailed(
                "If-None-Match: * and the graph exists.", field="If-None-Match"
            )

    return check


def _tags(values: list[str]) -> list[str] | None:
    """The entity tags of every occurrence of a field, or None when it is absent."""
    if not values:
        return None
    return [tag.strip() for value in values for tag in value.split(",") if tag.strip()]
