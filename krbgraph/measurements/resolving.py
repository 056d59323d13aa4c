"""What a row of a measurements file names: its texts resolved against the registry.

krbgraph.measurements.importing.build_graph asks these for each row, with the tables
krbgraph.measurements.lookup.Registry read once per import. A text that names nothing
is a problem at its line and column; so is one that fits several things (two
municipalities' GEL-I01 in a shared store, two indicators with one name, two data
sources with one code, two concepts of a classification list with one name): no thing
is picked for the user, who is asked for the IRI.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from .csvrows import Row
from .lookup import Area, Gone, Indicator, Registry

__all__ = ["Say", "area_of", "concepts_of", "indicator_of", "is_iri", "label_of", "source_of"]


class Say(Protocol):
    """Records a problem of the row at ``column``, in Dutch and English, about ``value``."""

    def __call__(self, column: str, nl: str, en: str, value: str) -> None: ...


def indicator_of(registry: Registry, row: Row, problem: Say) -> Indicator | None:
    """The indicator the row's code, name or IRI names; None (and a problem) for none or
    several."""
    text = row.indicator
    found = registry.indicator(text)
    # A thing the import deletes that the text names is said unless the text names the
    # workbook's own thing alone (a renamed code, a code in new case): another graph's
    # indicator of the same name, another municipality's area of the same code, was
    # taken without a word, where the text was refused as fitting several before the
    # deleted one left the lookup.
    gone = registry.gone_indicators(text)
    if gone and not _own(registry, [i.iri for i in found]):
        problem("indicator", *_gone_message(text, "beleidsindicator", gone), text)
        return None
    if not found:
        problem(
            "indicator",
            f"geen beleidsindicator met code, naam of IRI '{text}' in het register",
            f"no policy indicator with code, name or IRI '{text}' in the registry",
            text,
        )
        return None
    if len(found) == 1:
        return found[0]
    listed = ", ".join(_with_code(i.iri, registry.indicator_codes.get(i.iri), text) for i in found)
    problem(
        "indicator",
        f"'{text}' past bij meer beleidsindicatoren: {listed}; geef de IRI",
        f"'{text}' fits several policy indicators: {listed}; give the IRI",
        text,
    )
    return None


def source_of(registry: Registry, row: Row, problem: Say) -> str | None:
    """The data source the row's code or IRI names, or its web address; None (and a
    problem) for none or several."""
    text = row.bron
    found = registry.source(text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listed = ", ".join(found)
        problem(
            "bron",
            f"'{text}' past bij meer databronnen: {listed}; geef de IRI",
            f"'{text}' fits several data sources: {listed}; give the IRI",
            text,
        )
        return None
    if text.startswith(("http://", "https://")) and is_iri(text):
        return text
    known = ", ".join(sorted(k for k in registry.sources if not k.startswith("http")))
    problem(
        "bron",
        f"'{text}' is geen databron van het register (codes: {known or 'geen'}) en geen webadres",
        f"'{text}' is not a data source of the registry (codes: {known or 'none'}) "
        "nor a web address",
        text,
    )
    return None


def area_of(registry: Registry, row: Row, problem: Say) -> Area | None:
    """The area the row's CBS code, code or IRI names: where several carry it, the one of
    the latest CBS year not after the measured year; None (and a problem) for none, or
    several and no one such."""
    candidates = registry.areas.get(row.gebied) or registry.areas.get(row.gebied.upper())
    gone = registry.gone_areas(row.gebied)  # as for an indicator (above)
    if gone and not _own(registry, [a.iri for a in candidates or []]):
        problem("gebied", *_gone_message(row.gebied, "werkingsgebieden", gone), row.gebied)
        return None
    if not candidates:
        problem(
            "gebied",
            f"geen werkingsgebied met CBS-code, code of IRI '{row.gebied}' in het register",
            f"no area with CBS code, code or IRI '{row.gebied}' in the registry",
            row.gebied,
        )
        return None
    if len(candidates) == 1:
        return candidates[0]
    year = row.start.year
    dated = [a for a in candidates if a.year is not None and a.year <= year]
    latest = max((a.year or 0 for a in dated), default=None)
    tied = sorted((a for a in dated if a.year == latest), key=lambda a: a.iri)
    if len(tied) == 1:
        return tied[0]
    if tied:
        listed = ", ".join(a.iri for a in tied)
        problem(
            "gebied",
            f"'{row.gebied}' past bij meer gebieden uit CBS-jaar {latest}: {listed}; geef de IRI",
            f"'{row.gebied}' fits several areas of CBS year {latest}: {listed}; give the IRI",
            row.gebied,
        )
        return None
    listed = ", ".join(f"{a.iri} ({a.year or '?'})" for a in candidates)
    problem(
        "gebied",
        f"'{row.gebied}' past bij meer gebieden en geen daarvan komt uit een CBS-jaar tot en "
        f"met {year}: {listed}; geef de IRI",
        f"'{row.gebied}' fits several areas and none is from a CBS year up to {year}: "
        f"{listed}; give the IRI",
        row.gebied,
    )
    return None


def concepts_of(registry: Registry, row: Row, problem: Say, base_iri: str) -> dict[str, str]:
    """Column -> concept of the row's classification (sector, materiaal, leefomgeving):
    the municipality's own concepts (under ``base_iri``) first, none picked of several
    (krbgraph.measurements.concepts)."""
    concepts: dict[str, str] = {}
    for column in ("sector", "materiaal", "leefomgeving"):
        text = getattr(row, column)
        if text is None:
            continue
        found = registry.concepts[column].fits(text, base_iri)
        if len(found) == 1:
            concepts[column] = found[0]
        elif found:
            listed = ", ".join(found)
            problem(
                column,
                f"'{text}' past bij meer begrippen van de lijst {column}: {listed}; geef de IRI",
                f"'{text}' fits several concepts of the {column} list: {listed}; give the IRI",
                text,
            )
        else:
            problem(
                column,
                f"'{text}' staat niet in de lijst {column}",
                f"'{text}' is not in the {column} list",
                text,
            )
    return concepts


def label_of(registry: Registry, row: Row, indicator: Indicator | None, problem: Say) -> str | None:
    """The ranked concept a ``waarde`` without ``eenheid`` names, for an indicator without
    a unit whose norms compare by a value list's order (energielabel minimaal B)."""
    text = row.label or ""
    if indicator is None:
        return None
    labels = registry.labels.get(indicator.iri)
    if indicator.unit is not None or not labels:
        unit = f" ({indicator.unit.rsplit('/', 1)[-1]})" if indicator.unit else ""
        problem(
            "eenheid",
            "dit veld is leeg: schrijf de eenheid van de waarde, bijvoorbeeld die van de "
            f"indicator{unit}; leeg mag alleen bij een label van een geordende waardelijst "
            "(energielabel C)",
            "this field is empty: write the value's unit, for example the indicator's"
            f"{unit}; it may be empty only for a label of an ordered value list "
            "(energy label C)",
            "",
        )
        return None
    concept = labels.get(text) or labels.get(text.casefold())
    if concept is None:
        known = ", ".join(registry.label_names.get(indicator.iri, []))
        problem(
            "waarde",
            f"'{text}' is geen label uit de waardelijst van de indicator ({known})",
            f"'{text}' is not a label of the indicator's value list ({known})",
            text,
        )
    return concept


def is_iri(text: str) -> bool:
    """Whether ``text`` is an IRI the store takes (a web address with a space is not)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _own(registry: Registry, found: list[str]) -> bool:
    """Whether ``found`` is one thing, and the workbook's own."""
    return len(found) == 1 and found[0] in registry.own


def _gone_message(text: str, sheet: str, gone: list[Gone]) -> tuple[str, str]:
    """What a policy sheet's cell says of a row deleted from the workbook that it still
    names (krbgraph.excel.elsewhere): the thing is only in the graphs the import replaces,
    and goes with them."""
    nl = [f"'{text}' bestaat niet in blad {sheet}"]
    en = [f"'{text}' does not exist in sheet {sheet}"]
    for thing in gone:
        where = ", ".join(f"<{graph}>" for graph in thing.graphs)
        nl.append(
            f"<{thing.iri}> staat in het register alleen in {where}, dat deze import vervangt"
        )
        en.append(f"<{thing.iri}> is in the registry only in {where}, which this import replaces")
    return "; ".join(nl), "; ".join(en)


def _with_code(iri: str, code: str | None, text: str) -> str:
    """An indicator in a message: its IRI, with its code where that is not ``text``."""
    return iri if code is None or code == text else f"{iri} ({code})"
