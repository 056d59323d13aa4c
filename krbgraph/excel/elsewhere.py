"""References from a workbook to things elsewhere in the registry.

A registry is kept as one named graph per theme. An administrator exports one
graph, edits it and imports it back into the same graph; its rows refer to
things of other graphs (an area of the graph gebieden, a national norm of the
graph kaders-rijk-provincie, a theme of the graph thema) by full IRI or by
code, as the export writes them (krbgraph.excel.writer). The conversion
resolves a reference against the workbook's own rows and has no store; the
import gives it a StoreLookup, which finds such a thing in the store.

Only what stays after the import counts: a thing of the graph being replaced
(or of its ``{graph}/metingen``) goes with the old content, so a reference to
it is refused as before; so is a thing of another class than the sheet stands
for (a norm's code in an indicator column), while a subclass is that class (a
krb:MerMaatregel is a krb:Beleidsmaatregel). The model's graphs hold no
registry things and are not looked in. A name is not looked up: names are the
workbook's own, and a name of another graph could mean two things.

The store is asked once per IRI a reference names, whatever the number of
rows that name it (Conversion.elsewhere asks once per sheet and text).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Identifier

from ..entailed_types import TypeRules, type_rules
from ..namespaces import KRB, ORG
from ..store import Store, model_graph_iris
from .conversion import OutsideRefusal, OutsideThing, code_iri, is_iri
from .metingen_sheet import measurement_graph_iri
from .own_lists import own_concept_iri
from .workbook_format import OWN_LISTS, THING_KIND

QUDT_UNIT = URIRef("http://qudt.org/schema/qudt/Unit")

CLASS_OF: dict[str, URIRef] = {
    "beleidsdossier": KRB.Beleidsdossier,
    "besluitdocument": KRB.Besluitdocument,
    "besluitproces": KRB.Besluitproces,
    "beleidsindicator": KRB.Beleidsindicator,
    "beleidsnorm": KRB.Beleidsnorm,
    "beleidsregel": KRB.Beleidsregel,
    "beleidsmaatregel": KRB.Beleidsmaatregel,
    "beoogd_effect": KRB.BeoogdEffect,
    "beoogde_uitvoering": KRB.BeoogdeUitvoering,
    "beleidsthemas": KRB.Beleidsthema,
    "beleidsaspecten": KRB.Beleidsaspect,
    "werkingsgebieden": KRB.Werkingsgebied,
    "afdelingen": ORG.OrganizationalUnit,
    "leefomgeving": KRB.LokaalObjecttype,
    "conceptschemas": SKOS.ConceptScheme,
    **{own.sheet: SKOS.Concept for own in OWN_LISTS},
    "eenheid": QUDT_UNIT,
}
"""The class each sheet's rows are (the class the shapes ask of a value that names one),
subclasses included; "eenheid" is no sheet but a unit cell: a unit IRI the registry
declares (a municipality's own unit, which the export writes by its IRI)."""

_OWN = {own.sheet: own for own in OWN_LISTS}

_ABOUT = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?g ?what ?value WHERE {
  GRAPH ?g {
    { ?s rdf:type ?value BIND ("type" AS ?what) }
    UNION { ?s rdfs:label ?value BIND ("label" AS ?what) }
    UNION { ?s skos:prefLabel ?value BIND ("label" AS ?what) }
    UNION { ?s qudt:hasUnit ?value BIND ("eenheid" AS ?what) }
    UNION { ?s krb:waardeBegrip ?value BIND ("begrip" AS ?what) }
    UNION { ?s krb:bestuurslaag ?value BIND ("bestuurslaag" AS ?what) }
    UNION { ?s skos:broader ?value BIND ("thema" AS ?what) }
    UNION { ?s skos:inScheme ?value BIND ("schema" AS ?what) }
    UNION { ?s krb:indicator ?value BIND ("indicator" AS ?what) }
  }
}
"""
"""Everything a referring row may read of one thing (Conversion._remember), with the
graph that says it; bound to the thing as ?s."""

_Said = list[tuple[str, str, Identifier]]
"""(graph, what, value) of one thing, as _ABOUT answers."""


MAX_LOOKUPS = 5_000
"""Distinct things of other graphs one import looks up: each is a query, and a workbook
of 20,000 such references kept a worker and the engine busy for half a minute. Past it
a reference is refused as naming nothing, with the reason, as the others are listed."""


class StoreLookup:
    """Conversion.outside for an import into ``graph`` of ``store``."""

    def __init__(
        self, store: Store, base_iri: str, graph: str, *, model: Graph | None = None
    ) -> None:
        self.store = store
        self.base_iri = base_iri.rstrip("/")
        self.replaced = frozenset({graph, measurement_graph_iri(graph)})
        self.skipped = self.replaced | model_graph_iris()
        self.model = model
        self._said: dict[URIRef, _Said] = {}
        self._rules: TypeRules | None = None

    def find(self, sheet: str, text: str) -> OutsideThing | OutsideRefusal | None:
        """The thing of ``sheet``'s class that ``text`` (a full IRI or a code) names
        outside the replaced graphs; a refusal that says why when the IRI names a thing
        that does not qualify; None when it names nothing."""
        expected = CLASS_OF.get(sheet)
        iri = self._iri(sheet, text)
        if expected is None or iri is None:
            return None
        if iri not in self._said and len(self._said) >= MAX_LOOKUPS:
            return OutsideRefusal(
                f"niet in het register opgezocht: de werkmap verwijst naar meer dan "
                f"{MAX_LOOKUPS:,} verschillende dingen buiten zichzelf",
                f"not looked up in the registry: the workbook refers to more than "
                f"{MAX_LOOKUPS:,} distinct things outside itself",
            )
        said = self._about(iri)
        outside = [(what, value) for graph, what, value in said if graph not in self.skipped]
        types = {value for what, value in outside if what == "type"}
        if not types:
            replaced = sorted({g for g, what, _ in said if what == "type" and g in self.replaced})
            if not replaced:
                return None
            where = ", ".join(f"<{g}>" for g in replaced)
            return OutsideRefusal(
                f"<{iri}> staat in het register alleen in {where}, dat deze import vervangt",
                f"<{iri}> is in the registry only in {where}, which this import replaces",
            )
        if not types & self._classes(expected):
            shown = ", ".join(sorted(_local(t) for t in types))
            return OutsideRefusal(
                f"<{iri}> is in het register een {shown}, geen {_local(expected)}",
                f"<{iri}> is a {shown} in the registry, not a {_local(expected)}",
            )
        own = _OWN.get(sheet)
        if own is not None:
            suffix = f"/id/conceptschema/{own.scheme}"
            if not any(what == "schema" and str(v).endswith(suffix) for what, v in outside):
                return OutsideRefusal(
                    f"<{iri}> is in het register geen begrip van een eigen lijst {own.sheet}",
                    f"<{iri}> is not a concept of an own list {own.sheet} in the registry",
                )
        values = {
            what: min((v for w, v in outside if w == what and isinstance(v, URIRef)), key=str)
            for what in {w for w, v in outside if w != "type" and isinstance(v, URIRef)}
        }
        labels = [v for what, v in outside if what == "label" and isinstance(v, Literal)]
        return OutsideThing(iri, _dutch(labels), values)

    def _iri(self, sheet: str, text: str) -> URIRef | None:
        """The IRI a cell gives under the base, as a row with that code would have; None
        for one the store would refuse (``http://x/a%zz`` was a 500 on the upload)."""
        try:
            if is_iri(text) or sheet not in _OWN:
                iri = code_iri(self.base_iri, THING_KIND.get(sheet, ""), text)
            else:
                iri = own_concept_iri(self.base_iri, _OWN[sheet], text)
            ox.NamedNode(str(iri))
        except ValueError:
            return None
        return iri

    def _about(self, iri: URIRef) -> _Said:
        if iri not in self._said:
            answer = self.store.query(_ABOUT, bindings={"s": iri})
            self._said[iri] = [
                (str(graph), str(what), value)
                for graph, what, value in answer.rows
                if graph is not None and what is not None and value is not None
            ]
        return self._said[iri]

    def _classes(self, expected: URIRef) -> frozenset[Identifier]:
        """``expected``, the model's subclasses, and the registry's own classes below it
        (a norm typed ``gem:Geluidsnorm`` is a norm to refer to)."""
        model = _subclasses(expected) if self.model is None else _closure(self.model, expected)
        if self._rules is None:
            self._rules = type_rules(self.store)
        own = self._rules.classes_below([str(c) for c in model])
        return model | frozenset(URIRef(c) for c in own)


@cache
def _subclasses(expected: URIRef) -> frozenset[Identifier]:
    """``expected`` and its subclasses in the project's model (krb.ttl)."""
    from ..model import vocabulary_graph

    return _closure(vocabulary_graph(), expected)


def _closure(model: Graph, expected: URIRef) -> frozenset[Identifier]:
    found = model.transitive_subjects(RDFS.subClassOf, expected)
    return frozenset(node for node in found if isinstance(node, URIRef))


def _dutch(labels: Iterable[Literal]) -> str | None:
    """The Dutch name, else one without language, else any (the first in order)."""
    ranked = sorted(labels, key=lambda v: (v.language != "nl", v.language is not None, str(v)))
    return str(ranked[0]) if ranked else None


def _local(iri: Identifier) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
