"""The graph store: one interface, an embedded Oxigraph backend and a SPARQL-server backend.

``open_store(settings)`` picks the backend; ``ensure_model(store)`` makes sure
the model graphs are present and current. See docs/store.md.
"""

from .base import (
    GraphInfo,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
    StoreUnreachable,
    UnsupportedAnswer,
    WriteOutcomeUnknown,
    open_store,
)
from .modelgraphs import META_GRAPH, ensure_model, graph_kind, model_graph_iris
from .supervised import EngineStopped

__all__ = [
    "META_GRAPH",
    "EngineStopped",
    "GraphInfo",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResultTooLarge",
    "Store",
    "StoreError",
    "StoreUnreachable",
    "WriteOutcomeUnknown",
    "UnsupportedAnswer",
    "ensure_model",
    "graph_kind",
    "model_graph_iris",
    "open_store",
]
