"""One route per HTTP method, each with its own OpenAPI operation id.

FastAPI's ``api_route(methods=[...])`` makes one route that answers several
methods, and its OpenAPI document then gives every method the same
operationId (whichever method comes first, which varies between processes):
OpenAPI requires them unique, and client generators and schemathesis
stumble over the duplicates. Registering the handler once per method keeps
one function and gives each operation a stable id, ``{function}_{method}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter

F = TypeVar("F", bound=Callable[..., Any])


def per_method(
    router: APIRouter,
    path: str,
    methods: Sequence[str],
    *,
    operation: Callable[[str], dict[str, Any]] | None = None,
    **options: Any,
) -> Callable[[F], F]:
    """A decorator like ``router.api_route(path, methods=...)``, one route per method;
    ``operation(method)``: route options of that method alone (its description's
    parameters, body and responses)."""

    def register(handler: F) -> F:
        for method in methods:
            router.add_api_route(
                path,
                handler,
                methods=[method],
                operation_id=f"{handler.__name__}_{method.lower()}",
                **options,
                **(operation(method) if operation is not None else {}),
            )
        return handler

    return register
