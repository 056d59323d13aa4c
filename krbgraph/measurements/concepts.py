"""The classification columns of a measurement: which concept ``sector``, ``materiaal`` or
``leefomgeving`` names.

A list holds the model's concepts (the national Sectoren and Materialen lists, the IMBOR
extract) and the registry's own ones (own sectors and material streams in the schemes
``{base}/id/conceptschema/sectoren`` and ``.../materiaalstromen``, local object types,
krb:LokaalObjecttype). A text names a concept by its IRI, by a name or notation (case
folded; also 'hoofdtype/subtype', the hoofdtype's Dutch name before the subtype's) or,
failing those, by the last segment of its IRI (an own concept's code, an IMBOR UUID).

As the workbook's policy sheets look names up (krbgraph.excel.own_lists), the
municipality's own concepts (under the base IRI of the import) come first: an own
'Inwoners' hides the national 'inwoners', which 'particulieren/inwoners' or the IRI still
reaches. Nothing else is picked for the user: a text that fits several concepts (two own
concepts of one name in two graphs of a shared store, another municipality's own concept
and a national one, IMBOR's two classes 'Warmte- en koudeopslag') names them all, and the
import refuses it at its line and column with their IRIs (krbgraph.measurements.
resolving.concepts_of). Before, the first concept the engine answered was taken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..namespaces import SCHEME

LISTS = ("sector", "materiaal", "leefomgeving")
"""The classification columns, each with a list of its own."""

_NATIONAL = {str(SCHEME[name]): name for name in LISTS}
"""The model's scheme of each list."""
_OWN_SCHEMES = {
    "/id/conceptschema/sectoren": "sector",
    "/id/conceptschema/materiaalstromen": "materiaal",
}
"""The end of a registry's own scheme ({base}/id/conceptschema/{sheet}) and its list."""


@dataclass
class ConceptList:
    """The concepts of one list by the texts that name them."""

    own: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """A registry's own concept -> its schemes (what says whose it is)."""
    iris: set[str] = field(default_factory=set)
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Folded name, notation or 'hoofdtype/subtype' -> the concepts that have it."""
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Folded last IRI segment -> the concepts whose IRI ends in it."""

    def add(self, iri: str, texts: Iterable[str], *, own: bool, scheme: str | None) -> None:
        self.iris.add(iri)
        if own:
            self.own[iri].update(filter(None, (scheme,)))
        self.codes[iri.rsplit("/", 1)[-1].casefold()].add(iri)
        for text in texts:
            self.names[text.casefold()].add(iri)

    def fits(self, text: str, base_iri: str) -> list[str]:
        """The concepts ``text`` names, sorted: one, none, or several (ambiguous).

        Own concepts first, a name before a code: when those ``text`` names include one
        of the municipality whose base is ``base_iri``, the national concepts it also
        names are hidden; the own concepts of other registries never are, nor hide."""
        if text in self.iris:
            return [text]
        key = text.casefold()
        own = self._first(key, lambda iri: iri in self.own)
        if any(self._mine(iri, base_iri) for iri in own):
            return sorted(own)
        return sorted(own | self._first(key, lambda iri: iri not in self.own))

    def _first(self, key: str, kept: Callable[[str], bool]) -> set[str]:
        for table in (self.names, self.codes):
            found = {iri for iri in table.get(key, ()) if kept(iri)}
            if found:
                return found
        return set()

    def _mine(self, iri: str, base_iri: str) -> bool:
        """Whether own concept ``iri`` is the municipality's: it or its scheme is minted
        under its base."""
        base = base_iri.rstrip("/") + "/"
        return iri.startswith(base) or any(s.startswith(base) for s in self.own[iri])


def concept_lists(found: Iterable[tuple[str, list[str | None]]]) -> dict[str, ConceptList]:
    """List -> its concepts, from the solutions of CONCEPTS (concept, scheme, text, the
    hoofdtype's Dutch name, whether it is a local object type)."""
    lists = {name: ConceptList() for name in LISTS}
    for iri, (scheme, text, parent, local) in found:
        kind = "leefomgeving" if local else _NATIONAL.get(scheme or "")
        own = bool(local) or kind is None
        if kind is None:
            ends = (k for end, k in _OWN_SCHEMES.items() if (scheme or "").endswith(end))
            kind = next(ends, None)
        if kind is None:
            continue  # not a concept of the three lists (no solution gives one now)
        texts = [text, f"{parent}/{text}" if text and parent else None]
        lists[kind].add(iri, filter(None, texts), own=own, scheme=scheme)
    return lists


CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?c ?scheme ?text ?parent ?local WHERE {
  {
    VALUES ?scheme { <https://data.krb.nl/id/conceptschema/sector>
                     <https://data.krb.nl/id/conceptschema/materiaal>
                     <https://data.krb.nl/id/conceptschema/leefomgeving> }
    ?c skos:inScheme ?scheme .
  } UNION {
    # The registry's own sectors and material streams, in the schemes the workbook's
    # sheets sectoren and materiaalstromen declare ({base}/id/conceptschema/{sheet}).
    ?c skos:inScheme ?scheme .
    FILTER (STRENDS(STR(?scheme), "/id/conceptschema/sectoren")
            || STRENDS(STR(?scheme), "/id/conceptschema/materiaalstromen"))
  } UNION {
    # A registry's own object type, with its own scheme ({base}/id/conceptschema/
    # leefomgeving-lokaal), which says whose it is.
    ?c a krb:LokaalObjecttype .
    BIND (true AS ?local)
    OPTIONAL { ?c skos:inScheme ?scheme }
  }
  OPTIONAL { ?c skos:prefLabel|skos:notation|skos:altLabel|rdfs:label ?text }
  # 'hoofdtype/subtype', as the sheets write a subtype: the hoofdtype's Dutch name.
  OPTIONAL { ?c skos:broader/skos:prefLabel ?parent FILTER (LANGMATCHES(LANG(?parent), "nl")) }
}
"""
"""The concepts of the three lists, read by krbgraph.measurements.lookup.Registry."""
