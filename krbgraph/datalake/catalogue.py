"""catalogus.ttl: the export described in DCAT, with one distribution per file.

The description uses relative IRIs only (``<metingen.parquet>``, ``<#export>``), so
they resolve against wherever the file is read from: the folder can be moved,
zipped or published as a whole and its catalogue stays right. The export is
linked to the registry's own descriptions of its data sources (the dcat:Dataset
each measurement names as dct:source, and the dcat:Catalog that lists it) by IRI
only; those descriptions stay in the registry, where they are maintained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rdflib import Literal, URIRef

from ..store import Store

__all__ = ["FileInfo", "Sources", "catalogue_turtle", "data_sources"]

MEDIA_TYPES = {
    ".parquet": "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet",
    ".csv": "https://www.iana.org/assignments/media-types/text/csv",
    ".json": "https://www.iana.org/assignments/media-types/application/json",
}
FORMAT_NAMES = {".parquet": "Parquet", ".csv": "CSV", ".json": "JSON"}
CONFORMS_TO = {
    ".parquet": "https://parquet.apache.org/docs/file-format/",
    ".csv": "https://www.rfc-editor.org/rfc/rfc4180",
    ".json": "https://www.rfc-editor.org/rfc/rfc8259",
}


@dataclass(frozen=True)
class FileInfo:
    name: str
    """The file name inside the export folder."""
    size: int
    title: str
    """What the file holds, in Dutch (the query's title for a table)."""
    rows: int | None = None


@dataclass(frozen=True)
class Sources:
    datasets: tuple[str, ...]
    """Every source a measurement names (a dcat:Dataset IRI or a web address)."""
    catalogues: tuple[str, ...]
    """The dcat:Catalog resources of the registry that list one of them."""


_SOURCES = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?bron ?catalogus WHERE {
  ?meting a sosa:Observation ; dct:source ?bron .
  FILTER (isIRI(?bron))
  OPTIONAL { ?catalogus a dcat:Catalog ; dcat:dataset ?bron }
}
"""


def data_sources(store: Store, *, timeout_s: float | None = None) -> Sources:
    """The registry's sources of the measurements and the catalogues listing them."""
    result = store.query(_SOURCES, timeout_s=timeout_s)
    datasets = {str(row[0]) for row in result.rows if isinstance(row[0], URIRef)}
    catalogues = {str(row[1]) for row in result.rows if isinstance(row[1], URIRef)}
    return Sources(tuple(sorted(datasets)), tuple(sorted(catalogues)))


_HEAD = """\
# The export of the Kernregistratie Beleid for research, described in DCAT.
# Relative IRIs resolve against this file's location: the folder moves as a whole.

@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

"""


def _lit(text: str, lang: str | None = None) -> str:
    return Literal(text, lang=lang).n3()


def _iri(iri: str) -> str:
    return URIRef(iri).n3()


def _slug(name: str) -> str:
    return "#" + name.replace(".", "-")


def catalogue_turtle(files: Sequence[FileInfo], sources: Sources, issued: datetime) -> str:
    """The Turtle text of catalogus.ttl for ``files`` (names relative to the folder)."""
    stamp = f'"{issued.isoformat(timespec="seconds")}"^^xsd:dateTime'
    dataset = [
        "<#export> a dcat:Dataset ;",
        "    dct:title "
        + _lit("Kernregistratie Beleid: beleidsketen en metingen voor onderzoek", "nl")
        + " ,\n        "
        + _lit("Kernregistratie Beleid: policy chain and measurements for research", "en")
        + " ;",
        "    dct:description "
        + _lit(
            "De beleidsketen, de metingen en de tabellen indicatoren, gebieden en normen "
            "als Parquet en CSV; kolommen, betekenis en herkomst staan in datadictionary.csv. "
            "Tabellen sluiten aan op kolommen met dezelfde naam (IRI's).",
            "nl",
        )
        + " ,\n        "
        + _lit(
            "The policy chain, the measurements and the tables indicatoren, gebieden and "
            "normen as Parquet and CSV; columns, meaning and origin are in "
            "datadictionary.csv. Tables join on columns with the same name (IRIs).",
            "en",
        )
        + " ;",
        f"    dct:issued {stamp} ;",
    ]
    for iri in sources.datasets:
        dataset.append(f"    dct:source {_iri(iri)} ;")
        dataset.append(f"    prov:wasDerivedFrom {_iri(iri)} ;")
    for iri in sources.catalogues:
        dataset.append(f"    rdfs:seeAlso {_iri(iri)} ;")
    distributions = ", ".join(f"<{_slug(f.name)}>" for f in files)
    dataset.append(f"    dcat:distribution {distributions} .")
    parts = [_HEAD, "\n".join(dataset), "\n"]
    for info in files:
        parts.append("\n" + _distribution(info, stamp) + "\n")
    return "".join(parts)


def _distribution(info: FileInfo, stamp: str) -> str:
    suffix = "." + info.name.rpartition(".")[2]
    title = f"{info.title} ({FORMAT_NAMES[suffix]})"
    described = f"{info.rows} rijen" if info.rows is not None else "Beschrijving van de kolommen"
    lines = [
        f"<{_slug(info.name)}> a dcat:Distribution ;",
        f"    dct:title {_lit(title, 'nl')} ;",
        f"    dct:description {_lit(described, 'nl')} ;",
        f"    dcat:downloadURL <{info.name}> ;",
        f"    dcat:accessURL <{info.name}> ;",
        f"    dcat:mediaType {_iri(MEDIA_TYPES[suffix])} ;",
        f"    dct:conformsTo {_iri(CONFORMS_TO[suffix])} ;",
        f'    dcat:byteSize "{info.size}"^^xsd:nonNegativeInteger ;',
        f"    dct:issued {stamp} .",
    ]
    return "\n".join(lines)
