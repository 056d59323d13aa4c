"""The registry's own sectors, material streams and document types, beside the national lists.

The IDGB method lets a municipality start from a classification it already has
("een eigen reeds bestaande indeling kan ook worden gebruikt"). The sheets
sectoren, materiaalstromen and documentsoorten therefore list the national value
list and may add the municipality's own concepts:

- a row that names a concept of the national list (``hoofdtype`` or
  ``hoofdtype/subtype``, or ``naam``), without a code, only lists it;
- any other row, or a row with a code, declares an own concept
  ``{base}/id/begrip/{segment}/{reference}``, a skos:Concept in the own scheme
  ``{base}/id/conceptschema/{sheet}``: a hoofdtype is a top concept, a subtype
  has skos:broader its hoofdtype (an own hoofdtype named only in a subtype row is
  declared by that row; under a national hoofdtype the subtype is a top concept
  with skos:broadMatch that hoofdtype, which 'hoofdtype/subtype' names as well
  when its row is written 'subtype | | ... | broadMatch | hoofdtype', as the export
  writes it: see broad_names);
- columns koppeling and landelijk_begrip map an own concept to national ones
  (skos:broadMatch, skos:closeMatch, skos:exactMatch). An own concept that is
  mapped neither itself nor through its hoofdtype is a warning, never an error:
  national questions will not find it.

Base tables look a name up in the own concepts first, then in the national list
(vocabulary.Layered), so an own 'Inwoners' hides the national 'inwoners' and
'particulieren/inwoners' or the IRI still reaches the national one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from ..iris import reference
from .conversion import Conversion, Row, code_iri, is_iri, name_slug, slug_or_code
from .pick_lists import scheme_iri, unique_subject
from .sheet_rows import SheetRows
from .values import split_many
from .vocabulary import Layered, ValueList, Vocabulary
from .workbook_format import MAPPING_RELATIONS, OwnList

_MAPPING = re.compile(
    r"^\s*(?:skos:)?(" + "|".join(MAPPING_RELATIONS) + r")\s*:\s*(.+?)\s*$", re.IGNORECASE
)
"""'broadMatch: huishoudens' in column landelijk_begrip: a target with its own relation."""

_OWN_HINT = (
    "schrijf hoofdtype/subtype of gebruik de code",
    "write hoofdtype/subtype or use the code",
)
_EXTRAS = ("omschrijving", "koppeling", "landelijk_begrip")


def own_concept_iri(base_iri: str, own: OwnList, ref: str) -> URIRef:
    """``{base}/id/begrip/{segment}/{reference}``, or ``ref`` itself when it is a full IRI
    (another base's concept, as the export of a province's registry writes it); raises
    ValueError for an empty reference or an unusable IRI."""
    if is_iri(ref):
        return code_iri(base_iri, own.segment, ref)  # the segment is not used for an IRI
    return URIRef(f"{base_iri.rstrip('/')}/id/begrip/{own.segment}/{reference(ref)}")


@dataclass
class OwnEntry:
    """One own concept, as a workbook row states it (or implies it, for a hoofdtype)."""

    name: str
    ref: str
    iri: URIRef
    parent: OwnEntry | None = None
    parent_name: str | None = None
    """The hoofdtype as shown in 'hoofdtype/subtype' (own or national)."""
    mapped: bool = False
    broad_names: tuple[str, ...] = ()
    """The national concepts an own concept without own hoofdtype has skos:broadMatch,
    each naming it 'national/name' as a row 'national | name' does (broad_names)."""


def own_values(own: OwnList, entries: list[OwnEntry]) -> ValueList:
    """The own concepts as a name lookup: a subtype by its name, or as 'hoofdtype/subtype'
    when two own concepts share the name; every entry also by its reference (code).

    The reader and the writer both build it here, so an export names own concepts
    exactly as the import will look them up.
    """
    values = ValueList(
        own.sheet, f"blad {own.sheet}", f"sheet {own.sheet}", sheet=own.sheet, hint=_OWN_HINT
    )
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.name.casefold()] = counts.get(entry.name.casefold(), 0) + 1
    for entry in entries:
        above = (entry.parent_name,) if entry.parent_name else ()
        qualified = [f"{name}/{entry.name}" for name in dict.fromkeys((*above, *entry.broad_names))]
        display = (
            entry.name if counts[entry.name.casefold()] == 1 or not qualified else qualified[0]
        )
        values.add(entry.iri, display, entry.name, *qualified, weak=(entry.ref,))
    return values


def broad_names(national: ValueList, name: str, targets: Iterable[Node]) -> tuple[str, ...]:
    """How 'hoofdtype/subtype' names an own concept ``name`` without own hoofdtype that
    has skos:broadMatch ``targets``: by each national target, as a row 'particulieren |
    Studenten' names it (a subtype under a national hoofdtype is such a concept). The
    reader and the writer both read it from the triples, so 'particulieren/Studenten'
    still names the concept in an export, which writes that row 'Studenten | | ... |
    broadMatch | particulieren'. A name that is a national concept's ('particulieren/
    inwoners') is left to it, as an own 'Inwoners' leaves it."""
    found = [
        national.display[target]
        for target in targets
        if isinstance(target, URIRef) and target in national.display
    ]
    return tuple(
        sorted(
            (above for above in set(found) if not national.hits(f"{above}/{name}")),
            key=lambda above: (above.casefold(), above),
        )
    )


def national_rows(vocabulary: Vocabulary, own: OwnList) -> list[dict[str, str | None]]:
    """The rows that list the national value list in its pick-list sheet (template, export)."""
    if own.two_level:
        return [{"hoofdtype": main, "subtype": sub} for main, sub in vocabulary[own.key].pairs]
    return [{"naam": name} for name in vocabulary[own.key].names()]


def is_national(national: ValueList, main: str, sub: str | None) -> bool:
    """Whether a row (without code) names a concept of the national list."""
    return bool(national.hits(main if sub is None else f"{main}/{sub}"))


@dataclass
class _Declared:
    row: Row
    name: str
    code: str | None
    column: str
    """The column that names the concept (hoofdtype, subtype or naam)."""
    explicit: bool = True
    """False for an own hoofdtype only named in the hoofdtype column of a subtype row."""
    entry: OwnEntry | None = None
    national_parent: URIRef | None = None
    mappings: list[tuple[URIRef, URIRef]] = field(default_factory=list)


def convert_own_list(
    conversion: Conversion, sheet: SheetRows, own: OwnList, used: dict[str, Row]
) -> None:
    """Read one of the sheets sectoren, materiaalstromen, documentsoorten (see module)."""
    national = conversion.vocabulary[own.key]
    scheme = scheme_iri(conversion, own.scheme)
    main_column = "hoofdtype" if own.two_level else "naam"
    tops: list[_Declared] = []
    subs: list[tuple[_Declared, str]] = []
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        main = row.required(main_column)
        subtype = row.text("subtype") if own.two_level else None
        code = row.text("code")
        if main is None:
            continue
        if code is None and is_national(national, main, subtype):
            _listing_only(row, main if subtype is None else f"{main}/{subtype}")
            continue
        if subtype is None:
            tops.append(_Declared(row, main, code, main_column))
        else:
            subs.append((_Declared(row, subtype, code, "subtype"), main))

    entries: list[OwnEntry] = []
    seen: dict[URIRef, int] = {}
    for top in tops:
        _enter(conversion, own, top, None, entries, seen)
    declared = list(tops)
    for sub, main in subs:
        parent = _parent(conversion, own, sub.row, main, tops, entries, seen, declared)
        if isinstance(parent, _Declared):
            _enter(conversion, own, sub, parent.entry, entries, seen)
        else:
            sub.national_parent = parent
            _enter(
                conversion,
                own,
                sub,
                None,
                entries,
                seen,
                parent_name=main if parent is not None else None,
            )
        declared.append(sub)

    for item in declared:
        if item.entry is None:
            continue
        if item.explicit:
            item.mappings = _mappings(item.row, conversion, national)
        item.entry.mapped = bool(item.mappings) or item.national_parent is not None
        if item.entry.parent is None:
            broader = [t for relation, t in item.mappings if relation == SKOS.broadMatch]
            targets = (item.national_parent, *broader) if item.national_parent else broader
            item.entry.broad_names = broad_names(national, item.entry.name, targets)
    values = own_values(own, entries)
    conversion.lists[own.sheet] = values
    conversion.lookups[own.key] = Layered(values, national)
    for item in declared:
        if item.entry is not None:
            _write(item, scheme, own, used)
            _warn_unmapped(item, own, national)
            _warn_hiding(item, national)


def _listing_only(row: Row, name: str) -> None:
    extras = [column for column in _EXTRAS if row.text(column) is not None]
    if extras:
        row.problem(
            extras[0],
            row.text(extras[0]),
            f"'{name}' staat in de landelijke lijst; deze rij noemt dat begrip alleen en "
            f"{', '.join(extras)} wordt genegeerd (vul een code in voor een eigen begrip "
            "met deze naam)",
            f"'{name}' is in the national list; this row only names that concept and "
            f"{', '.join(extras)} is ignored (fill in a code for an own concept with this "
            "name)",
            severity="waarschuwing",
        )


def _enter(
    conversion: Conversion,
    own: OwnList,
    item: _Declared,
    parent: OwnEntry | None,
    entries: list[OwnEntry],
    seen: dict[URIRef, int],
    *,
    parent_name: str | None = None,
) -> None:
    ref = slug_or_code(item.code, item.name)
    column = "code" if item.code else item.column
    try:
        iri = own_concept_iri(conversion.base_iri, own, ref)
    except ValueError:
        item.row.problem(
            column,
            item.code or item.name,
            f"'{item.code or item.name}' kan geen deel van een IRI worden",
            f"'{item.code or item.name}' cannot become part of an IRI",
        )
        return
    if not unique_subject(item.row, seen, iri, column, item.code or item.name):
        return
    item.entry = OwnEntry(
        item.name, ref, iri, parent, parent.name if parent is not None else parent_name
    )
    entries.append(item.entry)


def _parent(
    conversion: Conversion,
    own: OwnList,
    row: Row,
    main: str,
    tops: list[_Declared],
    entries: list[OwnEntry],
    seen: dict[URIRef, int],
    declared: list[_Declared],
) -> _Declared | URIRef | None:
    """The hoofdtype of a subtype row: an own hoofdtype (declared by a row of its own or
    by an earlier subtype row), else the national concept of that name, else a new own
    hoofdtype that this row declares. None after an error."""
    by_iri = {top.entry.iri: top for top in tops if top.entry is not None}
    national = conversion.vocabulary[own.key]
    for values in (own_values(own, [top.entry for top in by_iri.values() if top.entry]), national):
        hits = values.hits(main)
        if len(hits) > 1:
            failed = values.ambiguity(main, hits)
            row.problem("hoofdtype", main, failed.message_nl, failed.message_en)
            return None
        if hits:
            hit = next(iter(hits))
            return by_iri.get(hit, hit)
    implied = _Declared(row, main, None, "hoofdtype", explicit=False)
    _enter(conversion, own, implied, None, entries, seen)
    if implied.entry is None:
        return None
    tops.append(implied)
    declared.append(implied)
    return implied


def _mappings(row: Row, conversion: Conversion, national: ValueList) -> list[tuple[URIRef, URIRef]]:
    """Columns koppeling (one relation) and landelijk_begrip (national concepts, each
    optionally as 'relation: concept')."""
    relations = conversion.vocabulary["koppeling"]
    default = row.pick("koppeling", relations)
    targets = split_many(row.text("landelijk_begrip") or "")
    if row.text("koppeling") is not None and not targets:
        row.problem(
            "landelijk_begrip",
            None,
            "koppeling is ingevuld maar landelijk_begrip niet; het begrip is niet gekoppeld",
            "koppeling is filled in but landelijk_begrip is not; the concept is not mapped",
            severity="waarschuwing",
        )
    found: list[tuple[URIRef, URIRef]] = []
    for item in targets:
        relation, name = default, item
        match = _MAPPING.match(item)
        if match:
            relation, name = relations.find(match[1]), match[2]
        if relation is None:
            if row.text("koppeling") is None:
                row.problem(
                    "koppeling",
                    None,
                    f"de relatie met '{name}' ontbreekt: vul koppeling in "
                    f"({', '.join(MAPPING_RELATIONS)}) of schrijf "
                    f"'broadMatch: {name}'",
                    f"the relation to '{name}' is missing: fill in koppeling "
                    f"({', '.join(MAPPING_RELATIONS)}) or write 'broadMatch: {name}'",
                )
            continue
        target = row.pick("landelijk_begrip", national, name=name)
        if target is not None and (relation, target) not in found:
            found.append((relation, target))
    return found


def _write(item: _Declared, scheme: URIRef, own: OwnList, used: dict[str, Row]) -> None:
    row, entry = item.row, item.entry
    assert entry is not None
    column = item.column
    used.setdefault(own.scheme, row)
    row.add(entry.iri, RDF.type, SKOS.Concept, column)
    row.add(entry.iri, SKOS.prefLabel, Literal(entry.name, lang="nl"), column)
    row.add(entry.iri, SKOS.inScheme, scheme, column)
    if entry.parent is not None:
        row.add(entry.iri, SKOS.broader, entry.parent.iri, "hoofdtype")
    else:
        row.add(entry.iri, SKOS.topConceptOf, scheme, column)
        row.add(scheme, SKOS.hasTopConcept, entry.iri, column)
        row.conversion.locations.setdefault(scheme, (row.sheet, row.number))
    if item.national_parent is not None:
        row.add(entry.iri, SKOS.broadMatch, item.national_parent, "hoofdtype")
    if item.explicit:
        row.add_text(entry.iri, SKOS.definition, "omschrijving")
    for relation, target in item.mappings:
        row.add(entry.iri, relation, target, "landelijk_begrip")


def _warn_unmapped(item: _Declared, own: OwnList, national: ValueList) -> None:
    entry = item.entry
    assert entry is not None
    reached: OwnEntry | None = entry
    while reached is not None and not reached.mapped:
        reached = reached.parent
    if reached is not None:
        return
    column = "landelijk_begrip" if item.explicit else "hoofdtype"
    item.row.problem(
        column,
        entry.name,
        f"eigen begrip '{entry.name}' is niet gekoppeld aan de landelijke lijst "
        f"{national.title_nl}; vul koppeling en landelijk_begrip in, anders vinden "
        "landelijke vragen het niet",
        f"own concept '{entry.name}' is not mapped to the national list {national.title_en}; "
        "fill in koppeling and landelijk_begrip, or national questions will not find it",
        severity="waarschuwing",
    )


def _warn_hiding(item: _Declared, national: ValueList) -> None:
    """A warning when an own concept takes the name of a national one it is not the same
    as (no exactMatch): every cell of the workbook that names it, in any case, then
    means the own concept, also the cells of norms that meant the national one before
    the row was added."""
    entry = item.entry
    assert entry is not None
    hidden = national.hits(entry.name) - {t for r, t in item.mappings if r == SKOS.exactMatch}
    if not hidden:
        return
    shown = ", ".join(sorted(national.display.get(iri, str(iri)) for iri in hidden))
    item.row.problem(
        item.column,
        entry.name,
        f"eigen begrip '{entry.name}' heeft de naam van het landelijke begrip {shown}: elke "
        f"cel die '{entry.name}' noemt (ook in andere hoofdletters) betekent nu het eigen "
        "begrip; schrijf hoofdtype/subtype of de IRI voor het landelijke, of koppel het "
        "eigen begrip met exactMatch als het hetzelfde is",
        f"own concept '{entry.name}' has the name of the national concept {shown}: every "
        f"cell naming '{entry.name}' (in any case) now means the own concept; write "
        "hoofdtype/subtype or the IRI for the national one, or map the own concept with "
        "exactMatch if it is the same",
        severity="waarschuwing",
    )


def needs_code(national: ValueList, entry: OwnEntry, main: str, sub: str | None) -> bool:
    """Whether the export must write an own concept's code: its name does not give its
    reference, or its row would otherwise read as the national concept of that name."""
    return name_slug_or_none(entry.name) != entry.ref or is_national(national, main, sub)


def name_slug_or_none(name: str) -> str | None:
    try:
        return name_slug(name)
    except ValueError:
        return None
