"""Where a measurement import may write, and what names one measurement: the checks
that keep an import from replacing policy or merging two areas' measurements."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from ..iris import reference
from ..store import Store
from .csvrows import Problem
from .lookup import Area

__all__ = ["area_part", "foreign_content", "metingen_graph_iri"]


def metingen_graph_iri(base_iri: str, path: Path) -> str:
    """``{base}/graph/metingen/{slug of the file name without extension}``."""
    return f"{base_iri.rstrip('/')}/graph/metingen/{reference(path.stem)}"


_WRITTEN_TYPES = (
    "http://www.w3.org/ns/sosa/Observation",
    "http://www.w3.org/ns/sosa/Procedure",
    "http://qudt.org/schema/qudt/QuantityValue",
    "http://www.w3.org/2006/time#Interval",
    "http://purl.org/dc/terms/PeriodOfTime",
)
"""The types of what an import writes (krbgraph.measurements.observations)."""

_FOREIGN = """
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?type }
  FILTER (?type NOT IN (%s))
} GROUP BY ?type ORDER BY DESC(?n) LIMIT 5"""


def foreign_content(store: Store, target: str, file: str) -> list[Problem]:
    """A problem when ``target`` holds things no measurement import writes (the policy of
    `--graph .../graph/geluid`, typed for "the noise measurements"): the import replaces
    its graph, and it deleted that policy without a word (exit 0)."""
    types = ", ".join(f"<{t}>" for t in _WRITTEN_TYPES)
    rows = store.query(_FOREIGN % types, bindings={"g": URIRef(target)}).rows
    if not rows:
        return []
    kinds = ", ".join(f"{count} {_local_name(str(kind))}" for kind, count in rows)
    return [
        Problem(
            file,
            None,
            None,
            f"graaf <{target}> bevat wat geen metingenimport schrijft ({kinds}); deze import "
            "zou het verwijderen. Importeer in een andere graaf (zonder --graph: een eigen "
            "graaf per bestand), of verwijder de graaf eerst (krb drop) als dat de bedoeling is",
            f"graph <{target}> holds what no measurement import writes ({kinds}); this import "
            "would delete it. Import into another graph (without --graph: a graph of its own "
            "per file), or drop the graph first (krb drop) if that is meant",
        )
    ]


def area_part(area: Area) -> str:
    """The area's part of a measurement's IRI and name: its CBS code or code, else its
    IRI's last segment. Two areas that carry one code (editions of the CBS map,
    krb:cbsJaar) get one IRI for a period's measurement, so the second is refused as
    a duplicate: an IRI that depended on whether the code is shared changed when an
    edition was added, and let the same measurement in twice (the duplicate check
    compares IRIs)."""
    return area.codes[0] if area.codes else area.iri.rsplit("/", 1)[-1]


def _local_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
