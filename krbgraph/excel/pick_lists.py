"""The pick-list sheets: themes, aspects, areas, departments, object types, schemes.

(Sectors, material streams and document types, which extend a national list, are
read by own_lists.)

Pick-list entries are referred to by name from the base tables, so each sheet
here both writes its own triples and registers a name lookup (a ValueList
tied to the sheet) before any base table is converted.
"""

from __future__ import annotations

import re

import shapely
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from shapely.errors import ShapelyError

from ..iris import thing_iri
from ..namespaces import GEO, KRB, ORG
from .conversion import Conversion, Row, code_iri, short_code, slug_or_code
from .problems import close_matches, did_you_mean
from .sheet_rows import SheetRows
from .values import split_many
from .vocabulary import Layered, ValueList
from .workbook_format import DEFAULT_SCHEME_TITLES, LOCAL_SCHEME, THEME_SCHEME

CBS_CODE = re.compile(r"^(PV[0-9]{2}|GM[0-9]{4}|WK[0-9]{6}|BU[0-9]{8})$")
"""A CBS area code; only such a code becomes skos:notation of an area."""

_WKT = re.compile(
    r"^\s*(<[^<>\s]+>\s*)?(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION|TRIANGLE|TIN|POLYHEDRALSURFACE)\b",
    re.IGNORECASE,
)

_NAME_HINT = ("gebruik de code", "use the code")


def sheet_list(sheet: str) -> ValueList:
    return ValueList(sheet, f"blad {sheet}", f"sheet {sheet}", sheet=sheet, hint=_NAME_HINT)


def scheme_iri(conversion: Conversion, code: str) -> URIRef:
    return thing_iri(conversion.base_iri, "conceptschema", code)


def unique_subject(row: Row, seen: dict[URIRef, int], iri: URIRef, column: str, value: str) -> bool:
    """Refuse a second row that would describe the same thing (same code or name)."""
    first = seen.setdefault(iri, row.number)
    if first != row.number:
        row.problem(
            column,
            value,
            f"'{value}' staat al in rij {first} van dit blad",
            f"'{value}' already appears in row {first} of this sheet",
        )
        return False
    return True


def convert_schemes(conversion: Conversion, sheet: SheetRows) -> dict[str, tuple[Row, URIRef]]:
    """Rows of sheet conceptschemas by scheme code (the triples follow in finish_schemes)."""
    found: dict[str, tuple[Row, URIRef]] = {}
    seen: dict[URIRef, int] = {}
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        code = row.required("code")
        row.required("titel")
        if code is None:
            continue
        if code not in DEFAULT_SCHEME_TITLES:
            nl, en = did_you_mean(close_matches(code, DEFAULT_SCHEME_TITLES))
            row.problem(
                "code",
                code,
                f"'{code}' is geen eigen begrippenkader{nl}",
                f"'{code}' is not an own concept scheme{en}",
            )
            continue
        iri = scheme_iri(conversion, code)
        if unique_subject(row, seen, iri, "code", code):
            found[code] = (row, iri)
    return found


def finish_schemes(
    conversion: Conversion, rows: dict[str, tuple[Row, URIRef]], used: dict[str, Row]
) -> None:
    """Write each own scheme that has a row or is used by a theme or local type."""
    for code in DEFAULT_SCHEME_TITLES:
        if code in rows:
            row, iri = rows[code]
            title = row.text("titel")
            column = "titel"
        elif code in used:
            row, iri = used[code], scheme_iri(conversion, code)
            title, column = DEFAULT_SCHEME_TITLES[code], "code"
        else:
            continue
        row.add(iri, RDF.type, SKOS.ConceptScheme, "code")
        if title is not None:
            row.add(iri, DCTERMS.title, Literal(title, lang="nl"), column)
            row.add(iri, SKOS.prefLabel, Literal(title, lang="nl"), column)
        if code in rows:
            row.add_text(iri, SKOS.definition, "omschrijving")


def convert_themes(conversion: Conversion, sheet: SheetRows, used: dict[str, Row]) -> None:
    themes = conversion.lists.setdefault("beleidsthemas", sheet_list("beleidsthemas"))
    scheme = scheme_iri(conversion, THEME_SCHEME)
    seen: dict[URIRef, int] = {}
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        name = row.required("naam")
        iri = _theme_concept(row, name, themes, seen, KRB.Beleidsthema, scheme, used)
        if iri is None:
            continue
        row.add(iri, SKOS.topConceptOf, scheme, "naam")
        row.add(scheme, SKOS.hasTopConcept, iri, "naam")
        conversion.locations[scheme] = (sheet.sheet.name, number)


def convert_aspects(conversion: Conversion, sheet: SheetRows, used: dict[str, Row]) -> None:
    aspects = conversion.lists.setdefault("beleidsaspecten", sheet_list("beleidsaspecten"))
    themes = conversion.lists["beleidsthemas"]
    scheme = scheme_iri(conversion, THEME_SCHEME)
    seen: dict[URIRef, int] = {}
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        name = row.required("naam")
        theme = row.pick("beleidsthema", themes, required=True)
        iri = _theme_concept(row, name, aspects, seen, KRB.Beleidsaspect, scheme, used)
        if iri is None:
            continue
        row.add(iri, SKOS.broader, theme, "beleidsthema")
        if theme is not None:
            conversion.facts[("beleidsaspecten", str(iri), "thema")] = theme


def _theme_concept(
    row: Row,
    name: str | None,
    values: ValueList,
    seen: dict[URIRef, int],
    kind: URIRef,
    scheme: URIRef,
    used: dict[str, Row],
) -> URIRef | None:
    """A theme or aspect: a concept of the theme scheme, listed by name and code.

    None when the row has no name or repeats an earlier row.
    """
    if name is None:
        return None
    code = row.text("code")
    iri = row.subject(slug_or_code(code, name))
    if iri is None or not unique_subject(row, seen, iri, "code" if code else "naam", code or name):
        return None
    values.add(iri, name, weak=tuple(filter(None, (code,))))
    used.setdefault(THEME_SCHEME, row)
    row.add(iri, RDF.type, kind, "naam")
    row.add(iri, RDF.type, SKOS.Concept, "naam")
    row.add(iri, SKOS.prefLabel, Literal(name, lang="nl"), "naam")
    row.add_text(iri, SKOS.definition, "omschrijving")
    row.add(iri, SKOS.inScheme, scheme, "naam")
    return iri


def convert_areas(conversion: Conversion, sheet: SheetRows) -> None:
    """Areas in two passes: first every name, so ligt_in may point at a later row.

    ligt_in may name several areas (';'): a plan area across two neighbourhoods."""
    areas = conversion.lists.setdefault("werkingsgebieden", sheet_list("werkingsgebieden"))
    kinds = conversion.vocabulary["gebiedssoort"]
    seen: dict[URIRef, int] = {}
    rows: list[tuple[Row, URIRef, str]] = []
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        name, code = row.required("naam"), row.text("code")
        if name is None:
            continue
        ref = slug_or_code(code, name)
        iri = row.subject(ref)
        if iri is None or not unique_subject(
            row, seen, iri, "code" if code else "naam", code or name
        ):
            continue
        areas.add(iri, name, weak=tuple(dict.fromkeys((ref, short_code(ref)))))
        rows.append((row, iri, ref))
    for row, iri, ref in rows:
        row.add(iri, RDF.type, KRB.Werkingsgebied, "naam")
        row.identify(iri, "naam", code=ref)
        row.add(iri, KRB.gebiedssoort, row.pick("soort", kinds, required=True), "soort")
        code = row.text("code")
        if code is not None and CBS_CODE.match(code):
            row.add(iri, SKOS.notation, Literal(code), "code")
        row.add(iri, KRB.cbsJaar, row.year("cbs_jaar"), "cbs_jaar")
        for parent in row.pick_many("ligt_in", areas):
            if parent == iri:
                row.problem(
                    "ligt_in",
                    row.text("ligt_in"),
                    "een gebied kan niet in zichzelf liggen",
                    "an area cannot lie within itself",
                )
            else:
                row.add(iri, KRB.ligtIn, parent, "ligt_in")
        wkt = row.text("geometrie")
        if wkt is not None:
            if not _WKT.match(wkt):
                row.problem(
                    "geometrie",
                    wkt,
                    "geen WKT-geometrie (verwacht bijvoorbeeld POLYGON((...)), eventueel "
                    "met een CRS-IRI tussen < > ervoor)",
                    "not a WKT geometry (expected e.g. POLYGON((...)), optionally "
                    "preceded by a CRS IRI in < >)",
                )
                continue
            unreadable = wkt_problem(wkt)
            if unreadable is not None:
                row.problem("geometrie", wkt, *unreadable)
                continue
            geometry = BNode()
            row.add(iri, GEO.hasGeometry, geometry, "geometrie")
            row.add(geometry, RDF.type, GEO.Geometry, "geometrie")
            row.add(geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral), "geometrie")


def wkt_problem(wkt: str) -> tuple[str, str] | None:
    """Why the text of a geometry cell (a WKT geometry, with or without a CRS IRI before
    it, as _WKT matched it) is no geometry, in Dutch and English; None when it reads.

    Read by shapely, as krbgraph.geometry reads the registry's geometries: a geometry cut
    off in the middle (a cell past Excel's limit) or an unclosed ring is refused here, at
    its cell, not loaded as a geo:wktLiteral nothing can draw. What it means (its CRS,
    its topology) is for the load's spatial checks."""
    match = _WKT.match(wkt)
    text = wkt[match.end(1) :] if match is not None and match.group(1) else wkt
    try:
        shapely.from_wkt(text)
    except ShapelyError as exc:
        reason = _shortened(str(exc))
        return f"de WKT is geen geometrie: {reason}", f"the WKT is not a geometry: {reason}"
    return None


def _shortened(reason: str, limit: int = 120) -> str:
    """GEOS's reason without its exception class ('ParseException: '), at most
    ``limit`` characters."""
    reason = " ".join(reason.split())
    kind, _, rest = reason.partition(": ")
    if rest and kind.isidentifier() and kind.endswith(("Exception", "Error")):
        reason = rest
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def convert_departments(conversion: Conversion, sheet: SheetRows) -> None:
    departments = conversion.lists.setdefault("afdelingen", sheet_list("afdelingen"))
    seen: dict[URIRef, int] = {}
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        name, code = row.required("naam"), row.text("code")
        if name is None:
            continue
        add_department(row, departments, seen, name, code)


def add_department(
    row: Row, departments: ValueList, seen: dict[URIRef, int], name: str, code: str | None
) -> URIRef | None:
    """A department from sheet afdelingen, or one a new name in an indicator row creates."""
    ref = slug_or_code(code, name)
    try:  # a full IRI: another base's department (the export of a province's registry)
        iri = code_iri(row.conversion.base_iri, "afdeling", ref)
    except ValueError:
        row.problem(
            row.sheet == "afdelingen" and "naam" or "afdeling",
            name,
            f"'{name}' kan geen deel van een IRI worden",
            f"'{name}' cannot become part of an IRI",
        )
        return None
    if not unique_subject(row, seen, iri, "code" if code else "naam", code or name):
        return None
    departments.add(iri, name, weak=(ref,))
    column = "naam" if row.sheet == "afdelingen" else "afdeling"
    row.add(iri, RDF.type, ORG.OrganizationalUnit, column)
    row.add(iri, RDFS.label, Literal(name, lang="nl"), column)
    identifier = Literal(short_code(ref))
    row.add(iri, DCTERMS.identifier, identifier, "code" if row.sheet == "afdelingen" else column)
    return iri


def convert_local_types(conversion: Conversion, sheet: SheetRows, used: dict[str, Row]) -> None:
    """Rows of sheet leefomgeving.

    A row whose subtype is the name of an IMBOR class, without a code, only lists that
    class. Any other row declares a local object type: column imbor must then give
    the closest IMBOR class, which becomes its rdfs:subClassOf. A code makes a row of
    an IMBOR name a local type too (a municipality's own "Boom" under IMBOR Boom), as
    in the sheets of own sectors and materials; the export writes it for such a type.
    """
    local = conversion.lists.setdefault("leefomgeving", sheet_list("leefomgeving"))
    imbor = conversion.vocabulary.imbor
    conversion.lookups["leefomgeving"] = Layered(local, imbor)
    entries = conversion.vocabulary["zoekingang"]
    scheme = scheme_iri(conversion, LOCAL_SCHEME)
    seen: dict[URIRef, int] = {}
    for number, cells in sheet.rows:
        row = Row(conversion, sheet.sheet.name, number, cells)
        name = row.required("subtype")
        if name is None:
            continue
        by_label = _imbor_by_label(conversion, name)
        listed = None if by_label is None else conversion.vocabulary.imbor_classes.get(by_label)
        if listed is not None and row.text("code") is None:
            closest = row.pick("imbor", imbor)
            if closest is not None and closest != listed.iri:
                row.problem(
                    "imbor",
                    row.text("imbor"),
                    f"subtype '{name}' is zelf een IMBOR-klasse; kolom imbor noemt een "
                    "andere klasse (laat imbor leeg of geef het lokale type een eigen "
                    "naam)",
                    f"subtype '{name}' is itself an IMBOR class; column imbor names "
                    "another class (leave imbor empty or give the local type its own "
                    "name)",
                )
            continue
        if row.text("imbor") is None:
            row.problem(
                "imbor",
                None,
                f"'{name}' is geen IMBOR-objecttype; een lokaal objecttype heeft in "
                "kolom imbor de dichtstbijzijnde IMBOR-klasse nodig",
                f"'{name}' is not an IMBOR object type; a local object type needs the "
                "closest IMBOR class in column imbor",
            )
            continue
        closest = row.pick("imbor", imbor)
        entry = row.pick("hoofdtype", entries)
        code = row.text("code")
        iri = row.subject(slug_or_code(code, name))
        if iri is None or not unique_subject(
            row, seen, iri, "code" if code else "subtype", code or name
        ):
            continue
        alternatives = split_many(row.text("andere_namen") or "")
        hoofdtype = row.text("hoofdtype")
        local.add(
            iri,
            name,
            *alternatives,
            *((f"{hoofdtype}/{name}",) if hoofdtype else ()),
            weak=(slug_or_code(code, name),),
        )
        used.setdefault(LOCAL_SCHEME, row)
        for kind in (OWL.Class, KRB.LokaalObjecttype, SKOS.Concept):
            row.add(iri, RDF.type, kind, "subtype")
        row.add(iri, SKOS.prefLabel, Literal(name, lang="nl"), "subtype")
        row.add(iri, RDFS.label, Literal(name, lang="nl"), "subtype")
        for alternative in alternatives:
            row.add(iri, SKOS.altLabel, Literal(alternative, lang="nl"), "andere_namen")
        row.add_text(iri, SKOS.definition, "omschrijving")
        row.add(iri, RDFS.subClassOf, closest, "imbor")
        row.add(iri, KRB.zoekingang, entry, "hoofdtype")
        row.add(iri, SKOS.inScheme, scheme, "subtype")


def _imbor_by_label(conversion: Conversion, name: str) -> URIRef | None:
    """The IMBOR class whose own name (not UUID or IRI) is this name, if any."""
    hits = conversion.vocabulary.imbor.hits(name)
    if len(hits) != 1:
        return None
    iri = next(iter(hits))
    info = conversion.vocabulary.imbor_classes.get(iri)
    return iri if info is not None and info.label.casefold() == name.strip().casefold() else None
