"""pySHACL, the reference engine, run so that ill-typed literals get the results SHACL
prescribes (krbgraph.validation, ``--engine pyshacl``).

pySHACL compares an ill-typed literal ("2000-99-01"^^xsd:date) with Python's
operators and dies of the TypeError (no report at all), so such literals are swapped
for stand-ins while it runs, and the report's values put back. No one stand-in fails
every check the literal fails: a language-tagged text passes sh:datatype
rdf:langString, a literal of an unknown datatype is compared by its text. So when the
data holds ill-typed literals pySHACL runs twice, once with each, and the results of
the second run that the first lacks are added.

Where the reference still differs from SHACL, and this wrapper cannot make it agree
without patching rdflib (the compiled engine, krbgraph.shacl, is the one that is right):
rdflib's SPARQL answers ``<`` and ``>`` between literals of different datatypes by the
order of their datatype IRIs, where SPARQL 1.1 (17.3) makes that a type error. A
stand-in is such a literal, so a SPARQL constraint that compares an ill-typed
"2023-1-1"^^xsd:date with a date finds it later than any date (the Warning of
krbsh:GeldigheidBinnenDocument on a norm whose start date is ill-typed, beside the
Violation the compiled engine gives alone). No stand-in avoids it: rdflib decides the
comparison in Literal.__gt__ by the datatype IRIs on whichever side the stand-in is
(tests/test_validate_reports.py keeps the difference in view). Two more of the kind:
rdflib compares dates with time zones by their day alone ("2030-12-31-05:00" is not after
"2030-12-31+05:00" to it, nor incomparable with "2030-12-31"), and sh:pattern runs
Python's ``re``, whose ``$`` also matches before a final newline ("GM9999\n" passes
``^GM[0-9]{4}$``); XPath's does not, nor does the compiled engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.processor import parseQuery, translateQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from .shacl.datatypes import well_formed


def pyshacl_report(data: Graph, shapes: Graph) -> tuple[Graph, Node]:
    """pySHACL's report of ``data`` (left as it was) and its report node."""
    report, report_node, swapped = _run_with(data, shapes, _as_text)
    if swapped:
        _add_untextual_results(report, report_node, data, shapes)
    return report, report_node


def run_pyshacl(data: Graph, shapes: Graph, *, parse_once: bool = True) -> Graph:
    """pySHACL itself on ``data`` with the KRB's options (no inference, advanced
    features, warnings allowed), as it is, ill-typed literals and all.

    ``parse_once`` lets it read ``data`` through a view that parses each SPARQL text once
    (_ParsedOnce): pySHACL sends a SHACL-SPARQL constraint to rdflib as text once per
    focus node, and rdflib parses it every time (two thirds of a run over the demo went
    to pyparsing). bench/validate.py times pySHACL without it, as it comes."""
    import pyshacl

    if parse_once and type(data) is Graph:  # a view of one graph; a Dataset is read as given
        data = _ParsedOnce(data)

    # pySHACL adds two RDFS axioms to the shapes graph it is given: a copy, so the shapes
    # parsed once per process (krbgraph.model.shapes_graph) stay the shapes.
    shapes_copy = Graph()
    shapes_copy += shapes
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_copy,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    return report


class _ParsedOnce(Graph):
    """A view of a graph (the same store, no copy) whose SPARQL queries given as text are
    parsed and translated once per (text, base, namespaces): what rdflib's own
    ``prepareQuery`` makes for reuse with other initial bindings. Evaluating a prepared
    query leaves it as it was (rdflib.plugins.sparql.evaluate.evalQuery reads its algebra
    and prologue), so the answers are those of the text; the cache lives as long as the
    view, one run, and holds one entry per query text of the shapes."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(
            store=graph.store,
            identifier=graph.identifier,
            namespace_manager=graph.namespace_manager,
        )
        self._prepared: dict[tuple[object, ...], Query] = {}

    def query(  # type: ignore[override]  # rdflib's signature, narrowed to what pySHACL sends
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803  (rdflib's names)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = initNs or dict(self.namespaces())
            base = kwargs.get("base")
            key = (
                query_object,
                base,
                tuple(sorted((str(k), str(v)) for k, v in namespaces.items())),
            )
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = translateQuery(parseQuery(query_object), base, namespaces)
                self._prepared[key] = prepared
            query_object = prepared
            initNs = namespaces  # noqa: N806
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _run_with(
    data: Graph, shapes: Graph, stand_in_of: Callable[[Literal, int], Literal]
) -> tuple[Graph, Node, _Swapped]:
    """A run with ill-typed literals swapped for stand-ins, the data put back and the
    report's values of stand-ins made the literals again."""
    swapped = _ill_typed_as(data, stand_in_of)
    try:
        report = run_pyshacl(data, shapes)
    finally:
        _restore(data, swapped)
    report_node = next(report.subjects(RDF.type, SH.ValidationReport))
    _restore_values(report, report_node, swapped)
    return report, report_node, swapped


def _add_untextual_results(report: Graph, report_node: Node, data: Graph, shapes: Graph) -> None:
    """The results the text stand-ins hid, from a second run with stand-ins of a datatype
    no shape names (ILL_TYPED_DATATYPE): those pass sh:datatype rdf:langString and an
    sh:or of xsd:string or rdf:langString as no ill-typed literal does, while these
    stand-ins, compared by their text, pass the comparisons the first run reports. Only
    results of the components a language-tagged stand-in can wrongly pass
    (_HIDDEN_BY_TEXT), about an ill-typed value, that the first run lacks are added: a
    text comparison the second run's stand-in wins is no result (under sh:not it would
    be one that SHACL does not give)."""
    second, second_node, swapped = _run_with(data, shapes, _as_unknown_datatype)
    ill_typed = set(swapped.values())
    known = {_result_key(report, r) for r in report.objects(report_node, SH.result)}
    for result in list(second.objects(second_node, SH.result)):
        if (
            second.value(result, SH.value) in ill_typed
            and second.value(result, SH.sourceConstraintComponent) in _HIDDEN_BY_TEXT
            and _result_key(second, result) not in known
        ):
            report.add((report_node, SH.result, result))
            for triple in second.cbd(result):
                report.add(triple)


_HIDDEN_BY_TEXT = frozenset(
    {
        SH.DatatypeConstraintComponent,
        SH.OrConstraintComponent,
        SH.XoneConstraintComponent,
    }
)
"""Components whose result a language-tagged text stand-in can hide: sh:datatype
rdf:langString, and alternatives among which one is that datatype."""


def _result_key(report: Graph, result: Node) -> tuple[Node | None, ...]:
    return tuple(
        report.value(result, p)
        for p in (SH.focusNode, SH.sourceConstraintComponent, SH.sourceShape, SH.value)
    )


_Swapped = dict[tuple[Node, Node, Literal], Literal]


def _ill_typed_as(graph: Graph, stand_in_of: Callable[[Literal, int], Literal]) -> _Swapped:
    """Every literal not of its datatype ("2000-99-01"^^xsd:date) replaced by a stand-in,
    for pySHACL: its sh:lessThanOrEquals compares such a literal with Python's <= and
    dies of the TypeError (no report at all). Returns (subject, predicate, stand-in) ->
    the literal, to put them back."""
    found = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and _ill_typed(o)]
    swapped: _Swapped = {}
    for number, (s, p, literal) in enumerate(found):
        stand_in = stand_in_of(literal, number)
        graph.remove((s, p, literal))
        swapped[(s, p, stand_in)] = literal
        graph.add((s, p, stand_in))
    return swapped


def _ill_typed(literal: Literal) -> bool:
    """rdflib knows a literal is ill-typed only if it was made from its text: the
    literals of a SPARQL Update on an rdflib graph say None, and pySHACL died on such
    a "10000-01-01"^^xsd:date all the same. And rdflib's Python conversions take what
    the datatype's lexical space does not hold ("NaN"^^xsd:decimal, " 9"^^xsd:decimal
    when rdflib did not normalise it to "9"), which pySHACL then passed while the
    compiled engine, as SHACL's sh:datatype prescribes, reports them: the lexical
    forms are tested as that engine tests them (krbgraph.shacl.datatypes)."""
    if literal.datatype is None:
        return False
    ill_typed = literal.ill_typed
    if ill_typed is None:
        ill_typed = Literal(str(literal), datatype=literal.datatype).ill_typed
    return bool(ill_typed) or well_formed(literal.datatype, str(literal)) is False


def _as_text(literal: Literal, number: int) -> Literal:
    """The literal's text tagged with a private language of its own (ILL_TYPED-number:
    two stand-ins of one language would break sh:uniqueLang, which the literals do
    not). It breaks sh:datatype xsd:string as the literal does (a plain string passed
    it: "GEL-N01"^^xsd:integer as a code went through) and every other datatype but
    rdf:langString (the second run's stand-ins break that one), and cannot be compared
    with a date, which SHACL says is a result, as the compiled engine reports it."""
    return Literal(str(literal), lang=f"{ILL_TYPED}-{number}")


def _as_unknown_datatype(literal: Literal, number: int) -> Literal:
    return Literal(str(literal), datatype=URIRef(f"{ILL_TYPED_DATATYPE}-{number}"))


ILL_TYPED = "x-illtyped"
"""The private language tag of the stand-ins for ill-typed literals while pySHACL runs."""

ILL_TYPED_DATATYPE = URIRef("urn:x-krb:ill-typed")
"""The datatype of the second run's stand-ins: one no shape names."""


def _restore(graph: Graph, swapped: _Swapped) -> None:
    for (s, p, text), literal in swapped.items():
        graph.remove((s, p, text))
        graph.add((s, p, literal))


def _restore_values(report: Graph, report_node: Node, swapped: _Swapped) -> None:
    """The report's sh:value of a stand-in back to the literal the data holds."""
    if not swapped:
        return
    by_text: dict[Literal, set[Literal]] = {}
    for (_, _, text), literal in swapped.items():
        by_text.setdefault(text, set()).add(literal)
    for result in list(report.objects(report_node, SH.result)):
        value = report.value(result, SH.value)
        if not isinstance(value, Literal) or value not in by_text:
            continue
        key = (report.value(result, SH.focusNode), report.value(result, SH.resultPath), value)
        original = swapped.get(key)  # type: ignore[arg-type]  # a lookup; None never matches
        if original is None and len(by_text[value]) == 1:
            original = next(iter(by_text[value]))  # a path other than one property
        if original is not None:
            report.set((result, SH.value, original))
