"""`krb import-metingen`: a measurements CSV into a graph of its own, all or nothing.

Measurements belong to the research environment, not to the policy, so each file
becomes one named graph, ``{base}/graph/metingen/{file name slug}``; importing the
file again replaces that graph and nothing else. The texts of a row are resolved
against the registry in the store:

- ``indicator``: an indicator's code (GEL-I01), IRI or exact name;
- ``gebied``: a werkingsgebied's CBS code (GM0363, WK036300, BU03630000, also with
  its ``skos:notation``), code or IRI; where several areas carry the same CBS code
  (codes are reused between editions of the CBS map, krb:cbsJaar), the one of the
  latest edition not after the measured year is taken;
- ``bron``: the code or IRI of a data source (dcat:Dataset) of the registry, or the
  web address of the source;
- a code or name that fits several things (two municipalities' GEL-I01 in a shared
  store, two indicators of one name, two sources of one code, two areas of one CBS
  year, two concepts of ``sector``, ``materiaal`` or ``leefomgeving``) is refused,
  with the IRIs that fit: no thing is picked (krbgraph.measurements.resolving), and
  the base IRI only lets the municipality's own concept hide a national one (below);
- ``eenheid``: any unit krbgraph.units resolves, or the IRI of the registry's own
  unit (which converts to nothing but itself); a value in a unit that converts to
  the indicator's unit (m and km, % and fraction) is stored converted, one that does
  not is refused;
- ``waarde`` without ``eenheid``: a label (energielabel ``C``) of the ordered value
  list the indicator's norms use (krb:waardeBegrip), for an indicator without a
  unit; the observation's result is then that ranked concept itself;
- ``sector``, ``materiaal``: a concept of the Sectoren or Materialen list, or of the
  registry's own lists, by code, name, hoofdtype/subtype or IRI;
  ``leefomgeving``: an IMBOR object type (name, UUID or IRI) or a local object type
  of the registry (krb:LokaalObjecttype), as norms are classified. The
  municipality's own concepts (under the base IRI) are looked up first, hiding a
  national one of the same name; a name that fits several other concepts (two own
  ones, another municipality's and a national one) is refused as above
  (krbgraph.measurements.concepts).

A row is one measurement by its indicator, area, period and classification, not by
its IRI: two rows of one identity are refused, one in another graph is refused
(krbgraph.measurements.identity.already_elsewhere), and a measurement whose IRI one of
another identity spells too gets a suffix (identity.assign_iris).

Every problem of every row is collected first (file, line, column). Only a file
without problems is written, through krbgraph.loading.load_paths, the path every
import takes: the new graph is validated against the shapes together with the rest
of the registry and replaces the old one in one step, or nothing changes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from ..loading import LoadReport, ValidationFailed, load_paths
from ..model import AUDIT_GRAPH, DERIVED_GRAPH
from ..registry import refuse_managed, refuse_new_graph_names
from ..store import META_GRAPH, Store
from ..units import (
    Unit,
    UnitCatalogue,
    UnitError,
    calculable,
    compatible,
    convert,
    default_catalogue,
    storable,
)
from .csvrows import Problem, Row, Unreadable, read_rows
from .identity import (
    Holders,
    Identity,
    already_elsewhere,
    area_part,
    assign_iris,
    foreign_content,
    measurement_iri,
    metingen_graph_iri,
)
from .lookup import Registry, Wanted
from .observations import add_observation, measurement_label
from .resolving import (
    Say,
    area_of,
    concepts_of,
    indicator_of,
    is_iri,
    label_of,
    source_of,
)

__all__ = [
    "ImportFailed",
    "MetingenReport",
    "Unreadable",
    "import_measurements",
    "metingen_graph_iri",
]


class ImportFailed(Exception):
    """The file has problems; nothing was written. ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the measurements; nothing was loaded")
        self.problems = problems


@dataclass(frozen=True)
class MetingenReport:
    graph: str
    measurements: int
    triples: int
    replaced: bool
    converted: int
    """How many values were converted to their indicator's unit."""


def import_measurements(
    store: Store, path: Path, *, base_iri: str, graph: str | None = None
) -> MetingenReport:
    """Read, resolve, convert and validate a measurements CSV, then replace its graph.

    Raises Unreadable (not a readable CSV), ImportFailed (problems in rows or shape
    violations; nothing written), LoadError (a model graph as target), GraphNameRefused
    (a graph named with a dot segment) or StoreError.
    """
    target = graph or metingen_graph_iri(base_iri, path)
    refuse_managed([target])  # a model graph: said as krb load says it
    refuse_new_graph_names([target])
    if found := foreign_content(store, target, path.name):
        raise ImportFailed(found)
    rows, problems = read_rows(path)
    registry = Registry.read(store, wanted=Wanted.by(rows))
    holders = Holders(store, target)
    data, converted, locations, identities = build_graph(
        rows, registry, base_iri, path.name, problems, holders=holders
    )
    if not problems:
        problems.extend(already_elsewhere(store, locations, identities, target, path.name, holders))
    if problems:
        raise ImportFailed(sorted(problems, key=_problem_order))
    with tempfile.TemporaryDirectory(prefix="krb-metingen-") as folder:
        written = Path(folder) / "metingen.nt"
        # N-Triples by the engine's own writer: Turtle through rdflib took 26 s of a
        # 20,000-row import that takes 11 s in all now.
        ox.serialize(data, str(written), ox.RdfFormat.N_TRIPLES)
        del data
        try:
            report: LoadReport = load_paths(
                store, [written], graph=target, replace=True, base_iri=base_iri
            )
        except ValidationFailed as exc:
            raise ImportFailed(
                _findings_as_problems(store, exc, locations, path.name, target)
            ) from None
    load = report.graphs[0]
    return MetingenReport(target, len(locations), load.triples, load.replaced, converted)


def build_graph(
    rows: list[Row],
    registry: Registry,
    base_iri: str,
    file: str,
    problems: list[Problem],
    *,
    holders: Holders | None = None,
) -> tuple[list[ox.Triple], int, dict[str, int], dict[str, Identity]]:
    """The observations of ``rows``; problems of resolution are appended to ``problems``.

    Returns the triples, how many values were converted, observation IRI -> line and
    observation IRI -> what makes it one measurement (for krbgraph.measurements.
    identity.already_elsewhere). Two rows are the same measurement by that identity,
    not by their IRI; ``holders`` (the store and the import's graph) lets a measurement
    whose plain IRI one of another identity holds elsewhere get another
    (krbgraph.measurements.identity.assign_iris); without it only the file's rows count.
    """
    catalogue = default_catalogue()
    graph: list[ox.Triple] = []
    converted = 0
    lines: dict[str, int] = {}
    identities: dict[str, Identity] = {}
    seen: dict[Identity, int] = {}
    named: list[_Named] = []
    base = base_iri.rstrip("/")
    for row in rows:
        found: list[Problem] = []

        def problem(
            column: str, nl: str, en: str, value: str, row: Row = row, found: list = found
        ) -> None:
            found.append(Problem(file, row.line, column, nl, en, value))

        indicator = indicator_of(registry, row, problem)
        area = area_of(registry, row, problem)
        source = source_of(registry, row, problem)
        concepts = concepts_of(registry, row, problem, base)
        if row.broken:  # its text is at fault (reported): only what it names is looked up
            problems.extend(found)
            continue
        value, unit, concept = row.waarde, None, None
        if row.label is not None:
            concept = label_of(registry, row, indicator, problem)
        else:
            try:
                unit = catalogue.resolve(row.eenheid)
            except UnitError as exc:
                unit = registry.own_units.get(row.eenheid)
                if unit is None:
                    problem("eenheid", exc.message_nl, exc.message_en, row.eenheid)
        if unit is not None and indicator is not None and indicator.unit is not None:
            wanted = _unit(catalogue, registry, indicator.unit)
            if wanted is not None and wanted.iri != unit.iri:
                if compatible(unit, wanted):
                    # Stored as a value the query engine calculates with (units.storable),
                    # to 15 digits of its SI value: 32 °F is 0 °C, not 2.1852e-14 °C.
                    value = storable(convert(row.waarde or Decimal(0), unit, wanted), wanted)
                    unit = wanted
                    converted += 1
                else:
                    problem(
                        "eenheid",
                        f"'{row.eenheid}' ({unit.display}) is niet om te rekenen naar de eenheid "
                        f"van de indicator, {wanted.display}",
                        f"'{row.eenheid}' ({unit.display}) does not convert to the indicator's "
                        f"unit, {wanted.display}",
                        row.eenheid,
                    )
        elif unit is not None and indicator is not None:
            _check_norm_units(catalogue, registry, indicator.iri, unit, row.eenheid, problem)
        if found:
            problems.extend(found)
            continue
        if value is not None and concept is None:
            # A value the engine calculates with: more than 18 decimals (0.0001 * 3 as
            # Python writes it) is rounded to what a double holds (units.calculable).
            value = calculable(value)
        assert indicator is not None and area is not None and source is not None
        result: tuple[Decimal, str] | str
        if concept is not None:
            result = concept
        else:
            assert unit is not None and value is not None
            result = (value, unit.iri)
        code = registry.indicator_codes.get(indicator.iri, indicator.iri.rsplit("/", 1)[-1])
        area_code = area_part(area)
        identity = Identity(
            indicator.iri, area.iri, row.start, row.end, frozenset(concepts.items())
        )
        classification = [_classification_part(base, *pair) for pair in concepts.items()]
        if identity in seen:
            problems.append(
                Problem(
                    file,
                    row.line,
                    None,
                    f"dezelfde meting (indicator, gebied, periode, indeling) staat al op regel "
                    f"{seen[identity]}",
                    f"the same measurement (indicator, area, period, classification) is already "
                    f"on line {seen[identity]}",
                )
            )
            continue
        seen[identity] = row.line
        plain = measurement_iri(base, identity, code, area.codes, classification)
        label = measurement_label(code, area_code, row.start, row.end)
        named.append(_Named(plain, identity, row, label, result, source, concepts))
    # A file with a problem writes nothing: the store is not asked for IRIs then.
    iris = assign_iris([(n.plain, n.identity) for n in named], None if problems else holders)
    for iri, one in zip(iris, named, strict=True):
        lines[iri] = one.row.line
        identities[iri] = one.identity
        add_observation(
            graph,
            ox.NamedNode(iri),
            label=one.label,
            indicator=one.identity.indicator,
            area=one.identity.area,
            row=one.row,
            result=one.result,
            source=one.source,
            concepts=one.concepts,
        )
    return graph, converted, lines, identities


class _Named(NamedTuple):
    """A row's measurement before its IRI is chosen (assign_iris)."""

    plain: str
    identity: Identity
    row: Row
    label: str
    result: tuple[Decimal, str] | str
    source: str
    concepts: dict[str, str]


_CHUNK = 500


def _check_norm_units(
    catalogue: UnitCatalogue,
    registry: Registry,
    indicator: str,
    unit: Unit,
    text: str,
    problem: Say,
) -> None:
    """For an indicator without a unit: the value must convert to the unit of every number
    norm on it. Nothing else says what such an indicator measures, and a value of another
    kind (500 kg against a norm of 400 m) tells nothing about the norm; normtoets and
    normgat would give it no verdict, so it is refused here, where it can be fixed."""
    found = (
        _unit(catalogue, registry, iri) for iri in sorted(registry.norm_units.get(indicator, ()))
    )
    norms = [norm for norm in found if norm is not None]
    wrong = [norm for norm in norms if not compatible(unit, norm)]
    if wrong:
        shown = ", ".join(norm.display for norm in wrong)
        problem(
            "eenheid",
            f"'{text}' ({unit.display}) is niet om te rekenen naar de eenheid van de normen op "
            f"deze indicator ({shown}); de indicator zelf heeft geen eenheid",
            f"'{text}' ({unit.display}) does not convert to the unit of the norms on this "
            f"indicator ({shown}); the indicator itself has no unit",
            text,
        )


def _unit(catalogue: UnitCatalogue, registry: Registry, iri: str) -> Unit | None:
    """The unit ``iri`` names: QUDT's or the KRB's, else the registry's own."""
    return catalogue[iri] if iri in catalogue else registry.own_units.get(iri)


def _classification_part(base: str, column: str, concept: str) -> str:
    """A measurement IRI's part for one classification: its column and its concept's last
    segment, marked as the registry's own where it is. The segment alone made sector
    'alle' and materiaal 'alle', or an own and the national 'inwoners', one measurement."""
    own = "-eigen" if concept.startswith(base + "/") else ""
    return f"{column}{own}-{concept.rsplit('/', 1)[-1]}"


# ------------------------------------------------------------------------- findings


def _findings_as_problems(
    store: Store, exc: ValidationFailed, lines: dict[str, int], file: str, target: str
) -> list[Problem]:
    """The violations as problems of the file, at the line of their measurement. The whole
    registry is validated, so a violation may be about an object of another graph (data
    loaded without validation): that one is said to be there, with its graph, not in the
    file, where nobody would find it. The file's own blank nodes (periods, results) are
    never a focus (the shapes check them from their observation), so a blank node one
    is another graph's too."""
    violations = list(exc.result.violations())
    outside = {f.focus for f in violations if f.focus not in lines}
    elsewhere = _graphs_of(store, {focus for focus in outside if is_iri(focus)}, target)
    problems = []
    for finding in violations:
        if finding.focus in lines or (is_iri(finding.focus) and finding.focus not in elsewhere):
            problems.append(
                Problem(
                    file,
                    lines.get(finding.focus),
                    None,
                    finding.message_nl,
                    finding.message_en,
                    finding.value,
                )
            )
            continue
        graph = elsewhere.get(finding.focus)
        problems.append(
            Problem(
                f"graaf/graph <{graph}>" if graph else "het register/the registry",
                None,
                None,
                f"{finding.message_nl.rstrip('.')} (al in het register, niet in {file}: "
                "herstel het daar; krb validate --store toont alles wat het register nog mist).",
                f"{finding.message_en.rstrip('.')} (already in the registry, not in {file}: "
                "fix it there; krb validate --store shows everything the registry still lacks).",
                finding.value,
            )
        )
    return sorted(problems, key=_problem_order)


_NOT_WHERE_FIXED = ", ".join(f"<{iri}>" for iri in (DERIVED_GRAPH, AUDIT_GRAPH, META_GRAPH))
"""Graphs krbgraph keeps itself: a thing they mention is fixed in its own graph (the
derived graph sorted first and was named for a measure whose theme was missing)."""


def _graphs_of(store: Store, focus: set[str], target: str) -> dict[str, str]:
    """IRI -> a graph other than ``target`` that says something about it, for those of
    ``focus`` the file's graph does not describe."""
    iris = sorted(focus)
    found: dict[str, str] = {}
    for start in range(0, len(iris), _CHUNK):
        listed = " ".join(f"<{iri}>" for iri in iris[start : start + _CHUNK])
        query = (
            f"SELECT ?s (MIN(STR(?g)) AS ?graph) WHERE {{ VALUES ?s {{ {listed} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({_NOT_WHERE_FIXED})) "
            f"FILTER NOT EXISTS {{ GRAPH <{target}> {{ ?s ?p2 ?o2 }} }} "
            "} GROUP BY ?s"
        )
        for subject, graph in store.query(query).rows:
            if graph is not None:
                found[str(subject)] = str(graph)
    return found


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.column or "")
