"""The model's value lists as name lookups: what a cell may say and what it means.

Every list is read from the model graph (ontology, value lists, IMBOR extract)
so a concept added there is accepted in a workbook without a code change; units
come from krbgraph.units (every QUDT unit, plus the KRB's own notations).
Lookups accept the Dutch or English label, the alternative labels, the
notation, the last IRI segment and the full IRI; a name that fits two concepts
is refused rather than guessed, and an unknown name is answered with at most a
handful of close matches, never the whole list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import BEGRIP, KRB, QUDT, SCHEME
from ..units import MAX_SUGGESTIONS, UnitCatalogue, UnitError, default_catalogue
from .problems import close_matches, did_you_mean
from .workbook_format import MAATREGEL, MAPPING_RELATIONS, MER_MAATREGEL, SEPARATOR

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


def _ambiguous(
    name: str, options: list[str], title_nl: str, title_en: str, hint: tuple[str, str]
) -> LookupFailed:
    shown = ", ".join(sorted(options)[:MAX_SUGGESTIONS])
    more = len(options) - MAX_SUGGESTIONS
    more_nl, more_en = (f" en {more} andere", f" and {more} more") if more > 0 else ("", "")
    return LookupFailed(
        f"'{name}' is dubbelzinnig in {title_nl}: {shown}{more_nl}; {hint[0]}",
        f"'{name}' is ambiguous in {title_en}: {shown}{more_en}; {hint[1]}",
    )


class Lookup(Protocol):
    """What Row.pick needs: a name -> the entry it means (raises LookupFailed)."""

    def find(self, name: str) -> URIRef: ...


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
    spellings: dict[URIRef, list[str]] = field(default_factory=dict)
    """Entry -> every name it is found by, the display name first (for cells an export
    writes: the first that reads back as the same entry)."""
    _tiers: tuple[dict[str, set[URIRef]], ...] = field(
        default_factory=lambda: tuple(defaultdict(set) for _ in range(4))
    )
    """Exact names, case-folded names, then the same for weak names (IRI segments)."""

    def add(self, iri: URIRef, display: str, *names: str, weak: tuple[str, ...] = ()) -> None:
        self.display[iri] = display
        spellings = self.spellings.setdefault(iri, [])
        for offset, group in ((0, (display, *names)), (2, weak)):
            for name in group:
                if name:
                    self._tiers[offset][name.strip()].add(iri)
                    self._tiers[offset + 1][_fold(name)].add(iri)
                    if name.strip() not in spellings:
                        spellings.append(name.strip())
        self._tiers[0][str(iri)].add(iri)
        self._tiers[1][_fold(str(iri))].add(iri)

    def names(self) -> list[str]:
        """Display names, in the order entries were added (the drop-down order)."""
        return list(self.display.values())

    def hits(self, name: str) -> set[URIRef]:
        """The entries ``name`` fits on the first tier that knows it (empty: unknown)."""
        for tier, key in zip(self._tiers, (name.strip(), _fold(name)) * 2, strict=True):
            hits = tier.get(key, set())
            if hits:
                return hits
        return set()

    def cell(self, iri: URIRef) -> str:
        """How a cell names ``iri`` so that it reads back as ``iri`` (see Layered.cell)."""
        for spelling in self.spellings.get(iri, ()):
            if SEPARATOR not in spelling and self.hits(spelling) == {iri}:
                return spelling
        return str(iri)

    def suggest(self, name: str) -> list[str]:
        """At most five display names close to ``name`` (by any of their spellings)."""
        by_spelling = {
            spelling: self.display[iri]
            for iri, spellings in self.spellings.items()
            for spelling in spellings
        }
        return list(dict.fromkeys(by_spelling[match] for match in close_matches(name, by_spelling)))

    def ambiguity(self, name: str, hits: set[URIRef]) -> LookupFailed:
        where = (
            (f"blad {self.sheet}", f"sheet {self.sheet}")
            if self.sheet
            else (f"de lijst {self.title_nl}", f"the list {self.title_en}")
        )
        return _ambiguous(name, [self._told_apart(hit) for hit in hits], *where, self.hint)

    def _told_apart(self, iri: URIRef) -> str:
        """An entry as an ambiguity lists it: its display name, followed by the spelling
        that names only it (the code the hint asks for) when the display name does not,
        as two areas named Centrum differ only by code: 'Centrum (WK0001)'."""
        display, cell = self.display[iri], self.cell(iri)
        return display if cell == display else f"{display} ({cell})"

    def find(self, name: str) -> URIRef:
        """The entry a cell names; raises LookupFailed with at most five close names."""
        hits = self.hits(name)
        if len(hits) == 1:
            return next(iter(hits))
        if hits:
            raise self.ambiguity(name, hits)
        nl, en = did_you_mean(self.suggest(name))
        if self.sheet is not None:
            raise LookupFailed(
                f"'{name}' bestaat niet in blad {self.sheet}{nl}",
                f"'{name}' does not exist in sheet {self.sheet}{en}",
            )
        nl, en = (nl, en) if nl else _OR_DROP_DOWN
        raise LookupFailed(
            f"'{name}' is onbekend in de lijst {self.title_nl}{nl}",
            f"'{name}' is unknown in the list {self.title_en}{en}",
        )


_OR_DROP_DOWN = (
    "; kies een waarde uit de keuzelijst van de cel",
    "; choose a value from the cell's drop-down list",
)
"""Said when no name is close: a value typed from memory ('aandeel' as a kenmerk) was
told only that it is unknown."""


@dataclass
class Layered:
    """The registry's own entries (a pick-list sheet) first, then the list behind them
    (a national value list, the IMBOR extract): an own name hides a national one, and
    'hoofdtype/subtype' or the IRI still reaches the national entry."""

    own: ValueList
    national: ValueList

    def find(self, name: str) -> URIRef:
        for values in (self.own, self.national):
            hits = values.hits(name)
            if len(hits) == 1:
                return next(iter(hits))
            if hits:
                raise values.ambiguity(name, hits)
        suggestions = list(dict.fromkeys(self.own.suggest(name) + self.national.suggest(name)))
        nl, en = did_you_mean(close_matches(name, suggestions))
        nl, en = (nl, en) if nl else _OR_DROP_DOWN
        raise LookupFailed(
            f"'{name}' is onbekend in de lijst {self.national.title_nl} (ook niet als eigen "
            f"begrip in blad {self.own.sheet}){nl}",
            f"'{name}' is unknown in the list {self.national.title_en} (nor an own concept in "
            f"sheet {self.own.sheet}){en}",
        )

    def cell(self, iri: URIRef) -> str:
        """How a cell names ``iri`` so that it reads back as ``iri``: its display name when
        that is unambiguous, else another spelling, else the IRI itself."""
        for values in (self.own, self.national):
            for spelling in values.spellings.get(iri, ()):
                if SEPARATOR in spelling:  # a cell of several values splits there
                    continue
                try:
                    if self.find(spelling) == iri:
                        return spelling
                except LookupFailed:
                    continue
        return str(iri)


def _label(graph: Graph, iri: Node, lang: str = "nl") -> str | None:
    """The name in ``lang``, else in a regional form of it (nl-BE), else any."""
    for matches in (
        lambda tag: tag == lang,
        lambda tag: tag.startswith(f"{lang}-"),
    ):
        for prop in (SKOS.prefLabel, RDFS.label):
            for value in graph.objects(iri, prop):
                if isinstance(value, Literal) and matches((value.language or "").lower()):
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
        parent_label = labels.get(parent) if isinstance(parent, URIRef) else None
        label = labels[concept]
        qualified = f"{parent_label}/{label}" if parent_label is not None else label
        display = label if counts[_fold(label)] == 1 else qualified
        values.pairs.append((parent_label, label) if parent_label is not None else (label, None))
        values.add(
            concept, display, qualified, *_all_names(graph, concept), weak=(_local_name(concept),)
        )
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
    units: UnitCatalogue
    """Every unit a cell may name (krbgraph.units: QUDT by UCUM code or symbol, and the
    KRB's own notations of ontology/eenheden.ttl)."""
    _unit_cells: dict[URIRef, str] = field(default_factory=dict, init=False, repr=False)

    def __getitem__(self, key: str) -> ValueList:
        return self.lists[key]

    def unit(self, text: str) -> URIRef:
        """The unit a cell names; raises UnitError (unknown with at most five close
        notations, or ambiguous such as 'K/jr')."""
        return URIRef(self.units.resolve(text).iri)

    def unit_symbol(self, iri: URIRef) -> str:
        """The symbol to show in a name or message ('dB(A)', 'km/h')."""
        return self.units[str(iri)].display if iri in self.units else str(iri)

    def unit_cell(self, iri: URIRef) -> str:
        """How the export writes a unit so that it imports as the same IRI: the KRB
        notation where ontology/eenheden.ttl has one, else the UCUM code, else the IRI."""
        if iri not in self._unit_cells:
            self._unit_cells[iri] = self._unit_cell(iri)
        return self._unit_cells[iri]

    def _unit_cell(self, iri: URIRef) -> str:
        if iri not in self.units:
            return str(iri)
        unit = self.units[str(iri)]
        ucum = sorted(unit.ucum_codes, key=lambda code: (code != unit.symbol, len(code), code))
        krb = [unit.symbol, *unit.notations] if unit.krb else []
        for candidate in (*krb, *ucum, *unit.symbols):
            if not candidate:
                continue
            try:
                if self.units.resolve(candidate).iri == unit.iri:
                    return candidate
            except UnitError:
                continue
        return str(iri)


def load_vocabulary(model: Graph, *, units: UnitCatalogue | None = None) -> Vocabulary:
    """Index the model's value lists for name lookups (a fraction of a second).

    ``units`` is the unit catalogue (default: krbgraph.units.default_catalogue()).
    """
    units = units or default_catalogue()
    lists = {
        "operator": _flat_list(
            model, "operator", "Normoperatoren", "Norm operators", "normoperator"
        ),
        "documentsoort": _flat_list(
            model, "documentsoort", "Documentsoorten", "Document types", "documentsoort"
        ),
        "dossiersoort": _flat_list(
            model, "dossiersoort", "Dossiersoorten", "Dossier kinds", "dossiersoort"
        ),
        "normsoort": _flat_list(model, "normsoort", "Normsoorten", "Norm kinds", "normsoort"),
        "besluitsoort": _flat_list(
            model, "besluitsoort", "Besluitsoorten", "Decision types", "besluitsoort"
        ),
        "gebiedssoort": _flat_list(
            model, "gebiedssoort", "Gebiedssoorten", "Area types", "gebiedssoort"
        ),
        "kenmerk": _flat_list(
            model, "kenmerk", "Indicatorsoorten", "Indicator kinds", "indicatorsoort"
        ),
        "bestuurslaag": _flat_list(
            model, "bestuurslaag", "Bestuurslagen", "Levels of government", "bestuurslaag"
        ),
        "status": _flat_list(model, "status", "Statussen", "Statuses", "status"),
        "uitvoeringsstatus": _flat_list(
            model,
            "uitvoeringsstatus",
            "Uitvoeringsstatussen",
            "Implementation statuses",
            "uitvoeringsstatus",
        ),
        "sector": _two_level_list(model, "sector", "Sectoren", "Sectors", "sector"),
        "materiaal": _two_level_list(model, "materiaal", "Materialen", "Materials", "materiaal"),
    }
    # The drop-down offers the KRB's own units; a cell may name any unit of the catalogue.
    drop_down = ValueList("eenheid", "Eenheden", "Units")
    for unit in units.krb_units():
        drop_down.add(URIRef(unit.iri), unit.display)
    lists["eenheid"] = drop_down

    relations = ValueList("koppeling", "Koppelingen", "Mapping relations")
    for name in MAPPING_RELATIONS:
        relations.add(SKOS[name], name, f"skos:{name}")
    lists["koppeling"] = relations

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
        ranked.add(
            concept,
            str(notation) if notation else _label(model, concept) or "",
            *_all_names(model, concept),
            weak=(_local_name(concept),),
        )
        ranked_schemes[concept] = frozenset(
            s for s in model.objects(concept, SKOS.inScheme) if isinstance(s, URIRef)
        )

    imbor = ValueList("leefomgeving", "Leefomgeving (IMBOR)", "Living environment (IMBOR)")
    imbor.add(LEEFOMGEVING_ALLE, "alle", "all")
    classes: dict[URIRef, ImborClass] = {}
    for cls in model.subjects(SKOS.inScheme, LEEFOMGEVING_SCHEME):
        if not isinstance(cls, URIRef) or (cls, RDF.type, OWL.Class) not in model:
            continue
        label = _label(model, cls)
        if label is None:
            continue
        entries = tuple(sorted(_label(model, z) or "" for z in model.objects(cls, KRB.zoekingang)))
        classes[cls] = ImborClass(cls, label, entries)
        imbor.add(cls, label, *(f"{z}/{label}" for z in entries), weak=(_local_name(cls),))
    return Vocabulary(lists, ranked, ranked_schemes, imbor, classes, units)
