"""Which objects outside a refused write the registry already broke before it.

A refused write (`krb load`, `krb import-excel`) names, for a finding on an object it
does not write, the graph that object is in and says it was in the registry already,
not in the file: after an upgrade whose shapes are stricter every write finds such
objects. But a write can also break an object it does not hold itself (a workbook
that drops the intended effect a realised effect in another graph points at): that
finding is the write's, and sending the user to the registry (`krb validate --store`,
which then says it conforms) sent them to the wrong place. So an object counts as
already broken only when the store as it is, before the write, breaks it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rdflib import URIRef

from .store import Store
from .validation import ValidationResult


def broken_before(store: Store, focuses: Iterable[str]) -> frozenset[str]:
    """Of ``focuses`` (a finding's focus as text: an IRI, or a copy's blank node id), those
    the shapes find a violation on in ``store`` as it is. None when the store is known to
    conform (krbgraph.conformance: every write since a whole validation was validated),
    without a query; blank nodes are never among them (a copy's blank node is no node of
    the store: its finding stays the write's)."""
    from .conformance import conforms_known

    iris = sorted({focus for focus in focuses if ":" in focus})
    if not iris or conforms_known(store):
        return frozenset()
    from .model import shapes_graph
    from .shacl import validate_store

    report = validate_store(store, shapes_graph(), focus_nodes=[URIRef(i) for i in iris])
    return frozenset(
        str(item.focus) for item in report.results if item.severity_name == "Violation"
    )


def kept_as_before(store: Store, result: ValidationResult) -> ValidationResult:
    """``result`` (ValidationResult.outside of a refused write) with ``stored`` kept only
    for the objects ``store`` broke before the write: the others are the write's own."""
    before = broken_before(store, result.stored)
    return replace(result, stored={f: g for f, g in result.stored.items() if f in before})
