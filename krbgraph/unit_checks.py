"""Checks that the units of norms and effects fit what they measure, as validation findings.

A value means something only in a unit that converts to the unit of what it is
compared with: a norm of "45 %" on an indicator measured in dB(A) can never be
met or missed, and an effect of "-3 %" on a norm in dB(A) cannot be added to it.
Whether two units convert needs QUDT's dimension vectors and quantity kinds
(krbgraph.units), which the model graph does not hold, so SHACL cannot say it;
this module does, beside the shapes:

- A norm's unit (``qudt:hasUnit``) converts to its indicator's unit, where the
  indicator has one. Only units the catalogue knows are compared: a norm or
  indicator whose unit is not a QUDT unit is reported by the shapes
  (``sh:class qudt:Unit``).
- An intended effect's unit converts to the unit of the norm it acts on
  (``krb:norm``), or to the unit of the indicator it acts on directly
  (``krb:doelIndicator``), where that indicator has one. Here a norm without a
  unit, or with something that is not a known unit, is reported too: the
  effect's number cannot be read against it.

"Converts" is :func:`krbgraph.units.compatible`: the same unit, or units of the
same dimension (and quantity kind, when dimensionless) with a linear
conversion, so -100 m on a norm in km is fine, -3 % on a norm in dB(A) is not.

Both are violations, each added to the SHACL report graph as an
sh:ValidationResult with messages in Dutch and English that name both units,
like krbgraph.spatial_checks does for geometry. Its sh:sourceShape names the
check (an IRI in the shapes namespace that is not a shape in the shapes graph:
the check is code).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .findings import READS as FINDINGS_READ
from .findings import Finding, TripleSink, label_of, report_finding
from .model import SHAPES_GRAPH
from .namespaces import KRB, QUDT
from .units import IncompatibleUnits, Unit, UnitCatalogue, compatible, default_catalogue

NORM_UNIT_CHECK = URIRef(SHAPES_GRAPH + "#EenheidVanNormBijIndicator")
"""sh:sourceShape of a norm whose unit does not convert to its indicator's."""

EFFECT_UNIT_CHECK = URIRef(SHAPES_GRAPH + "#EenheidVanEffectBijDoel")
"""sh:sourceShape of an effect whose unit does not convert to its norm's or indicator's."""

CHECK_COMPONENT = URIRef(SHAPES_GRAPH + "#EenheidConstraintComponent")
"""sh:sourceConstraintComponent of both checks."""

READS = (*FINDINGS_READ, QUDT.hasUnit, KRB.indicator, KRB.norm, KRB.doelIndicator)
"""Every predicate these checks read of the data: a caller that checks a whole
registry hands them only triples with these (see krbgraph.registry)."""

FOLLOWS = (KRB.indicator, KRB.norm, KRB.doelIndicator, QUDT.hasUnit)
"""The links these checks follow from a norm or effect: to the indicator or norm whose
unit it must convert to, from that norm to its indicator (see spatial_checks), and to
the units themselves, whose names the messages show (a municipality's own unit is
named in its own data)."""


CANDIDATES = (
    f"?node a <{KRB.Beleidsnorm}> ; <{QUDT.hasUnit}> ?unit ; <{KRB.indicator}> ?target . "
    f"?target <{QUDT.hasUnit}> ?other FILTER (?other != ?unit)",
    f"?node a <{KRB.BeoogdEffect}> ; <{QUDT.hasUnit}> ?unit ; <{KRB.norm}> ?target "
    f"OPTIONAL {{ ?target <{QUDT.hasUnit}> ?other }} FILTER (!BOUND(?other) || ?other != ?unit)",
    f"?node a <{KRB.BeoogdEffect}> ; <{QUDT.hasUnit}> ?unit ; <{KRB.doelIndicator}> ?target . "
    f"?target <{QUDT.hasUnit}> ?other FILTER (?other != ?unit)",
)
"""SPARQL groups (each a UNION branch) binding ?node to every norm or effect these
checks could report: one whose unit differs from a unit of what it is compared with,
or an effect on a norm without a unit. Checking a whole registry, the checks read the
surroundings of these only (in a registry whose units agree, a few nodes instead of
every norm); checking a write, not at all when the write reaches none."""


def unit_findings(
    data: Graph,
    report: TripleSink,
    report_node: Node,
    *,
    catalogue: UnitCatalogue | None = None,
) -> list[Finding]:
    """Violations for norms and intended effects in ``data`` whose unit does not
    convert to the unit of what they measure, also added to ``report`` as results
    of ``report_node``. ``catalogue`` defaults to the project's units."""
    findings: list[Finding] = []
    if not any(_units(data, node) for cls in _WHAT for node in _instances(data, cls)):
        return findings  # nothing with a unit: the catalogue (0.5 s to build) is not needed
    units = catalogue or default_catalogue()
    for norm in _instances(data, KRB.Beleidsnorm):
        for unit in _units(data, norm):
            for indicator in sorted(data.objects(norm, KRB.indicator), key=str):
                for target in _units(data, indicator):
                    if unit in units and target in units and not _converts(units, unit, target):
                        findings.append(
                            _finding(
                                data,
                                report,
                                report_node,
                                units,
                                norm,
                                unit,
                                indicator,
                                target,
                                NORM_UNIT_CHECK,
                            )
                        )
    for effect in _instances(data, KRB.BeoogdEffect):
        for unit in _units(data, effect):
            for norm_value in sorted(data.objects(effect, KRB.norm), key=str):
                found: list[URIRef | None] = [*_units(data, norm_value)]
                if not found and (norm_value, RDF.type, None) not in data:
                    # No norm there at all (a write removed it): the shapes say so
                    # (krb:norm a krb:Beleidsnorm); "has no unit" sent the user looking
                    # for a unit on a norm that is gone.
                    continue
                # A norm without a unit (a concept value, or none at all) is reported too.
                norm_units: list[URIRef | None] = found or [None]
                for norm_unit in norm_units:
                    if norm_unit is None or not _converts(units, unit, norm_unit):
                        findings.append(
                            _finding(
                                data,
                                report,
                                report_node,
                                units,
                                effect,
                                unit,
                                norm_value,
                                norm_unit,
                                EFFECT_UNIT_CHECK,
                            )
                        )
            for indicator in sorted(data.objects(effect, KRB.doelIndicator), key=str):
                for target in _units(data, indicator):
                    if not _converts(units, unit, target):
                        findings.append(
                            _finding(
                                data,
                                report,
                                report_node,
                                units,
                                effect,
                                unit,
                                indicator,
                                target,
                                EFFECT_UNIT_CHECK,
                            )
                        )
    return findings


def _instances(data: Graph, cls: URIRef) -> list[URIRef]:
    return sorted((s for s in set(data.subjects(RDF.type, cls)) if isinstance(s, URIRef)), key=str)


def _units(data: Graph, subject: Node) -> list[URIRef]:
    return sorted(
        (u for u in data.objects(subject, QUDT.hasUnit) if isinstance(u, URIRef)), key=str
    )


def _converts(units: UnitCatalogue, unit: URIRef, target: URIRef) -> bool:
    """The same IRI, or two known units that convert into each other."""
    if unit == target:
        return True
    if unit not in units or target not in units:
        return False
    return compatible(units[str(unit)], units[str(target)])


_WHAT = {
    KRB.Beleidsnorm: ("beleidsnorm", "policy norm"),
    KRB.Beleidsindicator: ("beleidsindicator", "policy indicator"),
    KRB.BeoogdEffect: ("beoogd effect", "intended effect"),
}


def _what(data: Graph, node: Node) -> tuple[str, str]:
    for cls, names in _WHAT.items():
        if (node, RDF.type, cls) in data:
            return names
    return ("norm", "norm")  # an effect's krb:norm that is something else (the shapes say so)


def _unit_text(data: Graph, units: UnitCatalogue, unit: URIRef, lang: str) -> str:
    """'% (procent)': the symbol and the name of a unit, or what names it.

    A known unit is named as the catalogue names it (the Eenheden list's label before
    QUDT's), not by the data's labels: the data may hold both ("percent"@en and
    "Percent"@en), and which one a graph or a store lists first is theirs to choose."""
    if unit in units:
        known: Unit = units[str(unit)]
        name = known.label(lang) or label_of(data, unit, lang) or known.local_name
        return f"{known.display} ({name})"
    return f"'{label_of(data, unit, lang) or unit}'"


def _finding(
    data: Graph,
    report: TripleSink,
    report_node: Node,
    units: UnitCatalogue,
    focus: URIRef,
    unit: URIRef,
    target: Node,
    target_unit: URIRef | None,
    shape: URIRef,
) -> Finding:
    focus_nl, focus_en = _what(data, focus)
    target_nl, target_en = _what(data, target)
    label = label_of(data, focus) or str(focus)
    target_label = label_of(data, target) or str(target)
    lead_nl = (
        f"De eenheid van {focus_nl} '{label}', {_unit_text(data, units, unit, 'nl')}, "
        f"past niet bij {target_nl} '{target_label}'"
    )
    lead_en = (
        f"The unit of {focus_en} '{label}', {_unit_text(data, units, unit, 'en')}, "
        f"does not fit {target_en} '{target_label}'"
    )
    if target_unit is None:
        message_nl = (
            f"{lead_nl}, die geen eenheid (qudt:hasUnit) heeft: het getal is zo niet te lezen."
        )
        message_en = f"{lead_en}, which has no unit (qudt:hasUnit): the number cannot be read."
    elif unit in units and target_unit in units:
        error = IncompatibleUnits(units[str(unit)], units[str(target_unit)])
        message_nl = (
            f"{lead_nl}, in {_unit_text(data, units, target_unit, 'nl')}: {error.message_nl}."
        )
        message_en = (
            f"{lead_en}, in {_unit_text(data, units, target_unit, 'en')}: {error.message_en}."
        )
    else:
        message_nl = (
            f"{lead_nl}, in {_unit_text(data, units, target_unit, 'nl')}: een van beide is geen "
            "bekende eenheid (QUDT of de lijst Eenheden), dus ze zijn niet te vergelijken."
        )
        message_en = (
            f"{lead_en}, in {_unit_text(data, units, target_unit, 'en')}: one of them is not a "
            "known unit (QUDT or the Eenheden list), so they cannot be compared."
        )
    return _add(
        data,
        report,
        report_node,
        focus=focus,
        value=unit,
        message_nl=message_nl,
        message_en=message_en,
        shape=shape,
    )


def _add(
    data: Graph,
    report: TripleSink,
    report_node: Node,
    *,
    focus: URIRef,
    value: URIRef | None,
    message_nl: str,
    message_en: str,
    shape: URIRef,
) -> Finding:
    """A Violation on qudt:hasUnit, in the report and as a Finding."""
    return report_finding(
        data,
        report,
        report_node,
        severity="Violation",
        focus=focus,
        path=QUDT.hasUnit,
        value=value,
        message_nl=message_nl,
        message_en=message_en,
        shape=shape,
        component=CHECK_COMPONENT,
    )


__all__ = ["EFFECT_UNIT_CHECK", "NORM_UNIT_CHECK", "unit_findings"]
