"""What the API description (OpenAPI) says of the routes that speak W3C protocols.

The SPARQL endpoint, the Graph Store and the linked-data routes read their parameters
and bodies from the request themselves, as the SPARQL 1.1 Protocol, the SPARQL 1.1
Graph Store HTTP Protocol and content negotiation define them, so FastAPI saw none of
them: the description offered a ``GET /sparql`` without ``query`` and a ``PUT /store``
without a body, both answering ``application/json``, and a client generated from it
could send neither a query nor a graph. These fragments say what the handlers read and
answer, built from the media type tables content negotiation itself uses
(krbgraph.web.negotiation), so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from .negotiation import (
    BOOLEAN_FORMATS,
    CANONICAL_TYPES,
    GRAPH_FORMATS,
    RDF_INPUT_TYPES,
    REPORT_FORMATS,
    RESULT_FORMATS,
)

__all__ = [
    "API_RESPONSES",
    "NAMED_QUERY_PARAMETERS",
    "error_response",
    "graph_store_operation",
    "linked_data_operation",
    "sparql_operation",
]

_TEXT = {"schema": {"type": "string"}}
_ERROR_BODY = {
    "application/json": {
        "schema": {"type": "object", "properties": {"detail": {}}, "required": ["detail"]}
    }
}


def _content(types: dict[str, str]) -> dict[str, Any]:
    """The canonical media type of each format, in the order negotiation prefers them."""
    return {CANONICAL_TYPES[fmt]: _TEXT for fmt in dict.fromkeys(types.values())}


def error_response(description: str) -> dict[str, Any]:
    """A response of the description whose body is ``{"detail": ...}`` (FastAPI's errors)."""
    return {"description": description, "content": _ERROR_BODY}


_error = error_response

API_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_response(
        "A parameter is wrong, given twice, or not one the endpoint takes (a misspelt "
        "filter is refused rather than ignored), or the path holds a control character"
    ),
    503: error_response("The query engine is busy or the answer ran into its time limit"),
}
"""What every /api operation may answer besides its own: the checks of krbgraph.web.deps
and the store's limits (krbgraph.web.app's error handlers)."""

NAMED_QUERY_PARAMETERS: dict[str, Any] = {
    "name": "parameters",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": True,
    "schema": {"type": "object", "additionalProperties": {"type": "string"}},
    "description": "The named query's own parameters, each as a query-string parameter of "
    "its name (gebied=..., datum=...): GET /api/queries lists them per query",
}
"""/api/queries/{name} reads the parameters its query declares, whatever they are named."""


_COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(
        "The request is not what the protocol asks (a parameter missing, repeated "
        "or malformed, a body that does not parse, a query refused by the limits)"
    ),
    406: _error("None of the media types the Accept header asks for can be given"),
    429: _error("This client already has as many requests running as it may"),
    503: _error("The query engine is busy or the request ran into its time limit"),
}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("No or a wrong write token (Authorization: Bearer)"),
    403: _error("The token may not write this graph, or the graph is one the service manages"),
    413: _error("The body is larger than the service takes"),
    415: _error("The body's media type is not one the operation reads"),
    422: {
        "description": "The write would leave the registry breaking its shapes (SHACL); "
        "nothing was written. JSON findings, or the SHACL report as RDF",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "detail": {"type": "string"},
                        "conforms": {"type": "boolean"},
                        "findings": {"type": "array", "items": {"type": "object"}},
                    },
                    "required": ["detail"],
                }
            },
            **{
                media: _TEXT
                for media in dict.fromkeys(CANONICAL_TYPES[f] for f in REPORT_FORMATS.values())
                if media != "application/json"
            },
        },
    },
}


def _parameter(name: str, description: str, *, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": {"type": "string", "format": "iri"}}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **({"style": "form", "explode": True} if many else {}),
    }


_DATASET = [
    _parameter("default-graph-uri", "A graph of the default graph (RDF dataset)", many=True),
    _parameter("named-graph-uri", "A named graph of the dataset", many=True),
]
_UPDATE_DATASET = [
    _parameter("using-graph-uri", "A graph of the update's default graph", many=True),
    _parameter("using-named-graph-uri", "A named graph of the update's dataset", many=True),
]
_ANSWERS = {
    **_content(RESULT_FORMATS),
    **_content(BOOLEAN_FORMATS),
    **_content(GRAPH_FORMATS),
}


def sparql_operation(kind: str) -> dict[str, Any]:
    """Route options for ``kind``: ``query-get`` (GET /sparql: a query, or without one the
    service description), ``query-post`` (POST /sparql: a query or an update) or
    ``update`` (POST /update)."""
    query = _parameter("query", "The SPARQL 1.1 query (without it: the service description)")
    if kind == "query-get":
        return {
            "response_class": Response,
            "openapi_extra": {"parameters": [query, *_DATASET]},
            "responses": {
                200: {"description": "The answer", "content": _ANSWERS},
                **_COMMON_ERRORS,
            },
        }
    form: dict[str, Any] = {
        "type": "object",
        "properties": {
            "update": {"type": "string"},
            **({"query": {"type": "string"}} if kind == "query-post" else {}),
        },
    }
    bodies = {
        "application/x-www-form-urlencoded": {"schema": form},
        "application/sparql-update": _TEXT,
        **({"application/sparql-query": _TEXT} if kind == "query-post" else {}),
    }
    done = {204: {"description": "The update was validated and committed"}}
    answers = {200: {"description": "The answer to a query", "content": _ANSWERS}}
    return {
        "response_class": Response,
        **({"status_code": 204} if kind == "update" else {}),
        "openapi_extra": {
            "parameters": [*_DATASET, *_UPDATE_DATASET]
            if kind == "query-post"
            else _UPDATE_DATASET,
            "requestBody": {"required": True, "content": bodies},
        },
        "responses": {
            **(answers if kind == "query-post" else {}),
            **done,
            **_COMMON_ERRORS,
            **_WRITE_ERRORS,
        },
    }


_GRAPH_PARAMETERS = [
    _parameter("graph", "The IRI of the graph (indirect identification)"),
    {
        "name": "default",
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "schema": {"type": "string"},
        "description": "The default graph (given without a value)",
    },
]
_RDF_BODY = {
    "required": True,
    "content": {
        **{media: _TEXT for media in RDF_INPUT_TYPES},
        "multipart/form-data": {"schema": {"type": "object"}},
    },
}


def graph_store_operation(method: str, *, direct: bool) -> dict[str, Any]:
    """Route options for one method of the Graph Store (``direct``: /store/{path}, the
    graph named by the request's own URL; else /store?graph= or ?default)."""
    extra: dict[str, Any] = {} if direct else {"parameters": _GRAPH_PARAMETERS}
    missing: dict[int | str, dict[str, Any]] = {
        404: _error("The store holds no such graph"),
        412: _error("If-Match or If-None-Match is false (only `*` can hold: no entity tags)"),
    }
    if method in ("GET", "HEAD"):
        responses: dict[int | str, dict[str, Any]] = {
            200: {"description": "The graph", "content": _content(GRAPH_FORMATS)},
            304: {"description": "If-None-Match: * and the graph exists"},
            **missing,
            **_COMMON_ERRORS,
        }
    elif method == "DELETE":
        responses = {
            204: {"description": "The graph was removed"},
            **missing,
            **_COMMON_ERRORS,
            **_WRITE_ERRORS,
        }
    else:  # PUT replaces the graph, POST adds to it
        extra["requestBody"] = _RDF_BODY
        responses = {
            201: {"description": "The graph was created"},
            204: {"description": "The graph was written"},
            412: missing[412],
            **_COMMON_ERRORS,
            **_WRITE_ERRORS,
        }
    success = 200 if method in ("GET", "HEAD") else 204
    return {
        "openapi_extra": extra,
        "responses": responses,
        "status_code": success,
        "response_class": Response,  # not FastAPI's JSON default: the media types above
    }


_PAGE_TYPES = {"text/html": _TEXT, **_content(GRAPH_FORMATS)}


def linked_data_operation(*, redirects: bool = False) -> dict[str, Any]:
    """Route options for a dereferenceable resource: a page or RDF by Accept or
    ``?format=`` (``redirects``: a route that sends some IRIs on to their own page,
    /resource and the ontology's terms)."""
    responses: dict[int | str, dict[str, Any]] = {
        200: {"description": "The resource as a page or as RDF", "content": _PAGE_TYPES},
        404: {
            "description": "The store says nothing about the resource",
            "content": {"text/html": _TEXT, "text/plain": _TEXT},
        },
        406: {
            "description": "None of the media types the Accept header asks for can be given",
            "content": {"text/plain": _TEXT},
        },
        400: _error("The Accept header cannot be read, or a parameter is wrong"),
    }
    if redirects:
        responses[303] = {"description": "The resource has a page of its own (Location)"}
    return {"responses": responses, "response_class": Response}
