"""Whether the registry data in a store is known to conform to the shapes it holds.

A write from the command line (`krb load`, `krb import-metingen`, `krb import-excel`)
validated the whole registry, because a store may hold data that never was: loaded
with `--no-validate`, or left with dangling references by `krb drop`. At a million
triples that made a write of twenty measurements cost a minute. Once a whole
validation has passed, a mark in the store's meta graph says the data conforms;
every write validated by what it changes (as the service validates its writes) keeps
it, so the next command-line write is validated that way too. What writes without
validating removes the mark first: the next write validates everything again, and
marks the store when it passes.

The meta graph is written anew when the model or the shapes change and after a
restore (krbgraph.store.modelgraphs.ensure_model), which removes the mark with it:
data known to conform to the old shapes is validated whole against the new ones.
A SPARQL update sent to a remote server around krbgraph is outside what the mark can
know, as it is outside what the service's validation of its writes assumes.
"""

from __future__ import annotations

from rdflib.namespace import DCTERMS

from .model import SHAPES_GRAPH
from .store import META_GRAPH, Store

__all__ = ["REGISTRY", "conforms_known", "forget_conformance", "mark_conforming"]

REGISTRY = f"{META_GRAPH}#registerdata"
"""The registry data of the store, as the subject of the mark."""

_MARK = f"GRAPH <{META_GRAPH}> {{ <{REGISTRY}> <{DCTERMS.conformsTo}> <{SHAPES_GRAPH}> }}"
"""dct:conformsTo: the data conforms to the shapes graph the store holds."""


def conforms_known(store: Store) -> bool:
    """Whether a whole validation passed and every write since was validated."""
    return bool(store.query(f"ASK {{ {_MARK} }}").boolean)


def mark_conforming(store: Store) -> None:
    """Say that the registry data conforms, after a whole validation passed and its
    write was committed (in the same write turn on a shared server)."""
    store.update(f"INSERT DATA {{ {_MARK} }}", repeatable=True)


def forget_conformance(store: Store) -> None:
    """Before a write that is not validated: the next write validates everything."""
    store.update(f"DELETE DATA {{ {_MARK} }}", repeatable=True)
