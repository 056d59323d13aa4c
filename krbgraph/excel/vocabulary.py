"""The model's value lists as name lookups: what a cell may say and what it means.

Every list is read from the model graph (ontology, value lists, units, IMBOR
extract) so a concept or unit added there is accepted in a workbook without a
code change. Lookups accept the Dutch or English label, the alternative
labels, the notation, the last IRI segment and the full IRI; a name that fits
two concepts is refused rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ..namespaces import BEGRIP, KRB, QUDT, SCHEME
from .workbook_format import MAATREGEL, MER_MAATREGEL

LEEFOMGEVING_SCHEME = SCHEME["leefomgeving"]
LEEFOMGEVING_ALLE = BEGRIP["leefomgeving/alle"]


class LookupFailed(ValueError):
    """A name that is unknown or ambiguous in a value list."""

    def __init__(self, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_nl = message_nl
        self.message_en = message_en


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class ValueList:
    """One list of allowed values with the display name of each entry."""

    key: str
    title_nl: str
    title_en: str
    sheet: str | None = None
    """Set for a pick-list sheet of the workbook: unknown names then point at it."""
    hint: tuple[str, str] = ("schrijf hoofdtype/subtype", "write hoofdtype/subtype")
    """How to resolve an ambiguous name (nl, en)."""
    pairs: list[tuple[str, str | None]] = field(default_factory=list)
    """(hoofdtype, subtype) rows of a two-level list, for its pick-list sheet."""
    display: dict[URIRef, str] = field(default_factory=dict)
    """Entry -> the name the workbook shows (unique within the list)."""
    _tiers: tuple[dict[str, set[URIRef]], ...] = field(
        default_factory=lambda: tuple(defaultdict(set) for _ in range(4))
    )
    """Exact names, case-folded names, then the same for weak names (IRI segments)."""

    def add(self, iri: URIRef, display: str, *names: str, weak: tuple[str, ...] = ()) -> None:
        self.display[iri] = display
        for offset, group in ((0, (display, str(iri), *names)), (2, weak)):
            for name in group:
                if name:
                    self._tiers[offset][name.strip()].add(iri)
                    self._tiers[offset + 1][_fold(name)].add(iri)

    def names(self) -> list[str]:
        """Display names, in the order entries were added (the drop-down order)."""
        return list(self.display.values())

    def find(self, name: str) -> URIRef:
        """The entry a cell names; raises LookupFailed listing the known names."""
        hits: set[URIRef] = set()
        for tier, key in zip(self._tiers, (name.strip(), _fold(name)) * 2, strict=True):
            hits = tier.get(key, set())
            if hits:
                break
        if len(hits) == 1:
            return next(iter(hits))
        if not hits and self.sheet is not None:
            raise LookupFailed(
                f"'{name}' bestaat niet in blad {self.sheet}",
                f"'{name}' does not exist in sheet {self.sheet}",
            )
        if not hits:
            known = ", ".join(self.names())
            raise LookupFailed(
                f"'{name}' is onbekend in de lijst {self.title_nl}; bekend: {known}",
                f"'{name}' is unknown in the list {self.title_en}; known: {known}",
            )
        options = ", ".join(sorted(self.display[hit] for hit in hits))
        raise LookupFailed(
            f"'{name}' is dubbelzinnig in de lijst {self.title_nl}: {options}; {self.hint[0]}",
            f"'{name}' is ambiguous in the list {self.title_en}: {options}; {self.hint[1]}",
        )


def _label(graph: Graph, iri: URIRef, lang: str = "nl") -> str | None:
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(iri, prop):
            if isinstance(value, Literal) and value.language == lang:
                return str(value)
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(iri, prop):
            if isinstance(value, Literal):
                return str(value)
    return None


def _all_names(graph: Graph, iri: URIRef) -> list[str]:
    return [
        str(value)
        for prop in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.notation, QUDT.symbol)
        for value in graph.objects(iri, prop)
    ]


def _ordered_concepts(graph: Graph, scheme: URIRef) -> list[URIRef]:
    """Concepts of a scheme, top concepts first (file order is lost in a graph)."""
    concepts = {c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}
    tops = sorted(c for c in concepts if (c, SKOS.topConceptOf, scheme) in graph)
    ordered: list[URIRef] = []
    for top in tops or sorted(concepts):
        ordered.append(top)
        ordered.extend(sorted(c for c in concepts if (c, SKOS.broader, top) in graph))
    ordered.extend(sorted(concepts - set(ordered)))
    return ordered


def _flat_list(graph: Graph, key: str, nl: str, en: str, scheme: str) -> ValueList:
    values = ValueList(key, nl, en)
    for concept in _ordered_concepts(graph, SCHEME[scheme]):
        values.add(
            concept,
            _label(graph, concept) or _local_name(concept),
            *_all_names(graph, concept),
            weak=(_local_name(concept),),
        )
    return values


def _two_level_list(graph: Graph, key: str, nl: str, en: str, scheme: str) -> ValueList:
    """Hoofdtype/subtype lists: a subtype shows as its own name unless that name is
    used twice, then as 'hoofdtype/subtype'."""
    values = ValueList(key, nl, en)
    concepts = _ordered_concepts(graph, SCHEME[scheme])
    labels = {c: _label(graph, c) or _local_name(c) for c in concepts}
    counts: dict[str, int] = defaultdict(int)
    for label in labels.values():
        counts[_fold(label)] += 1
    for concept in concepts:
        parent = graph.value(concept, SKOS.broader)
        label = labels[concept]
        qualified = f"{labels[parent]}/{label}" if parent in labels else label
        display = label if counts[_fold(label)] == 1 else qualified
        values.pairs.append((labels[parent], label) if parent in labels else (label, None))
        values.add(concept, display, qualified, *_all_names(graph, concept),
                   weak=(_local_name(concept),))
    return values


@dataclass
class ImborClass:
    iri: URIRef
    label: str
    zoekingangen: tuple[str, ...]


@dataclass
class Vocabulary:
    """All value lists a workbook uses, built once per import or export."""

    lists: dict[str, ValueList]
    ranked: ValueList
    """Concepts of ordered value lists (krb:rangorde) a norm may take as its value."""
    ranked_schemes: dict[URIRef, frozenset[URIRef]]
    """Each ranked concept's schemes, so an effect's target label is checked against the
    list of its norm's value."""
    imbor: ValueList
    """IMBOR classes of the Leefomgeving extract, plus 'alle'."""
    imbor_classes: dict[URIRef, ImborClass]
    unit_symbols: dict[URIRef, str]

    def __getitem__(self, key: str) -> ValueList:
        return self.lists[key]


def load_vocabulary(model: Graph) -> Vocabulary:
    """Index the model's value lists for name lookups (a fraction of a second)."""
    lists = {
        "operator": _flat_list(model, "operator", "Normoperatoren", "Norm operators",
                               "normoperator"),
        "documentsoort": _flat_list(model, "documentsoort", "Documentsoorten", "Document types",
                                    "documentsoort"),
        "besluitsoort": _flat_list(model, "besluitsoort", "Besluitsoorten", "Decision types",
                                   "besluitsoort"),
        "gebiedssoort": _flat_list(model, "gebiedssoort", "Gebiedssoorten", "Area types",
                                   "gebiedssoort"),
        "kenmerk": _flat_list(model, "kenmerk", "Indicatorsoorten", "Indicator kinds",
                              "indicatorsoort"),
        "bestuurslaag": _flat_list(model, "bestuurslaag", "Bestuurslagen",
                                   "Levels of government", "bestuurslaag"),
        "status": _flat_list(model, "status", "Statussen", "Statuses", "status"),
        "uitvoeringsstatus": _flat_list(model, "uitvoeringsstatus", "Uitvoeringsstatussen",
                                        "Implementation statuses", "uitvoeringsstatus"),
        "sector": _two_level_list(model, "sector", "Sectoren", "Sectors", "sector"),
        "materiaal": _two_level_list(model, "materiaal", "Materialen", "Materials", "materiaal"),
    }
    units = ValueList("eenheid", "Eenheden", "Units")
    symbols: dict[URIRef, str] = {}
    for unit in sorted(u for u in model.subjects(RDF.type, QUDT.Unit) if isinstance(u, URIRef)):
        symbol = model.value(unit, QUDT.symbol)
        display = str(symbol) if symbol is not None else _local_name(unit)
        symbols[unit] = display
        units.add(unit, display, *_all_names(model, unit), weak=(_local_name(unit),))
    lists["eenheid"] = units

    kinds = ValueList("maatregelsoort", "Soorten maatregel", "Kinds of measure")
    kinds.add(KRB.Beleidsmaatregel, MAATREGEL, "beleidsmaatregel")
    kinds.add(KRB.MerMaatregel, MER_MAATREGEL, "MER-maatregel", "m.e.r.-maatregel", "mer")
    lists["maatregelsoort"] = kinds

    zoekingangen = ValueList("zoekingang", "IMBOR-zoekingangen", "IMBOR search entries")
    for entry in sorted(
        (z for z in model.subjects(RDF.type, KRB.Zoekingang) if isinstance(z, URIRef)),
        key=lambda z: _label(model, z) or "",
    ):
        zoekingangen.add(entry, _label(model, entry) or _local_name(entry))
    lists["zoekingang"] = zoekingangen

    ranked = ValueList("waardebegrip", "Geordende waardelijsten", "Ordered value lists")
    ranked_schemes: dict[URIRef, frozenset[URIRef]] = {}
    for concept in sorted(c for c in model.subjects(KRB.rangorde, None) if isinstance(c, URIRef)):
        notation = model.value(concept, SKOS.notation)
        ranked.add(concept, str(notation) if notation else _label(model, concept) or "",
                   *_all_names(model, concept), weak=(_local_name(concept),))
        ranked_schemes[concept] = frozenset(
            s for s in model.objects(concept, SKOS.inScheme) if isinstance(s, URIRef))

    imbor = ValueList("leefomgeving", "Leefomgeving (IMBOR)", "Living environment (IMBOR)")
    imbor.add(LEEFOMGEVING_ALLE, "alle", "all")
    classes: dict[URIRef, ImborClass] = {}
    for cls in model.subjects(SKOS.inScheme, LEEFOMGEVING_SCHEME):
        if not isinstance(cls, URIRef) or (cls, RDF.type, OWL.Class) not in model:
            continue
        label = _label(model, cls)
        if label is None:
            continue
        entries = tuple(sorted(
            _label(model, z) or "" for z in model.objects(cls, KRB.zoekingang)
        ))
        classes[cls] = ImborClass(cls, label, entries)
        imbor.add(cls, label, *(f"{z}/{label}" for z in entries), weak=(_local_name(cls),))
    return Vocabulary(lists, ranked, ranked_schemes, imbor, classes, symbols)
