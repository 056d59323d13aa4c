"""Which objects outside a refused write the registry already broke before it.

A refused write (`krb load`, `krb import-excel`) names, for a finding on an object it
does not write, the graph that object is in and says it was in the registry already,
not in the file: after an upgrade whose shapes are stricter every write finds such
objects. But a write can also break an object it does not hold itself (a workbook
that drops the intended effect a realised effect in another graph points at): that
finding is the write's, and sending the user to the registry (`krb validate --store`,
which then says it conforms) sent them to the wrong place. So a finding counts as
already in the registry only when the store as it is, before the write, has it too:
per finding, not per object (an object broken before that the write breaks again in
another way gets the new finding as the write's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rdflib import URIRef
from rdflib.term import Node

from .store import Store
from .validation import FindingKey, ValidationResult, finding_key, is_blank_focus


def broken_before(store: Store, focuses: Iterable[str]) -> frozenset[FindingKey]:
    """The findings (by krbgraph.validation.finding_key) the registry's checks give in
    ``store`` as it is on ``focuses`` (a finding's focus as text: an IRI, or a copy's
    blank node id): the shapes, and the unit and geometry checks a write runs beside
    them; warnings too, so a warning the registry had is not put on the write. Never on
    blank nodes (a copy's blank node is no node of the store: its finding stays the
    write's)."""
    iris = sorted({focus for focus in focuses if not is_blank_focus(focus)})
    if not iris:
        return frozenset()
    from .model import shapes_graph
    from .registry import neighbourhood
    from .replica import NOT_DATA
    from .shacl import validate_store
    from .shacl.findings import NodeContext, to_findings
    from .spatial_checks import spatial_findings
    from .unit_checks import unit_findings

    # The registry as a write validates it (krbgraph.replica.NOT_DATA left out): over
    # the store's union the derived graph's dates read as recorded ones, and every
    # object with a date in force was "already broken" by the shape that forbids them.
    listed = store.query("SELECT ?g WHERE { GRAPH ?g {} }").rows
    graphs = sorted(str(row[0]) for row in listed if row[0] is not None)
    focus = [URIRef(i) for i in iris]
    report = validate_store(
        store,
        shapes_graph(),
        data_graphs=[graph for graph in graphs if graph not in NOT_DATA],
        focus_nodes=focus,
    )
    # Keys only: no labels needed (NodeContext()), the message is not part of a key.
    found = list(to_findings(report, NodeContext()))
    near = neighbourhood(store, set(focus))
    checked: set[tuple[Node, Node, Node]] = set()
    found += spatial_findings(near, checked, report.node)
    found += unit_findings(near, checked, report.node)
    return frozenset(finding_key(f) for f in found)


def kept_as_before(store: Store, result: ValidationResult) -> ValidationResult:
    """``result`` (ValidationResult.outside of a refused write) with ``already``: the
    findings ``store`` had before the write. The others are the write's own doing, and
    keep their graph in ``stored`` all the same: a workbook that drops a norm another
    graph's effect acts on was refused naming neither that effect's graph nor its IRI."""
    return replace(result, already=broken_before(store, result.stored))
