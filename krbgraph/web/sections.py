"""The parts of a resource page that depend on what the resource is.

The reach of a measure (its effects and the themes they reach), the context
of a norm, the decisions behind a document, the policy in an area, the
overview of a theme (krbgraph.web.theme_sections), the measurements of an
indicator (krbgraph.web.indicator_sections) and the norms of an IMBOR class or
zoekingang; each from its named query, as plain data (Section) for
the resource template.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Identifier

from ..namespaces import KRB
from ..queries import run_for_each
from ..store import Store
from .area_map import area_map_svg, map_areas
from .describe import (
    READER_LANGUAGES,
    Labeller,
    Link,
    PropertyValues,
    Section,
    amount_text,
    literal_text,
    run_query,
    validity_text,
)
from .indicator_sections import indicator_sections
from .naming import told_apart
from .state import catalogue
from .theme_sections import theme_sections

_MEASURE_TYPES = frozenset({str(KRB.Beleidsmaatregel), str(KRB.MerMaatregel)})
_CLASSIFICATIONS = (
    (str(KRB.sector), "Sector"),
    (str(KRB.leefomgeving), "Leefomgeving"),
    (str(KRB.materiaal), "Materiaal"),
)


def sections_for(
    store: Store,
    resource: URIRef,
    type_iris: Iterable[str],
    properties: tuple[PropertyValues, ...],
    labeller: Labeller,
) -> tuple[Section, ...]:
    """The parts of a page that depend on what the resource is."""
    types = set(type_iris)
    sections: list[Section] = []
    if types & _MEASURE_TYPES:
        sections.append(measure_section(store, resource, labeller))
    if str(KRB.Beleidsnorm) in types:
        sections.extend(norm_sections(store, resource, properties, labeller))
    if str(KRB.Besluitdocument) in types:
        sections.append(decisions_section(store, resource, labeller))
    if str(KRB.Werkingsgebied) in types:
        sections.append(area_section(store, resource, labeller))
        area_map = map_section(store, resource, labeller)
        if area_map is not None:
            sections.append(area_map)
    if str(KRB.Beleidsthema) in types:
        sections.extend(theme_sections(store, resource, labeller))
    if str(KRB.Beleidsindicator) in types:
        sections.extend(indicator_sections(store, resource, labeller))
    if str(KRB.Zoekingang) in types:
        sections.append(zoekingang_section(store, resource, labeller))
    elif str(OWL.Class) in types and not str(resource).startswith(str(KRB)):
        sections.append(objecttype_section(store, resource, labeller))
    return tuple(sections)


def map_section(store: Store, area: URIRef, labeller: Labeller) -> Section | None:
    """The area on a map with the areas inside it; None when it has no geometry."""
    rows = run_query(store, "web-gebied-kaart", gebied=area).dicts()
    figure = area_map_svg(
        map_areas(rows),
        href=lambda iri: labeller.link(iri).href or "",
        title=f"Kaart van {labeller.link(area).text}",
    )
    if figure is None:
        return None
    return Section(
        title="Kaart",
        intro="Het gebied (donker), de gebieden die erin liggen (klik voor hun beleid) en, "
        "waar het in beeld valt, het gebied waar het in ligt. Noorden boven, "
        "Rijksdriehoekscoördinaten.",
        figure=figure,
        headers=(),
        rows=(),
        empty="",
    )


def measure_section(store: Store, measure: URIRef, labeller: Labeller) -> Section:
    """Effects of a measure and the themes they reach; other themes than its own are marked."""
    rows = run_query(store, "dwarsverbanden-maatregel", maatregel=measure).dicts()
    # Its own theme and another of the same name (an older Geluid) read apart.
    labeller.tell_apart(
        {str(row[key]): row.get(f"{key}_label") for row in rows for key in ("thema", "eigen_thema")}
    )
    reached: dict[str, tuple[Link, bool]] = {}
    own: Link | None = None
    table, classes = [], []
    for row in rows:
        theme = labeller.cell(row["thema"], row.get("thema_label"))
        own = own or labeller.cell(row["eigen_thema"], row.get("eigen_thema_label"))
        marked = row.get("dwarsverband")  # a boolean the query computes
        cross = isinstance(marked, Literal) and bool(marked.toPython())
        if theme is not None:
            reached[theme.iri] = (theme, cross)
        target = row.get("norm") or row.get("regel") or row.get("indicator")
        target_label = row.get("norm_label") or row.get("regel_label") or row.get("indicator_label")
        table.append(
            (
                labeller.cell(row["koppeling"], row.get("koppeling_label")),
                literal_text(row.get("soort")),
                amount_text(row.get("waarde"), row.get("eenheid_symbool"))
                or literal_text(row.get("doel_begrip_label"))
                or _steps(row.get("labelstappen")),
                labeller.cell(target, target_label),
                labeller.cell(row.get("indicator"), row.get("indicator_label")),
                theme,
                "dwarsverband" if cross else "eigen thema",
            )
        )
        classes.append("dwarsverband" if cross else "")
    facts: list[tuple[str, object]] = []
    if own is not None:
        facts.append(("Eigen thema", own))
    if reached:
        facts.append(
            (
                "Bereikte thema's",
                [link for link, _ in sorted(reached.values(), key=lambda item: item[0].text)],
            )
        )
        crossing = [link for link, cross in reached.values() if cross]
        facts.append(("Dwarsverbanden", sorted(crossing, key=lambda link: link.text) or "geen"))
    return Section(
        title="Beoogde effecten en bereikte thema's",
        intro="Een effect op een norm of indicator, of de uitvoering van een regel, van een "
        "ander thema dan het eigen thema van de maatregel is een dwarsverband. Alleen wat "
        "vandaag geldt.",
        facts=tuple(facts),
        headers=("Koppeling", "Soort", "Waarde", "Doel", "Indicator", "Thema", "Dwarsverband"),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Deze maatregel heeft vandaag geen geldende beoogde effecten of uitvoeringen.",
    )


def norm_sections(
    store: Store, norm: URIRef, properties: tuple[PropertyValues, ...], labeller: Labeller
) -> list[Section]:
    """Indicator, theme, value, classifications, area, document and decisions of a norm."""
    details = run_query(store, "web-norm-details", norm=norm).dicts()
    row = details[0] if details else {}
    areas = [labeller.cell(r["gebied"], r.get("gebied_label")) for r in details if "gebied" in r]
    value = row.get("waarde")
    if value is not None:
        amount: object = amount_text(value, row.get("eenheid_symbool"))
    else:
        amount = labeller.cell(row.get("waarde_begrip"), row.get("waarde_begrip_label"))
    facts: list[tuple[str, object]] = [
        ("Indicator", labeller.cell(row.get("indicator"), row.get("indicator_label"))),
        ("Thema", labeller.cell(row.get("thema"), row.get("thema_label"))),
        ("Operator", labeller.cell(row.get("operator"), row.get("operator_label"))),
        ("Waarde", amount),
        ("Werkingsgebied", [area for area in areas if area is not None] or None),
        ("Besluitdocument", labeller.cell(row.get("document"), row.get("document_label"))),
        ("Bestuurslaag", labeller.cell(row.get("bestuurslaag"), row.get("bestuurslaag_label"))),
        ("Eigen periode", _period(row.get("start"), row.get("eind"))),
        ("Geldig", validity_text(row)),
    ]
    by_predicate = {prop.predicate.iri: prop for prop in properties}
    for predicate, name in _CLASSIFICATIONS:
        prop = by_predicate.get(predicate)
        links = [value.link for value in prop.values if value.link] if prop else []
        facts.append((name, links or "niet ingedeeld"))
    sections = [Section(title="Norm in context", facts=tuple(facts))]
    document = row.get("document")
    if isinstance(document, URIRef):
        sections.append(decisions_section(store, document, labeller))
    return sections


def decisions_section(store: Store, document: URIRef, labeller: Labeller) -> Section:
    """The dossier of a document and the decisions that adopted it."""
    rows = run_query(store, "web-besluiten", document=document).dicts()
    dossier = next(
        (labeller.cell(r["dossier"], r.get("dossier_label")) for r in rows if "dossier" in r), None
    )
    name = next((r["document_label"] for r in rows if "document_label" in r), None)
    table = tuple(
        (
            labeller.cell(r["besluit"], r.get("besluit_label")),
            literal_text(r.get("besluitsoort_label")),
            literal_text(r.get("datum")),
            literal_text(r.get("ris")),
        )
        for r in rows
        if "besluit" in r
    )
    return Section(
        title="Besluitspoor",
        facts=(("Besluitdocument", labeller.cell(document, name)), ("Dossier", dossier)),
        headers=("Besluit", "Soort", "Datum", "RIS-nummer"),
        rows=table,
        empty="Geen besluitproces vastgelegd voor dit document.",
    )


def area_section(store: Store, area: URIRef, labeller: Labeller) -> Section:
    """All policy that applies in an area, including what is set for areas containing it."""
    rows = run_query(
        store, "beleid-in-gebied", gebied=area, richting=Literal("beide"), alles=Literal(True)
    ).dicts()
    labeller.tell_apart(
        {
            str(r[key]): r.get(f"{key}_label")
            for r in rows
            for key in ("object", "vastgesteld_voor")
            if key in r
        }
    )
    table, classes = [], []
    for r in rows:
        status = literal_text(r.get("geldigheid")) or "geldig"
        table.append(
            (
                literal_text(r.get("soort")),
                labeller.cell(r["object"], r.get("object_label")),
                literal_text(r.get("code")),
                labeller.cell(r.get("vastgesteld_voor"), r.get("vastgesteld_voor_label")),
                literal_text(r.get("relatie")),
                f"{status} ({validity_text(r)})",
            )
        )
        row_class = "geerfd" if literal_text(r.get("relatie")) != "zelf" else ""
        classes.append(row_class if status == "geldig" else f"{row_class} niet-geldig".strip())
    return Section(
        title="Beleid in dit gebied",
        intro="Het beleid voor dit gebied, voor de gebieden waar het in ligt (omvat), voor "
        "de gebieden die erin liggen (binnen) en voor gebieden die het overlappen. Verlopen, "
        "toekomstig en niet in werking getreden beleid staat er gemarkeerd bij.",
        headers=("Soort", "Naam", "Code", "Vastgesteld voor", "Ligging", "Geldigheid vandaag"),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Er geldt hier geen beleid.",
    )


def objecttype_section(store: Store, objecttype: URIRef, labeller: Labeller) -> Section:
    """The norms for an object type, also those set on its superclasses."""
    rows = run_query(
        store, "normen-per-imbor-objecttype", objecttype=objecttype, subklassen=Literal(True)
    ).dicts()
    areas = _areas_of(store, {r["object"] for r in rows}, labeller)
    table, classes = [], []
    for r in rows:
        via = literal_text(r.get("via")) or ""
        table.append(
            (
                literal_text(r.get("soort")),
                labeller.cell(r["object"], r.get("object_label")),
                literal_text(r.get("code")),
                areas.get(str(r["object"])),
                labeller.cell(r.get("klasse"), r.get("klasse_label")),
                via,
                labeller.cell(r.get("norm")),
                amount_text(r.get("effect_waarde"), r.get("effect_eenheid_symbool")),
            )
        )
        classes.append("" if via == "objecttype" else "geerfd")
    return Section(
        title="Normen en maatregelen voor dit objecttype",
        intro="Wat vandaag geldt: ook op bovenliggende klassen, subklassen, zoekingangen en "
        "voor alle objecttypen; maatregelen die op het objecttype ingrijpen of op een van "
        "deze normen mikken.",
        headers=(
            "Soort",
            "Naam",
            "Code",
            "Gebied",
            "Gevonden via klasse",
            "Via",
            "Op norm",
            "Effect",
        ),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Er zijn geen normen voor dit objecttype.",
    )


def _areas_of(
    store: Store, things: set[Identifier], labeller: Labeller
) -> dict[str, tuple[Link, ...]]:
    """The areas of each thing, by IRI, in one query (web-gebieden-van)."""
    result = run_for_each(
        store,
        catalogue()["web-gebieden-van"],
        "ding",
        sorted((t for t in things if isinstance(t, URIRef)), key=str),
        languages=READER_LANGUAGES.get(),
    )
    rows = result.dicts()
    # two municipalities' Centrum in one table: each name followed by its host
    labels = {str(r["gebied"]): literal_text(r.get("gebied_label")) for r in rows}
    names = told_apart({iri: label for iri, label in labels.items() if label})
    found: dict[str, list[Link]] = {}
    for row in rows:
        name = names.get(str(row["gebied"]))
        found.setdefault(str(row["ding"]), []).append(labeller.link(row["gebied"], name))
    return {thing: tuple(links) for thing, links in found.items()}


def zoekingang_section(store: Store, zoekingang: URIRef, labeller: Labeller) -> Section:
    """The norms for the object types of an IMBOR zoekingang."""
    result = run_query(store, "normen-per-zoekingang", zoekingang=zoekingang)
    table = tuple(
        (
            labeller.cell(r["norm"], r.get("norm_label")),
            literal_text(r.get("code")),
            labeller.cell(r.get("klasse"), r.get("klasse_label")),
            literal_text(r.get("via_superklasse")),
        )
        for r in result.dicts()
    )
    return Section(
        title="Normen voor objecttypen van deze zoekingang",
        headers=("Norm", "Code", "Ingedeeld op", "Via superklasse"),
        rows=table,
        empty="Er zijn geen normen voor objecttypen van deze zoekingang.",
    )


def _steps(steps: Identifier | None) -> str | None:
    text = literal_text(steps)
    return f"{text} labelstap(pen)" if text is not None else None


def _period(start: Identifier | None, end: Identifier | None) -> str:
    if start is None:
        return "altijd (geen periode)"
    return f"{start} t/m {end}" if end is not None else f"vanaf {start}"
